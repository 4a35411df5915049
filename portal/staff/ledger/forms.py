"""The ledger's entry form: one bureau's staff on one day."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from portal.core.forms import PortalForm
from portal.staff.ledger.entries import NOTE_MAX, PEOPLE_MAX, NewEntry

DAY_PART_LABELS = {"full": _l("終日"), "half": _l("半日")}
STATUS_LABELS = {"planned": _l("予定"), "actual": _l("実績")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def bureau_choices(bureaus: tuple[str, ...]) -> list[SelectChoice]:
    """The configured bureaus, each its own label."""
    return [SelectChoice(name, name) for name in bureaus]


class SupportEntryForm(PortalForm):
    """An entry; the bureaus offered are the configured ones (set by the view)."""

    day = DateField(_l("日付"), validators=[InputRequired()])
    bureau = SelectField(_l("応援元の局"), validators=[InputRequired()])
    people = IntegerField(
        _l("人数"),
        validators=[
            InputRequired(),
            NumberRange(min=0, max=PEOPLE_MAX, message=_l("人数は0から%(max)sまでの数で入力してください。")),
        ],
    )
    day_part = RadioField(
        _l("終日・半日"), choices=_choices(DAY_PART_LABELS), default="full", validators=[InputRequired()]
    )
    status = RadioField(
        _l("予定・実績"), choices=_choices(STATUS_LABELS), default="planned", validators=[InputRequired()]
    )
    note = StringField(_l("備考"), validators=[Length(max=NOTE_MAX)])

    def entry(self) -> NewEntry:
        """The entry as typed (the note trimmed)."""
        return NewEntry(
            day=self.day.data,
            bureau=self.bureau.data,
            people=self.people.data,
            day_part=self.day_part.data,
            status=self.status.data,
            note=(self.note.data or "").strip(),
        )
