"""Receiving an uploaded file: type decided by content, a display name made safe, then stored.

Every feature that accepts files (record attachments, library documents) calls `receive` and
writes its rows inside `holding`, so a refused type never stays in storage, the original name is
only ever display data (storage keys are random), and no object outlives a row that failed. A
file comes either in the form itself, identified in memory before it is stored, or sent before
in chunks (`upload_field.SentFile`), already stored and identified from its decrypted content.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from portal.core.database import write_transaction
from portal.core.models import StoredObject
from portal.staff.storage import chunked
from portal.staff.storage.filetypes import FileType, Refused, identify
from portal.staff.storage.transfer import object_store, store_stream
from portal.staff.storage.upload_field import SentFile
from storage_backends import BackendError

MAX_NAME = 120
FALLBACK_STEM = "添付ファイル"
SAME_TYPE = {"jpg": ("jpg", "jpeg")}
PATH_SEPARATORS = re.compile(r"[/\\]")
EDGES = re.compile(r"^[\s.]+|[\s.]+$")
STORAGE_FAILED = _l("ファイルを保存できませんでした。しばらくしてから、もう一度お試しください。")
BUSY = _l("このファイルは別の画面から登録しているところです。")
T = TypeVar("T")


@dataclass(frozen=True)
class Received:
    """A stored upload: its object, its allowed type and the name to show and download it as."""

    stored: StoredObject
    filetype: FileType
    filename: str


def _shown(c: str) -> bool:
    return unicodedata.category(c)[0] != "C" and unicodedata.category(c) not in ("Zl", "Zp")


def display_filename(raw: str | None, filetype: FileType) -> str:
    """The one rule for the name a person sees and downloads a file under, so it opens as what it is.

    The name is NFC; only its last path part (after either slash) is kept; control, format
    (direction-changing) and line or paragraph separator characters are dropped; leading and
    trailing dots and spaces go. A suffix that names the detected type (any case; .jpeg for jpg)
    is replaced by the type's extension, any other suffix stays part of the stem, and the stem is
    cut so the whole name is at most 120 characters. An empty stem becomes 添付ファイル.
    Japanese names stay as typed.
    """
    text = "".join(c for c in unicodedata.normalize("NFC", raw or "") if _shown(c))
    name = EDGES.sub("", PATH_SEPARATORS.split(text)[-1])
    extension = filetype.extension
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.lower() not in SAME_TYPE.get(extension, (extension,)):
        stem = name
    stem = EDGES.sub("", stem[: MAX_NAME - len(extension) - 1]) or FALLBACK_STEM
    return f"{stem}.{extension}"


def as_upload(data: bytes, filename: str) -> FileStorage:
    """Bytes made here (demo data) take the same path as a browser's upload."""
    return FileStorage(stream=io.BytesIO(data), filename=filename)


def size_label(size: int) -> str:
    """A size as a form states it: 2 GB, 50 MB, 64 KB (units of 1024; the number and the unit
    kept on one line)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g}\u00a0{unit}"
    return f"{size}\u00a0B"


def upload_limit() -> str:
    """PORTAL_UPLOAD_MAX_BYTES as a form states it."""
    return size_label(current_app.config["PORTAL"].upload_max_bytes)


def too_large_message() -> str:
    """The file is over PORTAL_UPLOAD_MAX_BYTES, said with the limit."""
    return _("ファイルが大きすぎます（上限 %(limit)s）。", limit=upload_limit())


def too_much_in_progress_message() -> str:
    """The user's unfinished uploads would pass chunked.in_progress_cap, said with the cap and
    what ends an unfinished upload."""
    return _(
        "送信途中のファイルが合わせて %(cap)s を超えるため、新しいファイルは送れません。"
        "送信中のファイルを送り終えてから送ってください（中断したファイルは %(hours)s 時間後に消えます）。",
        cap=size_label(chunked.in_progress_cap()),
        hours=current_app.config["PORTAL"].upload_abandon_hours,
    )


def receive(upload: FileStorage | SentFile, kind: str) -> Received:
    """Identify the upload (raising filetypes.Refused) and store it encrypted, or take the file
    sent in chunks (refused or not, the upload is gone afterwards)."""
    if isinstance(upload, SentFile):
        stored, filetype = chunked.take(upload.upload, kind)
        return Received(stored, filetype, display_filename(upload.filename, filetype))
    settings = current_app.config["PORTAL"]
    if upload.stream.seek(0, io.SEEK_END) > settings.upload_max_bytes:
        raise Refused(too_large_message())
    filetype = identify(upload.stream, settings.allow_legacy_office)
    upload.stream.seek(0)
    stored = store_stream(upload.stream, kind)
    return Received(stored, filetype, display_filename(upload.filename, filetype))


@contextmanager
def holding(received: Received) -> Iterator[Received]:
    """A transaction for the rows that hold a received object; if it fails, the object goes too."""
    try:
        with write_transaction():
            yield received
    except BaseException:
        object_store().destroy(received.stored)
        raise


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What came of an upload: its result, or why it failed (an audit outcome) and the status to answer."""

    result: T | None
    status: int = 200
    failure: str | None = None


def attempt_upload(form, action: Callable[[], T]) -> Attempt[T]:
    """Run an upload `action`; a refused type or a storage fault becomes a message on the form."""
    try:
        return Attempt(action())
    except Refused as refused:
        form.file.errors = [refused.message]
        return Attempt(None, 200, "refused-type")
    except BackendError:
        form.file.errors = [STORAGE_FAILED]
        return Attempt(None, 503, "storage-failed")
    except chunked.Conflict:
        form.file.errors = [BUSY]
        return Attempt(None, 409, "busy")
