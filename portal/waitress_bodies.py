"""Request and response bodies moved through waitress without copying them into its buffers.

Requests: waitress appends each piece of a body it receives to one growing BytesIO, and growing it
copies everything received so far, again and again: for a 5 MiB chunk of an upload, about six
times the chunk, in waitress's one thread for all connections and holding the GIL, while the
chunk before is sealed and written (profiled under `bench.storage`). A body of stated length is
kept here as the pieces it arrived in and joined once, in the request's own thread, when the app
first reads it; the BytesIO over the joined bytes shares them, so reading the body whole copies
nothing more. What is held is what arrived (small pieces gathered into one, so that a body sent a
byte at a time costs its bytes, not an object per byte), never more than the stated length,
which waitress refuses before reading any of it if it passes the body limit; nothing goes to
disk. Bodies sent in HTTP chunks, of no stated length, keep waitress's own in-memory buffer.

Responses: each piece an app yields is copied into a growing output buffer in the same way, then
copied out again to be sent. A piece wrapped in `HandedOver` is queued as it is, as waitress
queues a `wsgi.file_wrapper`, and sent from directly; waitress still pauses the app while more
than its high-water mark waits to be sent, so what is held stays bounded. Only where waitress
serves the request and the response states its length (`handed_over`); otherwise the bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from waitress.buffers import ReadOnlyFileBasedBuffer
from waitress.parser import HTTPRequestParser
from waitress.receiver import FixedStreamReceiver

GATHERED = 64 * 1024  # pieces smaller than this are gathered into one, so none costs an object


class PiecesBuffer:
    """The part of waitress's buffer interface a request body uses: appended to while it arrives,
    then read through `getfile`, then closed.

    Small pieces are gathered before they are kept: a client sending its body a byte per packet
    would otherwise make each byte cost a bytes object and a list slot, some forty times the
    byte."""

    def __init__(self) -> None:
        self._pieces: list[bytes | bytearray] = []
        self._gathering = bytearray()
        self._length = 0
        self._file: io.BytesIO | None = None

    def __len__(self) -> int:
        return self._length

    def append(self, piece: bytes) -> None:
        self._length += len(piece)
        if len(piece) < GATHERED:
            self._gathering += piece
            if len(self._gathering) < GATHERED:
                return
            piece, self._gathering = self._gathering, bytearray()
        elif self._gathering:
            self._pieces.append(self._gathering)
            self._gathering = bytearray()
        self._pieces.append(piece)

    def getfile(self) -> io.BytesIO:
        if self._file is None:
            self._file = io.BytesIO(b"".join([*self._pieces, self._gathering]))
            self._pieces, self._gathering = [], bytearray()
        return self._file

    def close(self) -> None:
        self._pieces, self._gathering = [], bytearray()
        if self._file is not None:
            self._file.close()


class PiecesParser(HTTPRequestParser):
    """waitress's parser, keeping a body of stated length in pieces."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if isinstance(self.body_rcv, FixedStreamReceiver):
            self.body_rcv.buf = PiecesBuffer()


class HandedOver(ReadOnlyFileBasedBuffer):
    """A piece of a response in the form waitress queues without copying: an instance of its
    `wsgi.file_wrapper` class, which it takes as it is, and sends from where it lies as far as the
    socket takes each time. Only the methods waitress calls on a queued piece are defined; the
    class's file reading is not used."""

    def __init__(self, piece: bytes) -> None:  # no file: the piece itself is read
        self._view, self._sent, self.remain = memoryview(piece), 0, len(piece)

    def __len__(self) -> int:
        return self.remain

    def __getitem__(self, part: slice) -> HandedOver | bytes:
        """What waitress's task keeps within the stated Content-Length (`piece[:left]`)."""
        if part.start is None and part.step is None and (part.stop is None or part.stop >= self.remain):
            return self
        return bytes(self._view[self._sent :][part])

    def get(self, numbytes: int = -1, skip: bool = False) -> memoryview:
        count = self.remain if numbytes < 0 else min(numbytes, self.remain)
        unsent = self._view[self._sent : self._sent + count]
        if skip:
            self.skip(count)
        return unsent

    def skip(self, numbytes: int, allow_prune: int = 0) -> None:
        self._sent += numbytes
        self.remain -= numbytes

    def close(self) -> None:
        self._view, self._sent, self.remain = memoryview(b""), 0, 0


def handed_over(environ: dict, pieces: Iterable[bytes], length: int | None) -> Iterator[bytes]:
    """`pieces` of a response, each handed over to waitress if waitress serves `environ`'s request
    and the response states its `length`; else as they are. Without a stated length waitress
    frames the response in chunks, adding bytes around each piece, which needs bytes.

    Typed as bytes for the app around it: only waitress, which takes these, sees them; nothing
    between the app and waitress may read them (the staff zone has no such middleware)."""
    if length is None or environ.get("wsgi.file_wrapper") is not ReadOnlyFileBasedBuffer:
        yield from pieces
        return
    for piece in pieces:
        if piece:  # waitress counts a queued piece as something to send, even an empty one
            yield HandedOver(piece)
