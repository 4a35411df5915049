"""The staff home: where each role starts its day."""

from flask import Blueprint, Response
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.web import render
from portal.staff.approvals.service import APPROVER_ROLE
from portal.staff.approvals.views import waiting

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    """The signed-in home page; a city user also sees the accounts waiting for approval."""
    approvals = waiting() if current_user.role == APPROVER_ROLE else {}
    return render("home/index.html", today=business_today(), **approvals)
