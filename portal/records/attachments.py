"""Attachment routes: upload with progress, download and preview through the gate, soft delete.

Every download and preview is an audit event; a preview is offered for PDF and images only.
"""

from __future__ import annotations

from uuid import UUID

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit
from portal.database import write_transaction
from portal.models import ConsultationRecord, RecordAttachment
from portal.models.base import utcnow
from portal.records.access import bp, readable, record_or_404, refuse, writable
from portal.records.files import RecordGone, attachment_rows, file_type, name_of, store_attachment
from portal.records.forms import AttachmentForm
from portal.records.views import record_page
from portal.storage.filetypes import Refused
from portal.storage.transfer import accepts_upload, send_object
from portal.web import htmx, not_found, redirect_to, render
from storage_backends import BackendError


def _section(record: ConsultationRecord, form: AttachmentForm, status: int = 200) -> Response:
    """htmx swaps the attachments section; without JavaScript the record page comes back."""
    if not htmx:
        response = record_page(record, attachment_form=form)
        response.status_code = status
        return response
    return render(
        "records/_attachments.html",
        status=status,
        record=record,
        attachments=attachment_rows(record),
        attachment_form=form,
        may_edit=writable(record),
    )


@bp.post("/<int:record_id>/attachments")
@accepts_upload
def upload(record_id: int) -> Response:
    """Attach a file to the author's own record; a refused file is answered with the reason."""
    record = record_or_404(record_id, "attachment.upload", writable)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _section(record, form)
    try:
        attachment = store_attachment(record, form.file.data)
    except Refused as refused:
        audit.record("attachment.upload", outcome="refused-type", object_type="record", object_id=record.id)
        form.file.errors.append(refused.message)
        return _section(record, form)
    except RecordGone:
        not_found()
    except BackendError:
        audit.record("attachment.upload", outcome="storage-failed", object_type="record", object_id=record.id)
        form.file.errors.append(_("ファイルを保存できませんでした。時間をおいて、もう一度お試しください。"))
        return _section(record, form, status=503)
    audit.record("attachment.upload", object_type="attachment", object_id=attachment.id)
    if not htmx:
        return redirect_to(url_for("records.view", record_id=record.id))
    return _section(record, AttachmentForm(formdata=None))


def _attachment_or_404(record_id: int, attachment_id: UUID, action: str, rule) -> RecordAttachment:
    """The attachment, if it is on this record, not deleted, and the rule lets the user reach it."""
    attachment = RecordAttachment.get_or_none(
        RecordAttachment.id == attachment_id,
        RecordAttachment.record == record_id,
        RecordAttachment.deleted_at.is_null(),
    )
    record = ConsultationRecord.get_or_none(ConsultationRecord.id == record_id) if attachment else None
    if record is None or record.deleted_at is not None or not rule(record):
        refuse(action, "attachment", attachment_id, missing=record is None)
    return attachment


@bp.get("/<int:record_id>/attachments/<uuid:attachment_id>")
def download(record_id: int, attachment_id: UUID) -> Response:
    """The file as a download, streamed and decrypted as it goes."""
    attachment = _attachment_or_404(record_id, attachment_id, "attachment.download", readable)
    audit.record("attachment.download", object_type="attachment", object_id=attachment.id)
    return send_object(attachment.stored, name_of(attachment), file_type(attachment).mimetype)


@bp.get("/<int:record_id>/attachments/<uuid:attachment_id>/preview")
def preview(record_id: int, attachment_id: UUID) -> Response:
    """A PDF or an image shown in the browser, under the same rules as a download."""
    attachment = _attachment_or_404(record_id, attachment_id, "attachment.preview", readable)
    kind = file_type(attachment)
    if not kind.previewable:
        refuse("attachment.preview", "attachment", attachment_id, missing=True)
    audit.record("attachment.preview", object_type="attachment", object_id=attachment.id)
    return send_object(attachment.stored, name_of(attachment), kind.mimetype, inline=True)


@bp.post("/<int:record_id>/attachments/<uuid:attachment_id>/delete")
def delete_attachment(record_id: int, attachment_id: UUID) -> Response:
    """The author takes a file off the record (soft delete: the object stays until retention)."""
    attachment = _attachment_or_404(record_id, attachment_id, "attachment.delete", writable)
    with write_transaction():
        RecordAttachment.update(deleted_at=utcnow(), deleted_by=current_user.id).where(
            RecordAttachment.id == attachment.id
        ).execute()
    audit.record("attachment.delete", object_type="attachment", object_id=attachment.id)
    record = record_or_404(record_id, "attachment.delete", writable)
    if not htmx:
        return redirect_to(url_for("records.view", record_id=record.id))
    return _section(record, AttachmentForm(formdata=None))
