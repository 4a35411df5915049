"""Upload types are decided by content: disguised HTML/SVG, macros, zip bombs and legacy Office
files are refused; real PDF, images and Office Open XML pass."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from portal.staff.storage.filetypes import LEGACY, MACROS, NOT_ALLOWED, TOO_COMPLEX, Refused, identify

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
        (zipped({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}), "docx"),
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


def test_legacy_office_files_are_refused_unless_configured():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(Refused) as refused:
        identify(ole)
    assert refused.value.message == LEGACY
    with pytest.raises(Refused) as refused:
        identify(ole, allow_legacy_office=True)
    assert refused.value.message == NOT_ALLOWED, "a broken OLE file is not accepted either"
