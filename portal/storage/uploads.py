"""Receiving an uploaded file: type decided by content, a display name made safe, then stored.

Every feature that accepts files calls `receive`, so a refused type never reaches storage and
the original name is only ever display data (storage keys are random).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.models import StoredObject
from portal.storage.filetypes import FileType, identify
from portal.storage.transfer import store_stream

MAX_NAME = 120
SUFFIXES = {"jpg": {"jpg", "jpeg"}}


@dataclass(frozen=True)
class Received:
    """A stored upload: its object, its allowed type and the name to show and download it as."""

    stored: StoredObject
    filetype: FileType
    filename: str


def display_filename(raw: str | None, filetype: FileType) -> str:
    """The last path segment, without control or format characters, ending in the real type.

    Japanese names stay as typed; `../`, drive letters and either slash leave nothing behind.
    """
    text = unicodedata.normalize("NFC", raw or "").replace("\\", "/")
    name = "".join(c for c in text.rsplit("/", 1)[-1] if unicodedata.category(c)[0] != "C")
    name = name.strip().strip(". ") or "file"
    path = PurePosixPath(name)
    stem, suffix = (path.stem, path.suffix[1:].lower()) if path.suffix else (name, "")
    if suffix not in SUFFIXES.get(filetype.extension, {filetype.extension}):
        stem, suffix = name, filetype.extension
    return f"{stem[: MAX_NAME - len(suffix) - 1]}.{suffix}"


def receive(upload: FileStorage, kind: str) -> Received:
    """Identify the upload (raising filetypes.Refused) and store it encrypted."""
    upload.stream.seek(0)
    filetype = identify(upload.stream.read(), current_app.config["PORTAL"].allow_legacy_office)
    upload.stream.seek(0)
    stored = store_stream(upload.stream, kind)
    return Received(stored, filetype, display_filename(upload.filename, filetype))
