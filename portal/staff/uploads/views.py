"""/uploads: the browser's side of a file sent in chunks (portal/staff/storage/chunked.py).

POST /uploads/ begins an upload for an upload form (its `target`, the form's action) with the
file's `size` and `name`, and answers the address of its chunks and their size; PATCH there sends
the chunk at the `Upload-Offset` header's offset; GET /uploads/<id> asks how far it has come, to
resume. Each answer is JSON with the offset reached. An upload is its user's in the session that
began it: anyone else, another session included, gets the unknown-URL 404, as for a form its
role cannot use. Its chunks go through the gate like any request, one chunk to a request.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from portal import UPLOAD_CHUNK
from portal.core.models import ChunkedUpload
from portal.staff import audit
from portal.staff.permissions import allowed
from portal.staff.refusals import permitted, refuse
from portal.staff.storage import chunked
from portal.staff.storage.uploads import STORAGE_FAILED, too_large_message, too_much_in_progress_message
from portal.staff.upload_limit import UPLOAD_ATTRIBUTE, accepts_upload
from storage_backends import BackendError

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

MAX_NAME_SENT = 1000  # the name is cut to 120 characters when a form takes the file
OFFSET_HEADER = "Upload-Offset"


def _whole_number(text: str | None) -> int | None:
    """Digits only, as a browser sends a size or an offset; anything else is no number."""
    return int(text) if text and text.isascii() and text.isdigit() and len(text) <= 15 else None


def _answer(upload: ChunkedUpload, code: int = 200, **extra: object) -> Response:
    """Where the upload stands (and `extra`, such as an error), in the body and in a header."""
    response = jsonify(upload=str(upload.id), offset=upload.received, size=upload.size, **extra)
    response.status_code = code
    response.headers[OFFSET_HEADER] = str(upload.received)
    return response


def _refusal(code: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = code
    return response


def _purpose(target: str) -> str:
    """The upload form's endpoint that `target` (its action) names, if this user's role may use it."""
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint, _arguments = adapter.match(urlsplit(target).path, method="POST")
    except HTTPException:
        refuse("upload-form", None, missing=True)
    view = current_app.view_functions[endpoint]
    form_taking_files = getattr(view, UPLOAD_ATTRIBUTE, False) and not endpoint.startswith(f"{bp.name}.")
    if not form_taking_files or not allowed(endpoint, current_user.role):
        refuse("upload-form", None)
    return endpoint


def _own(upload_id: UUID) -> ChunkedUpload:
    """The upload, if this user began it in this session; else the audited 404."""
    found = ChunkedUpload.get_or_none(ChunkedUpload.id == upload_id)
    return permitted(current_user, found, chunked.is_theirs, "upload", upload_id)


@bp.post("/")
def start() -> Response:
    """Begin an upload of `size` bytes for the form at `target`."""
    purpose = _purpose(request.form.get("target", ""))
    size = _whole_number(request.form.get("size"))
    if not size:
        return _refusal(400, _("空のファイルは送れません。"))
    if size > current_app.config["PORTAL"].upload_max_bytes:
        return _refusal(413, too_large_message())
    name = request.form.get("name", "")[:MAX_NAME_SENT]
    try:
        upload = chunked.begin(current_user, current_user.staff_session, purpose, name, size)
    except chunked.TooMuchInProgress:
        # Worth an operator's look: an account sending more than one person's work needs.
        audit.record("upload.start", outcome="refused-cap", object_type="upload")
        return _refusal(413, too_much_in_progress_message())
    except BackendError:
        return _refusal(503, str(STORAGE_FAILED))
    audit.record("upload.start", object_type="upload", object_id=upload.id)
    status_address = url_for("uploads.status", upload_id=upload.id)
    chunks = url_for("uploads.chunk", upload_id=upload.id)
    response = _answer(upload, 201, url=chunks, status=status_address, chunk=UPLOAD_CHUNK)
    response.headers["Location"] = status_address
    return response


@bp.get("/<uuid:upload_id>")
def status(upload_id: UUID) -> Response:
    """How far the upload has come: where to resume."""
    return _answer(_own(upload_id))


@bp.patch("/<uuid:upload_id>/chunk")
@accepts_upload
def chunk(upload_id: UUID) -> Response:
    """The chunk at the offset the `Upload-Offset` header names."""
    upload = _own(upload_id)
    offset = _whole_number(request.headers.get(OFFSET_HEADER))
    if offset is None:
        return _answer(upload, 400, error=_("送る位置がありません。"))
    try:
        # The raw input, read once: receive_chunk reads no more than the chunk it expects, and
        # waitress has the body (at most REQUEST_BODY_LIMIT) in memory already.
        body = request.input_stream
        upload.received = chunked.receive_chunk(upload, offset, body, request.content_length or 0)
    except chunked.Conflict:
        return _answer(ChunkedUpload.get_by_id(upload.id), 409)
    except ValueError:
        return _answer(upload, 400, error=_("ファイルの区切りが正しくありません。"))
    except BackendError:
        return _answer(upload, 503, error=str(STORAGE_FAILED))
    return _answer(upload)
