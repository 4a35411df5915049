"""A demo-like season for benchmarks: 16 venues in 8 wards, ~140 days of sessions, a few hundred bookings.

Used when `portal demo-seed` brings no sessions. Fictional names only; the bookings' details are
sealed to the instance's key like a web request's.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from portal import availability
from portal.database import write_transaction
from portal.models import ConsultationSession, Venue
from portal.reservations import SessionFull, book
from portal.security.sealing import Sealer

WARDS = ("架空中央区", "架空北区", "架空南区", "架空東区", "架空西区", "架空港区", "架空緑区", "架空若葉区")
SLOTS = ((time(10, 0), time(11, 0)), (time(13, 30), time(14, 30)), (time(15, 30), time(16, 30)))


def seed(sealer: Sealer, start: date, days: int = 140, bookings: int = 400, seed: int = 7) -> None:
    """Venues open two or three weekdays a week, three sessions a day, then bookings at random."""
    rng = random.Random(seed)
    rows = []
    with write_transaction():
        for number in range(16):
            ward = WARDS[number % len(WARDS)]
            venue = Venue.create(
                name=f"{ward} 会場{number + 1}", ward=ward, address=f"架空市{ward}{number + 1}-1-1"
            )
            weekdays = rng.sample(range(5), rng.choice((2, 3)))
            for offset in range(days):
                day = start + timedelta(days=offset)
                if day.weekday() in weekdays:
                    rows += [
                        {
                            "venue": venue,
                            "date": day,
                            "starts_at": s,
                            "ends_at": e,
                            "capacity": rng.randint(2, 4),
                        }
                        for s, e in SLOTS
                    ]
        ConsultationSession.insert_many(rows).execute()
        availability.changed()
    ids = [s.id for s in ConsultationSession.select(ConsultationSession.id)]
    made = 0
    while made < bookings:
        person = {"business_name": f"架空商店{made}", "contact_name": "架空 太郎", "phone": "0312345678"}
        try:
            book(
                rng.choice(ids),
                channel=rng.choice(("web", "phone")),
                status="confirmed",
                sealed=sealer.seal(person),
            )
        except SessionFull:
            continue
        made += 1
