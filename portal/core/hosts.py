"""Each instance answers only to the host names it is published under (Flask's TRUSTED_HOSTS).

A Host header is whatever the client sent: links are built from the configured address instead
(see links.py), and a request naming any other host is refused before anything reads it.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import SecurityError


def init_app(app: Flask) -> None:
    """Trust the zone's own host names; call before anything else registers a request hook."""
    app.config["TRUSTED_HOSTS"] = list(app.config["PORTAL"].trusted_hosts)
    app.before_request(_refuse_foreign_host)


def _refuse_foreign_host() -> None:
    """Flask notes an untrusted Host while routing; refuse it before the gate or a view runs."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception
