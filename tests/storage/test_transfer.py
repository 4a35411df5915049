"""Uploads and downloads through waitress and the real storage layer, watched from outside.

Python's temporary files use O_TMPFILE and never appear in a directory listing, so the watch
reads every regular file the server process holds open (/proc/PID/fd) while a transfer that
carries a canary is in flight. The same watch against waitress's default buffers must find the
canary, or it would prove nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from portal import create_app
from portal.core.models import AuditEvent, StoredObject
from portal.staff.storage import stream_aead
from tests.conftest import csrf_from, make_account, sign_in
from tests.servers import instance_env, portal_command, start_server

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 16 * 1024 * 1024
BOUNDARY = "madoguchi-test-boundary"


class Server:
    """tests.storage.transfer_app under waitress, with its process id for the watch."""

    def __init__(self, env: dict, defaults: bool = False) -> None:
        args = [sys.executable, "-m", "tests.storage.transfer_app", "127.0.0.1:{port}"]
        self.process, self.port = start_server(args + (["--waitress-defaults"] if defaults else []), env)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, headers=None):
        connection = self.connection()
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stderr.close()


class Watch:
    """Reads every regular file the process holds open, over and over, looking for `canary`."""

    def __init__(self, pid: int, canary: bytes) -> None:
        self.pid, self.canary, self.hits, self.looks = pid, canary, set(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        fd_dir = Path(f"/proc/{self.pid}/fd")
        while not self._stop.is_set():
            for fd in os.listdir(fd_dir):
                try:
                    target = os.readlink(fd_dir / fd)
                    if not target.startswith("/") or target.startswith("/dev/"):
                        continue
                    with open(fd_dir / fd, "rb") as handle:
                        if self.canary in handle.read():
                            self.hits.add(target)
                except OSError:
                    continue
            self.looks += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """An instance on disk with a signed-in city user's cookie and form token."""
    path = tmp_path_factory.mktemp("transfer") / "instance"
    env = instance_env(path, PORTAL_UPLOAD_MAX_BYTES=str(LIMIT))
    assert portal_command("init", env=env).returncode == 0
    app = create_app("staff", {"INSTANCE_PATH": path, "TESTING": True})
    client = app.test_client()
    assert sign_in(client, make_account(app, "city")).status_code == 303
    token = csrf_from(client.get("/").text)
    cookie = client.get_cookie("madoguchi-staff").value  # after the page that put the token in it
    return {"app": app, "env": env, "path": path, "cookie": f"madoguchi-staff={cookie}", "token": token}


@pytest.fixture(scope="module")
def server(instance):
    running = Server(instance["env"])
    yield running
    running.stop()


def canary_file(size: int) -> tuple[bytes, bytes]:
    canary = f"CANARY-{uuid.uuid4().hex}".encode()
    block = canary + os.urandom(4000)
    return canary, (block * (size // len(block) + 1))[:size]


def multipart(data: bytes, filename: str = "相談記録.xlsx") -> tuple[bytes, bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(server: Server, instance, data: bytes, pace: float = 0.0, total: int | None = None):
    """POST the file in 256 KiB pieces, pausing `pace` seconds between them."""
    head, tail = multipart(data)
    length = total if total is not None else len(head) + len(data) + len(tail)
    connection = server.connection()
    connection.putrequest("POST", "/test/objects")
    for name, value in {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(length),
        "Cookie": instance["cookie"],
        "X-CSRFToken": instance["token"],
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        connection.send(head)
        for offset in range(0, len(data), 256 * 1024):
            connection.send(data[offset : offset + 256 * 1024])
            time.sleep(pace)
        connection.send(tail)
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def download(server: Server, instance, object_id: str, pace: float = 0.0):
    """GET an object, reading 64 KiB at a time; returns (response, bytes received, error)."""
    connection = server.connection()
    connection.request("GET", f"/test/objects/{object_id}", headers={"Cookie": instance["cookie"]})
    response = connection.getresponse()
    received, error = bytearray(), None
    try:
        while chunk := response.read(64 * 1024):
            received += chunk
            time.sleep(pace)
    except (http.client.IncompleteRead, ConnectionError) as failure:
        error = failure
    announced = response.getheader("Content-Length")
    if error is None and announced is not None and len(received) != int(announced):
        # read(amt) reports a connection closed early as the end of the body: compare lengths.
        error = http.client.IncompleteRead(bytes(received), int(announced) - len(received))
    connection.close()
    return response, bytes(received), error


def test_upload_and_download_stream_without_plaintext_on_disk(server, instance):
    canary, data = canary_file(8 * 1024 * 1024)
    with Watch(server.process.pid, canary) as watch:
        response, body = upload(server, instance, data, pace=0.01)
        assert response.status == 200, body
        stored = json.loads(body)
        response, received, error = download(server, instance, stored["id"], pace=0.005)
    assert error is None and received == data
    assert watch.looks > 10 and watch.hits == set()
    assert response.getheader("Content-Length") == str(len(data))
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Security-Policy") == "default-src 'none'; sandbox"
    assert response.getheader("Cache-Control") == "no-store"
    disposition = response.getheader("Content-Disposition")
    assert disposition.startswith('attachment; filename="20206.xlsx"')
    assert (
        "filename*=UTF-8''%E7%9B%B8%E8%AB%87%E8%A8%98%E9%8C%B2%202020%E5%B9%B46%E6%9C%88.xlsx" in disposition
    )
    with instance["app"].app_context():
        row = StoredObject.get_by_id(uuid.UUID(stored["id"]))
        assert row.size == len(data)


def test_the_watch_finds_the_canary_when_waitress_spills_to_disk(instance):
    control = Server(instance["env"], defaults=True)
    try:
        canary, data = canary_file(8 * 1024 * 1024)
        with Watch(control.process.pid, canary) as watch:
            response, _ = upload(control, instance, data, pace=0.02)
        assert response.status == 200
        assert watch.hits, "the watch saw no spilled request body, so it cannot prove its absence"
    finally:
        control.stop()


def test_a_corrupted_segment_aborts_the_transfer_short_of_its_length(server, instance):
    _, data = canary_file(3 * stream_aead.SEGMENT + 1000)
    response, body = upload(server, instance, data)
    stored = json.loads(body)
    with instance["app"].app_context():
        row = StoredObject.get_by_id(uuid.UUID(stored["id"]))
    object_path = instance["path"] / "objects" / row.storage_key
    ciphertext = bytearray(object_path.read_bytes())
    ciphertext[stream_aead.HEADER_SIZE + 2 * (stream_aead.SEGMENT + stream_aead.TAG) + 10] ^= 0x01
    object_path.write_bytes(bytes(ciphertext))
    response, received, error = download(server, instance, stored["id"])
    assert response.status == 200 and response.getheader("Content-Length") == str(len(data))
    assert error is not None, "the client must see a failed transfer"
    assert len(received) <= 2 * stream_aead.SEGMENT and received == data[: len(received)]
    with instance["app"].app_context():
        assert AuditEvent.select().where(AuditEvent.action == "object.integrity-failure").count() == 1


def test_one_byte_over_the_limit_is_refused_by_the_server_and_nothing_is_kept(server, instance):
    with instance["app"].app_context():
        before = StoredObject.select().count()
    objects = instance["path"] / "objects"
    files_before = sorted(objects.rglob("*"))
    response, _ = upload(server, instance, b"x" * (LIMIT + 1), total=LIMIT + 1)
    assert response.status == 413
    with instance["app"].app_context():
        assert StoredObject.select().count() == before
    assert sorted(objects.rglob("*")) == files_before


def test_anonymous_requests_for_a_real_object_get_the_same_404(server, instance):
    _, data = canary_file(100_000)
    _, body = upload(server, instance, data)
    object_id = json.loads(body)["id"]
    reference, reference_body = server.request("GET", f"/test/objects/{uuid.uuid4()}")
    for method in ("GET", "HEAD"):
        for headers in ({}, {"Range": "bytes=0-99"}, {"HX-Request": "true"}):
            response, received = server.request(method, f"/test/objects/{object_id}", headers)
            assert response.status == 404
            assert received == (b"" if method == "HEAD" else reference_body)
            assert response.getheader("X-Robots-Tag") == "noindex, nofollow, noarchive"
    assert reference.status == 404


def test_a_chunked_body_over_the_limit_is_refused_without_spilling(server, instance):
    canary, data = canary_file(LIMIT + 1024 * 1024)
    head, tail = multipart(data)

    def pieces():
        yield head
        for offset in range(0, len(data), 256 * 1024):
            yield data[offset : offset + 256 * 1024]
            time.sleep(0.002)
        yield tail

    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Transfer-Encoding": "chunked",
        "Cookie": instance["cookie"],
        "X-CSRFToken": instance["token"],
    }
    connection = server.connection()
    with Watch(server.process.pid, canary) as watch:
        try:
            connection.request("POST", "/test/objects", body=pieces(), headers=headers, encode_chunked=True)
            status = connection.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            status = 413
    connection.close()
    assert status == 413
    assert watch.looks > 5 and watch.hits == set()
