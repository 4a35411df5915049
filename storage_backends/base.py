"""The interface every backend implements; public methods check the key, private ones move bytes."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

# Keys are made by the server: lower-case hex in slash-separated segments, nothing else.
KEY_PATTERN = re.compile(r"[0-9a-f]{2}(/[0-9a-f]{2,64}){1,2}")
KINDS = (str, bool, int, Path)


class BackendError(Exception):
    """The backend could not complete an operation; nothing half-written is left behind."""


@dataclass(frozen=True)
class Option:
    """One setting a backend takes, declared beside it so that adding a backend touches no other file.

    `name` is the constructor's argument; the portal reads it from PORTAL_<SETTING> where `setting`
    defaults to `<backend>_<name>`. `kind` is str, bool, int (not negative) or Path; a relative
    Path default lies inside the instance folder.
    """

    name: str
    kind: type
    default: Any
    description: str
    secret: bool = False
    setting: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TypeError(f"option {self.name}: kind must be str, bool, int or Path, not {self.kind!r}")

    def setting_for(self, backend: str) -> str:
        """The lower-case setting name, without the PORTAL_ prefix, this option is read from."""
        return self.setting or f"{backend}_{self.name}"


def safe_key(key: str) -> str:
    """`key` if it is one the server could have made; anything else (traversal included) raises."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Backend:
    """Put a stream under a key, open it, delete it, ask whether it exists, list, check posture;
    or write an object part by part, over many requests, and complete it."""

    name: ClassVar[str] = ""
    OPTIONS: ClassVar[tuple[Option, ...]] = ()

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

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """`length` bytes of the object from `offset` (fewer at its end)."""
        return self._read_range(safe_key(key), offset, length)

    def begin_parts(self, key: str) -> str:
        """Start writing an object in parts; returns the handle the other part-wise calls take.

        Parts may come from any process, in any order; nothing is readable under `key` until
        `complete_parts`, and `abort_parts` removes what was written.
        """
        return self._begin_parts(safe_key(key))

    def write_part(self, key: str, handle: str, number: int, offset: int, pieces: Sequence[bytes]) -> str:
        """Write part `number` (from 0), the `pieces` one after the other, which lies `offset` bytes
        into the object; returns its tag.

        Every part but the last must be at least 5 MiB (S3's smallest part).
        """
        return self._write_part(safe_key(key), handle, number, offset, pieces)

    def complete_parts(self, key: str, handle: str, tags: Sequence[str]) -> None:
        """Make the object whose parts have these tags, in order, appear whole under `key`."""
        self._complete_parts(safe_key(key), handle, tags)

    def abort_parts(self, key: str, handle: str) -> None:
        """Remove the parts written so far; a write completed or aborted already is not an error."""
        self._abort_parts(safe_key(key), handle)

    def sweep(self, older_than: float = 3600, keep: Collection[str] = ()) -> int:
        """Remove what writes interrupted over `older_than` seconds ago left behind; returns the count.

        The age keeps a sweep at one process's start from touching another's write in progress;
        the writes in parts whose handles are in `keep` are still going on (resumable uploads),
        however old.
        """
        return self._sweep(older_than, keep)

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

    def _read_range(self, key: str, offset: int, length: int) -> bytes:
        raise NotImplementedError(f"{type(self).__name__}._read_range")

    def _begin_parts(self, key: str) -> str:
        raise NotImplementedError(f"{type(self).__name__}._begin_parts")

    def _write_part(self, key: str, handle: str, number: int, offset: int, pieces: Sequence[bytes]) -> str:
        raise NotImplementedError(f"{type(self).__name__}._write_part")

    def _complete_parts(self, key: str, handle: str, tags: Sequence[str]) -> None:
        raise NotImplementedError(f"{type(self).__name__}._complete_parts")

    def _abort_parts(self, key: str, handle: str) -> None:
        raise NotImplementedError(f"{type(self).__name__}._abort_parts")

    def _sweep(self, older_than: float, keep: Collection[str]) -> int:
        raise NotImplementedError(f"{type(self).__name__}._sweep")
