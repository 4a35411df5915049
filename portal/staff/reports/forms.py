"""The report's remarks: free text to the city, sealed when stored."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.core.forms import PortalForm
from portal.staff.reports.sign_off import REMARKS_MAX


class RemarksForm(PortalForm):
    """What the month's figures do not say: events, problems, what is planned next."""

    remarks = TextAreaField(_l("所見・特記事項"), validators=[Length(max=REMARKS_MAX)])

    def text(self) -> str:
        """The remarks as typed, without the space around them."""
        return (self.remarks.data or "").strip()
