"""Administrators' forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from portal.core.forms import PortalForm, within_database
from portal.core.models import Organisation
from portal.core.models.accounts import ROLES
from portal.staff.roles import ROLE_LABELS

NAME_REQUIRED = _l("氏名を入力してください。一覧や記録に表示されます。")


def name_field() -> StringField:
    """The name colleagues see on lists."""
    return StringField(
        _l("氏名"), validators=[DataRequired(message=NAME_REQUIRED), Length(max=100)], filters=[_strip]
    )


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


CHOOSE_ORGANISATION = _l(
    "所属組織を一覧から選んでください。一覧にない組織は、先に「組織」の画面で追加します。"
)


def _chosen_id(value: object) -> int | None:
    """An id from the list, or None for the "choose" line or anything else (a number past the
    database's integers included)."""
    try:
        return within_database(int(value))
    except (TypeError, ValueError):
        return None


def _existing_organisation(_form: PortalForm, field: SelectField) -> None:
    if field.data is None or not Organisation.select().where(Organisation.id == field.data).exists():
        raise StopValidation(CHOOSE_ORGANISATION)


class NewUserForm(PortalForm):
    """A new account in an organisation that exists; its owner sets up the second factor at first sign-in."""

    name = name_field()
    email = EmailField(
        _l("メールアドレス"),
        validators=[DataRequired(message=_l("メールアドレスを入力してください。")), Length(max=254)],
    )
    role = SelectField(_l("役割"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    organisation = SelectField(
        _l("所属組織"), coerce=_chosen_id, validate_choice=False, validators=[_existing_organisation]
    )
    expires_on = DateField(_l("利用期限"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", _l("選んでください"))] + [
            SelectChoice(o.id, o.name) for o in Organisation.select().order_by(Organisation.name)
        ]


class NameForm(PortalForm):
    """Another name for an account."""

    name = name_field()


class OrganisationForm(PortalForm):
    """A new organisation: a deliberate step of its own, apart from making an account."""

    name = StringField(
        _l("組織名"),
        validators=[DataRequired(message=_l("組織名を入力してください。")), Length(max=200)],
        filters=[_strip],
    )


class RoleForm(PortalForm):
    """Another role for an existing account."""

    role = SelectField(_l("役割"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class ExpiryForm(PortalForm):
    """An account's last day of access, or none."""

    expires_on = DateField(_l("利用期限"), validators=[Optional()])


class ContractForm(PortalForm):
    """An organisation's contract end date, after which its accounts stop working."""

    contract_ends_on = DateField(_l("契約終了日"), validators=[Optional()])
