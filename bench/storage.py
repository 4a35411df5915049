"""Encrypted against plain file transfer, with the same waitress options and the same backend.

For 10 MB, 100 MB and 1 GB files: upload and download over HTTP under `portal serve`. Uploads go
in chunks as the portal's script sends them: encrypted through /uploads and the library's form
(the gate, the database, sealing and hashing each chunk), plain through a route of bench.plain_app
that writes the same chunks to the same local backend's write in parts. Downloads go through the
library's own route (encrypted) and a plain route streaming the same bytes. Prints medians of
three runs, the encrypted/plain ratio, the server's and the client's processor time per MB
(plain/encrypted: what the transfer costs whatever else the machine runs; client and server share
the machine's cores) and the server's peak resident memory above its size at rest, each row in a
fresh process, then how much the upload's memory grew from the smallest file to the largest.

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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from portal import UPLOAD_CHUNK
from tests.files import PDF
from tests.memory import PeakMemory, rss_kib
from tests.storage.test_transfer import Server, documents_form, newest_version, served_instance

MB = 1000 * 1000
FILE_LIMIT = 2 * 1024**3
FORM = "application/x-www-form-urlencoded"


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


def upload_encrypted(server: Server, session: dict, source: Path) -> float:
    """Begin an upload, send every chunk, submit the library's form with it; returns the seconds."""
    sender, size = Sender(server, session), source.stat().st_size
    started = time.perf_counter()
    begun = sender.form("/uploads/", {"target": documents_form(session), "size": size, "name": source.name})
    for offset, piece in chunks_of(source, begun["chunk"]):
        sender.call("PATCH", begun["url"], piece, {"Upload-Offset": str(offset)})
    fields = {"csrf_token": session["token"], "title": source.name, "file": begun["upload"]}
    sender.form(documents_form(session), fields)
    elapsed = time.perf_counter() - started
    sender.close()
    return elapsed


def upload_plain(server: Server, session: dict, source: Path) -> float:
    """The same chunks to the plain route; returns the seconds."""
    sender, size = Sender(server, session), source.stat().st_size
    started = time.perf_counter()
    for offset, piece in chunks_of(source, UPLOAD_CHUNK):
        sender.call(
            "PATCH", "/plain-chunks", piece, {"Upload-Offset": str(offset), "Upload-Length": str(size)}
        )
    elapsed = time.perf_counter() - started
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


def measure(server_args: list[str] | None, env: dict, runs: int, transfer) -> Measured:
    """`runs` transfers by `transfer(server)` in a fresh server. Each starts once the kernel has
    written out what earlier steps left in its cache, so that no transfer pays for another's."""
    server = Server(env, server_args) if server_args else Server(env)
    baseline = rss_kib(server.process.pid)
    timings, cpu, client_cpu = [], 0.0, 0.0
    try:
        with PeakMemory(server.process.pid) as memory:
            for _ in range(runs):
                os.sync()
                server_before, client_before = cpu_seconds(server.process.pid), time.process_time()
                timings.append(transfer(server))
                cpu += cpu_seconds(server.process.pid) - server_before
                client_cpu += time.process_time() - client_before
    finally:
        server.stop()
    return Measured(
        statistics.median(timings), cpu / runs, client_cpu / runs, (memory.peak - baseline) / 1024
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="file sizes in MB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

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
        for direction, (plain, encrypted) in transfers(session, source).items():
            base, ours = measure(plain_app, env, runs, plain), measure(None, env, runs, encrypted)
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
