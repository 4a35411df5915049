"""One browser over real HTTP(S), with its cookies, from a chosen loopback address and with the
forwarded headers given: for tests that reach served instances or the proxy in front of them."""

from __future__ import annotations

import http.client
import ssl
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class Browser:
    """Requests to `base` from `peer`; `tls` trusts the server's certificate when `base` is https.

    Each request has a connection of its own, unless `keep_alive`: then one connection carries
    them all until `close()`, as a browser's does.
    """

    def __init__(
        self,
        base: str,
        peer: str,
        tls: ssl.SSLContext | None = None,
        keep_alive: bool = False,
        **forwarded: str,
    ) -> None:
        parts = urlsplit(base)
        self.port, self.secure, self.tls = parts.port, parts.scheme == "https", tls
        self.peer, self.keep_alive = peer, keep_alive
        self.open: http.client.HTTPConnection | None = None
        self.forwarded = {
            f"X-Forwarded-{name.strip('_').title()}": value for name, value in forwarded.items()
        }
        self.cookies: dict[str, str] = {}
        # The page a form was on, as a browser names it: Flask-WTF compares it with the host over https.
        scheme = "https" if self.secure or self.forwarded.get("X-Forwarded-Proto") == "https" else "http"
        self.referer = f"{scheme}://127.0.0.1:{self.port}/"

    def _connection(self) -> http.client.HTTPConnection:
        if self.open is not None:
            return self.open
        if self.secure:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=30, source_address=(self.peer, 0), context=self.tls
            )
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.peer, 0))

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, str]:
        """Send one request (a form, or a body with its headers); returns the response and its text."""
        response, raw = self.request_bytes(method, path, form, body, headers)
        return response, raw.decode(errors="replace")

    def request_bytes(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """As `request`, with the body as bytes."""
        sent = {**self.forwarded, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            sent.setdefault("Referer", self.referer)
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
        except BaseException:
            self.open = None
            connection.close()
            raise
        if self.keep_alive:
            self.open = connection
        else:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
        return response, raw

    def close(self) -> None:
        """Close the kept connection, if any."""
        if self.open is not None:
            self.open.close()
            self.open = None
