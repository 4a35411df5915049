"""Objects as files in one owner-only directory, written to a temporary file and renamed."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from storage_backends.base import Backend, BackendError, Option

TEMP_DIR = ".incoming"


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

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"not a storage key: {key!r}")
        return path

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
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.replace(temp_name, target)
                directory = os.open(target.parent, os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
        finally:
            Path(temp_name).unlink(missing_ok=True)

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
            if path.is_file() and TEMP_DIR not in path.relative_to(self.root).parts:
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

    def _sweep(self, older_than: float) -> int:
        cutoff = time.time() - older_than
        removed = 0
        for path in (self.root / TEMP_DIR).iterdir():
            try:
                if path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # renamed into place or removed by its writer meanwhile
        return removed
