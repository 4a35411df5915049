"""Fictional bookings: a past season's outcomes and the current season's requests.

Rows go in by bulk insert, and each session's `taken` is then counted from its seat-holding
bookings in one UPDATE inside the same transaction, so it is exact by construction.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from peewee import chunked, fn

from portal.core import availability
from portal.core.models import Booking, BookingIndex, ConsultationSession
from portal.core.models.base import utcnow
from portal.core.models.reservations import SEAT_HOLDING, BookingStatus, Channel
from portal.core.programmes import PROGRAMMES
from portal.core.reservations import new_reference
from portal.core.security.sealing import sealer
from portal.demo.businesses import BusinessBook, as_phone_booking, as_web_request
from portal.staff.people import index_columns

PAST_BOOKINGS = 240
CURRENT_BOOKINGS = 60
FULL_SESSIONS = 3  # sessions in the first fortnight booked out, so the calendar shows 満席
REPEAT_SHARE = 0.12  # businesses that come back for a second consultation
PAST_DEMAND = {6: 3.0, 7: 3.0, 8: 2.0, 9: 1.2, 10: 1.0}  # the June rush, fading by autumn
TOKYO_OFFSET = timedelta(hours=9)
INSERT_BATCH = 100


class Planner:
    """Chooses sessions with a free place and the business that books each one."""

    def __init__(self, rng: random.Random, operator_id: int | None) -> None:
        self.rng = rng
        self.operator_id = operator_id
        self.businesses = BusinessBook(rng)
        self.known: list[dict] = []
        self.held: dict[int, int] = {}
        self.rows: list[dict] = []
        self.indexes: dict[str, dict] = {}  # reference -> blind indexes, for the staff store

    def free_session(self, sessions: list[ConsultationSession], weights: list[float]) -> ConsultationSession:
        """A session drawn by weight among those with a place left."""
        cumulative = list(accumulate(weights))
        while True:
            session = self.rng.choices(sessions, cum_weights=cumulative)[0]
            if self.held.get(session.id, 0) < session.capacity:
                return session

    def person(self) -> dict:
        """A new business, or now and then one that booked before."""
        if self.known and self.rng.random() < REPEAT_SHARE:
            return self.rng.choice(self.known)
        person = self.businesses.new()
        self.known.append(person)
        return person

    def add(self, session: ConsultationSession, channel: str, status: str, created_at: datetime) -> None:
        """One booking row, its personal data sealed to the staff key and indexed."""
        rng = self.rng
        person = self.person()
        payload = as_web_request(person) if channel == Channel.WEB else as_phone_booking(person, rng)
        codes = rng.sample([code for code, _label in PROGRAMMES], k=rng.choice((1, 1, 1, 2)))
        reference = new_reference()
        self.indexes[reference] = index_columns(payload)
        self.rows.append(
            {
                "session": session.id,
                "channel": channel,
                "status": status,
                "reference": reference,
                "sealed": sealer().seal(payload),
                "programmes": ",".join(codes),
                "created_by": self.operator_id if channel == Channel.PHONE else None,
                "created_at": created_at,
            }
        )
        if status in SEAT_HOLDING:
            self.held[session.id] = self.held.get(session.id, 0) + 1

    def channel(self) -> str:
        """Most businesses still phone; a good share book on the web."""
        return Channel.PHONE if self.rng.random() < 0.6 else Channel.WEB


def _office_hours_utc(rng: random.Random, day: date) -> datetime:
    local = datetime.combine(day, time(rng.randint(9, 16), rng.randrange(0, 60, 5)))
    return local - TOKYO_OFFSET


def plan_past(planner: Planner, sessions: list[ConsultationSession]) -> None:
    """The 2020 season: who came, who did not, who cancelled."""
    rng = planner.rng
    weights = [s.capacity * PAST_DEMAND.get(s.date.month, 1.0) for s in sessions]
    for _ in range(PAST_BOOKINGS):
        session = planner.free_session(sessions, weights)
        status = rng.choices(
            (BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED), weights=(75, 9, 16)
        )[0]
        made_on = session.date - timedelta(days=rng.randint(1, 21))
        planner.add(session, planner.channel(), status, _office_hours_utc(rng, made_on))


def plan_current(planner: Planner, sessions: list[ConsultationSession]) -> None:
    """The current season: requests waiting, confirmed bookings, a few cancelled; near dates fill first."""
    rng = planner.rng
    now = utcnow()
    first = sessions[0].date

    def status(channel: str) -> str:
        if rng.random() < 0.08:
            return BookingStatus.CANCELLED
        return (
            BookingStatus.REQUESTED
            if channel == Channel.WEB and rng.random() < 0.45
            else BookingStatus.CONFIRMED
        )

    def made_at() -> datetime:
        return now - timedelta(minutes=rng.randint(10, 60 * 24 * 10))

    small = [s for s in sessions if (s.date - first).days < 14 and s.capacity <= 3]
    for session in rng.sample(small, k=min(FULL_SESSIONS, len(small))):
        while planner.held.get(session.id, 0) < session.capacity:
            planner.add(session, Channel.PHONE, BookingStatus.CONFIRMED, made_at())
    weights = [s.capacity / (1 + (s.date - first).days / 7) for s in sessions]
    while len(planner.rows) < PAST_BOOKINGS + CURRENT_BOOKINGS:
        session = planner.free_session(sessions, weights)
        channel = planner.channel()
        planner.add(session, channel, status(channel), made_at())


def insert(planner: Planner) -> None:
    """Inside the caller's transaction: the rows, then every session's places counted from them."""
    for batch in chunked(planner.rows, INSERT_BATCH):
        Booking.insert_many(batch).execute()
        ids = Booking.select(Booking.reference, Booking.id).where(
            Booking.reference.in_([row["reference"] for row in batch])
        )
        BookingIndex.insert_many(
            [{"booking": booking_id, **planner.indexes[reference]} for reference, booking_id in ids.tuples()]
        ).execute()
    held = Booking.select(fn.COUNT(Booking.id)).where(
        (Booking.session == ConsultationSession.id) & Booking.status.in_(SEAT_HOLDING)
    )
    ConsultationSession.update(taken=held).execute()
    availability.changed()
