"""Objects as files in one owner-only directory, written to a temporary file and renamed.

An object written in parts grows in a file of its own under `.parts/`, each part written at its
offset by whichever process receives it, and is renamed into place when complete.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from storage_backends.base import Backend, BackendError, Option

TEMP_DIR = ".incoming"
PARTS_DIR = ".parts"
HANDLE = re.compile(r"[0-9a-f]{32}")


@contextmanager
def disk_errors(key: str) -> Iterator[None]:
    """A failing disk (full, read-only, gone) becomes a BackendError naming the object."""
    try:
        yield
    except OSError as error:
        raise BackendError(f"could not write {key}: {error.strerror or error}") from error


class LocalBackend(Backend):
    """A directory with mode 0700 and files with mode 0600."""

    name = "local"
    OPTIONS = (Option("path", Path, "objects", "local object directory", setting="storage_path"),)

    def __init__(self, path: str | os.PathLike) -> None:
        self.root = Path(path).resolve()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.root / TEMP_DIR).mkdir(mode=0o700, exist_ok=True)
        (self.root / PARTS_DIR).mkdir(mode=0o700, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"not a storage key: {key!r}")
        return path

    def _parts_path(self, handle: str) -> Path:
        if not isinstance(handle, str) or not HANDLE.fullmatch(handle):
            raise ValueError(f"not a handle of a write in parts: {handle!r}")
        return self.root / PARTS_DIR / handle

    def _move_into_place(self, source: str | Path, target: Path) -> None:
        """Rename a written, synced file to its key, durably."""
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(source, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _put(self, key: str, chunks: Iterable[bytes]) -> None:
        target = self._path(key)
        fd, temp_name = tempfile.mkstemp(dir=self.root / TEMP_DIR)
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:  # the source's own errors pass through unchanged
                    with disk_errors(key):
                        handle.write(chunk)
                with disk_errors(key):
                    handle.flush()
                    os.fsync(handle.fileno())
            with disk_errors(key):
                self._move_into_place(temp_name, target)
        finally:
            Path(temp_name).unlink(missing_ok=True)

    def _read_range(self, key: str, offset: int, length: int) -> bytes:
        with self._open(key) as stream:
            stream.seek(offset)
            return stream.read(length)

    def _begin_parts(self, key: str) -> str:
        handle = secrets.token_hex(16)
        with disk_errors(key):
            os.close(os.open(self._parts_path(handle), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return handle

    def _write_part(self, key: str, handle: str, number: int, offset: int, pieces: Sequence[bytes]) -> str:
        path = self._parts_path(handle)
        with disk_errors(key):
            fd = os.open(path, os.O_WRONLY)  # never created here: a completed or aborted write stays so
            try:
                left = [memoryview(piece) for piece in pieces if len(piece)]
                while left:  # one call for them all, unless the disk takes less
                    written = os.pwritev(fd, left, offset)
                    if not written:
                        raise OSError(errno.EIO, "nothing written")
                    offset += written
                    while left and written >= len(left[0]):
                        written -= len(left.pop(0))
                    if left:
                        left[0] = left[0][written:]
            finally:
                os.close(fd)
        return ""

    def _complete_parts(self, key: str, handle: str, tags: Sequence[str]) -> None:
        path = self._parts_path(handle)
        with disk_errors(key):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._move_into_place(path, self._path(key))

    def _abort_parts(self, key: str, handle: str) -> None:
        self._parts_path(handle).unlink(missing_ok=True)

    def _open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BackendError(f"no object {key}") from None

    def _delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def _list(self) -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            parts = path.relative_to(self.root).parts
            if path.is_file() and TEMP_DIR not in parts and PARTS_DIR not in parts:
                yield path.relative_to(self.root).as_posix()

    def _check(self) -> list[str]:
        findings = []
        for path in [self.root, *self.root.rglob("*")]:
            info = path.lstat()
            if stat.S_IMODE(info.st_mode) & 0o077:
                findings.append(f"{path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):o})")
            if info.st_uid != os.getuid():
                findings.append(f"{path} belongs to another user")
            if stat.S_ISLNK(info.st_mode):
                findings.append(f"{path} is a symbolic link")
        return findings

    def _sweep(self, older_than: float, keep: Collection[str]) -> int:
        cutoff = time.time() - older_than
        unfinished = [path for path in (self.root / PARTS_DIR).iterdir() if path.name not in keep]
        left = [*(self.root / TEMP_DIR).iterdir(), *unfinished]
        removed = 0
        for path in left:
            try:
                if path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # renamed into place or removed by its writer meanwhile
        return removed
