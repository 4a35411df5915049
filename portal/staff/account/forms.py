"""Proving the password again before ending sessions, and changing it."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from portal.core.forms import PortalForm
from portal.staff.auth.forms import NewPasswordForm


class ConfirmPasswordForm(PortalForm):
    """The current password, checked as at sign-in and counted by the same throttle."""

    password = PasswordField(_l("現在のパスワード"), validators=[DataRequired(), Length(max=1024)])


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one typed twice, as the change a pause requires asks."""

    current_password = PasswordField(_l("現在のパスワード"), validators=[DataRequired(), Length(max=1024)])
