"""waitress's own refusals, answered by the app: our error page and headers, no server name or limit.

waitress answers some requests without calling the app: a request line, header or chunk it cannot
parse (400), headers over its limit (431), a body over `max_request_body_size` (413), a transfer
coding it does not know (501), an app that failed before answering (500), and a malformed
forwarded header from the trusted proxy (400). Its own answers name the limit and the server and
carry none of our headers, so each is rendered here by the app's error handlers and after-request
hooks instead, as if the same peer had asked for the zone's published address.

One refusal is ours, not waitress's: a body whose end could be read two ways (RFC 9112 6.1, 6.3).
waitress reads a request carrying both Content-Length and `chunked` by its chunks and keeps the
connection open, so a proxy in front that went by the Content-Length would have the bytes after
the chunks answered as a request of their own (request smuggling). Such a request, `chunked`
named twice, and any Transfer-Encoding in HTTP/1.0 get a 400 and the connection is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from waitress import server as waitress_server
from waitress.channel import HTTPChannel
from waitress.parser import HEADER_FIELD_RE, ParsingError, get_header_lines
from waitress.task import ErrorTask
from werkzeug.exceptions import InternalServerError, default_exceptions
from werkzeug.test import EnvironBuilder

from portal.waitress_bodies import PiecesParser

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
REACHED_APP = "portal.reached_app"


def refusal(app: Flask, code: int, peer: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """The app's answer to a request refused with `code` before it could be read."""
    environ = EnvironBuilder(
        base_url=app.config["PORTAL"].own_url, environ_base={"REMOTE_ADDR": peer}
    ).get_environ()
    error = default_exceptions.get(code, InternalServerError)()
    with app.request_context(environ):
        response = app.finalize_request(app.handle_user_exception(error))
    return response.status, response.headers.to_wsgi_list(), response.get_data()


class _OneFramingParser(PiecesParser):
    """waitress's parser, refusing a request whose body's end could be read two ways, and keeping
    a body of stated length in the pieces it arrives in (`waitress_bodies`)."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)  # refuses codings other than chunked (501)
        fields = get_header_lines(header_plus.split(b"\r\n", 1)[1])
        codings = [
            coding.strip(b" \t").lower()
            for name, value in (HEADER_FIELD_RE.match(field).group("name", "value") for field in fields)
            if name.lower() == b"transfer-encoding"
            for coding in value.split(b",")
            if coding.strip(b" \t")
        ]
        if codings and (codings != [b"chunked"] or self.version != "1.1" or "CONTENT_LENGTH" in self.headers):
            raise ParsingError("the body's length is stated more than one way")


def create_server(app: Flask, **options: Any) -> Any:
    """waitress's server for `app` (one per listening socket), its refusals answered by `app`."""
    sockets: dict = {}
    server = waitress_server.create_server(_marked(app), map=sockets, **options)
    for listener in sockets.values():
        if isinstance(listener, waitress_server.BaseWSGIServer):
            _answer_refusals(listener, app)
    return server


def _marked(app: Flask) -> WSGIApp:
    """The app as waitress calls it, noting in the environ that the request reached it."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ[REACHED_APP] = True
        return app(environ, start_response)

    return application


def _answer_refusals(server: waitress_server.BaseWSGIServer, app: Flask) -> None:
    """Make `server` (serving `_marked(app)`) answer its refusals with `app`'s error pages."""

    class RefusalTask(ErrorTask):
        def execute(self) -> None:
            status, headers, body = refusal(app, self.request.error.code, self.channel.addr[0])
            self.status = status
            self.response_headers.extend(headers)
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    proxied = server.application  # waitress's proxy-header check around the marked app

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = proxied(environ, start_response)
        if environ.get(REACHED_APP):
            return answer
        answer.close()  # waitress's own 400, not started yet
        status, headers, body = refusal(app, 400, environ["REMOTE_ADDR"])
        start_response(status, headers)
        return [body]

    server.channel_class = type(
        "RefusingChannel",
        (HTTPChannel,),
        {"error_task_class": RefusalTask, "parser_class": _OneFramingParser},
    )
    server.application = application
