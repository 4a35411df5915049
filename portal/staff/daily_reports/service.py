"""Filing a day's report: prefilled from the call counter and the day's bookings, issues sealed.

One report per day. Filing again edits it, guarded by a version number: the form carries the
version it was started from, and a save that finds a newer one is refused as a conflict with
the newer content shown, so nobody overwrites a colleague's words without seeing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from peewee import IntegrityError

from portal.core.database import locked, write_transaction
from portal.core.dates import TOKYO
from portal.core.models import Booking, DailyReport, Folder, User
from portal.core.models.base import utcnow
from portal.staff import audit
from portal.staff import call_counter as calls
from portal.staff.security.secrets_at_rest import secret_box


class Conflict(Exception):
    """Someone saved the day's report after this edit began; `current` is what they saved."""

    def __init__(self, current: DailyReport | None) -> None:
        super().__init__("the daily report changed")
        self.current = current


@dataclass(frozen=True)
class Prefill:
    """What the call counter and the bookings say about a day."""

    counter: calls.CallCount
    bookings: int


def report_folder() -> Folder | None:
    """The daily-report folder: its grants decide who files and who reads the reports."""
    return Folder.select().where(Folder.purpose == "daily-reports").order_by(Folder.id).first()


def issues_context(day: date) -> str:
    """Binds the sealed issues to their day's report."""
    return f"daily-report:{day.isoformat()}:issues"


def issues_of(report: DailyReport) -> str:
    """The issues text as the operator wrote it."""
    return secret_box().open(report.issues, issues_context(report.day))


def utc_bounds(day: date) -> tuple[datetime, datetime]:
    """The Tokyo day as naive UTC times, as timestamps are stored."""
    start = datetime.combine(day, time(0), TOKYO).astimezone(UTC).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def prefill(day: date) -> Prefill:
    """Calls counted on `day`, and bookings taken on it through every channel."""
    start, end = utc_bounds(day)
    taken = Booking.select().where(Booking.created_at >= start, Booking.created_at < end).count()
    return Prefill(calls.count(day), taken)


def file_report(
    day: date, calls_handled: int, bookings: int, issues: str, based_on: int, user: User
) -> DailyReport:
    """Create or edit the day's report; raises Conflict if it changed since version `based_on`."""
    sealed = secret_box().seal(issues, issues_context(day))
    try:
        with write_transaction():
            current = locked(DailyReport.select().where(DailyReport.day == day)).first()
            if (current.version if current else 0) != based_on:
                raise Conflict(current)
            values = {"calls": calls_handled, "bookings": bookings, "issues": sealed, "updated_by": user.id}
            if current is None:
                report = DailyReport.create(day=day, filed_by=user.id, **values)
            else:
                DailyReport.update(version=current.version + 1, updated_at=utcnow(), **values).where(
                    DailyReport.id == current.id
                ).execute()
                report = DailyReport.get_by_id(current.id)
    except IntegrityError:  # a first filing by someone else committed in between (PostgreSQL)
        raise Conflict(DailyReport.get_or_none(DailyReport.day == day)) from None
    action = "daily-report.file" if report.version == 1 else "daily-report.edit"
    audit.record(action, object_type="daily-report", object_id=report.id)
    return report
