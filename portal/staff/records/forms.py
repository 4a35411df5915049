"""The record form, and the small forms around a record: deletion, grants, attachments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from portal.core.forms import PortalForm
from portal.core.programmes import programmes_field
from portal.staff.records.content import Body
from portal.staff.storage.upload_field import FileRequiredOrSent, UploadField

TEXT_LIMIT = 10_000


class RecordForm(PortalForm):
    """What was discussed and advised, and what follows."""

    programmes = programmes_field(label=_l("相談した支援制度"))
    advice = TextAreaField(
        _l("助言の内容"),
        validators=[DataRequired(message=_l("助言の内容を入力してください。")), Length(max=TEXT_LIMIT)],
    )
    follow_up = TextAreaField(_l("必要なフォローアップ"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    follow_up_due = DateField(_l("フォローアップの期日"), validators=[Optional()])
    notes = TextAreaField(_l("メモ"), validators=[Optional(), Length(max=TEXT_LIMIT)])

    def validate(self, extra_validators=None) -> bool:
        """A follow-up is scheduled by its date, and a date needs a follow-up."""
        valid = super().validate(extra_validators)
        wanted = bool((self.follow_up.data or "").strip())
        if wanted and self.follow_up_due.data is None and not self.follow_up_due.errors:
            self.follow_up_due.errors.append(_l("フォローアップの期日を入力してください。"))
            return False
        if self.follow_up_due.data is not None and not wanted:
            self.follow_up.errors.append(_l("期日を入れる場合は、必要なフォローアップも入力してください。"))
            return False
        return valid

    def body(self) -> Body:
        """The form's content as a record body."""
        return Body(
            advice=self.advice.data.strip(),
            programmes=list(self.programmes.data or []),
            follow_up=(self.follow_up.data or "").strip(),
            follow_up_due=self.follow_up_due.data,
            notes=(self.notes.data or "").strip(),
        )

    def fill(self, body: Body) -> None:
        """Put a saved body into the form."""
        self.programmes.data = body.programmes
        self.advice.data = body.advice
        self.follow_up.data = body.follow_up
        self.follow_up_due.data = body.follow_up_due
        self.notes.data = body.notes


class EditForm(RecordForm):
    """An edit carries the version it started from."""

    base_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class DeleteForm(PortalForm):
    """Why the record is deleted (kept encrypted)."""

    reason = TextAreaField(
        _l("削除の理由"),
        validators=[DataRequired(message=_l("削除の理由を入力してください。")), Length(max=500)],
    )


class GrantForm(PortalForm):
    """A consultant who may read the record."""

    grantee = SelectField(
        _l("閲覧を許可する相談員"),
        coerce=int,
        validators=[InputRequired(_l("閲覧を許可する相談員を一覧から選んでください。"))],
    )


class AttachmentForm(PortalForm):
    """One file; its type is decided from its bytes, never from its name."""

    file = UploadField(
        _l("追加するファイル"), validators=[FileRequiredOrSent(message=_l("ファイルを選んでください。"))]
    )
