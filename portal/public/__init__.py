"""The public zone: what anyone may see. It holds no key that opens personal data."""

from __future__ import annotations

from flask import Flask, request

from portal.core import public_log, refusal_log
from portal.core.security.sealing import Sealer
from portal.core.web import check_csrf
from portal.public import lost_link, manage, venues, waiting  # noqa: F401 - they register their routes on bp
from portal.public.calendar_cache import Newest, RenderedPages
from portal.public.early_answers import EarlyAnswers
from portal.public.views import bp, limiter


def init_app(app: Flask) -> None:
    """Register the public routes; state changes need a form token; bookings are sealed; calendar
    answers are given again before the full stack while nothing they show has changed."""
    settings = app.config["PORTAL"]
    app.extensions["portal.sealer"] = Sealer(settings.seal_public_key)
    app.extensions["portal.calendar_pages"] = RenderedPages(settings.calendar_cache_bytes)
    app.extensions["portal.calendar_months"] = Newest()
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage)
    app.before_request(check_csrf)
    refusal_log.init_app(app, _log_refusal)
    limiter.init_app(app)
    app.register_blueprint(bp)
    app.config["START_ENDPOINT"] = "public.index"
    app.wsgi_app = EarlyAnswers(app.wsgi_app, app, settings.calendar_cache_bytes)


def _log_refusal(action: str, outcome: str) -> None:
    """Public refusals go to the public event log, which the staff zone chains."""
    public_log.log(action, outcome=outcome, object_type=(request.endpoint or "")[:40] or None)
