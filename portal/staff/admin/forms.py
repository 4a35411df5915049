"""Administrators' forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.core.forms import PortalForm
from portal.core.models.accounts import ROLES
from portal.staff.roles import ROLE_LABELS


class NewUserForm(PortalForm):
    """A new account; its owner sets up the second factor at first sign-in."""

    email = EmailField(_l("メールアドレス"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("役割"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    organisation = StringField(_l("所属組織"), validators=[DataRequired(), Length(max=200)])
    expires_on = DateField(_l("利用期限"), validators=[Optional()])


class RoleForm(PortalForm):
    """Another role for an existing account."""

    role = SelectField(_l("役割"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class ExpiryForm(PortalForm):
    """An account's last day of access, or none."""

    expires_on = DateField(_l("利用期限"), validators=[Optional()])


class ContractForm(PortalForm):
    """An organisation's contract end date, after which its accounts stop working."""

    contract_ends_on = DateField(_l("契約終了日"), validators=[Optional()])
