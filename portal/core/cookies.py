"""The session cookie: one name per zone, so a staff cookie never opens anything public."""

import hashlib

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class ZoneCookieSessionInterface(SecureCookieSessionInterface):
    """Over TLS the cookie is `Secure` and carries the `__Host-` prefix; signed with HMAC-SHA-256."""

    digest_method = staticmethod(hashlib.sha256)

    def get_cookie_name(self, app: Flask) -> str:
        name = app.config["SESSION_COOKIE_NAME"]
        return f"__Host-{name}" if request.is_secure else name

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Most public requests carry no cookie: an empty session without building a signer."""
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
