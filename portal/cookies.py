"""The session cookie: one name per zone, so a staff cookie never opens anything public."""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class ZoneCookieSessionInterface(SecureCookieSessionInterface):
    """Over TLS the cookie is `Secure` and carries the `__Host-` prefix."""

    def get_cookie_name(self, app: Flask) -> str:
        name = app.config["SESSION_COOKIE_NAME"]
        return f"__Host-{name}" if request.is_secure else name

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure
