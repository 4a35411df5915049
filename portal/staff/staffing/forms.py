"""The staffing forms: a month's plan, and one day's figures; both list venues one field each.

The venues a form lists are the view's; their ids travel in a hidden field so that a list that
changed between showing the form and sending it is noticed rather than filed under other venues.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, FieldList, HiddenField, IntegerField, ValidationError
from wtforms.validators import NumberRange, Optional, StopValidation

from portal.core.forms import PortalForm

LINES_MAX = 99
PEOPLE_MAX = Decimal("99.9")
PAIRED_MESSAGE = _l("電話回線の数とオペレーターの人数は、両方を入力するか両方を空にしてください。")
PEOPLE_MESSAGE = _l("人数は0から99.9までの数（小数は1桁まで）で入力してください。")


def a_number(_form: PortalForm, field: DecimalField) -> None:
    """NaN and infinities parse as decimals; refused here, before a range check that cannot compare
    them (a signalling NaN would raise there instead of failing)."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(PEOPLE_MESSAGE)


def one_decimal_place(_form: PortalForm, field: DecimalField) -> None:
    """People are counted in tenths at most (2.5 is a full-time and a half-time person)."""
    if field.data is not None and field.data != field.data.quantize(Decimal("0.1")):
        raise ValidationError(PEOPLE_MESSAGE)


def people_field(label: str) -> DecimalField:
    """A number of people, which may be left empty."""
    return DecimalField(
        label,
        places=None,
        validators=[
            Optional(),
            a_number,
            NumberRange(min=0, max=PEOPLE_MAX, message=PEOPLE_MESSAGE),
            one_decimal_place,
        ],
    )


class StaffingForm(PortalForm):
    """Phone lines and operators, and reception staff per listed venue (empty: none given)."""

    lines = IntegerField(
        _l("電話回線の数"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=LINES_MAX, message=_l("回線の数は0から%(max)sまでの数で入力してください。")
            ),
        ],
    )
    operators = people_field(_l("オペレーターの人数"))
    venue_ids = HiddenField()
    venues = FieldList(people_field(_l("受付の人数")))

    def listed(self, venue_ids: list[int]) -> None:
        """List these venues (before the form is shown the first time)."""
        self.venue_ids.data = ",".join(map(str, venue_ids))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: lines and operators are given together, or neither."""
        valid = super().validate(extra_validators)
        if (self.lines.data is None) != (self.operators.data is None) and not self.operators.errors:
            self.operators.errors.append(PAIRED_MESSAGE)
            return False
        return valid

    def staff_by_venue(self, venue_ids: list[int]) -> dict[int, Decimal | None] | None:
        """Each listed venue's figure, or None (with a message on the form) if the list changed."""
        if self.venue_ids.data != ",".join(map(str, venue_ids)) or len(self.venues.data) != len(venue_ids):
            self.form_errors.append(
                _l("会場の一覧が変わりました。表示し直した画面で、もう一度入力してください。")
            )
            return None
        return dict(zip(venue_ids, self.venues.data, strict=True))
