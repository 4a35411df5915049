"""The public calendar and booking under load, against a bare Flask route in the same waitress.

With the demo seasons loaded (`portal demo-seed`), client threads on keep-alive connections
request, in turn in every run: a bare Flask route returning a fixed string (bench.bare, under
portal/serve.py's waitress options), the calendar page of next month, its htmx fragment, the page
through the full stack (a request carrying a session cookie is never given a kept answer), and the
same page from a server whose calendar cache is off. Then `--bookers` clients book one session
of `--capacity` places at once, through a server whose booking rate limit is relaxed by its
setting. Servers run as `portal serve public` subprocesses. Prints medians over the runs.

    .venv/bin/python -m bench.public [--runs 5] [--seconds 5] [--clients 8] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from bench import load
from portal.core import availability
from portal.core.database import Stores, bind, database, write_transaction
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, Venue
from tests.conftest import POSTGRES_DSN, csrf_from
from tests.servers import BIN, instance_env, portal_command, server_process
from tests.test_reservations import FORM

FULL = "この回は満席になりました"
IDEMPOTENCY_KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


@contextlib.contextmanager
def server(args: list[str], env: dict, log: Path):
    """A server subprocess on a free port until the block ends; yields its port and process id,
    its standard error copied to `log`."""
    with server_process(args, env, log) as (process, port):
        yield port, process.pid


@contextlib.contextmanager
def fresh_stores(kind: str, scratch: Path):
    """Fresh stores: files in the scratch folder, or PostgreSQL schemas dropped at the end."""
    if kind == "sqlite":
        yield Stores(f"sqlite:///{scratch / 'portal.db'}", f"sqlite:///{scratch / 'public.db'}")
        return
    schema = f"madoguchi_bench_{os.getpid()}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield Stores(
            f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}",
            f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}_public",
        )
    finally:
        database.close_all()  # this process's connections to the schemas
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")
            connection.execute(f"DROP SCHEMA IF EXISTS {schema}_public CASCADE")


def load_season(env: dict, stores: Stores) -> str:
    """`portal demo-seed`; describes what is loaded."""
    assert portal_command("init", env=env).returncode == 0
    assert portal_command("demo-seed", env=env).returncode == 0
    bind(stores)
    sessions = ConsultationSession.select()
    days = (max(s.date for s in sessions) - min(s.date for s in sessions)).days + 1
    return (
        f"portal demo-seed: {Venue.select().count()} venues, {sessions.count()} sessions over {days} days, "
        f"{Booking.select().count()} bookings"
    )


def new_session(capacity: int, run: int) -> int:
    """A session of `capacity` places next week at 6:`run` (no demo session starts then), announced."""
    with write_transaction():
        created = ConsultationSession.create(
            venue=Venue.select().first(),
            date=business_today() + timedelta(days=7),
            starts_at=clock(6, run),
            ends_at=clock(7, run),
            capacity=capacity,
        )
        availability.changed()
    return created.id


def contend(port: int, session_id: int, clients: int) -> dict:
    """`clients` visitors, each with its own form and cookie, post for one session at once."""
    outcomes: list[tuple[int, bool, float]] = []
    lock, window = threading.Lock(), {}
    ready = threading.Barrier(clients, action=lambda: window.update(start=time.perf_counter()))

    def visitor() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", f"/sessions/{session_id}")
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";")[0]
        form = {**FORM, "csrf_token": csrf_from(page), "idempotency_key": IDEMPOTENCY_KEY.search(page)[1]}
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        ready.wait()
        connection.request("POST", f"/sessions/{session_id}", urlencode(form, doseq=True), headers)
        response = connection.getresponse()
        told_full = FULL in response.read().decode()
        finished = time.perf_counter()
        connection.close()
        with lock:
            outcomes.append((response.status, told_full, finished - window["start"]))

    threads = [threading.Thread(target=visitor) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = [t for _, _, t in outcomes]
    full = sum(1 for status, told_full, _ in outcomes if status == 200 and told_full)
    booked = sum(1 for status, _, _ in outcomes if status == 303)
    return {
        "booked": booked,
        "full": full,
        "other": clients - booked - full,
        "seconds": max(latencies),
        "p50": statistics.median(latencies) * 1000,
        "p99": statistics.quantiles(latencies, n=100, method="inclusive")[98] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured load")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--bookers", type=int, default=50, help="visitors booking one session at once")
    parser.add_argument("--capacity", type=int, default=10, help="places in that session")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    print(f"scratch folder (kept if the run fails): {scratch}", file=sys.stderr)
    instance = scratch / "instance"
    with contextlib.ExitStack() as cleanup:
        stores = cleanup.enter_context(fresh_stores(args.database, scratch))
        seal = instance / "public" / "seal.pub"
        env = instance_env(
            instance, PORTAL_DATABASE_URL=stores.staff_url, PORTAL_PUBLIC_DATABASE_URL=stores.public_url
        )
        loaded = load_season(env, stores)
        public_env = {
            **env,
            "PORTAL_SEAL_PUBLIC_KEY": str(seal),
            "PORTAL_KEY_DIR": str(scratch / "no-keys-here"),
            "PORTAL_BOOKING_RATE_LIMIT": "1000000 per minute",
        }
        portal = [str(BIN / "portal"), "serve", "public", "--listen=127.0.0.1:{port}"]
        bare = [sys.executable, "-m", "bench.bare", "--listen=127.0.0.1:{port}"]
        bare_server = cleanup.enter_context(server(bare, public_env, scratch / "bare.log"))
        portal_server = cleanup.enter_context(server(portal, public_env, scratch / "portal.log"))
        no_cache = {**public_env, "PORTAL_CALENDAR_CACHE_BYTES": "0"}
        uncached = cleanup.enter_context(server(portal, no_cache, scratch / "portal-no-cache.log"))
        print(loaded, args.database, sep="; ")
        measure_pages(args, bare_server, portal_server, uncached)
        measure_booking(args, portal_server[0])
    shutil.rmtree(scratch)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_pages(args, bare: tuple[int, int], portal: tuple[int, int], uncached: tuple[int, int]) -> None:
    """Every run loads each target in turn; then the medians, and the server's CPU per request.

    The machine is shared, so throughput moves with what else runs; the server's own CPU time
    per request does not, and under saturation it is what bounds throughput.
    """
    month = (business_today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    page = f"/calendar?month={month}"
    browser = {"Accept-Encoding": "gzip"}  # as every browser sends
    targets = {
        "bare Flask route": (bare, "/", browser),
        "portal /healthz (no work)": (portal, "/healthz", browser),
        "calendar page": (portal, page, browser),
        "calendar fragment (htmx)": (portal, page, {**browser, "HX-Request": "true"}),
        # A session cookie (a visitor who opened a booking form) takes the full stack, kept bodies and all.
        "calendar page, full stack": (portal, page, {**browser, "Cookie": "madoguchi-public=x"}),
        "calendar page, cache off": (uncached, page, browser),
    }
    sizes = [body_size(portal[0], page, headers) / 1024 for headers in ({}, browser)]
    print(f"calendar page of {month}: {sizes[0]:.0f} KiB, gzipped {sizes[1]:.0f} KiB")
    figures: dict[str, list[tuple[float, ...]]] = {name: [] for name in targets}
    for _ in range(args.runs):
        for name, ((port, pid), path, headers) in targets.items():
            load.run(port, path, headers, args.clients, 1.0)  # warm-up
            used = cpu_seconds(pid)
            result = load.run(port, path, headers, args.clients, args.seconds)
            used = cpu_seconds(pid) - used
            assert not result.failures, f"{name}: {dict(result.failures)} of {len(result.latencies)}"
            cpu = used / len(result.latencies) * 1e6
            figures[name].append((result.rate, result.percentile(50), result.percentile(99), cpu))
            print(f"  {name}: {result.rate:.0f} req/s, {cpu:.0f} µs CPU/req", file=sys.stderr)
    medians = {
        name: [statistics.median(column) for column in zip(*rows, strict=True)]
        for name, rows in figures.items()
    }
    bare_rate, _, _, bare_cpu = medians["bare Flask route"]
    print(f"\n{args.clients} clients, {args.seconds:g} s loads, medians of {args.runs} runs")
    columns = ("target", "req/s", "p50 ms", "p99 ms", "× bare", "server CPU µs/req", "× bare")
    print("{:<26} {:>7} {:>7} {:>7} {:>7} {:>18} {:>7}".format(*columns))
    for name, (rate, p50, p99, cpu) in medians.items():
        print(
            f"{name:<26} {rate:>7.0f} {p50:>7.2f} {p99:>7.2f} {rate / bare_rate:>7.2f} "
            f"{cpu:>18.0f} {bare_cpu / cpu:>7.2f}"
        )


def measure_booking(args, port: int) -> None:
    """`--bookers` visitors for `--capacity` places, once per run: exactly that many booked."""
    runs = []
    for run in range(args.runs):
        session_id = new_session(args.capacity, run)
        outcome = contend(port, session_id, args.bookers)
        held = ConsultationSession.get_by_id(session_id).taken
        made = Booking.select().where(Booking.session == session_id).count()
        assert outcome["booked"] == held == made == args.capacity, (outcome, held, made)
        assert outcome["full"] == args.bookers - args.capacity and outcome["other"] == 0, outcome
        runs.append(outcome)
    median = {key: statistics.median(run[key] for run in runs) for key in ("seconds", "p50", "p99")}
    print(
        f"\nbooking: {args.bookers} visitors at once for {args.capacity} places, {args.runs} runs: "
        f"every run booked exactly {args.capacity}, told {args.bookers - args.capacity} it is full, no error"
    )
    print("{:<28} {:>8} {:>8} {:>8} {:>10}".format("", "req/s", "p50 ms", "p99 ms", "booked/s"))
    print(
        f"{'booking under contention':<28} {args.bookers / median['seconds']:>8.0f} {median['p50']:>8.1f} "
        f"{median['p99']:>8.1f} {args.capacity / median['seconds']:>10.0f}"
    )


def body_size(port: int, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    size = len(connection.getresponse().read())
    connection.close()
    return size


if __name__ == "__main__":
    main()
