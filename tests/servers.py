"""Real servers for tests that must cross HTTP: waitress running one instance in a subprocess,
and an S3 server (SeaweedFS) for the MinIO backend."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.tls import Tls

BIN = Path(sys.executable).parent
WEED = BIN / "weed"
S3_ACCESS_KEY = "madoguchi-test"
S3_SECRET_KEY = "madoguchi-test-secret-0123456789"
OPEN_BUCKET = "misconfigured-open-bucket"  # readable, writable and listable by anyone
# Set by coverage (`patch = ["subprocess"]` in pyproject.toml) only while it measures the tests:
# a Python process started with it measures itself too.
COVERAGE_VARIABLES = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


PORTS_FROM = 10000  # above the well-known ports of services this machine may run


def _ports_of_this_worker() -> Iterator[int]:
    """Ports below the kernel's ephemeral range, so that no outgoing connection and no `bind(0)`
    takes one between our check and the server's own bind (a port picked by `bind(0)` was taken so
    by a neighbour's connection before nginx could listen on it). Each pytest-xdist worker has its
    own residue class, so that two workers never hand out the same port."""
    lowest_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return itertools.cycle(range(PORTS_FROM + worker, lowest_ephemeral, workers))


_next_port = _ports_of_this_worker()


def free_port() -> int:
    """A port nobody is listening on right now and that nothing else will pick by itself."""
    return next(port for port in _next_port if _is_free(port))


def portal_command(*args: str, env: dict, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the `portal` console script the way an administrator would."""
    return subprocess.run(
        [str(BIN / "portal"), *args], env=env, input=input, capture_output=True, text=True, timeout=120
    )


def passed_on() -> dict:
    """What even a clean environment keeps: where the code under test is, and coverage's variables
    while coverage runs (and only then)."""
    return {name: os.environ[name] for name in ("PYTHONPATH", *COVERAGE_VARIABLES) if name in os.environ}


def instance_env(instance: Path, **extra: str) -> dict:
    """A clean environment pointing every PORTAL_* path into `instance`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({"PORTAL_INSTANCE_PATH": str(instance), **extra})
    return env


def start_server(args: list[str], env: dict) -> tuple[subprocess.Popen, int]:
    """Run a server command (given its port, it returns the arguments) until /healthz answers."""
    port = free_port()
    process = subprocess.Popen(
        [part.format(port=port) for part in args],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{args} did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def server_process(
    args: list[str], env: dict, log: Path | None = None
) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run a server command until the block ends; yields its process and port.

    Its standard error is copied to `log` if given: a busy server logs a line per request, and
    a pipe nobody reads stops it once full.
    """
    process, port = start_server(args, env)
    copying = None
    if log is not None:
        sink = log.open("wb")
        copying = threading.Thread(target=shutil.copyfileobj, args=(process.stderr, sink))
        copying.start()
    try:
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=10)
        if copying is not None:
            copying.join()
            sink.close()
        process.stderr.close()


@contextlib.contextmanager
def running(args: list[str], env: dict, log: Path | None = None) -> Iterator[str]:
    """Run a server command until the block ends; yields its base URL."""
    with server_process(args, env, log) as (_, port):
        yield f"http://127.0.0.1:{port}"


def waitress(zone: str, env: dict):
    """Serve one instance with waitress-serve on a free port; yields its base URL."""
    return running([str(BIN / "waitress-serve"), "--listen=127.0.0.1:{port}", "--call", f"wsgi:{zone}"], env)


def portal_serve(zone: str, env: dict):
    """Serve one instance with `portal serve` on a free port; yields its base URL."""
    return running([str(BIN / "portal"), "serve", zone, "--listen=127.0.0.1:{port}"], env)


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """Serve a WSGI app with waitress on a free loopback port, in threads of this process (so a
    test can build the app, or wrap it); yields its base URL."""
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def run() -> None:  # the server's loop in short turns, so it ends before its sockets close
        while not stopping.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        thread.join(timeout=10)
        server.close()


def public_env(instance: Path, **extra: str) -> dict:
    """What the public process is given: its instance folder and the sealing public key, no staff keys."""
    return {
        "PATH": os.environ["PATH"],
        **passed_on(),
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_SEAL_PUBLIC_KEY": str(instance / "public" / "seal.pub"),
        "PORTAL_KEY_DIR": str(instance / "no-keys-here"),
        **extra,
    }


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class S3Server:
    """`weed server -s3` in a directory of its own, with the test credentials and one misconfigured
    bucket open to anyone; it can be stopped and started again on the same ports and data."""

    def __init__(self, directory: Path, tls: Tls | None = None) -> None:
        self.directory, self.tls = directory, tls
        directory.mkdir(parents=True, exist_ok=True)
        # Each of SeaweedFS's servers listens on an HTTP port and a gRPC one, named here, as by
        # default the gRPC port is the HTTP one + 10000, which may be anybody's.
        self.master, self.volume, self.filer, self.s3, *self.grpc = (free_port() for _ in range(8))
        self.config = directory / "s3.json"
        identity = {
            "name": "portal",
            "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        anonymous = {
            "name": "anonymous",
            "actions": [f"{a}:{OPEN_BUCKET}" for a in ("Read", "Write", "List")],
        }
        self.config.write_text(json.dumps({"identities": [identity, anonymous]}))
        # Read from the working directory: one volume per new bucket instead of seven, so the
        # buckets of a worker's whole session (one per test) fit in -volume.max.
        (directory / "master.toml").write_text("[master.volume_growth]\ncopy_1 = 1\n")
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.s3}"

    def settings(self, bucket: str) -> dict[str, str]:
        """PORTAL_* settings that store objects in `bucket` on this server."""
        return {
            "STORAGE_BACKEND": "minio",
            "MINIO_ENDPOINT": self.endpoint,
            "MINIO_ACCESS_KEY": S3_ACCESS_KEY,
            "MINIO_SECRET_KEY": S3_SECRET_KEY,
            "MINIO_BUCKET": bucket,
            "MINIO_SECURE": "true" if self.tls else "false",
        }

    def client(self, access_key: str | None = S3_ACCESS_KEY, secret_key: str | None = S3_SECRET_KEY):
        """A MinIO client for this server (anonymous with no keys), trusting its certificate. It does
        not retry: a refusal while the server starts is answered at once, not after MinIO's backoff."""
        import urllib3
        from minio import Minio

        ca_certs = str(self.tls.certificate) if self.tls else None
        http = urllib3.PoolManager(ca_certs=ca_certs, retries=False)
        return Minio(self.endpoint, access_key, secret_key, secure=self.tls is not None, http_client=http)

    def start(self) -> None:
        """Start the server and wait until it answers with the test credentials."""
        tls = (
            [f"-s3.cert.file={self.tls.certificate}", f"-s3.key.file={self.tls.private_key}"]
            if self.tls
            else []
        )
        self.log = (self.directory / "weed.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(WEED),
                "server",
                f"-dir={self.directory}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={self.master}",
                f"-volume.port={self.volume}",
                f"-filer.port={self.filer}",
                "-s3",
                f"-s3.port={self.s3}",
                *(
                    f"-{server}.port.grpc={port}"
                    for server, port in zip(("master", "volume", "filer", "s3"), self.grpc, strict=True)
                ),
                f"-s3.config={self.config}",
                *tls,
                "-volume.max=500",
                "-master.volumeSizeLimitMB=64",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                # Started again after a crash, a master that resumes its raft state waits out an
                # election (about 17 s) before anything answers; the volume server tells a fresh
                # master its volumes, and the filer keeps the buckets, so the data comes back all the same.
                "-master.resumeState=false",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._usable():
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the S3 server did not start; see {self.directory / 'weed.log'}")

    def _usable(self) -> bool:
        try:
            self.client().list_buckets()
            return True
        except Exception:  # not ready yet
            return False

    def stop(self) -> None:
        """Kill the server, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@contextlib.contextmanager
def running_s3_server(directory: Path, tls: Tls | None = None) -> Iterator[S3Server]:
    """A running S3 server, stopped on leaving; ports taken between choosing and binding are
    chosen again once."""
    server = S3Server(directory / "first", tls)
    try:
        server.start()
    except RuntimeError:
        server = S3Server(directory / "second", tls)
        server.start()
    try:
        yield server
    finally:
        server.stop()
