"""The city's consent to exports of personal data: which organisation may export today, and the switch.

The rule, the same for every organisation (the city's own included, so that its exports too rest
on a recorded decision): an export that carries personal data is made only while the newest
decision for the exporter's organisation is "on" and today lies within its period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import fn

from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.models import ExportConsent, Organisation, User
from portal.staff import audit

REASON_MAX = 200


@dataclass(frozen=True)
class Decision:
    """A city user's setting of the switch, as the form gives it."""

    allowed: bool
    reason: str
    starts_on: date | None = None
    ends_on: date | None = None


def current(organisation_id: int) -> ExportConsent | None:
    """The newest decision for an organisation, if the city ever made one."""
    return (
        ExportConsent.select()
        .where(ExportConsent.organisation == organisation_id)
        .order_by(ExportConsent.id.desc())
        .first()
    )


def may_export(user: User, today: date | None = None) -> bool:
    """Whether `user`'s organisation holds a consent in force today."""
    found = current(user.organisation_id)
    return found is not None and found.in_force(today or business_today())


def current_by_organisation() -> dict[int, ExportConsent]:
    """Each organisation's newest decision, by organisation id (one query for the list page)."""
    newest = ExportConsent.select(fn.MAX(ExportConsent.id)).group_by(ExportConsent.organisation)
    return {
        found.organisation_id: found for found in ExportConsent.select().where(ExportConsent.id.in_(newest))
    }


def history(organisation: Organisation) -> list[ExportConsent]:
    """Every decision for an organisation, newest first, with who made it."""
    return list(
        ExportConsent.select(ExportConsent, User)
        .join(User)
        .where(ExportConsent.organisation == organisation.id)
        .order_by(ExportConsent.id.desc())
    )


def decide(organisation: Organisation, decision: Decision, by: User) -> ExportConsent:
    """Record the city's decision; it takes effect at once (a period starting later waits for its day)."""
    with write_transaction():
        made = ExportConsent.create(
            organisation=organisation.id,
            allowed=decision.allowed,
            starts_on=decision.starts_on if decision.allowed else None,
            ends_on=decision.ends_on if decision.allowed else None,
            reason=decision.reason,
            decided_by=by.id,
        )
    audit.record(
        "export-consent.decide",
        outcome="on" if decision.allowed else "off",
        object_type="organisation",
        object_id=organisation.id,
    )
    return made
