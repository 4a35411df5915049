"""The approvals page: a city user approves or rejects another person's grant of a role."""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from flask_login import current_user

from portal.core.models import AccountApproval
from portal.core.web import htmx, redirect_to, render
from portal.staff.approvals.labels import REASON_LABELS
from portal.staff.approvals.service import decide, may_decide, open_requests
from portal.staff.refusals import permitted, refuse
from portal.staff.roles import ROLE_LABELS

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


def waiting() -> dict:
    """What the list of waiting requests shows, here and on the city's home page."""
    return {
        "approvals": list(open_requests()),
        "may_decide": may_decide,
        "role_labels": ROLE_LABELS,
        "reason_labels": REASON_LABELS,
    }


@bp.get("/")
def index() -> Response:
    """Every request waiting for a city user's decision."""
    return render("approvals/index.html", **waiting())


@bp.post("/<int:approval_id>/approve")
def approve(approval_id: int) -> Response:
    """The account may use the role it was given."""
    return _decide(approval_id, approve=True)


@bp.post("/<int:approval_id>/reject")
def reject(approval_id: int) -> Response:
    """The account stays out, disabled."""
    return _decide(approval_id, approve=False)


def _decide(approval_id: int, *, approve: bool) -> Response:
    """Refused like an unknown URL unless the request is open and this user may decide it."""
    found = open_requests().where(AccountApproval.id == approval_id).first()
    approval = permitted(current_user, found, may_decide, "approval", approval_id)
    if not decide(approval, current_user, approve):
        refuse("approval", approval_id, missing=True)
    if htmx:
        return render("approvals/_decided.html", approval=approval)
    return redirect_to(url_for("approvals.index"))
