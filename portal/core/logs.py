"""The application log: one JSON object a line on standard error, which log processors read as is.

Each line says when (UTC), how bad, which logger, which zone, which request (an id made for each
request) and what happened (`event`), plus the fields a call adds with `extra={"fields": {...}}`.
Like everything else the portal logs, it holds ids and types, never personal data: an exception
appears as its type and the frames it passed through, never its message, which can carry the
values that failed (see README, Decisions).
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import traceback
from datetime import UTC, datetime
from typing import TextIO

from flask import Flask, g, has_request_context

REQUEST_ID_BYTES = 8


class JsonLines(logging.Formatter):
    """A log record as one line of JSON."""

    def __init__(self, zone: str) -> None:
        super().__init__()
        self.zone = zone

    def format(self, record: logging.LogRecord) -> str:
        """When, level, logger, zone, request, event and the call's own fields; no exception message."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "zone": self.zone,
            "request_id": getattr(record, "request_id", None),
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, trace = record.exc_info
            line["exception"] = kind.__name__
            line["frames"] = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(trace)]
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestContext(logging.Filter):
    """Stamps each record with the id of the request it was logged in, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def configure(zone: str, stream: TextIO | None = None) -> logging.Handler:
    """Send this process's log, libraries' included, to `stream` (standard error) as JSON lines.

    Once per process: a second call keeps the handler the first one installed.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonLines):
            return handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines(zone))
    handler.addFilter(RequestContext())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def init_app(app: Flask) -> None:
    """Give every request an id first thing, for the log lines written while it runs."""

    @app.before_request
    def _request_id() -> None:
        g.request_id = secrets.token_hex(REQUEST_ID_BYTES)
