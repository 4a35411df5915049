"""The apology work, shared by the city and the operator: the affected businesses with the status
report, one business's entries, recording an entry, and revealing its contact details."""

from __future__ import annotations

from flask import Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.models import AffectedBusiness, Booking
from portal.core.web import redirect_to, render
from portal.staff import audit
from portal.staff.incidents import contacts, disclosure
from portal.staff.incidents.forms import ContactForm
from portal.staff.incidents.views import bp, incident_or_404
from portal.staff.refusals import permitted


def business_or_404(incident_id: int, business_id: int) -> AffectedBusiness:
    """The incident's business, or the audited unknown-URL 404 (a business of another incident too)."""
    incident = incident_or_404(incident_id)
    found = (
        AffectedBusiness.select(AffectedBusiness, Booking)
        .join(Booking, on=AffectedBusiness.booking == Booking.id)
        .where(AffectedBusiness.id == business_id)
        .first()
    )
    return permitted(
        current_user, found, lambda _user, b: b.incident_id == incident.id, "incident-business", business_id
    )


@bp.get("/<int:incident_id>/businesses")
def businesses(incident_id: int) -> Response:
    """The affected businesses, where each stands, and the status report."""
    incident = incident_or_404(incident_id)
    rows = list(
        AffectedBusiness.select(AffectedBusiness, Booking)
        .join(Booking, on=AffectedBusiness.booking == Booking.id)
        .where(AffectedBusiness.incident == incident.id)
        .order_by(Booking.reference)
    )
    states = contacts.states(incident)
    audit.record("incident.businesses", object_type="incident", object_id=incident.id)
    return render(
        "incidents/businesses.html",
        incident=incident,
        rows=rows,
        states=states,
        names=disclosure.names(rows, current_user),
        report=contacts.status_report(states),
        kinds=contacts.KINDS,
    )


def _page(business: AffectedBusiness, form: ContactForm | None = None, contact=None) -> Response:
    """The business's page (its entries' notes opened), audited as a view however it was reached."""
    audit.record("incident.business", object_type="incident-business", object_id=business.id)
    entries = contacts.entries_of(business)
    return render(
        "incidents/business.html",
        "incidents/_contact.html" if contact else None,
        incident=business.incident,
        business=business,
        entries=[(entry, contacts.note_of(entry)) for entry in entries],
        state=contacts.states(business.incident)[business.id],
        form=form or ContactForm(),
        kinds=contacts.KINDS,
        reasons=contacts.REASONS,
        contact=contact,
    )


@bp.get("/<int:incident_id>/businesses/<int:business_id>")
def business(incident_id: int, business_id: int) -> Response:
    """One business: every entry, who made it and when, and the form for the next one."""
    return _page(business_or_404(incident_id, business_id))


@bp.post("/<int:incident_id>/businesses/<int:business_id>/entries")
def contact_entry(incident_id: int, business_id: int) -> Response:
    """Record a call, a letter, or a visit judged needed, made or refused."""
    found = business_or_404(incident_id, business_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _page(found, form)
    contacts.record_entry(
        found, form.kind.data, form.reason.data or None, (form.note.data or "").strip(), current_user
    )
    flash(_("対応を記録しました。"))
    return redirect_to(url_for("incidents.business", incident_id=incident_id, business_id=found.id))


@bp.post("/<int:incident_id>/businesses/<int:business_id>/reveal")
def reveal(incident_id: int, business_id: int) -> Response:
    """The business's name, contact person and phone number, for the call about to be made."""
    found = business_or_404(incident_id, business_id)
    return _page(found, contact=disclosure.reveal(found.booking))
