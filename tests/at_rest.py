"""What the object storage holds, read raw the way someone with the disk or the bucket would, and
the check that none of it is a file's plaintext."""

from __future__ import annotations

from storage_backends.local import LocalBackend
from storage_backends.minio import MinioBackend


def pieces(data: bytes) -> list[bytes]:
    """Three 32-byte windows from inside a file: enough to recognise it, never a common header."""
    return [data[i : i + 32] for i in (len(data) // 4, len(data) // 2, 3 * len(data) // 4) if len(data) > 96]


def raw_objects(app) -> dict[str, bytes]:
    """Every stored object's bytes: the files under the local folder, or each object in the bucket
    fetched with the S3 client itself (not through the portal's reading code)."""
    backend = app.extensions["portal.objects"].backend
    if isinstance(backend, LocalBackend):
        return {str(p): p.read_bytes() for p in backend.root.rglob("*") if p.is_file()}
    assert isinstance(backend, MinioBackend), backend
    found = {}
    for item in backend.client.list_objects(backend.bucket, recursive=True):
        response = backend.client.get_object(backend.bucket, item.object_name)
        try:
            found[item.object_name] = response.read()
        finally:
            response.close()
            response.release_conn()
    return found


def assert_only_ciphertext(app, *plaintexts: bytes) -> None:
    """The storage holds objects, and none holds a piece of any of `plaintexts` or starts like a
    known file type."""
    objects = raw_objects(app)
    assert objects, "the storage holds the uploaded objects"
    for where, data in objects.items():
        assert not any(piece in data for plain in plaintexts for piece in pieces(plain)), where
        assert not data.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG")), where
