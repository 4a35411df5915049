"""waitress's own refusals, answered by the app: our error page and headers, no server name or limit.

waitress answers some requests without calling the app: a request line, header or chunk it cannot
parse (400), headers over its limit (431), a body over `max_request_body_size` (413), a transfer
coding it does not know (501), an app that failed before answering (500), and a malformed
forwarded header from the trusted proxy (400). Its own answers name the limit and the server and
carry none of our headers, so each is rendered here by the app's error handlers and after-request
hooks instead, as if the same peer had asked for the zone's published address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from waitress import server as waitress_server
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask
from werkzeug.exceptions import InternalServerError, default_exceptions
from werkzeug.test import EnvironBuilder

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

    server.channel_class = type("RefusingChannel", (HTTPChannel,), {"error_task_class": RefusalTask})
    server.application = application
