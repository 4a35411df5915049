"""Files sent in chunks: begun, sealed chunk by chunk into their object, resumed, taken by a form, swept.

An upload is begun with its declared size. Each chunk must arrive at the offset the upload has
reached: it is sealed on its own into its part of the object (`stream_parts`), written through
the backend's write in parts, and the offset moves on by compare-and-set in the database, so any
staff process may take any chunk, a chunk sent twice is refused the second time, and an
interrupted upload resumes from the offset the database holds. One writer at a time holds an
upload (`busy_until`), so two plaintexts are never sealed under the same nonce, unless a writer
outlasts its hold (WRITING) and the same chunk comes again with other bytes. The last chunk
completes the object; the form the file was sent for then takes it (`take`), which decides its
type from the decrypted content without writing plaintext anywhere, or the upload is discarded
with everything written for it. Uploads no chunk reached for PORTAL_UPLOAD_ABANDON_HOURS are
swept (`portal retention purge`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import BinaryIO

from flask import current_app
from peewee import fn

from portal import UPLOAD_CHUNK
from portal.core.database import write_transaction
from portal.core.models import ChunkedUpload, StaffSession, StoredObject, User
from portal.core.models.base import utcnow
from portal.staff import audit
from portal.staff.security.secrets_at_rest import secret_box
from portal.staff.storage import stream_aead
from portal.staff.storage.digests import DIGESTS, RunningDigests
from portal.staff.storage.filetypes import FileType, identify
from portal.staff.storage.objects import new_storage_key
from portal.staff.storage.stream_parts import SeekablePlaintext, position, seal_chunk
from portal.staff.storage.successors import SUCCESSORS, Successors
from portal.staff.storage.transfer import object_store
from storage_backends import Backend, BackendError

WRITING = timedelta(minutes=2)  # a chunk is sealed and written well within this, or given up
TAKING = timedelta(hours=1)  # a form checks and takes a whole file (hashing it again at worst)
IN_PROGRESS_FILES = 2  # what one user's unfinished uploads may hold: two of the largest files


class Conflict(Exception):
    """The chunk is not the one the upload waits for, or another request holds the upload."""


class TooMuchInProgress(Exception):
    """The user's unfinished uploads would hold more than one user may park; nothing was kept."""


def in_progress_cap() -> int:
    """The bytes one user's unfinished uploads may declare together."""
    return IN_PROGRESS_FILES * current_app.config["PORTAL"].upload_max_bytes


def _in_progress_bytes(user: User) -> int:
    return (
        ChunkedUpload.select(fn.COALESCE(fn.SUM(ChunkedUpload.size), 0))
        .where(ChunkedUpload.user == user.id)
        .scalar()
    )


def name_context(upload: ChunkedUpload) -> str:
    """A sealed name opens only on its upload."""
    return f"upload:{upload.id}:filename"


def filename_of(upload: ChunkedUpload) -> str:
    """The name the file was sent under (display data only)."""
    return secret_box().open(upload.filename, name_context(upload))


def _digests() -> RunningDigests:
    return current_app.extensions[DIGESTS]


def _successors() -> Successors:
    return current_app.extensions[SUCCESSORS]


def begin(user: User, session: StaffSession, purpose: str, filename: str, size: int) -> ChunkedUpload:
    """A new upload of `size` bytes for the form at endpoint `purpose`, reachable only by `user` in
    `session`; its part-wise write is begun and its data key wrapped like an object's.

    The user's unfinished uploads are counted after this one's row is written, and it is
    discarded if they pass the cap: of two begun at once, each counts the other unless that one
    has already given itself up, so no race lets a user park more than the cap, and no lock is
    held across the backend's call."""
    store = object_store()
    upload = ChunkedUpload(
        id=uuid.uuid4(),
        user=user.id,
        session=session.id,
        purpose=purpose,
        size=size,
        object_id=uuid.uuid4(),
        storage_key=new_storage_key(),
        backend=store.backend.name,
        nonce_prefix=os.urandom(stream_aead.PREFIX),
    )
    upload.filename = secret_box().seal(filename, name_context(upload))
    upload.handle = store.backend.begin_parts(upload.storage_key)
    try:
        store.keyring.wrap_and_save(os.urandom(32), upload)
    except BaseException:
        store.backend.abort_parts(upload.storage_key, upload.handle)
        raise
    if _in_progress_bytes(user) > in_progress_cap():
        discard(upload)
        raise TooMuchInProgress
    return upload


def is_theirs(user: User, upload: ChunkedUpload) -> bool:
    """Whether the upload is the signed-in `user`'s, begun in the session the request comes in."""
    return upload.user_id == user.id and upload.session_id == user.staff_session.id


def _hold(upload: ChunkedUpload, hold: timedelta, *conditions) -> str:
    """Make this request the upload's only writer for `hold`, if `conditions` are met; returns the
    token that proves it."""
    now, token = utcnow(), secrets.token_hex(16)
    held = (
        ChunkedUpload.update(busy_token=token, busy_until=now + hold)
        .where(
            ChunkedUpload.id == upload.id,
            ChunkedUpload.busy_until.is_null() | (ChunkedUpload.busy_until < now),
            *conditions,
        )
        .execute()
    )
    if not held:
        raise Conflict(upload.id)
    return token


def _let_go(upload: ChunkedUpload, token: str) -> None:
    ChunkedUpload.update(busy_token=None, busy_until=None).where(
        ChunkedUpload.id == upload.id, ChunkedUpload.busy_token == token
    ).execute()


def _backend(upload: ChunkedUpload) -> Backend:
    return object_store().backend_for(upload)


def _data_key(upload: ChunkedUpload) -> bytes:
    return object_store().keyring.unwrap(upload.kek_id, upload.wrapped_key, str(upload.object_id))


def expected_length(upload: ChunkedUpload, offset: int) -> int:
    """How long the chunk at `offset` must be: a whole chunk, or what is left of the file."""
    return min(UPLOAD_CHUNK, upload.size - offset)


def _read(body: BinaryIO, length: int) -> bytes:
    """`length` bytes of the body (in one read, as the server holds the whole body already)."""
    chunk = body.read(length)
    while len(chunk) < length:
        more = body.read(length - len(chunk))
        if not more:
            raise ValueError(f"the chunk ended after {len(chunk)} of {length} bytes")
        chunk += more
    return chunk


def _received(upload_id: uuid.UUID) -> int | None:
    return ChunkedUpload.select(ChunkedUpload.received).where(ChunkedUpload.id == upload_id).scalar()


def _after_predecessor(upload: ChunkedUpload, offset: int) -> ChunkedUpload:
    """The upload as it stands once the chunk before `offset` is written, if that is the chunk
    it waits for now (`successors`); else as it was."""
    if offset != upload.received + UPLOAD_CHUNK or offset >= upload.size:
        return upload
    _successors().wait_for(partial(_received, upload.id), upload.received)
    return ChunkedUpload.get_or_none(ChunkedUpload.id == upload.id) or upload


def receive_chunk(upload: ChunkedUpload, offset: int, body: BinaryIO, length: int) -> int:
    """Seal and write the chunk of `length` bytes in `body` that goes at `offset`, then move the
    upload on; returns the new offset. The chunk right after the one the upload waits for may
    first wait for it (`successors`).

    Raises Conflict if the upload is not at `offset` (or another request holds it) and
    ValueError if the chunk is not as long as it must be; nothing is written then.
    """
    if offset < upload.size and length != expected_length(upload, offset):  # before any wait
        raise ValueError(f"the chunk at {offset} must be {expected_length(upload, offset)} bytes")
    upload = _after_predecessor(upload, offset)
    if offset != upload.received or offset >= upload.size:
        raise Conflict(upload.id)
    token = _hold(upload, WRITING, ChunkedUpload.received == offset)
    reached = offset + length
    last, backend = reached == upload.size, _backend(upload)
    try:
        plaintext = _read(body, length)
        hashing = _digests().following(upload.id, offset, plaintext)
        sealed = seal_chunk(_data_key(upload), upload.nonce_prefix, offset, plaintext, last)
        where = position(offset) if offset else 0
        tag = backend.write_part(upload.storage_key, upload.handle, offset // UPLOAD_CHUNK, where, [sealed])
        tags = [*upload.tags.split(), tag] if tag else []
        if last:
            backend.complete_parts(upload.storage_key, upload.handle, tags)
        digest = hashing.result()
    except BaseException:
        _let_go(upload, token)
        raise
    with _digests().publishing(upload.id) as remember:  # the next chunk may begin once moved
        moved = (
            ChunkedUpload.update(
                received=reached,
                tags=" ".join(tags),
                sha256=digest.hexdigest() if last and digest else None,
                updated_at=utcnow(),
                busy_token=None,
                busy_until=None,
            )
            .where(ChunkedUpload.id == upload.id, ChunkedUpload.busy_token == token)
            .execute()
        )
        if moved:
            remember(reached, None if last else digest)
    if not moved:  # held past WRITING, and another request took over
        raise Conflict(upload.id)
    _successors().moved()
    return reached


def _sha256(backend: Backend, upload: ChunkedUpload, key: bytes) -> str:
    """The plaintext's SHA-256, read back through the whole object (every segment authenticated)."""
    digest, size = hashlib.sha256(), 0
    with backend.open(upload.storage_key) as stream:
        for segment in stream_aead.decrypt(key, stream):
            digest.update(segment)
            size += len(segment)
    if size != upload.size:
        raise stream_aead.IntegrityError("the object is not as long as the upload")
    return digest.hexdigest()


def take(upload: ChunkedUpload, kind: str) -> tuple[StoredObject, FileType]:
    """Turn a finished upload into a stored object of `kind`, once its type is known from its
    content; a refused type (filetypes.Refused) or a storage fault discards the upload whole.

    Raises Conflict before the last chunk, or if another request holds it.
    """
    token = _hold(upload, TAKING, ChunkedUpload.received == ChunkedUpload.size)
    store, backend = object_store(), _backend(upload)
    try:
        key = _data_key(upload)
        plaintext = SeekablePlaintext(partial(backend.read_range, upload.storage_key), key, upload.size)
        filetype = identify(plaintext, current_app.config["PORTAL"].allow_legacy_office)
        stored = StoredObject(
            id=upload.object_id,
            storage_key=upload.storage_key,
            backend=upload.backend,
            kind=kind,
            size=upload.size,
            sha256=upload.sha256 or _sha256(backend, upload, key),
            format=stream_aead.VERSION,
        )
        with write_transaction():
            store.keyring.wrap_and_save(key, stored)
            if not ChunkedUpload.delete().where(ChunkedUpload.busy_token == token).execute():
                raise Conflict(upload.id)  # held too long: the sweep has it
    except stream_aead.IntegrityError as error:
        _discard_or_let_go(upload, token)
        raise BackendError(f"upload {upload.id} does not authenticate") from error
    except BaseException:
        _discard_or_let_go(upload, token)
        raise
    return stored, filetype


def discard(upload: ChunkedUpload) -> None:
    """Remove what was written for the upload (its parts, or its completed object), then its row;
    if the backend fails, the row stays for the next sweep."""
    backend = _backend(upload)
    backend.abort_parts(upload.storage_key, upload.handle)
    backend.delete(upload.storage_key)
    ChunkedUpload.delete().where(ChunkedUpload.id == upload.id).execute()


def _discard_or_let_go(upload: ChunkedUpload, token: str) -> None:
    try:
        discard(upload)
    except Exception:  # the backend is down: the sweep removes it later
        _let_go(upload, token)


def sweep_abandoned(hours: int, now: datetime | None = None) -> tuple[int, int]:
    """Discard every upload that no chunk has reached for `hours` and nothing holds now; returns
    how many were removed and how many the backend failed to remove (they stay for the next run)."""
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    idle = ChunkedUpload.updated_at <= cutoff
    removed = failed = 0
    for upload in ChunkedUpload.select().where(idle):
        try:
            token = _hold(upload, WRITING, idle)
        except Conflict:
            continue  # a chunk or a form has it now
        try:
            discard(upload)
        except Exception:  # one upload's fault (the bucket unreachable) must not stop the rest
            _let_go(upload, token)
            failed += 1
            continue
        audit.record("upload.abandoned", object_type="upload", object_id=upload.id)
        removed += 1
    return removed, failed


def unfinished_writes() -> set[str]:
    """The backend handles of every upload's write in parts, which a backend's sweep must leave."""
    return {row.handle for row in ChunkedUpload.select(ChunkedUpload.handle)}
