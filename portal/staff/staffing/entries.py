"""Writing plans and the figures staffed: a month's plan or a day's figures replace what was there.

An empty figure removes the row (nothing planned, or nothing entered yet), so a mistake is undone
by clearing it. Each save is audited after it commits, by month or by day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.core.database import write_transaction
from portal.core.models import PhoneDay, PhonePlan, ReceptionDay, ReceptionPlan, User
from portal.staff import audit


@dataclass(frozen=True)
class Staffing:
    """Lines and operators (both None: none given), and reception staff per venue id."""

    lines: int | None
    operators: Decimal | None
    reception: dict[int, Decimal | None]


def _replace(phone: type, reception: type, column: str, when: date, staffing: Staffing, user: User) -> None:
    """Replace the phone row and the listed venues' rows that `column` (month or day) equals `when` on."""
    with write_transaction():
        phone.delete().where(getattr(phone, column) == when).execute()
        if staffing.lines is not None:
            phone.create(
                **{column: when}, lines=staffing.lines, operators=staffing.operators, changed_by=user.id
            )
        venues = list(staffing.reception)
        reception.delete().where(getattr(reception, column) == when, reception.venue.in_(venues)).execute()
        for venue_id, staff in staffing.reception.items():
            if staff is not None:
                reception.create(**{column: when}, venue=venue_id, staff=staff, changed_by=user.id)


def save_plan(month: date, plan: Staffing, user: User) -> None:
    """The month's plan, replacing the one before."""
    _replace(PhonePlan, ReceptionPlan, "month", month, plan, user)
    audit.record("staffing.plan", object_type="staffing-month", object_id=month.strftime("%Y-%m"))


def save_day(day: date, staffed: Staffing, user: User) -> None:
    """The day's figures, replacing those entered before."""
    _replace(PhoneDay, ReceptionDay, "day", day, staffed, user)
    audit.record("staffing.actual", object_type="staffing-day", object_id=day.isoformat())
