"""A surge on the reference deployment, with one and with two processes per zone.

tests/deployment.py starts deploy/'s shape on loopback: nginx with TLS in front, `portal serve`
processes at their units' Nice, PostgreSQL with the public zone's own role, the S3 server, Redis
with its ACL, the demo's seasons. Against it, in every run:

- the public calendar (next month, gzipped as browsers take it) from `--connections` keep-alive
  clients through the proxy (wrk), against the same proxy serving a static file of the same size
  with the same TLS and headers, in turn; and the calendar asked with a cookie, which the proxy
  never answers from its cache, so that every request reaches a process. The surge's clients
  would be elsewhere, so here wrk runs at the lowest priority: it takes only the CPU that the
  deployment leaves;
- a staff page (a signed-in city user's home) from two clients, idle and during the calendar surge;
- bookings under contention: `--visitors` visitors, each from an address of its own (the booking
  limit stays as deployed), open the form of one of `--sessions` new sessions of `--capacity`
  places, then send it `--clients` at a time, on a new connection each, and follow the redirect
  to the confirmation. The store is checked afterwards: no session holds more bookings than
  places, the places taken are the bookings held, and every confirmation is one of them. The
  CPU each part of the deployment spent per visitor says where the time goes.

Prints medians over the runs and, at the end, the goals' figures for each number of processes.

    nice -n 10 .venv/bin/python -m bench.surge [--runs 3] [--seconds 10] [--connections 100] [--processes 1,2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.public import FULL, IDEMPOTENCY_KEY, cpu_seconds, new_session
from portal.core.database import Stores, bind, database
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession
from portal.core.models.reservations import SEAT_HOLDING
from tests.conftest import POSTGRES_DSN, csrf_from
from tests.deployment import DEPLOY, Deployment, deployed, signed_in_city, through_proxy
from tests.http_browser import Browser
from tests.servers import free_port, running_s3_server
from tests.test_reservations import FORM
from tests.tls import self_signed

WRK = shutil.which("wrk") or "/usr/bin/wrk"
REPORT = Path(__file__).with_name("wrk_report.lua")
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # as browsers send it
REFERENCE = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
STAFF_CLIENTS = 2
SURGE_NICE = 19
TIMEOUT = 10  # seconds before an answer counts as an error (wrk's default, 2 s, is shorter than a browser's)
PREPARING_CLIENTS = 8


@dataclass(frozen=True)
class Load:
    """One measured load: answers (2xx and 3xx) per second, latency percentiles in ms, errors."""

    rate: float
    p50: float
    p99: float
    errors: int


def start_wrk(
    url: str, seconds: float, connections: int, headers: dict[str, str], nice: int = 0
) -> subprocess.Popen:
    """wrk from `connections` keep-alive clients for `seconds`, `nice` levels below this process."""
    command = ["nice", "-n", str(nice), WRK, f"-t{min(2, connections)}", f"-c{connections}"]
    command += [f"-d{seconds:g}s", f"--timeout={TIMEOUT}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return subprocess.Popen([*command, "-s", str(REPORT), url], stdout=subprocess.PIPE, text=True)


def finish_wrk(process: subprocess.Popen) -> Load:
    """What wrk_report.lua printed."""
    output, _ = process.communicate()
    assert process.returncode == 0, output
    figures = json.loads(output.strip().splitlines()[-1])
    errors = sum(figures[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    rate = (figures["requests"] - figures["status"]) / figures["seconds"]
    return Load(rate, figures["p50"], figures["p99"], errors)


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> Load:
    return finish_wrk(start_wrk(url, seconds, connections, headers))


def surge(url: str, seconds: float, connections: int, headers: dict[str, str]) -> subprocess.Popen:
    """The surge's clients would be elsewhere: here they take only the CPU nothing else wants."""
    return start_wrk(url, seconds, connections, headers, nice=SURGE_NICE)


def median(loads: list[Load]) -> Load:
    """Each figure's median over the runs; errors are summed, since any is one too many."""
    return Load(
        statistics.median(load.rate for load in loads),
        statistics.median(load.p50 for load in loads),
        statistics.median(load.p99 for load in loads),
        sum(load.errors for load in loads),
    )


def static_site(folder: Path, port: int) -> str:
    """An nginx server for the baseline: a folder's files over TLS with the deployment's headers."""
    (folder / "www").mkdir(parents=True)
    tls = self_signed(folder / "tls", "localhost", "127.0.0.1")
    return (
        f"  server {{\n    listen 127.0.0.1:{port} ssl;\n"
        f"    ssl_certificate {tls.certificate};\n    ssl_certificate_key {tls.private_key};\n"
        "    ssl_protocols TLSv1.2 TLSv1.3;\n    server_tokens off;\n"
        f"    root {folder / 'www'};\n    include {DEPLOY / 'nginx' / 'madoguchi-headers.conf'};\n  }}\n"
    )


def calendar_path() -> str:
    month = business_today().replace(day=1) + timedelta(days=32)
    return f"/calendar?month={month:%Y-%m}"


def load_average() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def measure_calendar(deployment: Deployment, static: tuple[str, Path], args) -> dict[str, Load]:
    """The static file, the calendar through the proxy's cache, and past it (a cookie), in turn."""
    page = deployment.public + calendar_path()
    served = through_proxy(deployment, "public").request_bytes("GET", calendar_path(), headers=BROWSER)[1]
    (static[1] / "calendar.html.gz").write_bytes(os.urandom(len(served)))
    targets = {
        f"static file ({len(served) / 1024:.1f} KiB)": (f"{static[0]}/calendar.html.gz", BROWSER),
        "calendar page": (page, BROWSER),
        "calendar page with a cookie": (page, {**BROWSER, "Cookie": "lang=ja"}),
    }
    finish_wrk(surge(page, 2, args.connections, BROWSER))  # warm-up
    loads: dict[str, list[Load]] = {name: [] for name in targets}
    for _ in range(args.runs):
        for name, (url, headers) in targets.items():
            loads[name].append(finish_wrk(surge(url, args.seconds, args.connections, headers)))
    return {name: median(runs) for name, runs in loads.items()}


def measure_staff(deployment: Deployment, args) -> tuple[dict[str, Load], Load]:
    """A staff page idle and during the calendar surge, in turn; and the surge meanwhile."""
    city = signed_in_city(deployment)
    cookie = {"Cookie": "; ".join(f"{name}={value}" for name, value in city.cookies.items())}
    page, calendar = deployment.staff + "/", deployment.public + calendar_path()
    idle, busy, surges = [], [], []
    for _ in range(args.runs):
        idle.append(wrk(page, args.seconds, STAFF_CLIENTS, cookie))
        running = surge(calendar, args.seconds + 2, args.connections, BROWSER)
        time.sleep(1)
        busy.append(wrk(page, args.seconds, STAFF_CLIENTS, cookie))
        surges.append(finish_wrk(running))
    return {"staff page, idle": median(idle), "staff page, during the surge": median(busy)}, median(surges)


@dataclass
class Visitor:
    """A visitor holding a session's form, from an address of its own."""

    browser: Browser
    path: str
    form: dict


def open_forms(deployment: Deployment, sessions: list[int], visitors: int, run: int) -> list[Visitor]:
    """Each visitor opens the form of one of the sessions, in turn."""

    def visit(n: int) -> Visitor:
        peer = f"127.{10 + run}.{n // 250}.{n % 250 + 1}"
        browser = through_proxy(deployment, "public", peer=peer, keep_alive=True)
        path = f"/sessions/{sessions[n % len(sessions)]}"
        _, page = browser.request("GET", path)
        browser.close()  # a visitor sends the form minutes later, on a new connection
        form = {**FORM, "csrf_token": csrf_from(page), "idempotency_key": IDEMPOTENCY_KEY.search(page)[1]}
        return Visitor(browser, path, form)

    with ThreadPoolExecutor(PREPARING_CLIENTS) as pool:
        return list(pool.map(visit, range(visitors)))


def send(visitor: Visitor) -> tuple[str, float]:
    """The form sent, the redirect followed; what the visitor was told, and how long it took."""
    started = time.perf_counter()
    try:
        response, page = visitor.browser.request("POST", visitor.path, visitor.form)
        if response.status == 303:
            response, page = visitor.browser.request("GET", urlsplit(response.getheader("Location")).path)
            told = (
                "confirmed" if response.status == 200 and REFERENCE.search(page) else f"GET {response.status}"
            )
        else:
            told = "full" if response.status == 200 and FULL in page else f"POST {response.status}"
    except (OSError, http.client.HTTPException) as error:
        told = type(error).__name__
    finally:
        visitor.browser.close()
    return told, time.perf_counter() - started


def held_places(sessions: list[int]) -> tuple[int, int, int]:
    """From the store: bookings holding a place, places sold beyond capacity, and sessions whose
    count of places taken differs from the bookings holding one."""
    held = oversold = miscounted = 0
    for session in ConsultationSession.select().where(ConsultationSession.id.in_(sessions)):
        holding = (
            Booking.select().where(Booking.session == session.id, Booking.status.in_(SEAT_HOLDING)).count()
        )
        held += holding
        oversold += max(0, holding - session.capacity)
        miscounted += holding != session.taken
    return held, oversold, miscounted


def running_processes() -> list[tuple[int, int, set[str]]]:
    """Every process now: its id, its parent's, and its command line's words (one that ends
    meanwhile is left out)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parent = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
                words = set(Path(f"/proc/{name}/cmdline").read_bytes().decode().split("\0"))
            except OSError:
                continue
            found.append((int(name), parent, words))
    return found


def processes_of(deployment: Deployment) -> dict[str, list[int]]:
    """The deployment's processes that serve a booking, by part: the public processes, nginx's
    and PostgreSQL's (the public role's connections)."""
    listening = {f"--listen={urlsplit(url).netloc}" for url in deployment.public_processes}
    master = int((deployment.folder / "nginx.pid").read_text())
    everyone = running_processes()
    public = [pid for pid, _, words in everyone if listening & words]
    nginx = [master] + [pid for pid, parent, _ in everyone if parent == master]
    with psycopg.connect(POSTGRES_DSN) as conn:
        postgres = [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE usename = %s", (deployment.public_role,)
            )
        ]
    return {"public processes": public, "nginx": nginx, "PostgreSQL": postgres}


def cpu_used(pids: list[int]) -> dict[int, float]:
    used = {}
    for pid in pids:
        try:
            used[pid] = cpu_seconds(pid)
        except OSError:  # gone meanwhile
            continue
    return used


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def book_at_once(deployment: Deployment, args, run: int) -> dict:
    """One run: the forms opened, then sent; what the visitors were told, the store, the CPU."""
    sessions = [new_session(args.capacity, run * args.sessions + n) for n in range(args.sessions)]
    visitors = open_forms(deployment, sessions, args.visitors, run)
    parts = processes_of(deployment)
    before, mine = {part: cpu_used(pids) for part, pids in parts.items()}, own_cpu()
    with ThreadPoolExecutor(args.clients) as pool:
        started = time.perf_counter()
        outcomes = list(pool.map(send, visitors))
        seconds = time.perf_counter() - started
    parts = processes_of(deployment)  # PostgreSQL may have opened connections meanwhile
    cpu = {
        part: sum(used - before[part].get(pid, 0.0) for pid, used in cpu_used(pids).items())
        for part, pids in parts.items()
    }
    cpu["the visitors (this process)"] = own_cpu() - mine
    told = Counter(outcome for outcome, _ in outcomes)
    latencies = sorted(latency for _, latency in outcomes)
    held, oversold, miscounted = held_places(sessions)
    confirmed = told.pop("confirmed", 0)
    return {
        "confirmed": confirmed,
        "full": told.pop("full", 0),
        "errors": told,
        "oversold": oversold,
        "miscounted": miscounted,
        "unbooked confirmations": confirmed - held,
        "seconds": seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": statistics.quantiles(latencies, n=100, method="inclusive")[98] * 1000,
        "cpu ms per visitor": {part: used / args.visitors * 1000 for part, used in cpu.items()},
    }


def measure_bookings(deployment: Deployment, args) -> dict:
    """`book_at_once` per run, on new sessions; medians, and every check summed over the runs."""
    bind(Stores(deployment.env["PORTAL_DATABASE_URL"], deployment.env["PORTAL_PUBLIC_DATABASE_URL"]))
    try:
        runs = [book_at_once(deployment, args, run) for run in range(args.runs)]
    finally:
        database.close_all()
    for number, run in enumerate(runs, 1):
        print(f"  bookings, run {number}: {run}", file=sys.stderr)
    return {
        "confirmed per second": statistics.median(r["confirmed"] / r["seconds"] for r in runs),
        "visitors per second": statistics.median(args.visitors / r["seconds"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "confirmed": [r["confirmed"] for r in runs],
        "full": [r["full"] for r in runs],
        "errors": sum((r["errors"] for r in runs), Counter()),
        **{
            check: sum(r[check] for r in runs)
            for check in ("oversold", "miscounted", "unbooked confirmations")
        },
        "cpu ms per visitor": {
            part: statistics.median(r["cpu ms per visitor"][part] for r in runs)
            for part in runs[0]["cpu ms per visitor"]
        },
    }


def print_loads(title: str, loads: dict[str, Load], baseline: str, compare: str) -> None:
    """A table of loads with each one's `compare` figure against the baseline row's."""
    print(f"\n{title}")
    print(
        "{:<34} {:>8} {:>8} {:>8} {:>7} {:>9}".format(
            "", "req/s", "p50 ms", "p99 ms", "errors", f"× {compare}"
        )
    )
    base = getattr(loads[baseline], compare)
    for name, load in loads.items():
        print(
            f"{name:<34} {load.rate:>8.0f} {load.p50:>8.2f} {load.p99:>8.2f} {load.errors:>7} "
            f"{getattr(load, compare) / base:>9.2f}"
        )


def print_bookings(figures: dict, args) -> None:
    print(
        f"\nbookings under contention: {args.visitors} visitors, {args.clients} at a time, for "
        f"{args.sessions} sessions of {args.capacity} places; confirmed {figures['confirmed']}, "
        f"told full {figures['full']}"
    )
    print(
        f"  {figures['confirmed per second']:.0f} confirmed/s ({figures['visitors per second']:.0f} visitors "
        f"answered/s), p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms from sending the form to "
        "the confirmation"
    )
    print(
        f"  checked in the store: {figures['oversold']} places oversold, {figures['miscounted']} sessions "
        f"miscounted, {figures['unbooked confirmations']} confirmations without a booking; "
        f"{figures['errors'].total()} errors {dict(figures['errors']) or ''}"
    )
    cpu = figures["cpu ms per visitor"]
    print(
        "  CPU per visitor: "
        + ", ".join(f"{part} {used:.1f} ms" for part, used in cpu.items())
        + f"; {sum(cpu.values()):.1f} ms in all"
    )


def measure(deployment: Deployment, static: tuple[str, Path], args) -> dict:
    """Every measurement on one deployment, printed as it comes."""
    print(
        f"\ncalendar: {args.connections} clients, {args.seconds:g} s loads, medians of {args.runs} runs; "
        + load_average()
    )
    calendar = measure_calendar(deployment, static, args)
    print_loads("calendar surge through the proxy", calendar, next(iter(calendar)), "rate")
    print(f"\nstaff page: {load_average()}")
    staff, meanwhile = measure_staff(deployment, args)
    print_loads(f"staff home page, {STAFF_CLIENTS} clients", staff, "staff page, idle", "p99")
    surged = f"{meanwhile.rate:.0f} req/s, p99 {meanwhile.p99:.1f} ms, errors {meanwhile.errors}"
    print(f"  the surge meanwhile: {surged}")
    print(f"\nbookings: {load_average()}")
    bookings = measure_bookings(deployment, args)
    print_bookings(bookings, args)
    return {"calendar": calendar, "staff": staff, "bookings": bookings}


GOALS = {
    "calendar req/s": lambda r: r["calendar"]["calendar page"].rate,
    "calendar ÷ static file (≥ 0.8)": lambda r: (
        r["calendar"]["calendar page"].rate / next(iter(r["calendar"].values())).rate
    ),
    "calendar with a cookie, req/s": lambda r: r["calendar"]["calendar page with a cookie"].rate,
    "bookings confirmed/s (≥ 200)": lambda r: r["bookings"]["confirmed per second"],
    "staff p99 ms, idle": lambda r: r["staff"]["staff page, idle"].p99,
    "staff p99 ms, during the surge": lambda r: r["staff"]["staff page, during the surge"].p99,
    "staff p99, surge ÷ idle (≤ 2)": lambda r: (
        r["staff"]["staff page, during the surge"].p99 / r["staff"]["staff page, idle"].p99
    ),
}


def print_goals(results: dict[int, dict]) -> None:
    """The goals' figures side by side for each number of processes per zone, and their ratio."""
    counts = sorted(results)
    heads = [f"{n} per zone" for n in counts] + ([f"{counts[-1]} ÷ {counts[0]}"] if len(counts) > 1 else [])
    print("\n{:<34}".format("") + "".join(f"{head:>12}" for head in heads))
    for name, figure in GOALS.items():
        values = [figure(results[n]) for n in counts]
        cells = [*values, values[-1] / values[0]] if len(counts) > 1 else values
        print(f"{name:<34}" + "".join(f"{value:>12.2f}" for value in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured load")
    parser.add_argument(
        "--connections", type=int, default=100, help="keep-alive clients of the calendar surge"
    )
    parser.add_argument("--sessions", type=int, default=4, help="sessions booked at once")
    parser.add_argument("--capacity", type=int, default=100, help="places in each")
    parser.add_argument("--visitors", type=int, default=500, help="visitors sending the form, in all")
    parser.add_argument("--clients", type=int, default=64, help="visitors sending at the same moment")
    parser.add_argument("--processes", default="1,2", help="processes per zone, one deployment each")
    args = parser.parse_args()
    if args.runs * args.sessions > 60:
        parser.error("new sessions start at 6:00 plus a minute each: at most 60 in all")

    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-surge-"))
    print(f"scratch folder (kept if the run fails): {scratch}", file=sys.stderr)
    results = {}
    with running_s3_server(scratch / "s3") as s3:
        for count in (int(n) for n in args.processes.split(",")):
            folder, port = scratch / f"{count}-per-zone", free_port()
            beside = static_site(folder / "static", port)
            with deployed(folder, s3, processes=count, beside=beside) as deployment:
                print(f"\n=== {count} process(es) per zone, PostgreSQL; {os.cpu_count()} cores ===")
                results[count] = measure(
                    deployment, (f"https://127.0.0.1:{port}", folder / "static" / "www"), args
                )
    print_goals(results)
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
