"""Encrypted against plain file transfer through the same waitress server.

For 10 MB, 100 MB and 1 GB files: upload and download over HTTP through the storage layer
(encrypted) and through a plain route that streams the same bytes to and from a scratch file;
the 1 GB object is put through the storage layer directly, because uploads stop at the upload
limit. Prints medians of three runs, the encrypted/plain ratio and the server's resident memory.

    .venv/bin/python -m bench.storage [--sizes 10,100,1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from portal import create_app
from tests.conftest import csrf_from, make_account, sign_in
from tests.servers import instance_env, portal_command
from tests.storage.test_transfer import BOUNDARY, Server, multipart

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
    head, tail = multipart(b"")
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
    assert response.status == 200, body[:200]
    session["last"] = json.loads(body)
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
    path = directory / f"source-{size}.bin"
    block = os.urandom(1024 * 1024)
    with path.open("wb") as handle:
        for offset in range(0, size, len(block)):
            handle.write(block[: min(len(block), size - offset)])
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="file sizes in MB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    instance = scratch / "instance"
    env = instance_env(instance, PORTAL_UPLOAD_MAX_BYTES=str(UPLOAD_LIMIT))
    assert portal_command("init", env=env).returncode == 0
    app = create_app("staff", {"INSTANCE_PATH": instance, "TESTING": True})
    client = app.test_client()
    assert sign_in(client, make_account(app, "city")).status_code == 303
    session = {"token": csrf_from(client.get("/").text)}
    session["cookie"] = f"madoguchi-staff={client.get_cookie('madoguchi-staff').value}"
    columns = ("size", "transfer", "plain MB/s", "encrypted MB/s", "ratio", "RSS growth MiB")
    print("{:>6} {:>9} {:>11} {:>15} {:>6} {:>15}".format(*columns))
    for size_mb in (int(s) for s in args.sizes.split(",")):
        size = size_mb * MB
        source = make_file(scratch, size)
        object_id = direct_put(app, source)
        plain_put(app, source)
        for direction in ("upload", "download"):
            if direction == "upload" and size > UPLOAD_LIMIT:
                continue
            server = Server(env)  # a fresh process, so each figure is this transfer's own growth
            baseline = rss_kib(server.process.pid)
            timings: dict[str, list[float]] = {"plain": [], "encrypted": []}
            try:
                with PeakMemory(server.process.pid) as memory:
                    for _ in range(args.runs):
                        if direction == "upload":
                            timings["plain"].append(upload(server, session, "/test/plain", source))
                            timings["encrypted"].append(upload(server, session, "/test/objects", source))
                        else:
                            timings["plain"].append(download(server, session, "/test/plain", size))
                            path = f"/test/objects/{object_id}"
                            timings["encrypted"].append(download(server, session, path, size))
            finally:
                server.stop()
            plain = size / MB / statistics.median(timings["plain"])
            encrypted = size / MB / statistics.median(timings["encrypted"])
            growth = (memory.peak - baseline) / 1024
            print(
                f"{size_mb:>4}MB {direction:>9} {plain:>11.0f} {encrypted:>15.0f} "
                f"{encrypted / plain:>6.2f} {growth:>15.1f}"
            )
        source.unlink()


def plain_put(app, source: Path) -> None:
    """The plain twin of an object over the upload limit, in the same backend."""
    from tests.storage.transfer_app import PLAIN_KEY

    with app.app_context(), source.open("rb") as handle:
        app.extensions["portal.objects"].backend.put(PLAIN_KEY, iter(lambda: handle.read(1024 * 1024), b""))


def direct_put(app, source: Path) -> str:
    """Put a file through the storage layer without HTTP (for objects over the upload limit)."""
    with app.app_context(), source.open("rb") as handle:
        chunks = iter(lambda: handle.read(1024 * 1024), b"")
        stored = app.extensions["portal.objects"].store(chunks, kind="bench")
    return str(uuid.UUID(str(stored.id)))


if __name__ == "__main__":
    main()
