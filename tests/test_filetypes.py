"""Upload types are decided by content: disguised HTML/SVG, macros, zip bombs and legacy Office
files are refused; real PDF, images and Office Open XML pass."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from portal.staff.storage.filetypes import (
    DAMAGED,
    LEGACY,
    MACROS,
    NOT_ALLOWED,
    TOO_COMPLEX,
    Refused,
    identify,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/></Types>'
)


def workbook_bytes() -> bytes:
    book = Workbook()
    book.active["A1"] = "相談記録"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MANIFEST = b"[Content_Types].xml"
DOCX = zipped({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"})


def rezipped(base: bytes, compression: int = zipfile.ZIP_STORED) -> bytes:
    """The same archive, its entries compressed another way and [Content_Types].xml first."""
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for info in sorted(source.infolist(), key=lambda entry: entry.filename != MANIFEST.decode()):
            archive.writestr(info.filename, source.read(info))
    return buffer.getvalue()


def damaged(how: str) -> bytes:
    """A workbook whose [Content_Types].xml cannot be read back: its stored bytes fail their CRC,
    its deflated bytes are not deflate, the file is cut in half, or the central directory says
    the entry is encrypted or uses a compression method nobody knows."""
    data = bytearray(
        rezipped(workbook_bytes(), zipfile.ZIP_DEFLATED if how == "bad-deflate" else zipfile.ZIP_STORED)
    )
    if how == "truncated":
        return bytes(data[: len(data) // 2])
    content = data.index(MANIFEST) + len(MANIFEST)  # the first entry's bytes follow its local header
    directory = data.index(b"PK\x01\x02")  # the central directory lists it first too
    if how in ("bad-crc", "bad-deflate"):
        data[content + 2] ^= 0xFF
    elif how == "encrypted":
        data[directory + 8] |= 0x01
    elif how == "unknown-compression":
        data[directory + 10 : directory + 12] = (99).to_bytes(2, "little")
    return bytes(data)


def with_entries(base: bytes, extra: dict[str, bytes], content_types: bytes | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    if content_types is not None:
        entries["[Content_Types].xml"] = content_types
    return zipped({**entries, **extra})


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "jpg"),
        (workbook_bytes(), "xlsx"),
        (DOCX, "docx"),
    ],
)
def test_allowed_types_are_recognised_by_content(data, extension):
    assert identify(data).extension == extension


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
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
    macro = with_entries(
        workbook_bytes(),
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really"},
        content_types=zipfile.ZipFile(io.BytesIO(workbook_bytes()))
        .read("[Content_Types].xml")
        .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml"),
    )
    with pytest.raises(Refused) as refused:
        identify(macro)
    assert refused.value.message == MACROS


def test_a_zip_bomb_is_refused_without_being_unpacked():
    bomb = with_entries(workbook_bytes(), {"xl/media/zeros.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(Refused) as refused:
        identify(bomb)
    assert refused.value.message == TOO_COMPLEX


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
    base=st.sampled_from([workbook_bytes(), rezipped(workbook_bytes()), DOCX]),
    changes=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
    keep=st.floats(0, 1),
)
def test_any_corruption_of_an_office_file_is_identified_or_refused(base, changes, keep):
    data = bytearray(base)
    for where, byte in changes:
        data[int(where * (len(data) - 1))] = byte
    try:
        identify(bytes(data[: max(1, int(keep * len(data)))]))
    except Refused:
        pass


def test_legacy_office_files_are_refused_unless_configured():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(Refused) as refused:
        identify(ole)
    assert refused.value.message == LEGACY
    with pytest.raises(Refused) as refused:
        identify(ole, allow_legacy_office=True)
    assert refused.value.message == DAMAGED, "a broken OLE file is not accepted either"
