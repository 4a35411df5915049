"""Bodies as the portal's server moves them (portal/waitress_bodies.py). A request body of stated
length is held as it arrived, never more, and read whole; the body limit still refuses a stated
length before any of it is held; a body in HTTP chunks keeps waitress's in-memory buffer. A
response piece handed over is sent from where it lies, in whatever parts the socket takes, and
only to waitress. Downloads through `portal serve` (tests/storage/test_transfer.py) send every
piece this way."""

from __future__ import annotations

import os
import tracemalloc

import pytest
from waitress.adjustments import Adjustments
from waitress.buffers import OverflowableBuffer, ReadOnlyFileBasedBuffer
from waitress.utilities import RequestEntityTooLarge

from portal import REQUEST_BODY_LIMIT
from portal.core.settings import load_settings
from portal.serve import RECEIVE_BYTES, waitress_options
from portal.waitress_bodies import HandedOver, PiecesBuffer, handed_over
from portal.waitress_refusals import create_server


@pytest.fixture
def portal_parser(tmp_path):
    """A parser of the portal's own server, with its options, for a request fed to it in pieces."""
    options = waitress_options(load_settings("staff", {"INSTANCE_PATH": tmp_path}))
    server = create_server(app=None, listen="127.0.0.1:0", **options)  # no request reaches an app here
    server.close()
    return lambda: server.channel_class.parser_class(Adjustments(**options))


def head(length: int) -> bytes:
    return f"PATCH /uploads/x HTTP/1.1\r\nHost: a\r\nContent-Length: {length}\r\n\r\n".encode()


def test_a_body_of_stated_length_holds_what_arrived_and_reads_whole(portal_parser):
    body = os.urandom(3 * RECEIVE_BYTES + 123)
    parser = portal_parser()
    assert parser.received(head(len(body))) == len(head(len(body)))
    for start in range(0, len(body), RECEIVE_BYTES):
        piece = body[start : start + RECEIVE_BYTES]
        assert parser.received(piece) == len(piece)
        assert len(parser.body_rcv) == start + len(piece), "what arrived, never more"
    assert isinstance(parser.body_rcv.getbuf(), PiecesBuffer)
    assert parser.completed and parser.error is None
    stream = parser.get_body_stream()
    assert stream is parser.get_body_stream(), "one stream for the request"
    assert stream.read(len(body)) == body and stream.read() == b""
    parser.close()
    assert stream.closed


def test_a_body_sent_a_byte_at_a_time_costs_its_bytes_not_an_object_per_byte(portal_parser):
    """An anonymous client may send its body in the smallest packets it likes, slowly, on every
    connection it may open: what the server holds must stay close to what was sent."""
    body = os.urandom(100_000)
    parser = portal_parser()
    parser.received(head(len(body)))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for at in range(len(body) - 1):
            parser.received(body[at : at + 1])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 1.5 * len(body), f"{held / len(body):.1f} bytes held per byte sent"
    parser.received(body[-1:])
    assert parser.completed and parser.get_body_stream().read() == body


def test_a_stated_length_over_the_limit_is_refused_before_any_of_it_is_held(portal_parser):
    parser = portal_parser()
    parser.received(head(REQUEST_BODY_LIMIT + 1) + b"x" * RECEIVE_BYTES)
    assert isinstance(parser.error, RequestEntityTooLarge) and parser.completed
    assert len(parser.body_rcv) == 0
    assert parser.received(b"x" * RECEIVE_BYTES) == 0, "nothing more is read"


def test_a_body_in_http_chunks_keeps_waitress_buffer_in_memory(portal_parser):
    parser = portal_parser()
    parser.received(b"PATCH /uploads/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
    buffer = parser.body_rcv.getbuf()
    assert isinstance(buffer, OverflowableBuffer) and buffer.overflow > REQUEST_BODY_LIMIT


def test_the_buffer_lets_go_of_its_pieces_once_joined_and_of_everything_once_closed():
    buffer = PiecesBuffer()
    for piece in (b"abc", b"", b"def"):
        buffer.append(piece)
    assert len(buffer) == 6
    stream = buffer.getfile()
    assert buffer._pieces == [] and stream.read() == b"abcdef"
    buffer.close()
    assert stream.closed


def test_a_piece_handed_over_is_sent_in_the_parts_the_socket_takes_without_a_copy():
    piece = os.urandom(100_000)
    handed = HandedOver(piece)
    assert handed[:200_000] is handed and handed[:] is handed, "within the Content-Length: as it is"
    assert handed[:10] == piece[:10], "past it: only what is left"
    sent = []
    while len(handed):
        unsent = handed.get(30_000)
        assert unsent.obj is piece, "a view of the piece, not a copy"
        taken = min(len(unsent), 17_000)  # the socket takes less than it is offered
        sent.append(bytes(unsent[:taken]))
        handed.skip(taken, True)
    assert b"".join(sent) == piece
    assert handed.get() == b""
    handed.close()
    assert len(handed) == 0


def test_pieces_are_handed_over_only_to_waitress_and_only_with_a_stated_length():
    pieces, waitress = [b"one", b"", b"two"], {"wsgi.file_wrapper": ReadOnlyFileBasedBuffer}
    served = list(handed_over(waitress, pieces, 6))
    assert all(isinstance(piece, HandedOver) for piece in served)
    assert [bytes(piece.get()) for piece in served] == [b"one", b"two"], "nothing empty is queued"
    assert list(handed_over(waitress, pieces, None)) == pieces, "framed in chunks: bytes"
    assert list(handed_over({}, pieces, 6)) == pieces, "another server gets the bytes"
