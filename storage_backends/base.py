"""The interface every backend implements; public methods check the key, private ones move bytes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, ClassVar

# Keys are made by the server: lower-case hex in slash-separated segments, nothing else.
KEY_PATTERN = re.compile(r"[0-9a-f]{2}(/[0-9a-f]{2,64}){1,2}")


class BackendError(Exception):
    """The backend could not complete an operation; nothing half-written is left behind."""


def safe_key(key: str) -> str:
    """`key` if it is one the server could have made; anything else (traversal included) raises."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Backend:
    """Put a stream under a key, open it, delete it, ask whether it exists, list, check posture."""

    name: ClassVar[str] = ""
    OPTIONS: ClassVar[tuple[str, ...]] = ()

    def put(self, key: str, chunks: Iterable[bytes]) -> None:
        """Store the bytes from `chunks`; the object appears whole or not at all."""
        self._put(safe_key(key), chunks)

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object's bytes."""
        return self._open(safe_key(key))

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing one is not an error."""
        self._delete(safe_key(key))

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        return self._exists(safe_key(key))

    def list(self) -> Iterator[str]:
        """Every stored key."""
        return self._list()

    def check(self) -> list[str]:
        """Findings about the backend's own security posture; empty when it is sound."""
        return self._check()

    def sweep(self, older_than: float = 3600) -> int:
        """Remove what writes interrupted over `older_than` seconds ago left behind; returns the count.

        The age keeps a sweep at one process's start from touching another's write in progress.
        """
        return self._sweep(older_than)

    def _put(self, key: str, chunks: Iterable[bytes]) -> None:
        raise NotImplementedError(f"{type(self).__name__}._put")

    def _open(self, key: str) -> BinaryIO:
        raise NotImplementedError(f"{type(self).__name__}._open")

    def _delete(self, key: str) -> None:
        raise NotImplementedError(f"{type(self).__name__}._delete")

    def _exists(self, key: str) -> bool:
        raise NotImplementedError(f"{type(self).__name__}._exists")

    def _list(self) -> Iterator[str]:
        raise NotImplementedError(f"{type(self).__name__}._list")

    def _check(self) -> list[str]:
        raise NotImplementedError(f"{type(self).__name__}._check")

    def _sweep(self, older_than: float) -> int:
        raise NotImplementedError(f"{type(self).__name__}._sweep")
