"""Calendar answers given again before the full stack, while nothing they show has changed.

The calendar view marks its answer (`answer_again`) with the availability counter and the business
day it was made under. This middleware keeps that answer exactly as the full stack gave it (status,
every header, body) under the parts of the request that the view and the hooks read
(REQUEST_PARTS), and gives it to the next GET with the same parts once one counter read shows
nothing has changed: no request context, hooks or view, so none of their per-request cost. The
security headers, the absence of a cookie and the 304 are those of the full stack's own answer.

Everything else takes the full stack as before: other methods and pages, a request carrying the
session cookie, an answer that sets a cookie or is not a 200 or 304, a counter or day that moved,
and a fault reading the counter (the full stack meets it too, and answers with its error page and
incident log).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from flask import Flask, request
from peewee import Database

from portal.core import availability
from portal.core.dates import business_today
from portal.public.calendar_cache import RenderedPages

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
# Everything in a request that a marked answer may depend on besides the counter and the day.
REQUEST_PARTS = (
    "PATH_INFO",
    "QUERY_STRING",  # month and ward
    "SCRIPT_NAME",  # the root of every link
    "wsgi.url_scheme",  # over TLS: Strict-Transport-Security, the cookies' names
    "HTTP_HOST",  # only trusted hosts are answered
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_COOKIE",  # the language
    "HTTP_ACCEPT_ENCODING",  # gzip
    "HTTP_IF_NONE_MATCH",  # 304
    "HTTP_HX_REQUEST",  # page or fragment
    "HTTP_HX_BOOSTED",
)
MADE_UNDER = "portal.answer_again"
REPEATABLE = ("200", "304")


def answer_again(version: int, today: date) -> None:
    """Mark this request's answer as depending on nothing but REQUEST_PARTS, `version` and `today`."""
    request.environ[MADE_UNDER] = (version, today)


@dataclass(frozen=True)
class Answer:
    """A full-stack answer as the server sent it, and the counter and day it was made under."""

    made_under: tuple[int, date]
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    size: int


class EarlyAnswers:
    """WSGI middleware in front of the public app: kept answers go out before Flask is entered."""

    def __init__(self, wsgi_app: WSGIApp, app: Flask, max_bytes: int) -> None:
        self.wsgi_app = wsgi_app
        self.answers = RenderedPages(max_bytes, size=attrgetter("size"))
        self._database: Database = app.extensions["portal.database"]
        self._session_cookie: str = app.config["SESSION_COOKIE_NAME"]  # its __Host- form contains it

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "GET" or self._session_cookie in environ.get("HTTP_COOKIE", ""):
            return self.wsgi_app(environ, start_response)
        parts = tuple(environ.get(name) for name in REQUEST_PARTS)
        kept = self.answers.get(parts)
        if kept is not None and kept.made_under == self._now():
            start_response(kept.status, list(kept.headers))
            return [kept.body]
        return self._answer_and_keep(environ, start_response, parts)

    def _now(self) -> tuple[int, date] | None:
        """The counter and the business day, or None when the counter cannot be read."""
        try:
            with self._database.connection_context():  # borrowed from the pool and given back
                return availability.current(self._database), business_today()
        except Exception:  # the full stack meets the same fault, and answers and logs it
            return None

    def _answer_and_keep(self, environ: dict, start_response: Callable, parts: tuple) -> Iterable[bytes]:
        given: list = []

        def noting(status: str, headers: list[tuple[str, str]], exc_info=None):
            given[:] = [status, tuple(headers)]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, noting)
        made_under = environ.get(MADE_UNDER)
        if made_under is None or not given or not _repeatable(*given):
            return body
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        status, headers = given
        size = len(data) + sum(len(n) + len(v) for n, v in headers) + sum(len(p or "") for p in parts)
        self.answers.keep(parts, Answer(made_under, status, headers, data, size))
        return [data]


def _repeatable(status: str, headers: tuple[tuple[str, str], ...]) -> bool:
    return status[:3] in REPEATABLE and all(name.lower() != "set-cookie" for name, _ in headers)
