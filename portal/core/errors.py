"""Error pages: the same plain page for every refusal, and an incident id instead of a trace."""

from __future__ import annotations

import logging
import secrets
import traceback

from flask import Flask, Response
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound, SecurityError

from portal.core import refusal_log
from portal.core.headers import private
from portal.core.web import render

log = logging.getLogger("portal.errors")


def _page(status: int, title: str, message: str, **context) -> Response:
    """An error page is never cached or indexed, in either zone."""
    return private(
        render(
            "errors/error.html", status=status, title=title, message=message, language_next=None, **context
        )
    )


def not_found_page(_error: HTTPException | None = None) -> Response:
    """One 404 page for unknown URLs, missing objects and refusals alike."""
    return _page(404, _("ページが見つかりません"), _("お探しのページは見つかりませんでした。"))


def _bad_request(_error: CSRFError) -> Response:
    refusal_log.record(refusal_log.CSRF)
    return _page(
        400,
        _("送信を受け付けられませんでした"),
        _(
            "フォームの有効期限が切れたか、正しくない送信です。ページを読み込み直してから、もう一度お試しください。"
        ),
    )


def _malformed(error: HTTPException) -> Response:
    """A request the server cannot read: a broken line or body, headers too large, an unknown coding."""
    return _page(
        error.code or 400,
        _("要求を処理できませんでした"),
        _("送信された要求の形式が正しくありません。ページを読み込み直してから、もう一度お試しください。"),
    )


def _foreign_host(_error: SecurityError) -> Response:
    """No page: its links cannot be built for a host this instance does not answer to."""
    return private(Response("400 Bad Request\n", status=400, mimetype="text/plain"))


def _too_large(_error: HTTPException) -> Response:
    return _page(413, _("送信が大きすぎます"), _("送信できる大きさの上限を超えています。"))


def _too_many(error: HTTPException) -> Response:
    """The refusal says how long to wait: the limit's whole window, an upper bound known without
    asking the counter's store (which answering X-RateLimit-* on every form post would)."""
    refusal_log.record(refusal_log.RATE_LIMIT)
    response = _page(
        429,
        _("送信が多すぎます"),
        _("短い時間に多くの送信がありました。しばらく待ってから、もう一度お試しください。"),
    )
    limit = getattr(error, "limit", None)
    if limit is not None:
        response.headers["Retry-After"] = str(limit.limit.get_expiry())
    return response


def _internal_error(error: InternalServerError) -> Response:
    incident = secrets.token_hex(6)
    original = error.original_exception or error
    # Only the exception type and where it happened: messages can carry the data that failed.
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(original.__traceback__)]
    kind = type(original).__name__
    fields = {"incident": incident, "exception": kind, "frames": frames}
    log.error("incident %s: %s", incident, kind, extra={"fields": fields})
    return _page(
        500,
        _("システムエラーが発生しました"),
        _("申し訳ありません。処理を完了できませんでした。お問い合わせの際は次の番号をお伝えください。"),
        incident=incident,
    )


def init_app(app: Flask) -> None:
    """Register the handlers; 405 looks exactly like 404, so methods reveal no routes."""
    app.register_error_handler(NotFound, not_found_page)
    app.register_error_handler(MethodNotAllowed, not_found_page)
    app.register_error_handler(CSRFError, _bad_request)
    app.register_error_handler(SecurityError, _foreign_host)
    for code in (400, 431, 501):
        app.register_error_handler(code, _malformed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(429, _too_many)
    app.register_error_handler(InternalServerError, _internal_error)
