"""The file field of every upload form: a file in the form itself, or one sent before in chunks.

Without JavaScript the file comes in the form (small files only: the server's body limit is
one chunk). With it, the browser sends the file in chunks first (`portal/staff/uploads/`) and
the form carries the upload's id in the same field instead. That id must name an upload of this
user in this session, begun for this very form, or the answer is the unknown-URL 404; a form
that comes back with a message keeps the upload, so the file is not sent again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation
from wtforms.widgets import FileInput

from portal.core.models import ChunkedUpload
from portal.staff.refusals import permitted
from portal.staff.storage.chunked import filename_of, is_theirs

UNFINISHED = _l("ファイルを最後まで送れていません。もう一度ファイルを選んで送ってください。")
SENT = _l("送信済みのファイル: %(name)s（別のファイルを選ぶと置き換わります）")


@dataclass(frozen=True)
class SentFile:
    """A file that arrived in chunks, as the form that takes it sees it."""

    upload: ChunkedUpload
    filename: str


class UploadInput(FileInput):
    """The file input, and once a file was sent in chunks, its id and name so the form keeps it."""

    def __call__(self, field, **kwargs) -> Markup:
        html = super().__call__(field, **kwargs)
        if not isinstance(field.data, SentFile):
            return html
        sent = field.data
        return html + Markup(
            f'<input type="hidden" name="{escape(field.name)}" value="{sent.upload.id}" data-sent-file>'
            f'<p class="hint">{escape(SENT % {"name": sent.filename})}</p>'
        )


def _upload_id(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None  # a file part without a file name comes as text: no file was chosen


class UploadField(FileField):
    """A FileStorage when the form carried the file, else the id of one sent in chunks (a UUID,
    which `FileRequiredOrSent` turns into a SentFile)."""

    widget = UploadInput()

    def process_formdata(self, valuelist) -> None:
        files = [value for value in valuelist if isinstance(value, FileStorage) and value]
        ids = [upload_id for upload_id in map(_upload_id, valuelist) if upload_id]
        if files or ids:
            self.data = (files or ids)[0]
        else:
            self.raw_data = ()


def _for_this_form(user, found: ChunkedUpload) -> bool:
    return is_theirs(user, found) and found.purpose == request.endpoint


def sent_file(upload_id: uuid.UUID) -> SentFile:
    """The upload, if this user sent it in this session for this form; else the 404."""
    found = ChunkedUpload.get_or_none(ChunkedUpload.id == upload_id)
    upload = permitted(current_user, found, _for_this_form, "upload", upload_id)
    return SentFile(upload, filename_of(upload))


class FileRequiredOrSent(FileRequired):
    """A file in the form, or a whole file sent in chunks for it."""

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, uuid.UUID):
            return super().__call__(form, field)
        sent = sent_file(field.data)
        if sent.upload.received < sent.upload.size:
            field.data = None
            raise StopValidation(UNFINISHED)
        field.data = sent
        return None
