"""The city's switch for one organisation: on for a period with a reason, or off with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.forms import PortalForm
from portal.staff.export_consent.service import REASON_MAX, Decision

SWITCH_LABELS = {"on": _l("同意する（期間を指定）"), "off": _l("同意しない")}


class ConsentForm(PortalForm):
    """Both dates are asked for when the switch is on; the last day is not before the first."""

    switch = RadioField(
        _l("個人情報を含む出力への同意"),
        choices=[SelectChoice(value, label) for value, label in SWITCH_LABELS.items()],
        validators=[InputRequired()],
    )
    starts_on = DateField(_l("同意の開始日"), validators=[Optional()])
    ends_on = DateField(_l("同意の終了日（この日まで）"), validators=[Optional()])
    reason = StringField(_l("理由"), validators=[DataRequired(), Length(max=REASON_MAX)])

    def validate(self, extra_validators=None) -> bool:
        """The period matters only when consenting, and then it must be whole and in order."""
        if not super().validate(extra_validators):
            return False
        if self.switch.data != "on":
            return True
        for field in (self.starts_on, self.ends_on):
            if field.data is None:
                field.errors.append(_l("同意するときは%(field)sを入力してください。", field=field.label.text))
        if self.starts_on.data and self.ends_on.data and self.ends_on.data < self.starts_on.data:
            self.ends_on.errors.append(_l("終了日は開始日と同じか、それより後の日付にしてください。"))
        return not (self.starts_on.errors or self.ends_on.errors)

    def decision(self) -> Decision:
        """The decision as typed (the reason trimmed)."""
        return Decision(
            allowed=self.switch.data == "on",
            reason=(self.reason.data or "").strip(),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
        )
