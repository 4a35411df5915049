"""Upload types are decided by content: disguised HTML/SVG, macros, zip bombs and legacy Office
files are refused; real PDF, images and Office Open XML pass. Each file is judged twice, as it
arrives: from memory (a form's file part) and from its sealed object read segment by segment (a
file sent in chunks), and both verdicts must agree."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.staff.storage.filetypes import (
    DAMAGED,
    LEGACY,
    MACROS,
    NOT_ALLOWED,
    TOO_COMPLEX,
    FileType,
    Refused,
)
from portal.staff.storage.filetypes import identify as identify_stream
from portal.staff.storage.stream_aead import encrypt
from portal.staff.storage.stream_parts import SeekablePlaintext
from tests.files import (
    HTML,
    JPEG,
    LEGACY_XLS,
    MANIFEST,
    PDF,
    PNG,
    SVG,
    damaged,
    docx,
    macro_workbook,
    rezipped,
    workbook_bytes,
    zip_bomb,
    zipped,
)


class CountingReads:
    """A sealed object's ciphertext that counts the bytes read from it."""

    def __init__(self, ciphertext: bytes) -> None:
        self.ciphertext, self.read = ciphertext, 0

    def __call__(self, offset: int, length: int) -> bytes:
        self.read += length
        return self.ciphertext[offset : offset + length]


def identify(data: bytes, allow_legacy_office: bool = False) -> FileType:
    """The one verdict on `data` from memory and from its sealed object; Refused is raised."""
    key = os.urandom(32)
    sealed = SeekablePlaintext(CountingReads(b"".join(encrypt(key, [data]))), key, len(data))
    verdicts = []
    for stream in (io.BytesIO(data), sealed):
        try:
            verdicts.append(identify_stream(stream, allow_legacy_office))
        except Refused as refused:
            verdicts.append(refused)
    from_memory, from_object = verdicts
    assert type(from_memory) is type(from_object)
    if isinstance(from_memory, Refused):
        assert from_memory.message == from_object.message
        raise from_memory
    assert from_memory == from_object
    return from_memory


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpg"),
        (workbook_bytes(), "xlsx"),
        (docx(), "docx"),
    ],
)
def test_allowed_types_are_recognised_by_content(data, extension):
    assert identify(data).extension == extension


@pytest.mark.parametrize(
    "data",
    [
        HTML,
        b'<?xml version="1.0"?>' + SVG,
        b"<svg onload=alert(1)>",
        b"MZ\x90\x00" + b"\x00" * 60,  # a Windows executable
        zipped({"readme.txt": b"just a zip"}),
        b"",
    ],
    ids=["html", "svg", "svg-bare", "exe", "plain-zip", "empty"],
)
def test_disguised_and_unlisted_content_is_refused(data):
    with pytest.raises(Refused) as refused:
        identify(data)
    assert refused.value.message == NOT_ALLOWED


def test_a_macro_workbook_is_refused():
    with pytest.raises(Refused) as refused:
        identify(macro_workbook())
    assert refused.value.message == MACROS


def test_a_zip_bomb_is_refused_without_being_unpacked(monkeypatch):
    bomb = zip_bomb()
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(archive, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(Refused) as refused:
        identify(bomb)
    assert refused.value.message == TOO_COMPLEX
    assert "xl/media/zeros.bin" not in opened


@pytest.mark.parametrize("how", ["bad-crc", "bad-deflate", "truncated", "encrypted", "unknown-compression"])
def test_a_damaged_office_file_is_refused_as_damaged(how):
    data = damaged(how)
    with pytest.raises((zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError)):
        zipfile.ZipFile(io.BytesIO(data)).read(MANIFEST.decode())  # the damage is real
    with pytest.raises(Refused) as refused:
        identify(data)
    assert refused.value.message == DAMAGED


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from([workbook_bytes(), rezipped(workbook_bytes()), docx()]),
    changes=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
    keep=st.floats(0, 1),
)
def test_any_corruption_of_an_office_file_is_identified_or_refused(base, changes, keep):
    data = bytearray(base)
    for where, byte in changes:
        data[int(where * (len(data) - 1))] = byte
    try:
        identify_stream(io.BytesIO(bytes(data[: max(1, int(keep * len(data)))])))
    except Refused:
        pass


def test_legacy_office_files_are_refused_unless_configured():
    with pytest.raises(Refused) as refused:
        identify(LEGACY_XLS)
    assert refused.value.message == LEGACY
    with pytest.raises(Refused) as refused:
        identify(LEGACY_XLS, allow_legacy_office=True)
    assert refused.value.message == DAMAGED, "a broken OLE file is not accepted either"


def test_a_large_workbook_is_identified_from_its_directory_not_read_whole():
    padding = os.urandom(20 * 1024 * 1024)  # a picture in the workbook, stored as it is
    with zipfile.ZipFile(io.BytesIO(workbook_bytes())) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        archive.writestr("xl/media/image1.png", padding)
    data = buffer.getvalue()
    key = os.urandom(32)
    reads = CountingReads(b"".join(encrypt(key, [data])))
    assert identify_stream(SeekablePlaintext(reads, key, len(data))).extension == "xlsx"
    assert reads.read <= 4 * 1024 * 1024, "a few segments: the manifest, the directory at the end"
