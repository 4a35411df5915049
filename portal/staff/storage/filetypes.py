"""What an uploaded file is, decided from its bytes against an allow-list.

The filename and the browser's Content-Type are never trusted. Office files are looked inside
(zip entries and OLE streams) without unpacking: macros, too many entries or a declared unpacked
size past the limit are refused, so a zip bomb is never expanded here. HTML or SVG under any name
has no signature on the list and is refused, and a container that cannot be read through is
refused as damaged. The file is read through a seekable stream, only where its type is decided
(its first bytes, a zip's directory and manifest, an OLE file's directory), never whole.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import filetype
import olefile
from flask_babel import lazy_gettext as _l

from portal.staff.storage.stream_aead import IntegrityError
from storage_backends import BackendError

MAX_ZIP_ENTRIES = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # an entry that claims to unpack to more than 200× its packed size is a bomb


@dataclass(frozen=True)
class FileType:
    """An allowed type: the content type we serve it with, and whether a preview is safe."""

    extension: str
    mimetype: str
    previewable: bool = False
    legacy: bool = False


TYPES = {
    kind.extension: kind
    for kind in (
        FileType("pdf", "application/pdf", previewable=True),
        FileType("png", "image/png", previewable=True),
        FileType("jpg", "image/jpeg", previewable=True),
        FileType("gif", "image/gif", previewable=True),
        FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        FileType("xls", "application/vnd.ms-excel", legacy=True),
        FileType("doc", "application/msword", legacy=True),
        FileType("ppt", "application/vnd.ms-powerpoint", legacy=True),
    )
}
OOXML_PARTS = {"xl/workbook.xml": "xlsx", "word/document.xml": "docx", "ppt/presentation.xml": "pptx"}
OLE_STREAMS = {"workbook": "xls", "book": "xls", "worddocument": "doc", "powerpoint document": "ppt"}


class Refused(Exception):
    """The file is not accepted; the message says why, for the person who uploaded it."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


NOT_ALLOWED = _l("この種類のファイルは受け付けていません（PDF、画像、Excel、Word、PowerPoint のみ）。")
MACROS = _l("マクロを含むファイルは受け付けていません。マクロなしの形式で保存し直してください。")
TOO_COMPLEX = _l("ファイルの中身が大きすぎるか、項目が多すぎます。")
LEGACY = _l("古い Office 形式（.xls、.doc、.ppt）は受け付けていません。新しい形式で保存し直してください。")
DAMAGED = _l("ファイルが壊れているため読み取れません。元のファイルを確かめて、もう一度お試しください。")


def identify(stream: BinaryIO, allow_legacy_office: bool = False) -> FileType:
    """The allowed type the file in the seekable `stream` is, or Refused with the reason."""
    stream.seek(0)
    head = stream.read(8192)
    guess = filetype.guess(head)
    extension = guess.extension if guess else None
    if extension in ("zip", "xlsx", "docx", "pptx"):
        return TYPES[_inspect_ooxml(stream)]
    if extension in ("xls", "doc", "ppt") or head[:8] == olefile.MAGIC:
        if not allow_legacy_office:
            raise Refused(LEGACY)
        return TYPES[_inspect_ole(stream)]
    if extension in TYPES:
        return TYPES[extension]
    raise Refused(NOT_ALLOWED)


@contextmanager
def _reading_container() -> Iterator[None]:
    """Any error while reading a zip or OLE container means the file is damaged (or made to look
    so): a truncated file, a bad CRC, an unknown compression method, a password. It is refused."""
    try:
        yield
    except (Refused, BackendError, IntegrityError):
        raise  # the file's verdict, or the storage it is read from failing under it
    except Exception:  # zipfile, zlib and olefile raise many kinds of error on a hostile file
        raise Refused(DAMAGED) from None


def _inspect_ooxml(stream: BinaryIO) -> str:
    with _reading_container():
        stream.seek(0)
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise Refused(TOO_COMPLEX)
        if any(entry.file_size > MAX_RATIO * max(entry.compress_size, 1) for entry in entries):
            raise Refused(TOO_COMPLEX)
        names = {entry.filename.lower() for entry in entries}
        if any("vba" in name for name in names):
            raise Refused(MACROS)
        manifest = [entry for entry in entries if entry.filename.lower() == "[content_types].xml"]
        content_types = archive.read(manifest[0]) if manifest else b""
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise Refused(MACROS)
    kinds = {kind for part, kind in OOXML_PARTS.items() if part in names}
    if not content_types or len(kinds) != 1:
        raise Refused(NOT_ALLOWED)
    return kinds.pop()


def _inspect_ole(stream: BinaryIO) -> str:
    stream.seek(0)
    with _reading_container(), olefile.OleFileIO(stream) as ole:
        streams = ["/".join(path).lower() for path in ole.listdir(streams=True, storages=True)]
    if any("vba" in name or name.startswith("macros") or "_vba_project" in name for name in streams):
        raise Refused(MACROS)
    kinds = {OLE_STREAMS[name] for name in streams if name in OLE_STREAMS}
    if len(kinds) != 1:
        raise Refused(NOT_ALLOWED)
    return kinds.pop()
