"""The monitoring dashboard: one page, its figures refreshed in place when the filter changes.

The city and the operator reach it (the permission table); it shows counts only, no personal data.
"""

from __future__ import annotations

from flask import Blueprint, Response

from portal.core.dates import business_today
from portal.core.web import render
from portal.staff.monitoring.dashboard import choices, requested_scope, shown

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


@bp.get("/")
def dashboard() -> Response:
    """The figures for the period, venue and ward asked for; only the figures for htmx."""
    today = business_today()
    scope = requested_scope(today)
    return render(
        "monitoring/dashboard.html", fragment="monitoring/_figures.html", **choices(), **shown(scope, today)
    )
