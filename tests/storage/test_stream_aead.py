"""The streaming AEAD: fixed vectors, an independent decryption, and every way to tamper."""

from __future__ import annotations

import io
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.staff.storage import stream_aead
from portal.staff.storage.stream_aead import (
    HEADER_SIZE,
    TAG,
    IntegrityError,
    ciphertext_size,
    decrypt,
    encrypt,
)

KEY = bytes(range(32))
PREFIX = bytes.fromhex("00112233445566")
PLAINTEXT = b"Madoguchi window for small businesses."
# Computed once with 16-byte segments and kept: a change to the format must change this on purpose.
VECTOR = bytes.fromhex(
    "4d44470100112233445566b4a3e4798c489aa7bc12d84e525ae3be5a1ddc9f036b94c58ca624e0f965c2c69fd3"
    "0903a2285486825d7cfbbf64b6d23d996a476f19e7dc8f2256fa387dc61bdb3be62202aedb320b3e69c51af559b9"
    "2ddc6312ad52"
)
EMPTY_VECTOR = bytes.fromhex("4d44470100000000000000f3396db89473edb9065eec1a8baabf97")


@pytest.fixture
def small_segments(monkeypatch):
    """16-byte segments, so a few bytes make several of them."""
    monkeypatch.setattr(stream_aead, "SEGMENT", 16)


def seal(plaintext: bytes, prefix: bytes = PREFIX) -> bytes:
    return b"".join(encrypt(KEY, [plaintext[i : i + 7] for i in range(0, len(plaintext), 7)], prefix=prefix))


def open_all(ciphertext: bytes) -> bytes:
    return b"".join(decrypt(KEY, io.BytesIO(ciphertext)))


def test_known_vectors(small_segments):
    assert seal(PLAINTEXT) == VECTOR
    assert b"".join(encrypt(KEY, [], prefix=bytes(7))) == EMPTY_VECTOR
    assert open_all(VECTOR) == PLAINTEXT


def test_an_independent_reading_of_the_format_agrees(small_segments):
    header, body = VECTOR[:HEADER_SIZE], VECTOR[HEADER_SIZE:]
    assert header == b"MDG\x01" + PREFIX
    segments = [body[i : i + 16 + TAG] for i in range(0, len(body), 16 + TAG)]
    aead = AESGCM(KEY)
    plain = b""
    for counter, segment in enumerate(segments):
        nonce = PREFIX + struct.pack(">I", counter) + (b"\x01" if counter == len(segments) - 1 else b"\x00")
        plain += aead.decrypt(nonce, segment, header)
    assert plain == PLAINTEXT


def segments_of(ciphertext: bytes) -> tuple[bytes, list[bytes]]:
    body = ciphertext[HEADER_SIZE:]
    return ciphertext[:HEADER_SIZE], [body[i : i + 16 + TAG] for i in range(0, len(body), 16 + TAG)]


UNKNOWN = "^not an object of a known format$"


def segment_fails(counter: int) -> str:
    return f"^segment {counter} does not authenticate$"


@pytest.mark.parametrize(
    "tamper, refusal",
    [
        pytest.param(lambda h, s: h + b"".join(s[:-1]), segment_fails(1), id="last segment dropped"),
        pytest.param(lambda h, s: h + s[1] + s[0] + b"".join(s[2:]), segment_fails(0), id="segments swapped"),
        pytest.param(lambda h, s: h + b"".join(s) + s[-1], segment_fails(2), id="segment appended"),
        pytest.param(lambda h, s: h + b"".join(s)[:-1], segment_fails(2), id="one byte cut"),
        pytest.param(lambda h, s: h[:4] + bytes(7) + b"".join(s), segment_fails(0), id="header changed"),
        pytest.param(
            lambda h, s: h + s[0][:5] + bytes([s[0][5] ^ 1]) + s[0][6:] + b"".join(s[1:]),
            segment_fails(0),
            id="bit flip",
        ),
        pytest.param(lambda h, s: h, segment_fails(0), id="no segments"),
        pytest.param(lambda h, s: b"MDG\x02" + h[4:] + b"".join(s), UNKNOWN, id="unknown version"),
        pytest.param(lambda h, s: b"XYZ" + h[3:] + b"".join(s), UNKNOWN, id="another format"),
        pytest.param(lambda h, s: h[:-1], UNKNOWN, id="header cut short"),
        pytest.param(lambda h, s: b"%PDF-1.7 a plain file planted in the store", UNKNOWN, id="plaintext"),
    ],
)
def test_tampering_is_detected_and_named(small_segments, tamper, refusal):
    header, segments = segments_of(VECTOR)
    with pytest.raises(IntegrityError, match=refusal):
        open_all(tamper(header, segments))


class Trickle(io.RawIOBase):
    """A stream that gives at most a few bytes per read, as a network response may."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        piece = self.data.read(min(len(buffer), 5))
        buffer[: len(piece)] = piece
        return len(piece)


def test_a_stream_that_gives_a_few_bytes_at_a_time_decrypts_the_same(small_segments):
    assert b"".join(decrypt(KEY, Trickle(VECTOR))) == PLAINTEXT


def test_nothing_from_a_failing_segment_is_released(small_segments):
    header, segments = segments_of(VECTOR)
    broken = header + segments[0] + segments[1][:-1] + bytes([segments[1][-1] ^ 1]) + segments[2]
    released = []
    with pytest.raises(IntegrityError, match=segment_fails(1)):
        for chunk in decrypt(KEY, io.BytesIO(broken)):
            released.append(chunk)
    assert released == [PLAINTEXT[:16]]


def test_a_wrong_key_fails():
    with pytest.raises(IntegrityError):
        b"".join(decrypt(bytes(32), io.BytesIO(seal(PLAINTEXT))))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), cut=st.lists(st.integers(min_value=1, max_value=40), max_size=12))
def test_round_trip_and_size_for_any_chunking(data, cut):
    stream_aead.SEGMENT, original = 16, stream_aead.SEGMENT
    try:
        pieces, offset = [], 0
        for size in cut:
            pieces.append(data[offset : offset + size])
            offset += size
        pieces.append(data[offset:])
        ciphertext = b"".join(encrypt(KEY, pieces))
        assert len(ciphertext) == ciphertext_size(len(data))
        assert open_all(ciphertext) == data
    finally:
        stream_aead.SEGMENT = original


def test_real_segment_size_round_trip():
    data = bytes(range(256)) * (4096 * 3) + b"tail"
    ciphertext = b"".join(encrypt(KEY, [data]))
    assert len(ciphertext) == ciphertext_size(len(data))
    assert open_all(ciphertext) == data
