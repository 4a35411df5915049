"""Who accepted which version when, and who has yet to accept the one in force: the page and its files."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.core.dates import business_today, tokyo_text
from portal.core.models import Organisation, PledgeAcceptance, PledgeVersion, User
from portal.staff.exports import Cell
from portal.staff.names import person_name
from portal.staff.roles import ROLE_LABELS


def acceptances() -> list[PledgeAcceptance]:
    """Every acceptance, newest first, with its account, organisation and version."""
    return list(
        PledgeAcceptance.select(PledgeAcceptance, PledgeVersion, User, Organisation)
        .join(PledgeVersion)
        .switch(PledgeAcceptance)
        .join(User)
        .join(Organisation)
        .order_by(PledgeAcceptance.accepted_at.desc(), PledgeAcceptance.id.desc())
    )


def unsigned(version: PledgeVersion | None) -> list[User]:
    """Accounts that work today but have not accepted `version`, by organisation and name."""
    if version is None:
        return []
    signed = PledgeAcceptance.select(PledgeAcceptance.user).where(PledgeAcceptance.version == version)
    today = business_today()
    candidates = (
        User.select(User, Organisation)
        .join(Organisation)
        .where(User.id.not_in(signed))
        .order_by(Organisation.name, User.email)
    )
    return [user for user in candidates if user.may_sign_in(today)]


def table() -> tuple[list[str], list[list[Cell]]]:
    """The list as a header and rows, for CSV and XLSX."""
    header = [_("版"), _("同意日時（日本時間）"), _("氏名"), _("メールアドレス"), _("組織"), _("役割")]
    rows = [
        [
            found.version.version,
            tokyo_text(found.accepted_at),
            person_name(found.user),
            found.user.email,
            found.user.organisation.name,
            str(ROLE_LABELS[found.user.role]),
        ]
        for found in acceptances()
    ]
    return header, rows
