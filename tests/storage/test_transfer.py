"""Library uploads (in the form, and in chunks) and downloads through `portal serve` and the real
routes, on local storage and on S3, watched from outside.

Python's temporary files use O_TMPFILE and never appear in a directory listing, so the watch
reads every regular file the server process holds open (/proc/PID/fd) while a transfer that
carries a canary is in flight. The same watch against waitress's default buffers must find the
canary, or it would prove nothing.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from portal import REQUEST_BODY_LIMIT, UPLOAD_CHUNK, create_app
from portal.core.database import database
from portal.core.models import AuditEvent, DocumentVersion, StoredObject
from portal.staff.storage import stream_aead
from tests.at_rest import assert_only_ciphertext
from tests.conftest import STORAGE_BACKENDS
from tests.files import PDF
from tests.memory import PeakMemory, rss_kib
from tests.servers import BIN, instance_env, portal_command, start_server
from tests.test_library_uploads import city_writer

FILE_LIMIT = 256 * 1024 * 1024  # PORTAL_UPLOAD_MAX_BYTES: the largest file, sent in chunks
IN_FORM = 4 * 1024 * 1024  # a file small enough to come in the form itself
BOUNDARY = "madoguchi-test-boundary"
FILENAME = "相談記録 2020年6月.pdf"
PORTAL_SERVE = [str(BIN / "portal"), "serve", "staff", "--listen=127.0.0.1:{port}"]
WAITRESS_DEFAULTS = [str(BIN / "waitress-serve"), "--listen=127.0.0.1:{port}", "--call", "wsgi:staff"]


class Server:
    """A staff server in a process of its own, with its process id for the watch."""

    def __init__(self, env: dict, args: list[str] = PORTAL_SERVE) -> None:
        self.process, self.port = start_server(args, env)

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


def served_instance(path: Path, storage: dict, limit: int) -> dict:
    """An instance made by `portal init`, a city user signed in with a folder of its own, and the
    environment `portal serve` runs it with."""
    env = instance_env(
        path,
        PORTAL_UPLOAD_MAX_BYTES=str(limit),
        **{f"PORTAL_{name}": value for name, value in storage.items()},
    )
    assert portal_command("init", env=env).returncode == 0
    app = create_app("staff", {"INSTANCE_PATH": path, **storage, "TESTING": True})
    client, token, folder, _ = city_writer(app)
    cookie = client.get_cookie("madoguchi-staff").value  # after the page that put the token in it
    return {"app": app, "env": env, "cookie": f"madoguchi-staff={cookie}", "token": token, "folder": folder}


@pytest.fixture(scope="module", params=STORAGE_BACKENDS)
def instance(request, tmp_path_factory):
    """A served instance on each storage backend."""
    storage = {} if request.param == "local" else request.getfixturevalue("s3_server").settings("transfer")
    return served_instance(tmp_path_factory.mktemp("transfer") / "instance", storage, FILE_LIMIT)


@pytest.fixture(scope="module")
def server(instance):
    running = Server(instance["env"])
    yield running
    running.stop()


def canary_file(size: int) -> tuple[bytes, bytes]:
    """A PDF of `size` bytes whose body repeats a canary nothing else holds."""
    canary = f"CANARY-{uuid.uuid4().hex}".encode()
    block = canary + os.urandom(4000)
    return canary, PDF + (block * (size // len(block) + 1))[: size - len(PDF)]


def multipart(token: str, filename: str = FILENAME) -> tuple[bytes, bytes]:
    """What comes before and after the file's bytes in the library's upload form."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n転送\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def post(server: Server, instance, pieces: Iterable[bytes], headers: dict) -> http.client.HTTPResponse:
    """POST a document from `pieces`; a server that refuses midway stops the sending, and its
    answer is still read (a connection reset before it is a failure, not a refusal)."""
    connection = server.connection()
    connection.putrequest("POST", f"/library/folders/{instance['folder']}/documents")
    for name, value in {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Cookie": instance["cookie"],
        **headers,
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        for piece in pieces:
            connection.send(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def in_pieces(data: bytes, pace: float = 0.0) -> Iterable[bytes]:
    """`data` in 256 KiB pieces, pausing `pace` seconds after each."""
    for offset in range(0, len(data), 256 * 1024):
        yield data[offset : offset + 256 * 1024]
        time.sleep(pace)


def upload(server: Server, instance, data: bytes, pace: float = 0.0, total: int | None = None):
    """Upload `data` as a library document; returns the response and the new version, if any."""
    head, tail = multipart(instance["token"])
    length = total if total is not None else len(head) + len(data) + len(tail)
    response = post(server, instance, [head, *in_pieces(data, pace), tail], {"Content-Length": str(length)})
    return response, newest_version(instance["app"])


def call(server: Server, instance, method: str, path: str, body: Iterable[bytes], headers: dict) -> tuple:
    """One request with the signed-in cookie and form token, its body sent piece by piece; returns
    the response and its JSON."""
    connection = server.connection()
    connection.putrequest(method, path)
    for name, value in {"Cookie": instance["cookie"], "X-CSRFToken": instance["token"], **headers}.items():
        connection.putheader(name, value)
    connection.endheaders()
    for piece in body:
        connection.send(piece)
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    return response, json.loads(answer) if answer.startswith(b"{") else None


def post_form(server: Server, instance, path: str, fields: dict) -> tuple:
    """POST a small form (no file in it); returns the response and its JSON."""
    form = urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(form))}
    return call(server, instance, "POST", path, [form], headers)


def send_in_chunks(server: Server, instance, data: bytes, pace: float = 0.0) -> str:
    """Send `data` to the library's form in chunks, as the portal's script does; returns the upload's id."""
    fields = {"target": documents_form(instance), "size": len(data), "name": FILENAME}
    response, started = post_form(server, instance, "/uploads/", fields)
    assert response.status == 201, started
    for offset in range(0, len(data), started["chunk"]):
        piece = data[offset : offset + started["chunk"]]
        headers = {"Upload-Offset": str(offset), "Content-Length": str(len(piece))}
        response, answer = call(server, instance, "PATCH", started["url"], in_pieces(piece, pace), headers)
        assert response.status == 200 and answer["offset"] == offset + len(piece), answer
    return started["upload"]


def documents_form(instance) -> str:
    """The library's form for a new document in the instance's folder."""
    return f"/library/folders/{instance['folder']}/documents"


def take_in_form(server: Server, instance, upload_id: str) -> http.client.HTTPResponse:
    """Submit the library's form with the id of a file sent in chunks."""
    fields = {"csrf_token": instance["token"], "title": "転送", "file": upload_id}
    return post_form(server, instance, documents_form(instance), fields)[0]


def newest_version(app) -> DocumentVersion | None:
    with app.app_context(), database.connection_context():
        return DocumentVersion.select().order_by(DocumentVersion.id.desc()).first()


def download(server: Server, instance, version: DocumentVersion, pace: float = 0.0):
    """GET a version's file, reading 64 KiB at a time; returns (response, bytes received, error)."""
    connection = server.connection()
    path = f"/library/versions/{version.id}/download"
    connection.request("GET", path, headers={"Cookie": instance["cookie"]})
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


def stored(app) -> tuple:
    """What the instance keeps: the objects' rows and the backend's keys."""
    with app.app_context(), database.connection_context():
        return StoredObject.select().count(), sorted(app.extensions["portal.objects"].backend.list())


def test_upload_and_download_stream_without_plaintext_on_disk(server, instance):
    canary, data = canary_file(IN_FORM)
    with Watch(server.process.pid, canary) as watch:
        response, version = upload(server, instance, data, pace=0.01)
        assert response.status == 303
        response, received, error = download(server, instance, version, pace=0.005)
    assert error is None and received == data
    assert watch.looks > 10 and watch.hits == set()
    assert response.getheader("Content-Length") == str(len(data))
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Security-Policy") == "default-src 'none'; sandbox"
    assert response.getheader("Cache-Control") == "no-store"
    disposition = response.getheader("Content-Disposition")
    assert (
        disposition.startswith('attachment; filename="')
        and f"filename*=UTF-8''{quote(FILENAME)}" in disposition
    )
    assert_only_ciphertext(instance["app"], data)
    with instance["app"].app_context(), database.connection_context():
        assert StoredObject.get_by_id(version.stored_id).size == len(data)


def test_a_file_sent_in_chunks_never_reaches_the_disk_in_plaintext(server, instance):
    canary, data = canary_file(2 * UPLOAD_CHUNK + 100_000)
    with Watch(server.process.pid, canary) as watch:
        upload_id = send_in_chunks(server, instance, data, pace=0.005)
        assert take_in_form(server, instance, upload_id).status == 303
        _, received, error = download(server, instance, newest_version(instance["app"]))
    assert error is None and received == data
    assert watch.looks > 10 and watch.hits == set()
    assert_only_ciphertext(instance["app"], data)


def test_memory_does_not_grow_with_the_size_of_a_file_sent_in_chunks(instance):
    fresh = Server(instance["env"])  # its resident size owes nothing to the other tests' transfers
    growth = {}
    try:
        for chunks in (4, 30):
            data = PDF + os.urandom(chunks * UPLOAD_CHUNK - len(PDF))
            baseline = rss_kib(fresh.process.pid)
            with PeakMemory(fresh.process.pid) as memory:
                assert take_in_form(fresh, instance, send_in_chunks(fresh, instance, data)).status == 303
            growth[chunks] = (memory.peak - baseline) / 1024
    finally:
        fresh.stop()
    assert growth[30] - growth[4] < 8, f"MiB over the resting size, by chunks sent: {growth}"


def test_the_watch_finds_the_canary_when_waitress_spills_to_disk(instance):
    control = Server(instance["env"], WAITRESS_DEFAULTS)
    try:
        canary, data = canary_file(IN_FORM)
        with Watch(control.process.pid, canary) as watch:
            response, _ = upload(control, instance, data, pace=0.02)
        assert response.status == 303
        assert watch.hits, "the watch saw no spilled request body, so it cannot prove its absence"
    finally:
        control.stop()


def test_a_corrupted_segment_aborts_the_transfer_short_of_its_length(server, instance):
    _, data = canary_file(3 * stream_aead.SEGMENT + 1000)
    response, version = upload(server, instance, data)
    assert response.status == 303
    app = instance["app"]
    with app.app_context(), database.connection_context():
        key = StoredObject.get_by_id(version.stored_id).storage_key
        backend = app.extensions["portal.objects"].backend
        with backend.open(key) as stream:
            ciphertext = bytearray(stream.read())
        ciphertext[stream_aead.HEADER_SIZE + 2 * (stream_aead.SEGMENT + stream_aead.TAG) + 10] ^= 0x01
        backend.put(key, [bytes(ciphertext)])
    response, received, error = download(server, instance, version)
    assert response.status == 200 and response.getheader("Content-Length") == str(len(data))
    assert error is not None, "the client must see a failed transfer"
    assert len(received) <= 2 * stream_aead.SEGMENT and received == data[: len(received)]
    with app.app_context(), database.connection_context():
        failures = AuditEvent.select().where(AuditEvent.action == "object.integrity-failure")
        assert [e.object_id for e in failures] == [str(version.stored_id)]


def test_one_byte_over_the_limit_is_refused_by_the_server_and_nothing_is_kept(server, instance):
    before = stored(instance["app"])
    over = REQUEST_BODY_LIMIT + 1
    response, _ = upload(server, instance, b"x" * over, total=over)
    assert response.status == 413
    assert stored(instance["app"]) == before


def test_anonymous_requests_for_a_real_object_get_the_same_404(server, instance):
    _, data = canary_file(100_000)
    _, version = upload(server, instance, data)
    reference, reference_body = server.request("GET", "/library/versions/99999999/download")
    assert reference.status == 404
    for method in ("GET", "HEAD"):
        for headers in ({}, {"Range": "bytes=0-99"}, {"HX-Request": "true"}):
            response, received = server.request(method, f"/library/versions/{version.id}/download", headers)
            assert response.status == 404
            assert received == (b"" if method == "HEAD" else reference_body)
            assert response.getheader("X-Robots-Tag") == "noindex, nofollow, noarchive"


def test_a_chunked_body_over_the_limit_is_refused_without_spilling(server, instance):
    canary, data = canary_file(REQUEST_BODY_LIMIT + 1024 * 1024)
    head, tail = multipart(instance["token"])
    pieces = itertools.chain([head], in_pieces(data, 0.05), [tail])  # paced as they are sent
    chunks = itertools.chain((b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces), [b"0\r\n\r\n"])
    before = stored(instance["app"])
    with Watch(server.process.pid, canary) as watch:
        response = post(server, instance, chunks, {"Transfer-Encoding": "chunked"})
    assert response.status == 413
    assert watch.looks > 5 and watch.hits == set()
    assert stored(instance["app"]) == before
