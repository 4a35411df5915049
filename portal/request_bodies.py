"""Request bodies of a stated length, kept as the pieces they arrived in and joined once.

waitress appends each piece it receives to one growing BytesIO, and growing it copies everything
received so far, again and again: for a 5 MiB chunk of an upload, about six times the chunk,
in waitress's one thread for all connections and holding the GIL, while the chunk before is
sealed and written (`bench.storage`, profiled). Here the pieces are kept as they came and joined
once, in the request's own thread, when the app first reads the body; the BytesIO over the
joined bytes shares them, so reading the body whole copies nothing more.

What is held is what arrived, never more than the stated length, which waitress refuses before
reading any of it if it passes the body limit; nothing goes to disk. Bodies sent in HTTP chunks,
of no stated length, keep waitress's own buffer.
"""

from __future__ import annotations

import io

from waitress.parser import HTTPRequestParser
from waitress.receiver import FixedStreamReceiver


class PiecesBuffer:
    """The part of waitress's buffer interface a request body uses: appended to while it arrives,
    then read through `getfile`, then closed."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []
        self._length = 0
        self._file: io.BytesIO | None = None

    def __len__(self) -> int:
        return self._length

    def append(self, piece: bytes) -> None:
        self._pieces.append(piece)
        self._length += len(piece)

    def getfile(self) -> io.BytesIO:
        if self._file is None:
            self._file = io.BytesIO(b"".join(self._pieces))
            self._pieces = []
        return self._file

    def close(self) -> None:
        self._pieces = []
        if self._file is not None:
            self._file.close()


class PiecesParser(HTTPRequestParser):
    """waitress's parser, keeping a body of stated length in pieces."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if isinstance(self.body_rcv, FixedStreamReceiver):
            self.body_rcv.buf = PiecesBuffer()
