"""What the portal signs with its secret key (the session cookie, the form token) is HMAC-SHA-256:
a value signed as itsdangerous signs by default, HMAC-SHA1 under the right key, is refused."""

from __future__ import annotations

import base64
import hashlib

from itsdangerous import URLSafeTimedSerializer

from tests.conftest import csrf_from


def _signature_bytes(signed: str) -> int:
    """How long the MAC at the end of an itsdangerous value is."""
    mac = signed.rsplit(".", 1)[1]
    return len(base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)))


def _session_signer(app, digest) -> URLSafeTimedSerializer:
    """Flask's session serializer, with the digest chosen here."""
    return URLSafeTimedSerializer(
        app.secret_key,
        salt="cookie-session",
        serializer=app.session_interface.serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": digest},
    )


def _form_token_signer(app, digest) -> URLSafeTimedSerializer:
    """Flask-WTF's form token serializer, with the digest chosen here."""
    return URLSafeTimedSerializer(
        app.secret_key, salt="wtf-csrf-token", signer_kwargs={"digest_method": digest}
    )


def test_the_session_cookie_and_the_form_token_are_signed_with_hmac_sha256(staff_app, signed_in):
    city = signed_in("city")
    token = csrf_from(city.get("/").text)
    cookie = city.get_cookie("madoguchi-staff").value
    assert _signature_bytes(cookie) == 32 and _signature_bytes(token) == 32
    content = _session_signer(staff_app, hashlib.sha256).loads(cookie)

    for digest, opens in ((hashlib.sha1, False), (hashlib.sha256, True)):
        forged = staff_app.test_client()
        forged.set_cookie("madoguchi-staff", _session_signer(staff_app, digest).dumps(content))
        assert (forged.get("/").status_code == 200) is opens, digest

    for digest, status in ((hashlib.sha1, 400), (hashlib.sha256, 204)):
        forged_token = _form_token_signer(staff_app, digest).dumps(content["csrf_token"])
        assert city.post("/session/keepalive", headers={"X-CSRFToken": forged_token}).status_code == status
