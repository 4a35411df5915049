"""The public zone: what anyone may see. It holds no key that opens personal data."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from portal.web import check_csrf, render

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> Response:
    """The centre's front page."""
    return render("public/index.html")


def init_app(app: Flask) -> None:
    """Register the public routes; state changes need a form token."""
    app.before_request(check_csrf)
    app.register_blueprint(bp)
    app.config["START_ENDPOINT"] = "public.index"
