"""Helpers every view uses: full page or fragment, redirects, `next` targets, CSRF, 404."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Flask, Response, abort, make_response, redirect, render_template
from flask_htmx import HTMX
from flask_htmx.responses import HTMXResponseClientRedirect
from flask_wtf.csrf import CSRFProtect
from itsdangerous import Signer

csrf = CSRFProtect()
htmx = HTMX()


def wants_fragment() -> bool:
    """Whether htmx asks for a part of the page (a boosted link replaces the whole page)."""
    return bool(htmx) and not htmx.boosted


def render(page: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """The whole page, or only `fragment` when htmx asks for a part of it."""
    template = fragment if fragment and wants_fragment() else page
    return page_response(render_template(template, **context), status)


def page_response(body: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A rendered body, marked as differing between htmx and plain requests."""
    response = make_response(body, status, headers or {})
    response.vary.add("HX-Request")
    return response


def redirect_to(url: str) -> Response:
    """A 303 for a browser, `HX-Redirect` for htmx (which would otherwise swap the target)."""
    if htmx:
        return HTMXResponseClientRedirect(url)
    return redirect(url, code=303)


def safe_next(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback`: never an off-site redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if any(ord(c) < 0x20 or c == "\\" for c in target):
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:
        return fallback
    return fallback if parts.scheme or parts.netloc else target


def init_csrf(app: Flask) -> None:
    """Flask-WTF's form tokens, signed with HMAC-SHA-256 rather than itsdangerous's HMAC-SHA1.

    Flask-WTF builds its serializer inline with itsdangerous's defaults and has no setting for the
    digest; itsdangerous documents `Signer.default_digest_method` as the place to choose it. That
    holds for the whole process, whose every signer should use SHA-256 anyway.
    """
    Signer.default_digest_method = staticmethod(hashlib.sha256)
    csrf.init_app(app)


def check_csrf() -> None:
    """Flask-WTF's token check, called by the gates so it runs after authentication."""
    csrf.protect()


def not_found() -> None:
    """Refuse exactly as an unknown URL would."""
    abort(404)
