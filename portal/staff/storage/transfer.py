"""The one upload path and the one download helper every feature uses.

Uploads: the server caps the request body (waitress's max_request_body_size, and the same
limit here), waitress keeps the body in memory below that cap, and file parts are parsed into
memory instead of Werkzeug's temporary files, so no plaintext reaches the disk; the bytes are
encrypted as they are read into storage. Downloads announce Content-Length and send each segment
only after it authenticated; if a later segment fails, the stream stops short and the server
drops the connection, so the client sees a failed transfer, never a shorter file.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from flask import Request, Response, current_app, request, stream_with_context

from portal.core.models import StoredObject
from portal.staff import audit
from portal.staff.storage.filetypes import TYPES
from portal.staff.storage.objects import ObjectStore
from portal.staff.storage.stream_aead import IntegrityError
from portal.waitress_bodies import handed_over

READ_SIZE = 1024 * 1024
SERVED_TYPES = {kind.mimetype: kind for kind in TYPES.values()}


class InMemoryFileRequest(Request):
    """File parts of a form go to memory, never to a temporary file on disk."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


def object_store() -> ObjectStore:
    """The staff zone's object store."""
    return current_app.extensions["portal.objects"]


def read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """An uploaded stream in pieces."""
    while chunk := stream.read(READ_SIZE):
        yield chunk


def store_stream(stream: BinaryIO, kind: str) -> StoredObject:
    """Encrypt and store an uploaded file's stream."""
    return object_store().store(read_chunks(stream), kind)


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text).strip("._")


def content_disposition(filename: str, inline: bool = False) -> str:
    """RFC 6266 with an ASCII fallback that keeps the extension, and the UTF-8 `filename*`
    (Japanese names stay readable)."""
    cleaned = "".join(c for c in filename if unicodedata.category(c)[0] != "C").strip() or "download"
    stem, dot, extension = cleaned.rpartition(".")
    stem, extension = (stem, _ascii(extension)) if dot else (cleaned, "")
    fallback = (_ascii(stem) or "download") + (f".{extension}" if extension else "")
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def send_object(stored: StoredObject, filename: str, mimetype: str, inline: bool = False) -> Response:
    """Stream an object's plaintext to the client: only as a type on the allow-list, and shown in
    the browser (`inline`) only if that type is safe to preview."""
    kind = SERVED_TYPES.get(mimetype)
    if kind is None or (inline and not kind.previewable):
        raise ValueError(f"{mimetype} is not served {'inline' if inline else 'at all'}")
    store = object_store()
    segments = store.read(stored)

    def body() -> Iterator[bytes]:
        sent = 0
        try:
            for segment in segments:
                sent += len(segment)
                if sent > stored.size:
                    raise IntegrityError("the object is longer than its recorded size")
                yield segment
            if sent != stored.size:
                raise IntegrityError("the object is shorter than its recorded size")
        except IntegrityError:
            audit.record(
                "object.integrity-failure", outcome="aborted", object_type="object", object_id=stored.id
            )
            raise

    pieces = handed_over(request.environ, body(), stored.size)
    response = Response(stream_with_context(pieces), mimetype=mimetype, direct_passthrough=True)
    response.call_on_close(segments.close)
    response.content_length = stored.size
    response.headers["Content-Disposition"] = content_disposition(filename, inline)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
