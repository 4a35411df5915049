"""GET /metrics: open past the gate's sign-in (a scraper has no session), shut without the token.

The staff network check still runs first. Without PORTAL_METRICS_TOKEN configured, or without
`Authorization: Bearer <token>`, the answer is the unknown-URL 404 like any refusal.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from portal.core.errors import not_found_page
from portal.staff import audit
from portal.staff.metrics import figures

bp = Blueprint("metrics", __name__)


def _token_given() -> bool:
    expected = current_app.config["PORTAL"].metrics_token
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme == "Bearer" and hmac.compare_digest(given.encode(), expected.encode())


@bp.get("/metrics")
def scrape() -> Response:
    """The figures in Prometheus's text format."""
    if not _token_given():
        audit.record("metrics.scrape", outcome="refused")
        return not_found_page()
    body = generate_latest(current_app.extensions[figures.REGISTRY])
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Count every request of the staff app and serve the figures."""
    figures.init_app(app)
    app.register_blueprint(bp)
