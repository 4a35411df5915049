"""The city's page of consents to exports, one line per organisation, and the switch for each.

City users only (the permission table); every decision is audited by the service.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.i18n import long_date
from portal.core.models import Organisation
from portal.core.web import redirect_to, render
from portal.staff.export_consent.forms import ConsentForm
from portal.staff.export_consent.service import current, current_by_organisation, decide, history
from portal.staff.refusals import refuse

bp = Blueprint("export_consent", __name__, url_prefix="/export-consents")


@bp.get("/")
def index() -> Response:
    """Every organisation with the decision in force for it, and whether exports work today."""
    return render(
        "export_consent/index.html",
        organisations=Organisation.select().order_by(Organisation.name),
        consents=current_by_organisation(),
        today=business_today(),
    )


def _form(organisation: Organisation) -> ConsentForm:
    """The form, showing the decision in force until something is sent; the reason is asked afresh."""
    form = ConsentForm()
    found = current(organisation.id)
    if request.method == "GET" and found is not None:
        form.switch.data = "on" if found.allowed else "off"
        form.starts_on.data, form.ends_on.data = found.starts_on, found.ends_on
    return form


def _said(organisation: Organisation, form: ConsentForm) -> str:
    decision = form.decision()
    if decision.allowed:
        return _(
            "%(organisation)s による個人情報を含む出力に、%(first)s から %(last)s まで同意しました。",
            organisation=organisation.name,
            first=long_date(decision.starts_on),
            last=long_date(decision.ends_on),
        )
    return _(
        "%(organisation)s による個人情報を含む出力への同意を止めました。", organisation=organisation.name
    )


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
def edit(organisation_id: int) -> Response:
    """Switch one organisation's consent on (for a period) or off, with a reason; its history below."""
    organisation = Organisation.get_or_none(Organisation.id == organisation_id)
    if organisation is None:
        refuse("organisation", organisation_id, missing=True)
    form = _form(organisation)
    if form.validate_on_submit():
        decide(organisation, form.decision(), current_user)
        flash(_said(organisation, form))
        return redirect_to(url_for("export_consent.index"))
    return render(
        "export_consent/edit.html",
        organisation=organisation,
        form=form,
        history=history(organisation),
        today=business_today(),
    )
