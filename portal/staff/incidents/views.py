"""The city's incident pages: the list, registering one, its page (exposure, access history,
timeline) and the report it files (A4 print and workbook).

The operator reaches the list and the contact work (`contact_work.py`); everything else is the
city's (the permission table). Every view and change is audited by id.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.models import AffectedBusiness, Booking, Incident
from portal.core.web import redirect_to, render
from portal.staff import audit
from portal.staff.export_consent.guard import consent_required
from portal.staff.exports import XLSX
from portal.staff.incidents import access_history, affected, contacts, disclosure, registry, timeline
from portal.staff.incidents.forms import BusinessForm, IncidentForm, TimelineForm, numbers, stored_time
from portal.staff.permissions import allowed
from portal.staff.refusals import permitted

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
bp.add_app_template_filter(registry.label, "incident_label")


def incident_or_404(incident_id: int) -> Incident:
    """The incident, or the audited unknown-URL 404."""
    return permitted(
        current_user,
        Incident.get_or_none(Incident.id == incident_id),
        lambda *_: True,
        "incident",
        incident_id,
    )


@bp.get("/")
def index() -> Response:
    """Every incident with its status report: the city's overview and the operator's way in."""
    incidents = list(Incident.select().order_by(Incident.id.desc()))
    reports = {incident.id: contacts.status_report(contacts.states(incident)) for incident in incidents}
    audit.record("incident.list", object_type="incident")
    return render(
        "incidents/index.html",
        incidents=incidents,
        reports=reports,
        registers=allowed("incidents.register", current_user.role),
    )


@bp.route("/new", methods=["GET", "POST"])
def register() -> Response:
    """Register an incident; the businesses it affected are listed at once."""
    form = IncidentForm()
    if not form.validate_on_submit():
        return render("incidents/new.html", form=form)
    facts = registry.Facts(
        discovered_at=stored_time(form.discovered_at),
        discovered_how=form.discovered_how.data,
        discovery_note=(form.discovery_note.data or "").strip(),
        window_start=stored_time(form.window_start),
        window_end=stored_time(form.window_end),
        cause=form.cause.data.strip(),
        records=frozenset(numbers(form.records)),
        documents=frozenset(numbers(form.documents)),
        folders=frozenset(form.folders.data or ()),
        scope_organisation=form.scope_organisation.data,
        scope_role=form.scope_role.data or None,
    )
    incident = registry.register(facts, current_user)
    count = AffectedBusiness.select().where(AffectedBusiness.incident == incident.id).count()
    flash(_("事故を登録しました。影響を受けた事業者は%(count)d者です。", count=count))
    return redirect_to(url_for("incidents.incident", incident_id=incident.id))


def _page(
    incident: Incident, timeline_form: TimelineForm | None = None, business_form: BusinessForm | None = None
):
    found = affected.exposed(incident)
    accesses = access_history.accesses(incident, found)
    report = contacts.status_report(contacts.states(incident))
    audit.record("incident.view", object_type="incident", object_id=incident.id)
    return render(
        "incidents/incident.html",
        incident=incident,
        discovery=registry.DISCOVERY.get(incident.discovered_how, ""),
        discovery_note=registry.discovery_note(incident),
        cause=registry.cause(incident),
        exposures=list(incident.exposures),
        found=found,
        history=access_history.history(accesses),
        report=report,
        timeline=timeline.events(incident, accesses),
        timeline_form=timeline_form or TimelineForm(),
        business_form=business_form or BusinessForm(),
    )


@bp.get("/<int:incident_id>")
def incident(incident_id: int) -> Response:
    """The incident: its facts, what it exposed, every access in the window, its timeline."""
    return _page(incident_or_404(incident_id))


@bp.post("/<int:incident_id>/timeline")
def timeline_entry(incident_id: int) -> Response:
    """Add an event the system did not see to the timeline."""
    found = incident_or_404(incident_id)
    form = TimelineForm()
    if not form.validate_on_submit():
        return _page(found, timeline_form=form)
    timeline.add_entry(found, stored_time(form.at), form.text.data.strip(), current_user)
    flash(_("経過に追加しました。"))
    return redirect_to(url_for("incidents.incident", incident_id=found.id, _anchor="timeline"))


@bp.post("/<int:incident_id>/businesses/add")
def business_add(incident_id: int) -> Response:
    """Add the business of a booking found named in an exposed document."""
    found = incident_or_404(incident_id)
    form = BusinessForm()
    booking = Booking.get_or_none(Booking.reference == (form.reference.data or "").strip().upper())
    if form.validate_on_submit() and booking is None:
        form.reference.errors.append(_("この予約番号の予約はありません。"))
    if form.errors or booking is None:
        return _page(found, business_form=form)
    if registry.add_by_reference(found, booking):
        flash(_("事業者を追加しました。"))
    else:
        flash(_("この事業者はすでに一覧にあります。"))
    return redirect_to(url_for("incidents.businesses", incident_id=found.id))


def _report_parts(incident: Incident):
    found = affected.exposed(incident)
    states = contacts.states(incident)
    return (
        timeline.events(incident, access_history.accesses(incident, found)),
        contacts.status_report(states),
        states,
    )


@bp.get("/<int:incident_id>/print")
def timeline_print(incident_id: int) -> Response:
    """The report to the city on A4: the incident, the status report and the timeline."""
    found = incident_or_404(incident_id)
    events, report, _states = _report_parts(found)
    audit.record("incident.print", object_type="incident", object_id=found.id)
    return render(
        "incidents/print.html",
        incident=found,
        discovery=registry.DISCOVERY.get(found.discovered_how, ""),
        cause=registry.cause(found),
        report=report,
        timeline=events,
    )


@bp.get("/<int:incident_id>/report.xlsx")
@consent_required
def timeline_xlsx(incident_id: int) -> Response:
    """The same report as a workbook, with the affected businesses by name."""
    found = incident_or_404(incident_id)
    events, report, states = _report_parts(found)
    businesses = list(AffectedBusiness.select().where(AffectedBusiness.incident == found.id))
    names = disclosure.names(businesses, current_user)
    response = Response(timeline.workbook(found, events, report, states, names), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="incident-{found.id}.xlsx"'
    audit.record("incident.export", object_type="incident", object_id=found.id)
    return response
