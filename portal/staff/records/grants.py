"""Grants: the city lets another consultant read a record, and takes it back; both audited."""

from __future__ import annotations

from flask import Response, url_for
from flask_login import current_user

from portal.core.models import ConsultationRecord
from portal.core.web import htmx, redirect_to, render
from portal.staff import audit
from portal.staff.records import content
from portal.staff.records.access import bp, grantable, is_city, record_or_404
from portal.staff.records.forms import GrantForm
from portal.staff.records.views import grant_rows, record_page
from portal.staff.refusals import refuse


def _grants_changed(record: ConsultationRecord, form: GrantForm | None = None) -> Response:
    form = form or GrantForm(formdata=None)
    if htmx:
        return render("records/_grants.html", record=record, grants=grant_rows(record, form), grant_form=form)
    if form.errors:
        return record_page(record, grant_form=form)
    return redirect_to(url_for("records.view", record_id=record.id))


@bp.post("/<int:record_id>/grants")
def grant(record_id: int) -> Response:
    """The city lets another consultant read this record."""
    record = record_or_404(current_user, record_id, grantable)
    form = GrantForm()
    grant_rows(record, form)
    if not form.validate_on_submit():
        return _grants_changed(record, form)
    given = content.grant(record, form.grantee.data, current_user)
    audit.record("record.grant", object_type="record-grant", object_id=given.id)
    return _grants_changed(record)


@bp.post("/<int:record_id>/grants/<int:grant_id>/revoke")
def revoke(record_id: int, grant_id: int) -> Response:
    """The city takes a grant back; the consultant's next request is refused."""
    record = record_or_404(current_user, record_id, is_city)
    if not content.revoke(grant_id, record, current_user):
        refuse("record-grant", grant_id, missing=True)
    audit.record("record.revoke", object_type="record-grant", object_id=grant_id)
    return _grants_changed(record)
