"""Encrypted against plain file transfer, with the same waitress options and the same backend.

For 10 MB, 100 MB and 1 GB files: upload and download over HTTP under `portal serve`. Uploads go
in chunks as the portal's script sends them (the next one on its way on a second connection while
the server writes the one before): encrypted through /uploads and the library's form (the gate,
the database, sealing and hashing each chunk), plain to a route of bench.plain_app that writes
them to the same local backend's write in parts, a new object for each file. Downloads go through
the library's own route (encrypted) and a plain route streaming the same bytes. The two sides
take turns, each upload starting from a dropped page cache (as root; the benchmark says so when
it cannot). Prints medians of three runs, the encrypted/plain ratio, the server's and the
client's processor time per MB (plain/encrypted: what the transfer costs whatever else the
machine runs; client and server share the machine's cores) and the server's peak resident memory
above its size at rest, each side in a fresh process, then how much the upload's memory grew
from the smallest file to the largest.

    .venv/bin/python -m bench.storage [--sizes 10,100,1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from portal import UPLOAD_CHUNK
from tests.files import PDF
from tests.memory import PeakMemory, rss_kib
from tests.storage.test_transfer import Server, documents_form, newest_version, served_instance

MB = 1000 * 1000
FILE_LIMIT = 2 * 1024**3
FORM = "application/x-www-form-urlencoded"
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


class Sender:
    """One keep-alive connection to a server, as a browser's, carrying the signed-in cookie."""

    def __init__(self, server: Server, session: dict) -> None:
        self.connection, self.session = server.connection(), session

    def call(self, method: str, path: str, body: bytes, headers: dict) -> dict:
        sent = {"Cookie": self.session["cookie"], "X-CSRFToken": self.session["token"], **headers}
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        answer = response.read()
        assert response.status in (200, 201, 303), (response.status, answer[:200])
        return json.loads(answer) if answer.startswith(b"{") else {}

    def form(self, path: str, fields: dict) -> dict:
        return self.call("POST", path, urlencode(fields).encode(), {"Content-Type": FORM})

    def close(self) -> None:
        self.connection.close()


def chunks_of(source: Path, size: int):
    """The file's chunks with their offsets, read from disk one at a time."""
    with source.open("rb") as handle:
        for offset in range(0, source.stat().st_size, size):
            yield offset, handle.read(size)


def send_chunks(senders: list[Sender], path: str, source: Path, size: int, headers: dict) -> None:
    """Every chunk of `source` to `path`, as the portal's script sends them: the next one on the
    second connection while the server writes the one before."""
    with ThreadPoolExecutor(2) as pool:
        ahead = None
        for number, (offset, piece) in enumerate(chunks_of(source, size)):
            chunk_headers = {**headers, "Upload-Offset": str(offset)}
            sent = pool.submit(senders[number % 2].call, "PATCH", path, piece, chunk_headers)
            if ahead:
                ahead.result()
            ahead = sent
        ahead.result()


def upload_encrypted(server: Server, session: dict, source: Path) -> float:
    """Begin an upload, send every chunk, submit the library's form with it; returns the seconds."""
    senders, size = [Sender(server, session), Sender(server, session)], source.stat().st_size
    started = time.perf_counter()
    fields = {"target": documents_form(session), "size": size, "name": source.name}
    begun = senders[0].form("/uploads/", fields)
    send_chunks(senders, begun["url"], source, begun["chunk"], {})
    fields = {"csrf_token": session["token"], "title": source.name, "file": begun["upload"]}
    senders[0].form(documents_form(session), fields)
    elapsed = time.perf_counter() - started
    for sender in senders:
        sender.close()
    return elapsed


def upload_plain(server: Server, session: dict, source: Path) -> float:
    """Begin a plain upload and send the same chunks the same way; returns the seconds."""
    senders, size = [Sender(server, session), Sender(server, session)], source.stat().st_size
    started = time.perf_counter()
    senders[0].call("POST", "/plain-chunks", b"", {})
    send_chunks(senders, "/plain-chunks", source, UPLOAD_CHUNK, {"Upload-Length": str(size)})
    elapsed = time.perf_counter() - started
    for sender in senders:
        sender.close()
    return elapsed


def download(server: Server, session: dict, path: str, expected: int) -> float:
    connection = server.connection()
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": session["cookie"]})
    response = connection.getresponse()
    received = 0
    while block := response.read(1024 * 1024):
        received += len(block)
    elapsed = time.perf_counter() - started
    connection.close()
    assert response.status == 200 and received == expected, (response.status, received, expected)
    return elapsed


def make_file(directory: Path, size: int) -> Path:
    """A PDF of `size` bytes: the header, then random bytes."""
    path = directory / f"source-{size}.pdf"
    block = os.urandom(1024 * 1024)
    with path.open("wb") as handle:
        handle.write(PDF)
        for offset in range(len(PDF), size, len(block)):
            handle.write(block[: min(len(block), size - offset)])
    return path


def cpu_seconds(pid: int) -> float:
    """The processor time a process has used (user and system), whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    seconds: float  # the median transfer
    cpu: float  # the server's processor seconds per transfer
    client_cpu: float  # this process's (the client's) processor seconds per transfer
    growth: float  # the server's peak resident memory above its size at rest, MiB


def settle(source: Path) -> None:
    """Start an upload from memory like every other's: what earlier steps left in the kernel's
    cache written out and, where this process may (as root), dropped; the source file read back
    in. Without this, an upload paid for the earlier ones' pages (below)."""
    os.sync()
    if os.access(DROP_CACHES, os.W_OK):
        DROP_CACHES.write_text("1")
    with source.open("rb") as handle:
        while handle.read(1024 * 1024):
            pass


class Side:
    """One side of the comparison: its transfer, run in a server of its own started fresh while
    the block runs, and what it measured."""

    def __init__(self, server_args: list[str] | None, env: dict, transfer) -> None:
        self.server_args, self.env, self.transfer = server_args, env, transfer
        self.timings: list[float] = []
        self.cpu = self.client_cpu = 0.0

    def __enter__(self) -> Side:
        self.server = Server(self.env, self.server_args) if self.server_args else Server(self.env)
        try:
            self.baseline = rss_kib(self.server.process.pid)
            self.memory = PeakMemory(self.server.process.pid).__enter__()
        except BaseException:
            self.server.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.memory.__exit__(*exc)
        self.server.stop()

    def measured(self) -> Measured:
        runs, growth = len(self.timings), (self.memory.peak - self.baseline) / 1024
        return Measured(statistics.median(self.timings), self.cpu / runs, self.client_cpu / runs, growth)

    def once(self) -> None:
        pid = self.server.process.pid
        server_before, client_before = cpu_seconds(pid), time.process_time()
        self.timings.append(self.transfer(self.server))
        self.cpu += cpu_seconds(pid) - server_before
        self.client_cpu += time.process_time() - client_before


def measure(plain: Side, encrypted: Side, runs: int, prepare) -> tuple[Measured, Measured]:
    """`runs` transfers on each side, taking turns, each after `prepare()`.

    In turns, because this machine's speed for the same transfer moves from minute to minute: it
    is a virtual machine that hands memory the guest frees back to the host (free page
    reporting), and a page written again then costs a fault on the host. Writing 1 GB of new
    file pages took 0.2 s of kernel time one minute and 2.5 s the next (`dd`), and the plain
    upload ranged from 175 to 861 MB/s. Both sides meet the same spells this way."""
    with plain, encrypted:
        for _ in range(runs):
            for side in (plain, encrypted):
                prepare()
                side.once()
    return plain.measured(), encrypted.measured()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="file sizes in MB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    if not os.access(DROP_CACHES, os.W_OK):
        print("not root: uploads start without dropping the page cache (see `settle`)", file=sys.stderr)
    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    os.environ["PORTAL_EXTRA_HOSTS"] = "localhost"  # the in-process client that signs in
    try:
        run(scratch, [int(size) for size in args.sizes.split(",")], args.runs)
    finally:
        shutil.rmtree(scratch)


def transfers(session: dict, source: Path) -> dict[str, tuple[Callable, Callable]]:
    """For each direction, the plain and the encrypted transfer of `source`, given a server."""
    size = source.stat().st_size

    def newest() -> str:
        return f"/library/versions/{newest_version(session['app']).id}/download"

    return {
        "upload": (
            lambda server: upload_plain(server, session, source),
            lambda server: upload_encrypted(server, session, source),
        ),
        "download": (
            lambda server: download(server, session, "/plain", size),
            lambda server: download(server, session, newest(), size),
        ),
    }


def run(scratch: Path, sizes: list[int], runs: int) -> None:
    session = served_instance(scratch / "instance", {}, FILE_LIMIT)
    env = session["env"]
    plain_app = [sys.executable, "-m", "bench.plain_app", "127.0.0.1:{port}"]
    columns = (
        *("size", "transfer", "plain MB/s", "encrypted MB/s", "ratio"),
        *("CPU ms/MB", "client ms/MB", "RSS growth MiB"),
    )
    print("{:>6} {:>9} {:>11} {:>15} {:>6} {:>13} {:>13} {:>15}".format(*columns))
    upload_growth = {}
    for size_mb in sizes:
        size = size_mb * MB
        source = make_file(scratch, size)
        # A download's source is in the cache: only what the upload left is written out first.
        prepare = {"upload": partial(settle, source), "download": os.sync}
        for direction, (plain, encrypted) in transfers(session, source).items():
            base, ours = measure(
                Side(plain_app, env, plain), Side(None, env, encrypted), runs, prepare[direction]
            )
            if direction == "upload":
                upload_growth[size_mb] = ours.growth
            plain_rate, rate = size / MB / base.seconds, size / MB / ours.seconds
            cpu = f"{1000 * base.cpu / (size / MB):.2f}/{1000 * ours.cpu / (size / MB):.2f}"
            client = f"{1000 * base.client_cpu / (size / MB):.2f}/{1000 * ours.client_cpu / (size / MB):.2f}"
            print(
                f"{size_mb:>4}MB {direction:>9} {plain_rate:>11.0f} {rate:>15.0f} "
                f"{rate / plain_rate:>6.2f} {cpu:>13} {client:>13} {ours.growth:>15.1f}",
                flush=True,
            )
        source.unlink()
    smallest, largest = min(upload_growth), max(upload_growth)
    print(
        f"upload memory growth from {smallest} MB to {largest} MB: "
        f"{upload_growth[largest] - upload_growth[smallest]:+.1f} MiB"
    )


if __name__ == "__main__":
    main()
