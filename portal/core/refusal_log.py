"""Attempts to get past a control (a missing or forged form token, the booking rate limit), recorded
without letting whoever makes them grow the log at will.

Refusals cost an attacker nothing, and every recorded event stays in the audit chain for good. So
each process records at most one event a minute per kind of refusal and per signed-in account
(anonymous refusals share one count): the first at once, the rest carried as the count of the next
event, whose outcome is how many refusals it stands for. Where an event goes is the zone's choice:
the staff zone's audit chain, or the public zone's own event log (which the staff zone chains).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context

INTERVAL = 60.0
CSRF = "request.csrf-refused"
RATE_LIMIT = "request.rate-limited"

# Writes one event: (action, outcome); the request, if any, supplies the endpoint and address.
Writer = Callable[[str, str], None]


class RefusalLog:
    """Counts refusals and writes them, at most one event per kind and actor an interval."""

    def __init__(self, write: Writer, interval: float = INTERVAL) -> None:
        self._write = write
        self._interval = interval
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int | None], tuple[float, int]] = {}

    def refused(self, action: str, actor: int | None) -> None:
        """Count one refusal; write an event if none was written for it within the interval."""
        now = time.monotonic()
        with self._lock:
            written_at, unwritten = self._counts.get((action, actor), (-self._interval, 0))
            unwritten += 1
            due = now - written_at >= self._interval
            self._counts[(action, actor)] = (now, 0) if due else (written_at, unwritten)
        if due:
            self._write(action, str(unwritten))


def init_app(app: Flask, write: Writer) -> None:
    """Give the app its refusal log, writing where its zone writes events."""
    app.extensions["portal.refusals"] = RefusalLog(write)


def record(action: str) -> None:
    """Count one refusal of the current request (the signed-in actor's, else anonymous)."""
    actor = g.get("actor_id") if has_request_context() else None
    current_app.extensions["portal.refusals"].refused(action, actor)
