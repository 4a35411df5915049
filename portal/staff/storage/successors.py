"""The next chunk of a file, arriving while the chunk before it is still being written.

A sender keeps two chunks on the way (the portal's script does), so that the server receives one
while it seals and writes the other. The second may thus reach a staff process before the upload
has moved past the first: it waits here until it has, instead of being refused. Chunks are still
written one at a time and in order; only the chunk right after the one the upload waits for may
wait, for at most `WAIT`, and at most `MOST_WAITING` at once in a process, because each waiting
request holds one of the server's threads. Past either limit, the chunk gets the usual 409 with
the offset reached, and the sender goes on from there.

A chunk written in this process wakes the waiters at once; one written by another process is
seen at the next look at the database (every `POLL`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

WAIT = 10.0  # seconds: a chunk is sealed and written in well under this, or its sender failed
POLL = 0.05  # seconds between looks at the database, for a chunk another process writes
MOST_WAITING = 2  # of the server's 8 threads

SUCCESSORS = "portal.upload_successors"  # the app's Successors, in app.extensions


class Successors:
    """Requests waiting for the upload to reach the offset their chunk starts at."""

    def __init__(self, most_waiting: int = MOST_WAITING, wait: float = WAIT) -> None:
        self._moved = threading.Condition()
        self._places = threading.BoundedSemaphore(most_waiting)
        self._wait = wait

    @contextmanager
    def _place(self) -> Iterator[bool]:
        taken = self._places.acquire(blocking=False)
        try:
            yield taken
        finally:
            if taken:
                self._places.release()

    def wait_for(self, reached: Callable[[], int | None], before: int) -> None:
        """Return once `reached()` (the upload's offset; None once it is gone) is no longer
        `before`, the offset of the chunk before the waiting one; or after the wait; or at once
        if as many requests as may wait already do. The caller checks the offset again after."""
        deadline = time.monotonic() + self._wait
        with self._place() as taken, self._moved:
            while taken and reached() == before and (left := deadline - time.monotonic()) > 0:
                self._moved.wait(min(POLL, left))

    def moved(self) -> None:
        """An upload has moved on in this process: let its waiting successor look."""
        with self._moved:
            self._moved.notify_all()
