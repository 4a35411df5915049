"""ASVS V12.3.2: the product's TLS clients (SMTP with STARTTLS, MinIO/S3 over https) refuse a
server whose certificate they cannot verify, and talk to the same server once it is trusted.

Each server holds a throwaway self-signed certificate. Trust is granted the way an operator
would, through the system's trust store (`SSL_CERT_FILE`), which proves the refusal is the
certificate check and nothing else.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from portal import create_app
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, PublicEvent, Venue
from portal.core.settings import ConfigError
from tests.conftest import public_config
from tests.servers import free_port
from tests.smtp import Inbox
from tests.test_mail import book


@dataclass
class Certificate:
    """A self-signed server certificate, its key, and what it is valid for."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed(folder: Path, name: str, address: str | None) -> Certificate:
    """A certificate for DNS `name` (and IP `address`, if given), signed by its own key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    names: list[x509.GeneralName] = [x509.DNSName(name)]
    if address:
        names.append(x509.IPAddress(ipaddress.ip_address(address)))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(exist_ok=True)
    paths = Certificate(folder / f"{name}.pem", folder / f"{name}.key")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


@pytest.fixture
def certificates(tmp_path) -> dict[str, Certificate]:
    """One for this host (127.0.0.1) and one for a host we are not."""
    return {
        "ours": self_signed(tmp_path / "tls", "localhost", "127.0.0.1"),
        "elsewhere": self_signed(tmp_path / "tls", "elsewhere.example", None),
    }


@contextlib.contextmanager
def starttls_smtp(certificate: Certificate):
    """A real SMTP server that offers STARTTLS with `certificate` and requires it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox(free_port())
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=inbox.port,
        tls_context=certificate.server_context(),
        require_starttls=True,
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


# Which certificate the server holds, which one the system trusts, and whether mail gets through.
CASES = [("ours", None, False), ("elsewhere", "elsewhere", False), ("ours", "ours", True)]


@pytest.mark.parametrize("served,trusted,delivered", CASES)
def test_the_smtp_client_refuses_a_certificate_it_cannot_verify(
    config, session_id, certificates, monkeypatch, caplog, served, trusted, delivered
):
    """Untrusted, or trusted but for another host: no message leaves; the booking stays, the failure
    is logged and recorded. Trusted and for this host: the same server gets the message."""
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates[trusted].cert))
    with starttls_smtp(certificates[served]) as inbox:
        settings = {**public_config(config), **inbox.settings, "SMTP_STARTTLS": True, "TESTING": True}
        app = create_app("public", settings)
        with caplog.at_level(logging.WARNING, logger="portal.mail"):
            book(app, session_id)
    with app.app_context():
        event = PublicEvent.get(PublicEvent.action == "mail.confirmation")
        assert Booking.select().count() == 1
    if delivered:
        assert len(inbox.messages) == 1 and event.outcome == "ok"
    else:
        assert inbox.messages == [] and event.outcome == "failed"
        assert "confirmation mail not sent: SSLCertVerificationError" in caplog.text


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
def https_server(certificate: Certificate):
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
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates[trusted].cert))
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
