"""Sending a file in chunks as the portal's script does, through a Flask test client, and looking
at what storage holds meanwhile."""

from __future__ import annotations

from portal import UPLOAD_CHUNK
from portal.core.database import database
from portal.core.models import ChunkedUpload, StoredObject
from storage_backends.local import PARTS_DIR, LocalBackend


def begin(client, token: str, target: str, size: int, name: str = "相談記録.pdf"):
    """Ask to send a file of `size` bytes for the form whose action is `target`."""
    return client.post(
        "/uploads/", data={"target": target, "size": str(size), "name": name}, headers={"X-CSRFToken": token}
    )


def send(client, token: str, url: str, offset: int, data: bytes):
    """One chunk at `offset`."""
    headers = {"X-CSRFToken": token, "Upload-Offset": str(offset)}
    return client.patch(url, data=data, headers=headers, content_type="application/offset+octet-stream")


def pieces(data: bytes, start: int = 0) -> list[tuple[int, bytes]]:
    """The chunks of `data` from offset `start`, as the script cuts them."""
    return [
        (offset, data[offset : offset + UPLOAD_CHUNK]) for offset in range(start, len(data), UPLOAD_CHUNK)
    ]


def send_file(client, token: str, target: str, data: bytes, name: str = "相談記録.pdf") -> str:
    """Begin an upload and send every chunk; returns the upload's id."""
    started = begin(client, token, target, len(data), name)
    assert started.status_code == 201, started.text
    for offset, piece in pieces(data):
        sent = send(client, token, started.json["url"], offset, piece)
        assert sent.status_code == 200, sent.text
    return started.json["upload"]


def documents_of(folder: int) -> str:
    """The library's upload form for a new document in `folder`."""
    return f"/library/folders/{folder}/documents"


def submit_document(client, token: str, folder: int, upload_id: str, title: str = "添付"):
    """The library's form for a new document, carrying the id of a file sent in chunks."""
    return client.post(documents_of(folder), data={"csrf_token": token, "title": title, "file": upload_id})


def unfinished_parts(app) -> int:
    """Writes in parts the backend holds: partial files, or the bucket's multipart uploads."""
    backend = app.extensions["portal.objects"].backend
    if isinstance(backend, LocalBackend):
        return len(list((backend.root / PARTS_DIR).iterdir()))
    return len(backend.client._list_multipart_uploads(backend.bucket).uploads)


def kept(app) -> tuple[int, int, int, int]:
    """Uploads in the database, objects' rows, objects in the backend and writes in parts."""
    with app.app_context(), database.connection_context():
        return (
            ChunkedUpload.select().count(),
            StoredObject.select().count(),
            len(list(app.extensions["portal.objects"].backend.list())),
            unfinished_parts(app),
        )
