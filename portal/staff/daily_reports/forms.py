"""The daily report form: numbers prefilled by the portal, issues in the operator's words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from portal.core.forms import PortalForm

COUNT = [InputRequired(message=_l("件数を入力してください。")), NumberRange(min=0, max=100000)]


class DailyReportForm(PortalForm):
    """One day's report."""

    calls = IntegerField(_l("対応した電話の件数"), validators=COUNT)
    bookings = IntegerField(_l("受け付けた予約の件数"), validators=COUNT)
    issues = TextAreaField(_l("課題・連絡事項"), validators=[Length(max=4000)])
    version = HiddenField(default="0")

    def based_on(self) -> int:
        """The version this edit started from (anything unreadable counts as a conflict)."""
        try:
            return int(self.version.data or 0)
        except ValueError:
            return -1
