"""The pledge's forms: accepting the version in force, and the city's new version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.core.forms import PortalForm
from portal.staff.pledge.service import TEXT_MAX


class AcceptForm(PortalForm):
    """The box ticked under the text; `next` is where the gate found the account going."""

    agree = BooleanField(
        _l("上記の誓約書の内容を読み、これを守ることに同意します"), validators=[DataRequired()]
    )
    next = HiddenField()


class PublishForm(PortalForm):
    """The whole text of the new version, as every account will read it."""

    text = TextAreaField(_l("誓約書の本文"), validators=[DataRequired(), Length(max=TEXT_MAX)])
