"""Searching a large audit log, against a bare Flask route in the same waitress.

Fills a fresh instance's audit log with `--events` events (a year of a busy centre: views,
downloads, sign-ins and refusals from a few dozen staff and addresses), chained under the
instance's audit key and anchored, so `portal audit verify` passes on them. They are written in
batches rather than one request at a time: the rows are those the chain would write. Then one
client on a keep-alive connection requests, in turn in every run: a bare Flask route
(bench.bare), the log's first page, a filtered page (full and as the htmx fragment), a page deep
in the log, a deep filtered page, and a filtered search exported as CSV and XLSX, each through
`portal serve staff`. Prints medians over the runs, and how long a full verification takes.

    .venv/bin/python -m bench.audit_search [--events 1000000] [--runs 3] [--seconds 3]
        [--database sqlite|postgresql]
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
from datetime import datetime, timedelta
from pathlib import Path

from bench import load
from bench.public import fresh_stores, server
from portal import create_app
from portal.core.database import database, is_postgres, write_transaction
from portal.core.models import AuditEvent
from portal.staff.audit import anchor
from portal.staff.audit.chain import GENESIS, chain_hash
from portal.staff.audit.keys import audit_keys
from portal.staff.audit.verify import verify
from tests.conftest import make_account, sign_in
from tests.servers import BIN, instance_env, portal_command

BATCH = 5000
STAFF = 40
START = datetime(2025, 12, 1)
# (action, object type, share of events): what a centre's staff do most, and what is refused.
ACTIONS = [
    ("record.view", "record", 30),
    ("library.document", "document", 15),
    ("library.download", "document-version", 10),
    ("booking.view", "booking", 12),
    ("bookings.daily_list", "day", 8),
    ("signin.success", "user", 6),
    ("signin.password", "user", 6),
    ("record.edit", "record", 5),
    ("user.name", "user", 1),
    ("public.booking.request", "booking", 4),
    ("request.denied", "records.view", 2),
    ("request.denied", "library.download", 1),
]
DENIALS = ("anonymous", "permission", "missing", "refused")


def events(count: int, actors: list[int], key_id: str, key: bytes):
    """`count` chained events over a year, oldest first, yielded in batches."""
    rng = random.Random(9141)
    kinds = [kind for kind in ACTIONS for _ in range(kind[2])]
    clients = [f"10.20.{n // 200}.{n % 200 + 1}" for n in range(60)]
    step = timedelta(days=365) / count
    prev_hash, batch = GENESIS, []
    for seq in range(1, count + 1):
        action, object_type, _ = rng.choice(kinds)
        denied = action == "request.denied"
        public = action.startswith("public.")
        event = AuditEvent(
            seq=seq,
            at=START + step * seq,
            actor_id=None if public or (denied and rng.random() < 0.5) else rng.choice(actors),
            action=action,
            object_type=object_type,
            object_id=str(rng.randrange(1, 20000)),
            client=f"203.0.113.{rng.randrange(1, 255)}" if public else rng.choice(clients),
            outcome=rng.choice(DENIALS) if denied else "ok",
            prev_hash=prev_hash,
            key_id=key_id,
        )
        event.hash = prev_hash = chain_hash(key, event)
        batch.append(event)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(app, count: int, actors: list[int]) -> float:
    """Replace the log with `count` generated events and their anchor; returns the seconds taken."""
    started = time.perf_counter()
    keys = audit_keys()
    key_id = keys.current()
    fields = AuditEvent._meta.sorted_fields

    def inserted():
        for batch in events(count, actors, key_id, keys.key(key_id)):
            AuditEvent.insert_many(
                [[getattr(e, f.name) for f in fields] for e in batch], fields=fields
            ).execute()
            yield from batch

    # The few events the set-up chained are replaced, in the database and in the anchor.
    with anchor.writing(app.config["PORTAL"].audit_anchor) as anchored, write_transaction():
        AuditEvent.delete().execute()
        anchored.replace(inserted())
    if is_postgres():
        database.execute_sql("ANALYZE audit_event")  # what autovacuum does after a load this size
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measured load")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    print(f"scratch folder (kept if the run fails): {scratch}", file=sys.stderr)
    os.environ["PORTAL_EXTRA_HOSTS"] = "localhost"  # the in-process client that signs in
    instance = scratch / "instance"
    with contextlib.ExitStack() as cleanup:
        stores = cleanup.enter_context(fresh_stores(args.database, scratch))
        urls = {"PORTAL_DATABASE_URL": stores.staff_url, "PORTAL_PUBLIC_DATABASE_URL": stores.public_url}
        env = instance_env(instance, **urls)
        assert portal_command("init", env=env).returncode == 0
        app = create_app(
            "staff", {"INSTANCE_PATH": instance, "TESTING": True, **{k[7:]: v for k, v in urls.items()}}
        )
        city = make_account(app, "city", email="auditor@example.jp")
        actors = [city.id] + [
            make_account(app, "consultant", email=f"c{n}@example.jp").id for n in range(STAFF)
        ]
        browser = app.test_client()  # signed in now: its second-factor code is for this minute
        assert sign_in(browser, city).status_code == 303
        cookie = {"Cookie": f"madoguchi-staff={browser.get_cookie('madoguchi-staff').value}"}
        with app.app_context(), database.connection_context():
            filled = fill(app, args.events, actors)
            started = time.perf_counter()
            checked = verify(app.config["PORTAL"].audit_anchor, audit_keys())
            verifying = time.perf_counter() - started
        assert checked.problems == [], checked.problems[:3]
        print(f"{args.events:,} events generated, chained and anchored in {filled:.0f} s; {args.database}")
        print(f"portal audit verify over them: {verifying:.1f} s")
        bare = cleanup.enter_context(
            server(
                [sys.executable, "-m", "bench.bare", "--listen=127.0.0.1:{port}"], env, scratch / "bare.log"
            )
        )
        portal = cleanup.enter_context(
            server(
                [str(BIN / "portal"), "serve", "staff", "--listen=127.0.0.1:{port}"],
                env,
                scratch / "staff.log",
            )
        )
        measure(args, bare[0], portal[0], cookie, actors)
    shutil.rmtree(scratch)


def measure(args, bare: int, portal: int, cookie: dict, actors: list[int]) -> None:
    """Each target in turn, every run; then the medians of each run's median latency."""
    deep = args.events // 1000  # a page a thousandth of the way from the oldest event
    filtered = f"action=request.denied&outcome=permission&actor={actors[3]}"
    month = "since=2026-03-01&until=2026-03-31"
    htmx = {**cookie, "HX-Request": "true"}
    targets = {
        "bare Flask route": (bare, "/", {}),
        "first page": (portal, "/audit/", cookie),
        "filtered page": (portal, f"/audit/?{filtered}", cookie),
        "filtered page (htmx)": (portal, f"/audit/?{filtered}", htmx),
        "a month, one person (htmx)": (portal, f"/audit/?actor={actors[5]}&{month}", htmx),
        f"deep page (before {deep})": (portal, f"/audit/?before={deep}", htmx),
        "deep filtered page": (portal, f"/audit/?action=record.edit&before={deep * 10}", htmx),
        "export CSV, a month, one person": (portal, f"/audit/export.csv?actor={actors[5]}&{month}", cookie),
        "export XLSX, a month, one person": (portal, f"/audit/export.xlsx?actor={actors[5]}&{month}", cookie),
    }
    figures: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.runs):
        for name, (port, path, headers) in targets.items():
            load.run(port, path, headers, 1, 0.5)  # warm-up
            result = load.run(port, path, headers, 1, args.seconds)
            assert not result.failures, f"{name}: {dict(result.failures)} of {len(result.latencies)}"
            figures[name].append(result.percentile(50))
            print(f"  {name}: {result.percentile(50):.1f} ms", file=sys.stderr)
    medians = {name: statistics.median(runs) for name, runs in figures.items()}
    bare_ms = medians["bare Flask route"]
    print(f"\none client, {args.seconds:g} s loads, medians of {args.runs} runs; each portal request audited")
    print("{:<36} {:>8} {:>8}".format("target", "p50 ms", "× bare"))
    for name, p50 in medians.items():
        print(f"{name:<36} {p50:>8.1f} {p50 / bare_ms:>8.0f}")


if __name__ == "__main__":
    main()
