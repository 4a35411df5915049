"""The audit log page, its results fragment and its exports, for the city and the administrators.

Reading the log is audited too: every page, search and export is an event naming the filters.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, request, url_for
from flask_babel import format_datetime
from flask_htmx import make_response as make_htmx_response

from portal.core.models import AuditEvent, User
from portal.core.query_args import int_arg
from portal.core.web import redirect_to, render, wants_fragment
from portal.staff import audit
from portal.staff.audit_log.export import EXPORT_MAX, export
from portal.staff.audit_log.search import NOBODY, NOT_OK, Filters, distinct_values, page
from portal.staff.audit_log.status import chain_status
from portal.staff.export_consent.guard import consent_required
from portal.staff.names import person_name

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


@bp.app_template_filter()
def audit_time(value: datetime) -> str:
    """A stored (UTC) time as read in Tokyo, to the second: events come seconds apart."""
    return format_datetime(value, "y/MM/dd HH:mm:ss")


def _read(filters: Filters, action: str, object_type: str = "audit-log") -> None:
    audit.record(
        action,
        outcome="invalid" if filters.problems() else "ok",
        object_type=object_type,
        object_id=filters.summary(),
    )


def _around_the_results() -> dict:
    """What the whole page shows besides the results: the chain's state and the form's choices."""
    return {
        "chain": chain_status(),
        "people": sorted(User.select(), key=person_name),
        "actions": distinct_values(AuditEvent.action),
        "outcomes": distinct_values(AuditEvent.outcome),
        "object_types": distinct_values(AuditEvent.object_type),
        "nobody": NOBODY,
        "not_ok": NOT_OK,
    }


@bp.get("/")
def index() -> Response:
    """The chain's state, the search form and a page of events; htmx gets only the results."""
    filters = Filters.from_args(request.args)
    problems = filters.problems()
    cursor = {name: value for name in ("before", "after") if (value := int_arg(name)) is not None}
    found = None if problems else page(filters, **cursor)
    response = render(
        "audit_log/index.html",
        fragment="audit_log/_results.html",
        filters=filters,
        problems=problems,
        found=found,
        export_max=EXPORT_MAX,
        **({} if wants_fragment() else _around_the_results()),
    )
    _read(filters, "audit_log.search" if filters.args() else "audit_log.view")
    if wants_fragment():  # the address bar shows the search, without the form's empty fields
        return make_htmx_response(response, push_url=url_for("audit_log.index", **filters.args(), **cursor))
    return response


def _export(kind: str) -> Response:
    filters = Filters.from_args(request.args)
    _read(filters, "audit_log.export", f"audit-log.{kind}")
    if filters.problems():
        return redirect_to(url_for("audit_log.index", **filters.args()))
    return export(filters, kind)


@bp.get("/export.csv")
@consent_required
def export_csv() -> Response:
    """The search's events as CSV for Excel."""
    return _export("csv")


@bp.get("/export.xlsx")
@consent_required
def export_xlsx() -> Response:
    """The search's events as a workbook."""
    return _export("xlsx")
