"""ASVS V12.3.2: the product's TLS clients (SMTP with STARTTLS, MinIO/S3 over https) refuse a
server whose certificate they cannot verify, and talk to the same server once it is trusted.

Each server holds a throwaway self-signed certificate. Trust is granted the way an operator
would, through the system's trust store (`SSL_CERT_FILE`), which proves the refusal is the
certificate check and nothing else. Trusted, they carry the real work: mail through a relay
that wants STARTTLS and then a login, and library files to a real S3 server that speaks only
https.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal import create_app
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, PublicEvent, Venue
from portal.core.settings import ConfigError
from tests.at_rest import assert_only_ciphertext
from tests.conftest import public_config
from tests.library_support import PDF
from tests.servers import S3_ACCESS_KEY, S3_SECRET_KEY, free_port, running_s3_server
from tests.smtp import Inbox
from tests.test_library_uploads import city_writer, post_file, stored_version
from tests.test_mail import book
from tests.tls import Tls, self_signed


@pytest.fixture
def certificates(tmp_path) -> dict[str, Tls]:
    """One for this host (127.0.0.1) and one for a host we are not."""
    return {
        "ours": self_signed(tmp_path / "tls", "localhost", "127.0.0.1"),
        "elsewhere": self_signed(tmp_path / "tls", "elsewhere.example", None),
    }


SMTP_LOGIN = ("portal-mail", "a-relay-password-of-its-own")


def relay_login(_server, _session, _envelope, _mechanism, credentials):
    """The relay's account check: one login, and only once the channel is encrypted (aiosmtpd
    refuses AUTH before STARTTLS)."""
    from aiosmtpd.smtp import AuthResult

    given = (credentials.login.decode(), credentials.password.decode())
    return AuthResult(success=given == SMTP_LOGIN)


@contextlib.contextmanager
def starttls_smtp(certificate: Tls, login_required: bool = False):
    """A real SMTP server that offers STARTTLS with `certificate` and requires it, and a login
    after it if asked."""
    from aiosmtpd.controller import Controller

    inbox = Inbox(free_port())
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=inbox.port,
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=relay_login if login_required else None,
        auth_required=login_required,
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def session_id(public_app) -> int:
    """A session to book, in a week."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        day = business_today() + timedelta(days=7)
        return ConsultationSession.create(
            venue=venue, date=day, starts_at=time(10), ends_at=time(11), capacity=5
        ).id


def book_and_mail(config, session_id: int, inbox: Inbox, caplog, **mail) -> PublicEvent:
    """Book once on a public instance that mails through `inbox` over STARTTLS; the booking stays
    whatever the mail's fate, which the returned event records."""
    settings = {**public_config(config), **inbox.settings, "SMTP_STARTTLS": True, "TESTING": True, **mail}
    app = create_app("public", settings)
    with caplog.at_level(logging.WARNING, logger="portal.mail"):
        book(app, session_id)
    with app.app_context():
        assert Booking.select().count() == 1
        return PublicEvent.get(PublicEvent.action == "mail.confirmation")


# Which certificate the server holds, which one the system trusts, and whether mail gets through.
CASES = [("ours", None, False), ("elsewhere", "elsewhere", False), ("ours", "ours", True)]


@pytest.mark.parametrize("served,trusted,delivered", CASES)
def test_the_smtp_client_refuses_a_certificate_it_cannot_verify(
    config, session_id, certificates, monkeypatch, caplog, served, trusted, delivered
):
    """Untrusted, or trusted but for another host: no message leaves; the booking stays, the failure
    is logged and recorded. Trusted and for this host: the same server gets the message."""
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates[trusted].certificate))
    with starttls_smtp(certificates[served]) as inbox:
        event = book_and_mail(config, session_id, inbox, caplog)
    if delivered:
        assert len(inbox.messages) == 1 and event.outcome == "ok"
    else:
        assert inbox.messages == [] and event.outcome == "failed"
        assert "confirmation mail not sent: SSLCertVerificationError" in caplog.text


@pytest.mark.parametrize("password,delivered", [(SMTP_LOGIN[1], True), ("a-guessed-password", False)])
def test_mail_goes_through_a_relay_that_wants_starttls_and_a_login(
    config, session_id, certificates, monkeypatch, caplog, password, delivered
):
    """The login happens inside TLS; the relay's own password delivers, another one is refused
    (the relay answers 535 and hangs up), logged by exception type only and recorded, and the
    booking stays."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ours"].certificate))
    with starttls_smtp(certificates["ours"], login_required=True) as inbox:
        login = {"SMTP_USER": SMTP_LOGIN[0], "SMTP_PASSWORD": password}
        event = book_and_mail(config, session_id, inbox, caplog, **login)
    assert (len(inbox.messages), event.outcome) == ((1, "ok") if delivered else (0, "failed"))
    if not delivered:
        assert "confirmation mail not sent: SMTP" in caplog.text and password not in caplog.text


class S3Stub(BaseHTTPRequestHandler):
    """Answers every request 404 and notes that one arrived (only after a TLS handshake succeeded)."""

    seen: list[str]

    def _answer(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _answer

    def log_message(self, *args) -> None:
        """Quiet."""


@contextlib.contextmanager
def https_server(certificate: Tls):
    """An https server on a free port; yields its port and the requests it received."""
    seen: list[str] = []
    handler = type("Stub", (S3Stub,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = certificate.server_context().wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("served,trusted,reached", CASES)
def test_the_s3_client_refuses_a_certificate_it_cannot_verify(
    config, certificates, monkeypatch, served, trusted, reached
):
    """The staff instance on `PORTAL_MINIO_SECURE=true` sends nothing to a server it cannot verify
    and refuses to start; once trusted, its signed requests arrive."""
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates[trusted].certificate))
    with https_server(certificates[served]) as (port, seen):
        settings = {
            "STORAGE_BACKEND": "minio",
            "MINIO_ENDPOINT": f"127.0.0.1:{port}",
            "MINIO_ACCESS_KEY": "madoguchi",
            "MINIO_SECRET_KEY": "not-a-real-secret",
            "MINIO_SECURE": True,
        }
        with pytest.raises(ConfigError) as refused:
            create_app("staff", {**config, **settings, "TESTING": True})
    assert bool(seen) == reached, seen
    if not reached:
        assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value) or "certificate" in str(refused.value)


@pytest.fixture
def s3_over_tls(tmp_path, certificates, monkeypatch):
    """The S3 server holding this host's certificate, which the system trusts."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ours"].certificate))
    with running_s3_server(tmp_path / "s3", certificates["ours"]) as server:
        yield server


def test_files_reach_the_s3_server_over_tls_through_the_routes(config, s3_over_tls):
    """`PORTAL_MINIO_SECURE=true` against a real S3 server that speaks only https: a document
    uploaded and downloaded through the library's routes arrives whole, and only its ciphertext
    is on the server."""
    from minio import Minio

    settings = {**config, **s3_over_tls.settings("over-tls"), "TESTING": True}
    assert settings["MINIO_SECURE"] == "true"
    app = create_app("staff", settings)
    client, token, folder, _ = city_writer(app)
    assert post_file(client, token, folder, PDF, "手引き.pdf").status_code == 303
    download = client.get(f"/library/versions/{stored_version(app).id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert_only_ciphertext(app, PDF)
    plain = Minio(s3_over_tls.endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, secure=False)
    with pytest.raises(Exception):  # noqa: B017 - whatever the client makes of an https port
        plain.bucket_exists("over-tls")
