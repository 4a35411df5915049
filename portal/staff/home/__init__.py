"""The staff home: where each role starts its day, and what it must know about accounts."""

from flask import Blueprint, Response
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.web import render
from portal.staff.account_notices import shown_to
from portal.staff.approvals.service import APPROVER_ROLE
from portal.staff.approvals.views import waiting
from portal.staff.roles import ROLE_LABELS

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    """The signed-in home page: notices about accounts, and a city user's accounts awaiting approval."""
    approvals = waiting() if current_user.role == APPROVER_ROLE else {}
    context = {"role_labels": ROLE_LABELS, **approvals}
    return render("home/index.html", today=business_today(), notices=shown_to(current_user), **context)
