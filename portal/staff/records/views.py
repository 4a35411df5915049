"""Record pages: the list, writing, reading, editing with conflicts, versions, deletion, grants."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from portal.core.dates import business_today
from portal.core.models import (
    Booking,
    ConsultationRecord,
    ConsultationSession,
    RecordGrant,
    RecordVersion,
    User,
)
from portal.core.models.reservations import BookingStatus
from portal.core.programmes import PROGRAMMES
from portal.core.reservations import bookings_with_places
from portal.core.web import redirect_to, render
from portal.staff import audit
from portal.staff.bookings.opening import opened
from portal.staff.confirm import ask, confirmed
from portal.staff.export_consent.guard import consent_required
from portal.staff.exports import csv_bytes, current_stamp
from portal.staff.names import person_name
from portal.staff.people import FIELDS
from portal.staff.records import content
from portal.staff.records.access import (
    bp,
    deletable,
    grantable,
    overseeable,
    readable,
    record_or_404,
    records_with_booking,
    writable,
)
from portal.staff.records.files import attachment_rows
from portal.staff.records.forms import AttachmentForm, DeleteForm, EditForm, GrantForm, RecordForm
from portal.staff.records.seen import seen_by
from portal.staff.refusals import refuse


@bp.app_template_filter()
def local_time(value: datetime) -> str:
    """A stored UTC time as read in Tokyo."""
    return format_datetime(value, "yyyy/MM/dd HH:mm")


@bp.app_template_filter()
def programme_names(codes: list[str]) -> str:
    """Programme codes as their names."""
    names = dict(PROGRAMMES)
    return "、".join(str(names.get(code, code)) for code in codes)


FOLLOW_UP_SOON = timedelta(days=7)  # a follow-up due within a week is flagged as coming


def listed():
    """The records the signed-in user may know exist (not their content), newest consultation first."""
    query = records_with_booking().where(ConsultationRecord.deleted_at.is_null())
    if current_user.role == "consultant":
        shared = RecordGrant.select(RecordGrant.record).where(
            RecordGrant.grantee == current_user.id, RecordGrant.revoked_at.is_null()
        )
        query = query.where(
            (ConsultationRecord.author == current_user.id) | ConsultationRecord.id.in_(shared)
        )
    return query.order_by(ConsultationSession.date.desc(), ConsultationSession.starts_at.desc())


def deleted_listed():
    """Deleted records: all of them for the city, a consultant's own; nothing for anyone else."""
    if current_user.role not in ("city", "consultant"):
        return []
    query = records_with_booking().where(ConsultationRecord.deleted_at.is_null(False))
    if current_user.role == "consultant":
        query = query.where(ConsultationRecord.author == current_user.id)
    return query.order_by(ConsultationRecord.deleted_at.desc())


def to_write():
    """A consultant's attended bookings up to today that have no record yet (a consultation on a
    later day has not happened, whatever its status says)."""
    if current_user.role != "consultant":
        return []
    return (
        bookings_with_places()
        .switch(Booking)
        .join(ConsultationRecord, JOIN.LEFT_OUTER, on=ConsultationRecord.booking == Booking.id)
        .where(
            ConsultationSession.consultant == current_user.id,
            ConsultationSession.date <= business_today(),
            Booking.status == BookingStatus.ATTENDED,
            ConsultationRecord.id.is_null(),
        )
        .order_by(ConsultationSession.date.desc(), ConsultationSession.starts_at.desc())
    )


@bp.get("")
def index() -> Response:
    """Records by consultation: content links for those who may read, the rest for scheduling."""
    records = list(listed())
    return render(
        "records/index.html",
        records=records,
        readable={record.id for record in records if readable(current_user, record)},
        pending=[(booking, opened(booking)) for booking in to_write()],
        deleted=deleted_listed(),
        today=business_today(),
        soon=business_today() + FOLLOW_UP_SOON,
    )


@bp.get("/follow-ups.csv")
@consent_required
def follow_ups_csv() -> Response:
    """The list as CSV for follow-up scheduling: references, dates and venues, never content."""
    header = [_("受付番号"), _("相談日"), _("会場"), _("相談員"), _("フォローアップの期日")]
    rows = [
        [
            record.booking.reference,
            record.booking.session.date,
            record.booking.session.venue.name,
            person_name(record.author),
            record.follow_up_due,
        ]
        for record in listed()
    ]
    audit.record("record.follow-ups-export")
    response = Response(csv_bytes(header, rows, stamp=current_stamp()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="follow-ups.csv"'
    return response


def _booking_to_record(booking_id: int) -> Booking:
    booking = bookings_with_places().where(Booking.id == booking_id).first()
    if (
        booking is None
        or booking.status != BookingStatus.ATTENDED
        or booking.session.consultant_id != current_user.id
        or booking.session.date > business_today()
    ):
        refuse("booking", booking_id, missing=booking is None)
    return booking


@bp.route("/new/<int:booking_id>", methods=["GET", "POST"])
def new(booking_id: int) -> Response:
    """The consultant who held an attended consultation writes its record (once)."""
    booking = _booking_to_record(booking_id)
    existing = ConsultationRecord.get_or_none(ConsultationRecord.booking == booking.id)
    if existing is not None:
        if existing.author_id != current_user.id:
            refuse("booking", booking_id, missing=False)
        return redirect_to(url_for("records.view", record_id=existing.id))
    form = RecordForm()
    if request.method == "GET":
        form.programmes.data = [code for code in booking.programmes.split(",") if code]
    elif form.validate_on_submit():
        try:
            record = content.create(booking, current_user, form.body())
        except content.AlreadyWritten:
            return redirect_to(url_for("records.new", booking_id=booking.id))
        audit.record("record.create", object_type="record", object_id=record.id)
        return redirect_to(url_for("records.view", record_id=record.id))
    return render(
        "records/form.html",
        booking=booking,
        person=opened(booking),
        profile_fields=FIELDS,
        form=form,
        record=None,
    )


def record_page(record: ConsultationRecord, **forms) -> Response:
    """The record with everything the reader may see and do; an audited view."""
    latest = content.version_of(record)
    audit.record("record.view", object_type="record", object_id=record.id)
    may_grant = grantable(current_user, record)
    grant_form = forms.pop("grant_form", None) or GrantForm(formdata=None)
    return render(
        "records/record.html",
        record=record,
        body=content.opened_body(latest),
        latest=latest,
        person=opened(record.booking),
        profile_fields=FIELDS,
        versions=record.versions.order_by(RecordVersion.version.desc()),
        attachments=attachment_rows(record),
        deletion_reason=content.deletion_reason(record),
        may_edit=writable(current_user, record),
        may_delete=deletable(current_user, record),
        may_oversee=overseeable(current_user, record),
        may_grant=may_grant,
        grants=grant_rows(record, grant_form) if may_grant else [],
        grant_form=grant_form,
        delete_form=forms.pop("delete_form", None) or DeleteForm(formdata=None),
        attachment_form=forms.pop("attachment_form", None) or AttachmentForm(formdata=None),
    )


@bp.get("/<int:record_id>")
def view(record_id: int) -> Response:
    """The record: the business (from the booking), what was discussed, files, versions."""
    return record_page(record_or_404(current_user, record_id, readable))


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
def edit(record_id: int) -> Response:
    """A new version on top of the one the edit started from; a concurrent edit is a conflict
    that keeps everything typed here and shows what the other edit saved."""
    record = record_or_404(current_user, record_id, writable)
    form = EditForm()
    latest = content.version_of(record)
    conflict = None
    if request.method == "GET":
        form.fill(content.opened_body(latest))
        form.base_version.data = record.version
    elif form.validate_on_submit():
        try:
            content.save(record, form.base_version.data, form.body(), current_user)
        except content.Conflict:
            latest = content.version_of(record_or_404(current_user, record_id, writable))
            conflict = content.opened_body(latest)
            form.base_version.raw_data, form.base_version.data = None, latest.version
            audit.record("record.edit", outcome="conflict", object_type="record", object_id=record.id)
        else:
            audit.record("record.edit", object_type="record", object_id=record.id)
            return redirect_to(url_for("records.view", record_id=record.id))
    return render(
        "records/form.html",
        booking=record.booking,
        person=opened(record.booking),
        profile_fields=FIELDS,
        form=form,
        record=record,
        conflict=conflict,
        latest=latest,
    )


@bp.get("/<int:record_id>/versions/<int:version>")
def version(record_id: int, version: int) -> Response:
    """An earlier version, read-only."""
    record = record_or_404(current_user, record_id, readable)
    row = content.version_of(record, version)
    if row is None:
        refuse("record", record_id, missing=True)
    audit.record("record.version.view", object_type="record", object_id=record.id)
    return render("records/version.html", record=record, row=row, body=content.opened_body(row))


@bp.post("/<int:record_id>/delete")
def delete(record_id: int) -> Response:
    """Soft delete with a reason, by the author or the city; the record stays until retention."""
    record = record_or_404(current_user, record_id, deletable)
    form = DeleteForm()
    if not form.validate_on_submit():
        return record_page(record, delete_form=form)
    if not confirmed():
        return ask(
            _("相談記録を削除しますか"),
            _("削除した記録は一覧に出なくなり、編集もできなくなります。保存期間が過ぎると消去されます。"),
            _("記録を削除する"),
            back=url_for("records.view", record_id=record.id),
            details=[(_("受付番号"), record.booking.reference), (_("削除の理由"), form.reason.data.strip())],
        )
    if content.delete(record, form.reason.data.strip(), current_user):
        audit.record("record.delete", object_type="record", object_id=record.id)
    return redirect_to(url_for("records.index"))


@bp.get("/<int:record_id>/viewers")
def viewers(record_id: int) -> Response:
    """Who has seen the record or its files, when and from where (from the audit log)."""
    record = record_or_404(current_user, record_id, overseeable)
    events = seen_by(record)
    audit.record("record.viewers", object_type="record", object_id=record.id)
    return render("records/viewers.html", "records/_viewers.html", record=record, events=events)


def grant_rows(record: ConsultationRecord, form: GrantForm) -> list[RecordGrant]:
    """The open grants, and the consultants the form may offer."""
    form.grantee.choices = [
        (user.id, person_name(user))
        for user in User.select()
        .where(User.role == "consultant", User.id != record.author_id, User.disabled_at.is_null())
        .order_by(User.email)
    ]
    return list(
        RecordGrant.select(RecordGrant, User)
        .join(User, on=RecordGrant.grantee == User.id)
        .where(RecordGrant.record == record.id, RecordGrant.revoked_at.is_null())
        .order_by(RecordGrant.granted_at)
    )
