"""Attachments over real HTTP: the staff instance served by `portal serve` (waitress with its
body limit), a body one byte over the limit refused before it is read, a download intact,
and anonymous requests for a real file answered like an unknown URL (A1, A2, D33, D35)."""

from __future__ import annotations

import hashlib
import http.client
import re

import pytest

from portal import REQUEST_BODY_LIMIT, create_app
from portal.core.models import RecordAttachment, StoredObject
from tests.files import MULTIPART, PDF, around_file, pdf_of
from tests.records_world import build, signed_in_as, token
from tests.servers import BIN, instance_env, portal_command, start_server

LIMIT = REQUEST_BODY_LIMIT
PART_HEAD, PART_TAIL = around_file("相談記録.pdf", mimetype="application/pdf")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An instance on disk with consultant A's record, A signed in, and the server running."""
    path = tmp_path_factory.mktemp("records-transfer") / "instance"
    env = instance_env(path)
    assert portal_command("init", env=env).returncode == 0
    app = create_app("staff", {"INSTANCE_PATH": path, "TESTING": True})
    world = build(app)
    client = signed_in_as(app, world.accounts["author"])
    csrf = token(client)
    cookie = f"madoguchi-staff={client.get_cookie('madoguchi-staff').value}"
    process, port = start_server([str(BIN / "portal"), "serve", "staff", "--listen=127.0.0.1:{port}"], env)
    yield {"app": app, "world": world, "port": port, "cookie": cookie, "token": csrf, "path": path}
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


def headers(served, length: int) -> dict:
    return {
        "Content-Type": MULTIPART,
        "Content-Length": str(length),
        "Cookie": served["cookie"],
        "X-CSRFToken": served["token"],
    }


def nothing_stored(served) -> tuple:
    with served["app"].app_context():
        objects = sorted(p for p in (served["path"] / "objects").rglob("*") if p.is_file())
        return RecordAttachment.select().count(), StoredObject.select().count(), objects


def test_one_byte_over_the_limit_is_refused_before_the_body_is_read(served):
    before = nothing_stored(served)
    connection = http.client.HTTPConnection("127.0.0.1", served["port"], timeout=10)
    connection.putrequest("POST", f"/records/{served['world'].record}/attachments")
    for name, value in headers(served, LIMIT + 1).items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(PART_HEAD)  # the headers and the part's head only: not one byte of the file
    response = connection.getresponse()
    assert response.status == 413
    response.read()
    connection.close()
    assert nothing_stored(served) == before


def test_a_file_just_under_the_limit_goes_through_and_downloads_intact(served):
    data = pdf_of(LIMIT - 4096)
    body = PART_HEAD + data + PART_TAIL
    connection = http.client.HTTPConnection("127.0.0.1", served["port"], timeout=30)
    record = served["world"].record
    connection.request(
        "POST", f"/records/{record}/attachments", body=body, headers=headers(served, len(body))
    )
    response = connection.getresponse()
    assert response.status == 303, response.read()
    response.read()
    with served["app"].app_context():
        attachment = RecordAttachment.select().order_by(RecordAttachment.uploaded_at.desc()).first()
    connection.request(
        "GET", f"/records/{record}/attachments/{attachment.id}", headers={"Cookie": served["cookie"]}
    )
    response = connection.getresponse()
    received = response.read()
    connection.close()
    assert hashlib.sha256(received).digest() == hashlib.sha256(data).digest()
    assert response.getheader("Content-Length") == str(len(data))
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Security-Policy") == "default-src 'none'; sandbox"
    assert response.getheader("X-Robots-Tag") == "noindex, nofollow, noarchive"
    assert re.fullmatch(
        r"attachment; filename=\"download\.pdf\"; filename\*=UTF-8''(%[0-9A-F]{2})+\.pdf",
        response.getheader("Content-Disposition"),
    )
    served["attachment"] = attachment.id


def test_anonymous_requests_for_a_real_file_look_like_an_unknown_url(served):
    if "attachment" not in served:  # the file the download test sends, whichever test runs first
        test_a_file_just_under_the_limit_goes_through_and_downloads_intact(served)
    attachment = served["attachment"]
    path = f"/records/{served['world'].record}/attachments/{attachment}"

    def ask(method: str, target: str, extra: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", served["port"], timeout=10)
        connection.request(method, target, headers=extra or {})
        response = connection.getresponse()
        received = response.read()
        connection.close()
        return response, received

    _, unknown = ask("GET", "/records/1/attachments/00000000-0000-4000-8000-000000000000")
    for method in ("GET", "HEAD"):
        for extra in (
            {},
            {"Range": "bytes=0-99"},
            {"HX-Request": "true"},
            {"Cookie": "madoguchi-staff=forged"},
        ):
            for target in (path, path + "/", path + "/preview", path.upper()):
                response, received = ask(method, target, extra)
                assert response.status == 404, (method, target, extra)
                assert received == (b"" if method == "HEAD" else unknown)
                assert PDF not in received and response.getheader("Content-Disposition") is None
                assert response.getheader("X-Robots-Tag") == "noindex, nofollow, noarchive"
