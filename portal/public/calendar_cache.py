"""Rendered calendar bodies and the months the calendar offers, kept per process under the
availability counter.

A key names everything a body depends on, the counter first. The counter goes up in the same
transaction as every change of places, so every process sees a change at its next request with
no message between processes. Read the counter before the data: a change committed between the
two reads is then already in the body, and the next request, seeing the new counter, misses.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from cachetools import LRUCache
from flask import current_app

from portal.core.models import ConsultationSession
from portal.core.months import MonthSpan, span_of


class RenderedPages:
    """An LRU of bodies (or whole answers, sized by `size`) bounded by their total size in bytes,
    shared by the server's threads."""

    def __init__(self, max_bytes: int, size: Callable[[Any], int] = len) -> None:
        self._bodies: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=size)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """What is kept under `key`, or None."""
        with self._lock:
            return self._bodies.get(key)

    def keep(self, key: Hashable, value: Any) -> None:
        """Keep `value` under `key`, unless it is larger than the whole cache."""
        if self._bodies.getsizeof(value) <= self._bodies.maxsize:
            with self._lock:
                self._bodies[key] = value

    def get_or_render(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The body kept under `key`, else `render()`'s, kept unless larger than the whole cache.

        Rendering runs outside the lock: two threads may render the same key once each.
        """
        body = self.get(key)
        if body is None:
            body = render()
            self.keep(key, body)
        return body

    def bodies(self) -> list[Any]:
        """Everything kept now, for inspection."""
        with self._lock:
            return list(self._bodies.values())


def etag(key: Hashable) -> str:
    """An opaque validator for the body under `key`."""
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def rendered_pages() -> RenderedPages:
    """This public process's cache of rendered calendar pages."""
    return current_app.extensions["portal.calendar_pages"]


class Newest:
    """One value, kept for the newest key it was computed under."""

    def __init__(self) -> None:
        self._kept: tuple[Hashable, Any] | None = None

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept under `key`, else `compute()`'s, which then replaces it."""
        kept = self._kept  # one read: another thread may replace it meanwhile, never half of it
        if kept is not None and kept[0] == key:
            return kept[1]
        value = compute()
        self._kept = (key, value)
        return value


def offered_months(version: int, today: date) -> MonthSpan:
    """From this month to the last holding a session: past days are never offered for booking.

    Sessions come and go only with the counter, so the span is computed once per counter and day.
    """
    kept: Newest = current_app.extensions["portal.calendar_months"]
    return kept.get_or_compute((version, today), lambda: span_of(ConsultationSession.date, today, today))
