"""The anchor file: a line `seq hash` for every event, kept outside the database.

A writer holds the file's exclusive lock from before its transaction until its lines are
written, so the lines follow the chain's order; a reader holding the shared lock sees every
committed event anchored.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from portal.core.models import AuditEvent

LINE = re.compile(r"(\d+) ([0-9a-f]{64})")
TAIL_BYTES = 256  # more than two lines: the newest whole line is always in them


@dataclass
class AnchorReading:
    """The parsed lines: hashes by sequence number, and what is wrong with the file."""

    entries: dict[int, tuple[int, str]] = field(default_factory=dict)  # seq: (line number, hash)
    malformed: list[str] = field(default_factory=list)
    disorder: list[str] = field(default_factory=list)


def parse(text: str) -> AnchorReading:
    """Read anchor lines; a malformed or repeated line and one out of order are problems."""
    reading = AnchorReading()
    previous = 0
    for number, line in enumerate(text.splitlines(), 1):
        match = LINE.fullmatch(line)
        if match is None:
            reading.malformed.append(f"anchor line {number} is malformed")
            continue
        seq = int(match.group(1))
        if seq in reading.entries:
            reading.malformed.append(f"anchor line {number} repeats event {seq}")
            continue
        if seq < previous:
            reading.disorder.append(f"anchor line {number} (event {seq}) comes after event {previous}")
        previous = max(previous, seq)
        reading.entries[seq] = (number, match.group(2))
    return reading


def line(event: AuditEvent) -> bytes:
    """The anchor line of `event`."""
    return f"{event.seq} {event.hash}\n".encode("ascii")


class AnchorWriter:
    """The anchor file, opened for appending and locked against every other writer."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def append(self, events: Iterable[AuditEvent]) -> None:
        """Anchor newly chained events."""
        with open(self._fd, "ab", closefd=False) as handle:
            handle.writelines(line(event) for event in events)

    def replace(self, events: Iterable[AuditEvent]) -> None:
        """Anchor a re-chained log in place of the file's lines, durably; `events` may be a generator."""
        os.ftruncate(self._fd, 0)
        self.append(events)
        os.fsync(self._fd)


@contextmanager
def writing(path: Path) -> Iterator[AnchorWriter]:
    """The anchor under its exclusive lock; created owner-only if missing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield AnchorWriter(fd)
    finally:
        os.close(fd)


@contextmanager
def reading(path: Path) -> Iterator[AnchorReading | None]:
    """The anchor's lines, read and held under its shared lock; None if there is no file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield None
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        with open(fd, "rb", closefd=False) as handle:
            text = handle.read().decode("ascii", errors="replace")
        yield parse(text)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class AnchorHead:
    """The anchor's newest line (None if it is malformed) and when the file was last written (UTC)."""

    line: tuple[int, str] | None
    written_at: datetime


@contextmanager
def newest(path: Path) -> Iterator[AnchorHead | None]:
    """The anchor's last line, read from the file's end and held under its shared lock (so the
    database's newest committed event is the one it names); None if there is no file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield None
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        status = os.fstat(fd)
        with open(fd, "rb", closefd=False) as handle:
            handle.seek(max(0, status.st_size - TAIL_BYTES))
            lines = handle.read().decode("ascii", errors="replace").splitlines()
        match = LINE.fullmatch(lines[-1]) if lines else None
        line = (int(match.group(1)), match.group(2)) if match else None
        yield AnchorHead(line, datetime.fromtimestamp(status.st_mtime, UTC).replace(tzinfo=None))
    finally:
        os.close(fd)
