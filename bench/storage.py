"""Encrypted against plain file transfer, with the same waitress options and the same backend.

For 10 MB, 100 MB and 1 GB files: upload and download over HTTP through the library's own routes
under `portal serve` (encrypted), and through a plain route (bench.plain_app) that streams the
same bytes to and from the same local backend; the 1 GB document is added through the library's
upload path without HTTP, because uploads stop at the upload limit. Plain and encrypted transfers
alternate within each run, so a change in the machine's load touches both alike. Prints medians of
three runs, the encrypted/plain ratio, the servers' CPU time per MB (steadier than throughput on a
shared machine) and the encrypted server's resident memory.

    .venv/bin/python -m bench.storage [--sizes 10,100,1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.datastructures import FileStorage

from bench.public import cpu_seconds
from portal.core.models import Folder, User
from portal.staff.library.store import add_document
from tests.files import PDF
from tests.storage.test_transfer import BOUNDARY, Server, multipart, newest_version, served_instance

MB = 1000 * 1000
UPLOAD_LIMIT = 128 * 1024 * 1024


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakMemory:
    """The highest resident set size of a process while the block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.01)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def upload(server: Server, session: dict, path: str, source: Path) -> float:
    head, tail = multipart(session["token"])
    size = source.stat().st_size
    connection = server.connection()
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader("Cookie", session["cookie"])
    connection.putheader("X-CSRFToken", session["token"])
    connection.endheaders()
    started = time.perf_counter()
    connection.send(head)
    with source.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            connection.send(block)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    assert response.status in (200, 303), body[:200]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="file sizes in MB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    os.environ["PORTAL_EXTRA_HOSTS"] = "localhost"  # the in-process client that signs in and adds files
    session = served_instance(scratch / "instance", {}, UPLOAD_LIMIT)
    app, env = session["app"], session["env"]
    plain_server = [sys.executable, "-m", "bench.plain_app", "127.0.0.1:{port}"]
    documents = f"/library/folders/{session['folder']}/documents"
    paths = {"plain": "/plain"}
    columns = ("size", "transfer", "plain MB/s", "encrypted MB/s", "ratio", "CPU ms/MB plain", "encrypted")
    print("{:>6} {:>9} {:>11} {:>15} {:>6} {:>16} {:>10} {:>15}".format(*columns, "RSS growth MiB"))
    for size_mb in (int(s) for s in args.sizes.split(",")):
        size = size_mb * MB
        source = make_file(scratch, size)
        version = direct_add(session, source)
        plain_put(app, source)
        for direction in ("upload", "download"):
            if direction == "upload" and size > UPLOAD_LIMIT:
                continue
            # fresh processes, so the growth is this transfer's own
            servers = {"plain": Server(env, plain_server), "encrypted": Server(env)}
            baseline = rss_kib(servers["encrypted"].process.pid)
            timings: dict[str, list[tuple[float, float]]] = {kind: [] for kind in servers}
            try:
                with PeakMemory(servers["encrypted"].process.pid) as memory:
                    for _ in range(args.runs):
                        for kind, server in servers.items():  # in turn: the machine's load touches both alike
                            used = cpu_seconds(server.process.pid)
                            if direction == "upload":
                                elapsed = upload(server, session, paths.get(kind, documents), source)
                            else:
                                path = paths.get(kind, f"/library/versions/{version}/download")
                                elapsed = download(server, session, path, size)
                            timings[kind].append((elapsed, cpu_seconds(server.process.pid) - used))
            finally:
                for server in servers.values():
                    server.stop()
            seconds, cpu = {}, {}
            for kind, rows in timings.items():
                seconds[kind] = statistics.median(t for t, _ in rows)
                cpu[kind] = statistics.median(c for _, c in rows) * 1000 / size_mb
            plain, encrypted = size / MB / seconds["plain"], size / MB / seconds["encrypted"]
            growth = (memory.peak - baseline) / 1024
            print(
                f"{size_mb:>4}MB {direction:>9} {plain:>11.0f} {encrypted:>15.0f} {encrypted / plain:>6.2f} "
                f"{cpu['plain']:>16.2f} {cpu['encrypted']:>10.2f} {growth:>15.1f}"
            )
        source.unlink()


def plain_put(app, source: Path) -> None:
    """The plain twin of a document over the upload limit, in the same backend."""
    from bench.plain_app import PLAIN_KEY

    with app.app_context(), source.open("rb") as handle:
        app.extensions["portal.objects"].backend.put(PLAIN_KEY, iter(lambda: handle.read(1024 * 1024), b""))


def direct_add(session: dict, source: Path) -> int:
    """Add a library document through the upload path without HTTP (for files over the upload
    limit); returns its version's id."""
    app = session["app"]
    with app.test_request_context(), source.open("rb") as handle:
        folder = Folder.get_by_id(session["folder"])
        user = User.get(User.organisation == folder.owner_id)
        add_document(folder, source.name, FileStorage(handle, filename=source.name), user)
    return newest_version(app).id


if __name__ == "__main__":
    main()
