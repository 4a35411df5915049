"""The incident forms: registering one, a contact entry, a timeline entry, a business by reference.

Times are typed as read in Tokyo and stored in UTC. Exposed records and documents are given by
their numbers (as their pages show them); folders are chosen from the library's list.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.dates import TOKYO, in_business_range
from portal.core.forms import PortalForm
from portal.core.models import ConsultationRecord, Document, Folder, Organisation
from portal.staff.incidents.contacts import KINDS, REASONS, VISIT_NEEDED
from portal.staff.incidents.registry import DISCOVERY
from portal.staff.roles import ROLE_LABELS

NOTE_MAX = 4000
IDS_MAX = 4000
ID_LIST = re.compile(r"[0-9\s,、]*")
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def stored_time(field: DateTimeLocalField) -> datetime:
    """A time typed as read in Tokyo, as stored (naive UTC)."""
    return field.data.replace(tzinfo=TOKYO).astimezone(UTC).replace(tzinfo=None)


def a_business_time(_form: PortalForm, field: DateTimeLocalField) -> None:
    """A time on a day the portal deals in."""
    if field.data is not None and not in_business_range(field.data.date()):
        raise ValidationError(_l("日時は2000年から2099年の間で入力してください。"))


def time_field(label: object) -> DateTimeLocalField:
    """A required date and time, typed as read in Tokyo."""
    return DateTimeLocalField(label, format=TIME_FORMAT, validators=[DataRequired(), a_business_time])


def numbers(field: StringField) -> set[int]:
    """The whole numbers typed in a list field (spaces, commas or 、 between them)."""
    return {int(n) for n in re.findall(r"[0-9]{1,9}", field.data or "")}


def _id_list(model, message):
    def check(_form: PortalForm, field: StringField) -> None:
        if not ID_LIST.fullmatch(field.data or ""):
            raise ValidationError(_l("番号は半角数字で、空白か読点で区切って入力してください。"))
        wanted = numbers(field)
        if wanted and model.select().where(model.id.in_(list(wanted))).count() != len(wanted):
            raise ValidationError(message)

    return check


class IncidentForm(PortalForm):
    """The facts of an exposure as the city knows them."""

    discovered_at = time_field(_l("発見日時"))
    discovered_how = SelectField(_l("発見の経緯"), choices=[SelectChoice(k, v) for k, v in DISCOVERY.items()])
    discovery_note = TextAreaField(_l("発見の詳細"), validators=[Optional(), Length(max=NOTE_MAX)])
    window_start = time_field(_l("露出の始まり"))
    window_end = time_field(_l("露出の終わり"))
    cause = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=NOTE_MAX)])
    records = StringField(
        _l("露出した相談記録の番号"),
        validators=[Length(max=IDS_MAX), _id_list(ConsultationRecord, _l("ない相談記録の番号があります。"))],
    )
    documents = StringField(
        _l("露出した文書の番号"),
        validators=[Length(max=IDS_MAX), _id_list(Document, _l("ない文書の番号があります。"))],
    )
    folders = SelectMultipleField(
        _l("露出したフォルダ"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    scope_organisation = SelectField(_l("組織が読めたものすべて"), coerce=lambda v: int(v) if v else None)
    scope_role = SelectField(_l("役割が読めたものすべて"), default="")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.folders.choices = [SelectChoice(f.id, f.name) for f in Folder.select().order_by(Folder.name)]
        self.scope_organisation.choices = [SelectChoice("", _l("指定しない"))] + [
            SelectChoice(o.id, o.name) for o in Organisation.select().order_by(Organisation.name)
        ]
        self.scope_role.choices = [SelectChoice("", _l("指定しない"))] + [
            SelectChoice(k, v) for k, v in ROLE_LABELS.items()
        ]

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: the window runs forwards, and something was exposed."""
        valid = super().validate(extra_validators)
        start, end = self.window_start.data, self.window_end.data
        if start and end and start >= end:
            self.window_end.errors.append(_l("露出の終わりは始まりより後の日時にしてください。"))
            valid = False
        exposed = (
            numbers(self.records)
            or numbers(self.documents)
            or self.folders.data
            or self.scope_organisation.data
            or self.scope_role.data
        )
        if valid and not exposed:
            self.form_errors.append(
                _l("露出したもの（相談記録、文書、フォルダ、または組織・役割）を一つ以上入力してください。")
            )
            valid = False
        return valid


class ContactForm(PortalForm):
    """One thing done for an affected business."""

    kind = SelectField(_l("対応"), choices=[SelectChoice(k, v) for k, v in KINDS.items()])
    reason = SelectField(
        _l("訪問が必要な理由"),
        choices=[SelectChoice("", _l("選んでください"))] + [SelectChoice(k, v) for k, v in REASONS.items()],
        default="",
    )
    note = TextAreaField(_l("メモ"), validators=[Optional(), Length(max=NOTE_MAX)])

    def validate(self, extra_validators=None) -> bool:
        """A visit judged needed says why; nothing else carries a reason."""
        valid = super().validate(extra_validators)
        if self.kind.data == VISIT_NEEDED and not self.reason.data:
            self.reason.errors.append(_l("訪問が必要な理由を選んでください。"))
            return False
        if self.kind.data != VISIT_NEEDED:
            self.reason.data = None
        return valid


class TimelineForm(PortalForm):
    """An event of the incident the system did not see."""

    at = time_field(_l("日時"))
    text = TextAreaField(_l("出来事"), validators=[DataRequired(), Length(max=NOTE_MAX)])


class BusinessForm(PortalForm):
    """A business found named in an exposed document, by its booking reference."""

    reference = StringField(_l("予約番号"), validators=[DataRequired(), Length(max=12)])
