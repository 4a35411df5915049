"""Every figure of the monthly report and of staffing planned against actual, as SQL aggregates
over a span of days: the one place these numbers are counted.

The definitions, for the README and the report's notes alike:
- a consultation is a booking marked attended (walk-ins are seated as attended);
- seats taken are bookings that hold a seat (every status but cancelled), walk-ins included,
  against the capacity of every session in the span, whether or not it still takes bookings
  (a session closed to new bookings still holds those it took), as the monitoring counts;
- a no-show is a booking marked absent; the no-show rate divides them by the booked visitors
  whose day came (attended without the walk-ins, plus the no-shows);
- a booking asks about any number of programmes, so one consultation counts under each it names;
- calls are the call counter's (portal.staff.call_counter), lines and people what staff entered.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from peewee import JOIN, Case, Expression, Value, fn

from portal.core.models import (
    Booking,
    CallEvent,
    ConsultationSession,
    PhoneDay,
    PhonePlan,
    ReceptionDay,
    ReceptionPlan,
    Venue,
)
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.months import shift
from portal.core.programmes import PROGRAMMES

TENTH = Decimal("0.1")
NONE_STATED = ""  # the programme code of a consultation that named none (a walk-in, say)
FISCAL_YEAR_STARTS = 4  # April


def people(value: object) -> Decimal:
    """A sum of people to one place (SQLite sums NUMERIC as floating point)."""
    return Decimal(str(value or 0)).quantize(TENTH, ROUND_HALF_UP)


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole to one decimal place, or None when there is nothing to divide by."""
    return (Decimal(part) / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP) if whole else None


def percent(part: int, whole: int) -> Decimal | None:
    """part as a percentage of whole, to one decimal place."""
    return ratio(100 * part, whole)


def month_end(month: date) -> date:
    """The last day of `month`."""
    return shift(month, 1) - timedelta(days=1)


def fiscal_year_start(month: date) -> date:
    """The April that opens the fiscal year `month` belongs to."""
    year = month.year if month.month >= FISCAL_YEAR_STARTS else month.year - 1
    return date(year, FISCAL_YEAR_STARTS, 1)


def _count_if(condition: Expression) -> fn:
    return fn.SUM(Case(None, [(condition, 1)], 0))


class Seats(NamedTuple):
    """Seat use and outcomes of one venue, one ward, or all of them."""

    label: str
    capacity: int
    taken: int
    consultations: int
    walk_ins: int
    no_shows: int

    @property
    def seat_use(self) -> Decimal | None:
        """Seats taken as a percentage of capacity."""
        return percent(self.taken, self.capacity)

    @property
    def no_show_rate(self) -> Decimal | None:
        """No-shows as a percentage of the booked visitors whose day came."""
        return percent(self.no_shows, self.consultations - self.walk_ins + self.no_shows)


GROUPS = {"venue": (Venue.id, Venue.name), "ward": (Venue.ward,)}


def seats(first: date, last: date, by: str | None = None) -> list[Seats]:
    """Seats and outcomes from `first` to `last`, per venue or per ward (by name), or one row in all."""
    keys = GROUPS[by] if by else ()
    in_span = ConsultationSession.date.between(first, last)
    capacity = (
        ConsultationSession.select(*keys, fn.SUM(ConsultationSession.capacity)).join(Venue).where(in_span)
    )
    attended = Booking.status == BookingStatus.ATTENDED
    outcomes = (
        Booking.select(
            *keys,
            _count_if(Booking.status != BookingStatus.CANCELLED),
            _count_if(attended),
            _count_if(attended & (Booking.channel == Channel.WALK_IN)),
            _count_if(Booking.status == BookingStatus.NO_SHOW),
        )
        .join(ConsultationSession)
        .join(Venue)
        .where(in_span)
    )
    if keys:
        capacity, outcomes = capacity.group_by(*keys), outcomes.group_by(*keys)
    width = len(keys)
    places = {row[:width]: row[width] or 0 for row in capacity.tuples()}
    counted = {row[:width]: [value or 0 for value in row[width:]] for row in outcomes.tuples()}
    rows = [
        Seats(key[-1] if key else "", places.get(key, 0), *counted.get(key, (0, 0, 0, 0)))
        for key in dict.fromkeys([*places, *counted])
    ]
    return sorted(rows, key=lambda row: row.label)


def total_seats(first: date, last: date) -> Seats:
    """Seats and outcomes of every venue together."""
    return seats(first, last)[0]


class ProgrammeCount(NamedTuple):
    """Consultations that named one programme (NONE_STATED: that named none)."""

    code: str
    consultations: int


def programmes(first: date, last: date) -> list[ProgrammeCount]:
    """Consultations by programme, in the programmes' order, then those that named none."""
    listed = Value(",").concat(Booking.programmes).concat(",")
    counts = (
        Booking.select(
            *(_count_if(listed ** f"%,{code},%") for code, _label in PROGRAMMES),
            _count_if(Booking.programmes == ""),
        )
        .join(ConsultationSession)
        .where(ConsultationSession.date.between(first, last), Booking.status == BookingStatus.ATTENDED)
        .tuples()
        .get()
    )
    codes = [code for code, _label in PROGRAMMES] + [NONE_STATED]
    return [ProgrammeCount(code, count or 0) for code, count in zip(codes, counts, strict=True)]


class Calls(NamedTuple):
    """Calls the call counter counted: those that ended in a booking and the enquiries."""

    bookings: int
    enquiries: int

    @property
    def total(self) -> int:
        return self.bookings + self.enquiries


def calls(first: date, last: date) -> Calls:
    """The calls taken from `first` to `last`."""
    counted = dict(
        CallEvent.select(CallEvent.kind, fn.COUNT(CallEvent.id))
        .where(CallEvent.day.between(first, last))
        .group_by(CallEvent.kind)
        .tuples()
    )
    return Calls(counted.get("booking", 0), counted.get("enquiry", 0))


class PhoneStaffing(NamedTuple):
    """A month's phone staffing: the plan, and what was entered day by day."""

    planned_lines: int | None
    planned_operators: Decimal | None
    days: int  # days with figures entered
    line_days: int  # lines staffed, summed over those days
    operator_days: Decimal
    days_short: int  # days below the plan in lines or in operators
    calls: int

    @property
    def lines(self) -> Decimal | None:
        """Lines staffed on an average day entered."""
        return ratio(self.line_days, self.days)

    @property
    def operators(self) -> Decimal | None:
        """Operators on an average day entered."""
        return ratio(self.operator_days, self.days)

    @property
    def calls_per_line(self) -> Decimal | None:
        """Calls taken per line per day staffed."""
        return ratio(self.calls, self.line_days)


def phone_staffing(month: date) -> PhoneStaffing:
    """The month's phone plan against the lines and operators entered for its days."""
    plan = PhonePlan.get_or_none(PhonePlan.month == month)
    short = (
        _count_if((PhoneDay.lines < plan.lines) | (PhoneDay.operators < plan.operators)) if plan else Value(0)
    )
    days, line_days, operator_days, days_short = (
        PhoneDay.select(fn.COUNT(PhoneDay.id), fn.SUM(PhoneDay.lines), fn.SUM(PhoneDay.operators), short)
        .where(PhoneDay.day.between(month, month_end(month)))
        .tuples()
        .get()
    )
    return PhoneStaffing(
        planned_lines=plan.lines if plan else None,
        planned_operators=people(plan.operators) if plan else None,
        days=days,
        line_days=line_days or 0,
        operator_days=people(operator_days),
        days_short=days_short or 0,
        calls=calls(month, month_end(month)).total,
    )


class ReceptionStaffing(NamedTuple):
    """One venue's reception staff in a month: the plan, and what was entered day by day."""

    venue: str
    planned: Decimal | None
    days: int
    staff_days: Decimal
    days_short: int

    @property
    def staff(self) -> Decimal | None:
        """Reception staff on an average day entered."""
        return ratio(self.staff_days, self.days)


def reception_staffing(month: date) -> list[ReceptionStaffing]:
    """Each venue with a plan or figures in the month, by name."""
    planned = {
        (venue_id, name): people(staff)
        for venue_id, name, staff in ReceptionPlan.select(Venue.id, Venue.name, ReceptionPlan.staff)
        .join(Venue)
        .where(ReceptionPlan.month == month)
        .tuples()
    }
    plan_of_day = (ReceptionPlan.venue == ReceptionDay.venue) & (ReceptionPlan.month == month)
    entered = {
        (venue_id, name): (days, people(staff_days), short or 0)
        for venue_id, name, days, staff_days, short in ReceptionDay.select(
            Venue.id,
            Venue.name,
            fn.COUNT(ReceptionDay.id),
            fn.SUM(ReceptionDay.staff),
            _count_if(ReceptionDay.staff < ReceptionPlan.staff),
        )
        .join(Venue, on=ReceptionDay.venue == Venue.id)
        .join(ReceptionPlan, JOIN.LEFT_OUTER, on=plan_of_day)
        .where(ReceptionDay.day.between(month, month_end(month)))
        .group_by(Venue.id, Venue.name)
        .tuples()
    }
    rows = [
        ReceptionStaffing(key[1], planned.get(key), *entered.get(key, (0, people(0), 0)))
        for key in dict.fromkeys([*planned, *entered])
    ]
    return sorted(rows, key=lambda row: row.venue)


class Period(NamedTuple):
    """The headline figures of a month, or of several together."""

    first: date
    last: date
    seats: Seats
    calls: int
    line_days: int

    @property
    def calls_per_line(self) -> Decimal | None:
        return ratio(self.calls, self.line_days)


def period(first: date, last: date) -> Period:
    """Consultations, seats, no-shows, calls and lines staffed from `first` to `last`."""
    line_days = PhoneDay.select(fn.SUM(PhoneDay.lines)).where(PhoneDay.day.between(first, last)).scalar()
    return Period(first, last, total_seats(first, last), calls(first, last).total, line_days or 0)


def fiscal_year(month: date) -> tuple[list[Period], Period]:
    """Each month of `month`'s fiscal year up to it, and the year so far together."""
    start = fiscal_year_start(month)
    count = (month.year - start.year) * 12 + month.month - start.month + 1
    return [period(shift(start, n), month_end(shift(start, n))) for n in range(count)], period(
        start, month_end(month)
    )
