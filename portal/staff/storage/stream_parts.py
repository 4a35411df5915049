"""The STREAM format of `stream_aead`, sealed a chunk at a time and read at any offset.

Segments lie at fixed offsets and each nonce carries its segment's counter, so a chunk that
starts on a segment boundary is sealed on its own, by whichever process receives it, into the
very bytes `stream_aead.encrypt` would have written there; and a reader opens only the segments
it reads. Each segment still authenticates before a byte of it is used.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.staff.storage.stream_aead import (
    HEADER_SIZE,
    MAGIC,
    SEGMENT,
    TAG,
    VERSION,
    IntegrityError,
    _nonce,
)

CACHED_SEGMENTS = 2  # a zip's directory at the end and the entry read from the start


def header(prefix: bytes) -> bytes:
    """The object's header: format version and nonce prefix."""
    return MAGIC + bytes([VERSION]) + prefix


def position(offset: int) -> int:
    """Where the segment holding plaintext byte `offset` starts in the ciphertext."""
    return HEADER_SIZE + offset // SEGMENT * (SEGMENT + TAG)


def segments(size: int) -> int:
    """How many segments an object of `size` plaintext bytes has (an empty one has one)."""
    return max(1, -(-size // SEGMENT))


def seal_chunk(key: bytes, prefix: bytes, offset: int, plaintext: bytes | bytearray, last: bool) -> bytearray:
    """The ciphertext of the chunk of `plaintext` that starts at `offset`, a segment boundary, in
    one buffer: the header first if it is the first chunk, the final segment flagged if it is the
    `last` (only the last may end short of a segment)."""
    if offset % SEGMENT or (not last and len(plaintext) % SEGMENT):
        raise ValueError("a chunk starts on a segment boundary and only the last one is short")
    aead, head, first, count = AESGCM(key), header(prefix), offset // SEGMENT, segments(len(plaintext))
    start = len(head) if offset == 0 else 0
    sealed = bytearray(start + len(plaintext) + count * TAG)
    sealed[:start] = head[:start]
    source, target = memoryview(plaintext), memoryview(sealed)[start:]
    for index in range(count):
        segment = source[index * SEGMENT : (index + 1) * SEGMENT]
        nonce = _nonce(prefix, first + index, last and index == count - 1)
        into = target[index * (SEGMENT + TAG) : index * (SEGMENT + TAG) + len(segment) + TAG]
        aead.encrypt_into(nonce, segment, head, into)
    return sealed


class SeekablePlaintext(io.RawIOBase):
    """An object's plaintext as a read-only, seekable file (for looking inside a zip or OLE file)
    that fetches and authenticates only the segments read; `read_range(offset, length)` reads
    the ciphertext."""

    def __init__(self, read_range: Callable[[int, int], bytes], key: bytes, size: int) -> None:
        super().__init__()
        self._read_range, self._size, self._position = read_range, size, 0
        self._header = read_range(0, HEADER_SIZE)
        if len(self._header) != HEADER_SIZE or self._header[:4] != MAGIC + bytes([VERSION]):
            raise IntegrityError("not an object of a known format")
        self._aead, self._cache = AESGCM(key), {}
        self._count = segments(size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def _segment(self, index: int) -> bytes:
        if index not in self._cache:
            last = index == self._count - 1
            expected = self._size - index * SEGMENT if last else SEGMENT
            ciphertext = self._read_range(position(index * SEGMENT), expected + TAG)
            nonce = _nonce(self._header[4:], index, last)
            try:
                plaintext = self._aead.decrypt(nonce, ciphertext, self._header)
            except InvalidTag:
                raise IntegrityError(f"segment {index} does not authenticate") from None
            if len(plaintext) != expected:
                raise IntegrityError(f"segment {index} is not as long as the object's size says")
            if len(self._cache) >= CACHED_SEGMENTS:
                self._cache.pop(next(iter(self._cache)))
            self._cache[index] = plaintext
        return self._cache[index]

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        index, start = divmod(self._position, SEGMENT)
        segment = self._segment(index)
        count = min(len(buffer), len(segment) - start)
        buffer[:count] = segment[start : start + count]
        self._position += count
        return count
