"""The city's oversight in the demo: the pledge every demo account has accepted, and consent to exports.

Decision: the demo accounts have accepted the first version of the pledge already, so a first
look (and any check that drives the demo accounts) reaches the pages at once; publishing a new
version as the city shows the pledge asked again. The city consents to exports by its own
organisation, the association and the operator for a year; the administrators' organisation has
no consent (and needs none: its role reaches no export of personal data).
"""

from __future__ import annotations

from datetime import timedelta

from portal.core.dates import business_today
from portal.core.models import User
from portal.staff.export_consent.service import Decision, decide
from portal.staff.pledge.service import accept, current_version, ensure_first_version

CONSENTED_ROLES = ("city", "consultant", "operator")
REASON = "日別予約一覧の共有（業務委託契約に基づく）"


def seed_oversight(users: dict[str, int]) -> None:
    """Every demo account accepts the pledge; the city consents to the three organisations' exports."""
    version = ensure_first_version() or current_version()
    for user_id in users.values():
        accept(User.get_by_id(user_id), version)
    city = User.get_by_id(users["city"])
    today = business_today()
    period = Decision(True, REASON, today, today + timedelta(days=364))
    for role in CONSENTED_ROLES:
        decide(User.get_by_id(users[role]).organisation, period, city)
