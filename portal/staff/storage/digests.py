"""The SHA-256 of files arriving in chunks, kept while one process sees every chunk of a file.

An object's row records its plaintext's SHA-256. A file sent in chunks is hashed as its chunks
pass through, in order, so that no second pass over it is needed; the state lives in the
process (hash states cannot be stored), so a chunk that went to another process breaks the
chain, and the whole object is then read and hashed once more when a form takes it. A chunk is
hashed in a thread of its own while the request's thread seals and writes it: hashing releases
the GIL, and it takes as long as sealing and writing together.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial

DIGESTS = "portal.upload_digests"  # the app's RunningDigests, in app.extensions


class RunningDigests:
    """The SHA-256 of each upload's plaintext so far, for the most recent uploads."""

    def __init__(self, capacity: int = 64, threads: int = 2) -> None:
        self._states: OrderedDict[uuid.UUID, tuple[int, hashlib._Hash]] = OrderedDict()
        self._capacity, self._lock = capacity, threading.RLock()
        self._hashing = ThreadPoolExecutor(threads, thread_name_prefix="upload-digest")

    def following(self, upload_id: uuid.UUID, offset: int, chunk: bytes) -> Future[hashlib._Hash | None]:
        """The digest up to the end of the `chunk` at `offset`, if this process holds it up to
        `offset`, as it will be once hashed. The state is looked up now: after the move to
        `offset`, if this process made it, and the digest it reached are both published."""
        with self._lock:
            state = self._states.get(upload_id)
        if offset == 0:
            digest = hashlib.sha256()
        elif state is not None and state[0] == offset:
            digest = state[1].copy()
        else:
            unknown: Future[hashlib._Hash | None] = Future()
            unknown.set_result(None)
            return unknown
        return self._hashing.submit(_updated, digest, chunk)

    @contextmanager
    def publishing(self, upload_id: uuid.UUID) -> Iterator[Callable[[int, hashlib._Hash | None], None]]:
        """While the block moves the upload on, no chunk of this process looks its digest up; the
        block calls the function it is given with the offset reached and the digest there."""
        with self._lock:
            yield partial(self._remember, upload_id)

    def _remember(self, upload_id: uuid.UUID, offset: int, digest: hashlib._Hash | None) -> None:
        """Keep the digest reached at `offset` (or forget the upload, without one)."""
        with self._lock:
            self._states.pop(upload_id, None)
            if digest is not None:
                self._states[upload_id] = (offset, digest)
                while len(self._states) > self._capacity:
                    self._states.popitem(last=False)


def _updated(digest: hashlib._Hash, chunk: bytes) -> hashlib._Hash:
    digest.update(chunk)
    return digest
