"""The public zone: what anyone may see. It holds no key that opens personal data."""

from __future__ import annotations

from flask import Flask

from portal.public.sealing import Sealer
from portal.public.views import bp
from portal.web import check_csrf


def init_app(app: Flask) -> None:
    """Register the public routes; state changes need a form token; bookings are sealed."""
    app.extensions["portal.sealer"] = Sealer(app.config["PORTAL"].seal_public_key)
    app.before_request(check_csrf)
    app.register_blueprint(bp)
    app.config["START_ENDPOINT"] = "public.index"
