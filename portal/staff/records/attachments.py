"""Attachment routes: upload with progress, download and preview through the gate, soft delete.

Every download and preview is an audit event; a preview is offered for PDF and images only.
"""

from __future__ import annotations

from uuid import UUID

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.database import write_transaction
from portal.core.models import ConsultationRecord, RecordAttachment
from portal.core.models.base import utcnow
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff.confirm import ask, confirmed
from portal.staff.records.access import Rule, bp, readable, record_or_404, writable
from portal.staff.records.files import RecordGone, attachment_rows, file_type, name_of, store_attachment
from portal.staff.records.forms import AttachmentForm
from portal.staff.records.views import record_page
from portal.staff.refusals import permitted, refuse
from portal.staff.storage.transfer import send_object
from portal.staff.storage.uploads import attempt_upload
from portal.staff.upload_limit import accepts_upload


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
        may_edit=writable(current_user, record),
    )


@bp.post("/<int:record_id>/attachments")
@accepts_upload
def upload(record_id: int) -> Response:
    """Attach a file to the author's own record; a refused file is answered with the reason."""
    record = record_or_404(current_user, record_id, writable)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _section(record, form)
    try:
        attempt = attempt_upload(form, lambda: store_attachment(record, form.file.data))
    except RecordGone:
        not_found()
    if attempt.failure:
        audit.record("attachment.upload", outcome=attempt.failure, object_type="record", object_id=record.id)
        return _section(record, form, status=attempt.status)
    audit.record("attachment.upload", object_type="attachment", object_id=attempt.result.id)
    if not htmx:
        return redirect_to(url_for("records.view", record_id=record.id))
    return _section(record, AttachmentForm(formdata=None))


def _attachment_or_404(record_id: int, attachment_id: UUID, rule: Rule) -> RecordAttachment:
    """The attachment, if it is on this record, not deleted, and the rule lets the user reach it."""
    attachment = RecordAttachment.get_or_none(
        RecordAttachment.id == attachment_id,
        RecordAttachment.record == record_id,
        RecordAttachment.deleted_at.is_null(),
    )
    record = ConsultationRecord.get_or_none(ConsultationRecord.id == record_id) if attachment else None
    permitted(
        current_user,
        record,
        lambda user, found: found.deleted_at is None and rule(user, found),
        "attachment",
        attachment_id,
    )
    return attachment


@bp.get("/<int:record_id>/attachments/<uuid:attachment_id>")
def download(record_id: int, attachment_id: UUID) -> Response:
    """The file as a download, streamed and decrypted as it goes."""
    attachment = _attachment_or_404(record_id, attachment_id, readable)
    audit.record("attachment.download", object_type="attachment", object_id=attachment.id)
    return send_object(attachment.stored, name_of(attachment), file_type(attachment).mimetype)


@bp.get("/<int:record_id>/attachments/<uuid:attachment_id>/preview")
def preview(record_id: int, attachment_id: UUID) -> Response:
    """A PDF or an image shown in the browser, under the same rules as a download."""
    attachment = _attachment_or_404(record_id, attachment_id, readable)
    kind = file_type(attachment)
    if not kind.previewable:
        refuse("attachment", attachment_id, missing=True)
    audit.record("attachment.preview", object_type="attachment", object_id=attachment.id)
    return send_object(attachment.stored, name_of(attachment), kind.mimetype, inline=True)


@bp.post("/<int:record_id>/attachments/<uuid:attachment_id>/delete")
def delete_attachment(record_id: int, attachment_id: UUID) -> Response:
    """The author takes a file off the record (soft delete: the object stays until retention)."""
    attachment = _attachment_or_404(record_id, attachment_id, writable)
    if not confirmed():
        return ask(
            _("添付ファイルを削除しますか"),
            _("削除したファイルは記録から外れ、ダウンロードできなくなります。"),
            _("ファイルを削除する"),
            back=url_for("records.view", record_id=record_id),
            details=[(_("ファイル名"), name_of(attachment))],
        )
    with write_transaction():
        RecordAttachment.update(deleted_at=utcnow(), deleted_by=current_user.id).where(
            RecordAttachment.id == attachment.id
        ).execute()
    audit.record("attachment.delete", object_type="attachment", object_id=attachment.id)
    record = record_or_404(current_user, record_id, writable)
    if not htmx:
        return redirect_to(url_for("records.view", record_id=record.id))
    return _section(record, AttachmentForm(formdata=None))
