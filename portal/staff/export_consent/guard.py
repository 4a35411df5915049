"""One check for every export that carries personal data: `@consent_required` on its view, and
`may_export()` in its page's template to show the links only when the file would be given."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, request
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.web import render
from portal.staff import audit
from portal.staff.export_consent.service import current, may_export


def consent_required(view: Callable[..., Response]) -> Callable[..., Response]:
    """Run the export only while the exporter's organisation holds the city's consent; otherwise a
    page that says why, and the refusal audited (named by the export's endpoint; the actor's
    organisation is the one without consent)."""

    @wraps(view)
    def guarded(*args, **kwargs) -> Response:
        if may_export(current_user):
            return view(*args, **kwargs)
        audit.record(
            "export.refused",
            outcome="no-consent",
            object_type=(request.endpoint or "")[:40] or None,
        )
        found = current(current_user.organisation_id)
        return render("export_consent/refused.html", status=403, consent=found, today=business_today())

    return guarded


def init_app(app: Flask) -> None:
    """Templates ask `may_export()` before offering an export link."""
    app.jinja_env.globals["may_export"] = lambda: may_export(current_user)
