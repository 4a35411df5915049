"""Rendered calendar bodies, kept per process under the availability counter.

A key names everything a body depends on, the counter first. The counter goes up in the same
transaction as every change of places, so every process sees a change at its next request with
no message between processes. Read the counter before the data: a change committed between the
two reads is then already in the body, and the next request, seeing the new counter, misses.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import current_app


class RenderedPages:
    """An LRU of bodies bounded by their total size in bytes, shared by the server's threads."""

    def __init__(self, max_bytes: int) -> None:
        self._bodies: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The body kept under `key`, else `render()`'s, kept unless larger than the whole cache.

        Rendering runs outside the lock: two threads may render the same key once each.
        """
        with self._lock:
            body = self._bodies.get(key)
        if body is None:
            body = render()
            if len(body) <= self._bodies.maxsize:
                with self._lock:
                    self._bodies[key] = body
        return body

    def bodies(self) -> list[bytes]:
        """Everything kept now, for inspection."""
        with self._lock:
            return list(self._bodies.values())


def etag(key: Hashable) -> str:
    """An opaque validator for the body under `key`."""
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def rendered_pages() -> RenderedPages:
    """This public process's cache of rendered calendar pages."""
    return current_app.extensions["portal.calendar_pages"]
