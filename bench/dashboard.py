"""The monitoring dashboard over a large history, against a bare Flask route in the same run.

Generates a year of sessions (every weekday at 16 venues in 8 wards, three sessions a day) and
`--bookings` bookings across them, with records and follow-ups for a share of those attended, in
fresh stores (temporary SQLite files, or PostgreSQL schemas). Then a signed-in city user's
requests go through the staff app in this process, one after another, to: a bare Flask route
(bench.bare), the dashboard for one month, for the whole year, the year's htmx fragment, and the
year for one ward. Prints the median and slowest of `--runs` requests of each.

    .venv/bin/python -m bench.dashboard [--runs 21] [--bookings 100000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

from bench import bare
from bench.public import fresh_stores
from portal import create_app
from portal.core.database import database
from portal.core.models import Booking, ConsultationRecord, ConsultationSession, Venue
from portal.core.models.reservations import SEAT_HOLDING
from portal.staff.security import totp
from tests.conftest import CODE_CLOCK, fresh_instance, make_account, sign_in

WARDS = 8
VENUES_PER_WARD = 2
SESSION_HOURS = (10, 13, 15)
CAPACITY = 12
BATCH = 2000
OUTCOMES = (("attended", 70), ("no-show", 8), ("cancelled", 14), ("confirmed", 8))
CHANNELS = (("phone", 55), ("web", 38), ("walk-in", 7))


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in choices], weights=[weight for _, weight in choices])[0]


def generate(first: date, bookings: int, author: int, seed: int = 7) -> str:
    """The year's venues, sessions, bookings and records, inserted in batches; describes them."""
    rng = random.Random(seed)
    venues = [
        Venue.create(name=f"第{w + 1}区 相談室{v + 1}", ward=f"第{w + 1}区", address="架空市").id
        for w in range(WARDS)
        for v in range(VENUES_PER_WARD)
    ]
    days = [first + timedelta(days=n) for n in range(365) if (first + timedelta(days=n)).weekday() < 5]
    sessions = [
        {
            "venue": venue,
            "date": day,
            "starts_at": clock(hour),
            "ends_at": clock(hour + 1),
            "capacity": CAPACITY,
        }
        for day in days
        for venue in venues
        for hour in SESSION_HOURS
    ]
    with database.atomic():
        for start in range(0, len(sessions), BATCH):
            ConsultationSession.insert_many(sessions[start : start + BATCH]).execute()
    ids = [
        row.id for row in ConsultationSession.select(ConsultationSession.id).order_by(ConsultationSession.id)
    ]
    taken = dict.fromkeys(ids, 0)
    rows = []
    for n in range(bookings):
        session = rng.choice([i for i in rng.sample(ids, 4) if taken[i] < CAPACITY] or [None])
        if session is None:
            continue
        channel = weighted(rng, CHANNELS)
        status = "attended" if channel == "walk-in" else weighted(rng, OUTCOMES)
        taken[session] += status in SEAT_HOLDING
        rows.append({"session": session, "channel": channel, "status": status, "reference": f"B{n:011d}"})
    with database.atomic():
        for start in range(0, len(rows), BATCH):
            Booking.insert_many(rows[start : start + BATCH]).execute()
        for session, count in taken.items():
            if count:
                ConsultationSession.update(taken=count).where(ConsultationSession.id == session).execute()
    attended = Booking.select(Booking.id).where(Booking.status == "attended").tuples()
    records = [
        {"booking": booking, "author": author, "follow_up_due": first + timedelta(days=rng.randint(0, 400))}
        for (booking,) in attended
        if rng.random() < 0.3
    ]
    with database.atomic():
        for start in range(0, len(records), BATCH):
            ConsultationRecord.insert_many(records[start : start + BATCH]).execute()
    return (
        f"{len(venues)} venues in {WARDS} wards, {len(ids)} sessions over {len(days)} weekdays, "
        f"{len(rows)} bookings, {len(records)} records with a follow-up"
    )


def timed(client, path: str, headers: dict, runs: int) -> tuple[float, float]:
    """Median and slowest of `runs` requests, in milliseconds, after one warm-up."""
    assert client.get(path, headers=headers).status_code == 200
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, path
    return statistics.median(seconds) * 1000, max(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    os.environ["PORTAL_EXTRA_HOSTS"] = "localhost"  # the test client's host
    totp.now = CODE_CLOCK.now  # sign_in's codes come from the stepped clock
    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    print(f"scratch folder (kept if the run fails): {scratch}", file=sys.stderr)
    with contextlib.ExitStack() as cleanup:
        stores = cleanup.enter_context(fresh_stores(args.database, scratch))
        values = fresh_instance(scratch, stores)
        app = create_app("staff", values)
        city = make_account(app, "city")
        author = make_account(app, "consultant")
        first = date(2025, 4, 1)
        started = time.perf_counter()
        with app.app_context(), database.connection_context():
            loaded = generate(first, args.bookings, author.id)
            if args.database == "postgresql":
                # As autovacuum soon would after a bulk load: index-only scans need the visibility map.
                database.execute_sql("VACUUM ANALYZE")
        print(f"{loaded}; {args.database}, generated in {time.perf_counter() - started:.0f} s")
        client = app.test_client()
        assert sign_in(client, city).status_code == 303
        year = f"from={first}&to={first + timedelta(days=364)}"
        targets = {
            "bare Flask route": (bare.make_app().test_client(), "/", {}),
            "dashboard, one month": (client, "/monitoring/?from=2025-10-01&to=2025-10-31", {}),
            "dashboard, the year": (client, f"/monitoring/?{year}", {}),
            "the year, htmx fragment": (client, f"/monitoring/?{year}", {"HX-Request": "true"}),
            "the year, one ward": (client, f"/monitoring/?{year}&ward=第3区", {}),
        }
        print(f"\n{args.runs} requests each, one at a time, in this process")
        print("{:<26} {:>10} {:>10}".format("target", "median ms", "max ms"))
        for name, (asker, path, headers) in targets.items():
            median, slowest = timed(asker, path, headers, args.runs)
            print(f"{name:<26} {median:>10.2f} {slowest:>10.2f}")
        database.close_all()
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
