"""Files to upload: small real ones of each allowed type, the disguised and dangerous ones the upload
check must refuse, and multipart bodies that carry them as a browser would."""

from __future__ import annotations

import io
import os
import zipfile
from urllib.parse import quote

from openpyxl import Workbook

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an OLE (Office 97–2003) header
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_of(size: int) -> bytes:
    """A PDF of `size` bytes (at least the header's): the header, then random bytes."""
    return PDF + os.urandom(max(0, size - len(PDF)))


def zipped(entries: dict[str, bytes]) -> bytes:
    """A zip archive of the entries, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook_bytes(text: str = "相談記録") -> bytes:
    """A real workbook, as Excel would save it, with `text` in A1."""
    book = Workbook()
    book.active["A1"] = text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx() -> bytes:
    """The least a Word document needs to be recognised as one."""
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/word/document.xml" ContentType="{DOCX_TYPE}.main+xml"/></Types>'
    )
    return zipped({"[Content_Types].xml": content_types.encode(), "word/document.xml": b"<w:document/>"})


def with_entries(base: bytes, extra: dict[str, bytes]) -> bytes:
    """The zip archive `base` with more entries (or entries replaced)."""
    source = zipfile.ZipFile(io.BytesIO(base))
    return zipped({**{info.filename: source.read(info) for info in source.infolist()}, **extra})


MANIFEST = b"[Content_Types].xml"


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


def macro_workbook() -> bytes:
    """A workbook that declares itself macro-enabled and carries a VBA project."""
    workbook = workbook_bytes()
    content_types = zipfile.ZipFile(io.BytesIO(workbook)).read("[Content_Types].xml")
    return with_entries(
        workbook,
        {
            "[Content_Types].xml": content_types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml"),
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro",
        },
    )


def zip_bomb() -> bytes:
    """A workbook of a few kilobytes that unpacks to 20 MiB."""
    return with_entries(workbook_bytes(), {"xl/media/zeros.bin": b"\x00" * (20 * 1024 * 1024)})


BOUNDARY = "madoguchi-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def around_file(
    filename: str,
    fields: dict[str, str] | None = None,
    mimetype: str = "application/octet-stream",
    encoded_name: bool = False,
) -> tuple[bytes, bytes]:
    """What comes before and after a file's bytes in a form body (`MULTIPART`): the fields, then the
    file. The name is escaped as HTML's form encoding does (only ", CR and LF); with `encoded_name`
    it also travels percent-encoded (RFC 5987 `filename*`), which carries CR and LF as they are."""
    escaped = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    disposition = f'form-data; name="file"; filename="{escaped}"'
    if encoded_name:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    head = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (fields or {}).items()
    )
    head += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {mimetype}\r\n\r\n"
    return head.encode(), f"\r\n--{BOUNDARY}--\r\n".encode()


def multipart(data: bytes, filename: str, fields: dict[str, str] | None = None, **options) -> bytes:
    """A whole form body (`MULTIPART`) carrying one file, built in memory: the test client would
    spool a large file to a temporary file of its own."""
    head, tail = around_file(filename, fields, **options)
    return head + data + tail
