"""The staff home: where each role starts its day."""

from flask import Blueprint, Response

from portal.core.dates import business_today
from portal.core.web import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    """The signed-in home page."""
    return render("home/index.html", today=business_today())
