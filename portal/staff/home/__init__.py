"""The staff home: where each role starts its day, with a panel for each thing that waits for it."""

from flask import Blueprint, Response

from portal.core.dates import business_today
from portal.core.web import render
from portal.staff.home.panels import panels_for_today

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    """The signed-in home page: what waits for the signed-in user today (panels.py)."""
    return render("home/index.html", today=business_today(), panels=panels_for_today())
