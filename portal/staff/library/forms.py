"""The library's forms: folders, grants, documents, versions, moves and deletions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from portal.core.forms import PortalForm
from portal.staff.library.labels import ACCESS_LABELS, PURPOSE_LABELS
from portal.staff.storage.upload_field import FileRequiredOrSent, UploadField

CHOOSE_FILE = _l("ファイルを選んでください。")


class FolderForm(PortalForm):
    """A new folder: its name, its purpose and the organisation that owns it."""

    name = StringField(_l("フォルダ名"), validators=[DataRequired(), Length(max=200)])
    purpose = SelectField(_l("用途"), choices=[SelectChoice(k, v) for k, v in PURPOSE_LABELS.items()])
    owner = SelectField(_l("所有する組織"), coerce=int)


class GrantForm(PortalForm):
    """Access for an organisation or a role (choices are set by the view)."""

    target = SelectField(_l("対象"))
    access = SelectField(_l("権限"), choices=[SelectChoice(k, v) for k, v in ACCESS_LABELS.items()])


class DocumentForm(PortalForm):
    """A new document: a title (searchable, never personal data) and its first file."""

    title = StringField(_l("タイトル"), validators=[DataRequired(), Length(max=200)])
    file = UploadField(_l("ファイル"), validators=[FileRequiredOrSent(message=CHOOSE_FILE)])


class VersionForm(PortalForm):
    """A new version of a document."""

    file = UploadField(_l("新しい版のファイル"), validators=[FileRequiredOrSent(message=CHOOSE_FILE)])


class MoveForm(PortalForm):
    """The folder a document moves to (the page offers the folders the user may write)."""

    destination = IntegerField(_l("移動先のフォルダ"), validators=[InputRequired()])


class DeleteForm(PortalForm):
    """Why a document is deleted; kept encrypted until retention destroys it."""

    reason = TextAreaField(
        _l("削除の理由"),
        validators=[DataRequired(message=_l("削除の理由を入力してください。")), Length(max=500)],
    )
