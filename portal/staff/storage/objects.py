"""The one way bytes go into and come out of storage: encrypted, streamed, verified.

Storing encrypts the plaintext as it streams in, under a fresh data key, and writes the
metadata row only after the backend holds the whole object; if anything fails on the way,
the object is removed and no row is left. Reading yields each segment only once it has
authenticated.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

import urllib3

from portal.core.models import StoredObject
from portal.staff.storage import stream_aead
from portal.staff.storage.keyring import Keyring, KeyringError
from storage_backends import Backend, BackendError


class TooLarge(Exception):
    """The plaintext passed the size limit; nothing was kept."""


def new_storage_key() -> str:
    """A random key, unrelated to the object's id, in two levels of directories."""
    token = secrets.token_hex(20)
    return f"{token[:2]}/{token[2:]}"


class Plaintext:
    """An opened object's segments. The next one is read and authenticated in a thread of its own
    while the caller sends the current one, so decryption overlaps sending instead of adding to it
    (AES-GCM and file reads release the GIL); one segment more is held, whatever the size.

    Closing it waits for that read, then closes the object, even if nothing was read (a HEAD
    request, or a client gone before the first byte).
    """

    def __init__(self, stream: BinaryIO, key: bytes) -> None:
        self._stream = stream
        self._segments = _read_ahead(stream, stream_aead.decrypt(key, stream))

    def __iter__(self) -> Iterator[bytes]:
        return self._segments

    def close(self) -> None:
        """Stop reading ahead; release the backend's file or connection."""
        self._segments.close()
        self._stream.close()


def _read_ahead(stream: BinaryIO, segments: Iterator[bytes]) -> Generator[bytes, None, None]:
    """`segments`, each next one read in a thread while the caller handles the current one.

    Leaving the block waits for the pending read, so the stream never closes under it. Dropped
    unfinished, it closes the stream at once: it holds no reference back to its Plaintext.
    """
    with stream, ThreadPoolExecutor(1, thread_name_prefix="object-read-ahead") as ahead:
        pending = ahead.submit(next, segments, None)
        while (segment := pending.result()) is not None:
            pending = ahead.submit(next, segments, None)
            yield segment


@dataclass
class ObjectStore:
    """The backend new objects go to, the keyring, and the storage rules every feature shares.

    Each row names the backend that holds its object, so objects stay readable while a
    migration moves them; other backends are opened on first use through `opener`.
    """

    backend: Backend
    keyring: Keyring
    opener: Callable[[str], Backend] | None = None
    _others: dict[str, Backend] = field(default_factory=dict)

    def backend_for(self, stored: StoredObject) -> Backend:
        """The backend that holds this object."""
        if stored.backend == self.backend.name:
            return self.backend
        if stored.backend not in self._others:
            if self.opener is None:
                raise BackendError(f"object {stored.id} is on {stored.backend}, which is not configured")
            self._others[stored.backend] = self.opener(stored.backend)
        return self._others[stored.backend]

    def store(self, chunks: Iterable[bytes], kind: str, max_size: int | None = None) -> StoredObject:
        """Encrypt and store a plaintext stream; returns the saved metadata row."""
        object_id = uuid.uuid4()
        data_key = os.urandom(32)
        digest = hashlib.sha256()
        size = 0

        def measured() -> Iterator[bytes]:
            nonlocal size
            for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise TooLarge(f"more than {max_size} bytes")
                digest.update(chunk)
                yield chunk

        storage_key = new_storage_key()
        try:
            self.backend.put(storage_key, stream_aead.encrypt(data_key, measured()))
            row = StoredObject(
                id=object_id,
                storage_key=storage_key,
                backend=self.backend.name,
                kind=kind,
                size=size,
                sha256=digest.hexdigest(),
                format=stream_aead.VERSION,
            )
            return self.keyring.wrap_and_save(data_key, row)
        except BaseException:
            self._discard(storage_key)
            raise

    def _discard(self, storage_key: str) -> None:
        try:
            self.backend.delete(storage_key)
        except Exception:
            pass

    def destroy(self, stored: StoredObject) -> None:
        """Delete the ciphertext from its backend, then the row that holds its wrapped data key.

        In that order: if the backend fails, the row (and so the way to find the object) stays
        for the next attempt. The row is removed, not kept as a tombstone: rotation, migration and
        verification walk every row, and a deletion certificate is the lasting record.
        """
        self.backend_for(stored).delete(stored.storage_key)
        StoredObject.delete().where(StoredObject.id == stored.id).execute()

    def data_key(self, stored: StoredObject) -> bytes:
        """The object's data key, unwrapped."""
        return self.keyring.unwrap(stored.kek_id, stored.wrapped_key, str(stored.id))

    def read(self, stored: StoredObject, backend: Backend | None = None) -> Plaintext:
        """The plaintext, segment by segment, each one authenticated before it is yielded.

        The key is unwrapped and the object opened before this returns, so a missing key or
        object is an error before any byte is sent.
        """
        key = self.data_key(stored)
        return Plaintext((backend or self.backend_for(stored)).open(stored.storage_key), key)

    def verify(self, stored: StoredObject, backend: Backend | None = None) -> bool:
        """Whether the object decrypts and matches its recorded size and SHA-256."""
        digest, size = hashlib.sha256(), 0
        try:
            for chunk in self.read(stored, backend):
                digest.update(chunk)
                size += len(chunk)
        except (stream_aead.IntegrityError, BackendError, KeyringError, urllib3.exceptions.HTTPError):
            return False
        return size == stored.size and digest.hexdigest() == stored.sha256
