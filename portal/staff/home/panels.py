"""What waits for each role today, as the panels of the staff home page.

A panel is one small function and one template (templates/home/_<name>.html): the function
returns what its template shows, or None when the signed-in user has nothing to do with it.
Panels show counts, days and ids only, never a visitor's details, so the home page opens nothing
sealed. A new panel is one function and one line in PANELS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_login import current_user
from peewee import fn

from portal.core.dates import business_today
from portal.core.models import (
    Booking,
    CallEvent,
    ConsultationRecord,
    ConsultationSession,
    DailyReport,
    Organisation,
    User,
)
from portal.core.models.reservations import SEAT_HOLDING, BookingStatus, Channel
from portal.staff.account_notices import shown_to
from portal.staff.approvals.service import APPROVER_ROLE
from portal.staff.approvals.views import waiting
from portal.staff.permissions import allowed
from portal.staff.self_checks.views import check_states

FOLLOW_UP_SOON = timedelta(days=7)
REPORT_LOOKBACK = 7  # days back a missing daily report is still shown
ENDING_SOON = timedelta(days=14)


@dataclass(frozen=True)
class Panel:
    """One panel: its template's name and what it shows."""

    name: str
    context: dict

    @property
    def template(self) -> str:
        """The panel's template."""
        return f"home/_{self.name}.html"


def account_notices(today: date) -> dict | None:
    """What happened to accounts lately (code entry paused): the holder's own, every one for an
    administrator (account_notices.py)."""
    notices = shown_to(current_user)
    return {"notices": notices} if notices else None


def web_requests(today: date) -> dict | None:
    """Web booking requests waiting for the front desk to confirm or decline."""
    if not allowed("bookings.requests_inbox", current_user.role):
        return None
    waiting_requests = Booking.select().where(
        Booking.status == BookingStatus.REQUESTED, Booking.channel == Channel.WEB
    )
    soonest = waiting_requests.join(ConsultationSession).select(fn.MIN(ConsultationSession.date)).scalar()
    return {"count": waiting_requests.count(), "soonest": soonest}


def _day_of_sessions(day: date) -> dict:
    sessions = ConsultationSession.select().where(ConsultationSession.date == day)
    if current_user.role == "consultant":
        sessions = sessions.where(ConsultationSession.consultant == current_user.id)
    booked = Booking.select().where(
        Booking.session.in_(sessions.select(ConsultationSession.id)), Booking.status.in_(SEAT_HOLDING)
    )
    return {"day": day, "sessions": sessions.count(), "bookings": booked.count()}


def sessions_ahead(today: date) -> dict | None:
    """Today's and tomorrow's sessions and bookings (a consultant's own only)."""
    if not allowed("bookings.daily_list", current_user.role):
        return None
    return {
        "days": [_day_of_sessions(today), _day_of_sessions(today + timedelta(days=1))],
        "reception": allowed("bookings.reception", current_user.role),
    }


def records_to_write(today: date) -> dict | None:
    """A consultant's attended consultations, up to today, that have no record yet."""
    if current_user.role != "consultant":
        return None
    from portal.staff.records.views import to_write

    return {"count": to_write().count()}


def follow_ups(today: date) -> dict | None:
    """Follow-ups overdue or due within a week: a consultant's own records, every one for the city."""
    if current_user.role not in ("consultant", APPROVER_ROLE):
        return None
    records = ConsultationRecord.select().where(
        ConsultationRecord.deleted_at.is_null(), ConsultationRecord.follow_up_due.is_null(False)
    )
    if current_user.role == "consultant":
        records = records.where(ConsultationRecord.author == current_user.id)
    overdue = records.where(ConsultationRecord.follow_up_due < today).count()
    due = records.where(
        ConsultationRecord.follow_up_due >= today, ConsultationRecord.follow_up_due <= today + FOLLOW_UP_SOON
    ).count()
    return {"overdue": overdue, "due": due}


def daily_report(today: date) -> dict | None:
    """Today's daily report, and earlier days this week that had calls but no report."""
    if not allowed("daily_reports.index", current_user.role):
        return None
    since = today - timedelta(days=REPORT_LOOKBACK)
    filed = {row.day for row in DailyReport.select(DailyReport.day).where(DailyReport.day >= since)}
    busy = {row.day for row in CallEvent.select(CallEvent.day).where(CallEvent.day >= since).distinct()}
    return {
        "today_filed": today in filed,
        "missing": sorted(day for day in busy - filed if day < today),
        "may_file": allowed("daily_reports.file", current_user.role),
    }


def accounts(today: date) -> dict | None:
    """An administrator's accounts to follow up: awaiting a city user's approval, not yet signed in
    for the first time, or ending within two weeks."""
    if not allowed("admin.users", current_user.role):
        return None
    active = [user for user in User.select(User, Organisation).join(Organisation) if user.disabled_at is None]
    return {
        "awaiting": sum(user.awaiting_approval for user in active),
        "not_enrolled": sum(not user.enrolled for user in active),
        "ending": sum(
            user.expires_on is not None and today <= user.expires_on <= today + ENDING_SOON for user in active
        ),
    }


def approvals(today: date) -> dict | None:
    """Accounts waiting for a city user's approval."""
    if current_user.role != APPROVER_ROLE:
        return None
    found = waiting()
    return found if found["approvals"] else None


def self_checks(today: date) -> dict | None:
    """The newest run of each of the portal's own checks, overdue ones marked (city, administrators)."""
    if not allowed("self_checks.index", current_user.role):
        return None
    states = check_states()
    return {"states": states, "attention": any(state.overdue or state.run.serious for state in states)}


PANELS: list[Callable[[date], dict | None]] = [
    account_notices,
    web_requests,
    sessions_ahead,
    records_to_write,
    follow_ups,
    daily_report,
    accounts,
    approvals,
    self_checks,
]


def panels_for_today() -> list[Panel]:
    """The panels the signed-in user has something in, in PANELS' order."""
    today = business_today()
    shown = ((panel.__name__, panel(today)) for panel in PANELS)
    return [Panel(name, context) for name, context in shown if context is not None]
