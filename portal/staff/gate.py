"""The staff zone's one gate: every request, static files and unknown URLs included.

Order: allowed network → signed-in session with second factor → CSRF for state changes →
role permission for the endpoint → the confidentiality pledge in force accepted. Views add the
per-object check. Anything refused is the same 404 as an unknown URL; a request whose session
has ended is told to sign in again, and an account that owes the pledge is sent to it.
"""

from __future__ import annotations

import ipaddress
from time import monotonic
from uuid import UUID

from flask import Flask, Response, current_app, g, request, session, url_for
from flask_htmx import make_response as make_htmx_response
from flask_login import LoginManager, current_user

from portal.core.errors import not_found_page
from portal.core.web import check_csrf, htmx, redirect_to
from portal.staff import audit
from portal.staff.permissions import BEFORE_PLEDGE, OPEN_ENDPOINTS, allowed
from portal.staff.pledge.service import awaited
from portal.staff.sessions import load_session
from portal.staff.upload_limit import apply_upload_limit

login_manager = LoginManager()
login_manager.session_protection = None
login_manager.user_loader(load_session)

SESSION_KEY = "_user_id"
NETWORK_AUDIT_INTERVAL = 60.0
NETWORK_AUDIT_MEMORY = 4096  # outside addresses remembered; past that the memory starts over
NETWORK_DENIALS = "portal.network_denials"  # when each outside address was last audited, per app


def client_allowed(address: str | None) -> bool:
    """Whether the client address is inside PORTAL_STAFF_NETWORKS."""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in current_app.config["PORTAL"].staff_networks)


def _object_id() -> str | None:
    ids = [str(v) for v in (request.view_args or {}).values() if isinstance(v, (int, UUID))]
    return ",".join(ids)[:64] or None


def deny(reason: str) -> Response:
    """Audit the refusal and answer like an unknown URL."""
    audit.record("request.denied", outcome=reason, object_type=request.endpoint, object_id=_object_id())
    return not_found_page()


def _deny_ended_session() -> Response:
    """An expired or revoked session cookie: the 404 page, and htmx is sent to sign in.

    The dead token stays in the cookie, so every later request from the same stale page
    is redirected alike until the user signs in again (which replaces the cookie).
    """
    response = deny("session-ended")
    return make_htmx_response(response, redirect=url_for("auth.login")) if htmx else response


def _deny_network() -> Response:
    """Outside addresses are audited once a minute each, so a flood cannot flood the log."""
    seen: dict[str | None, float] = current_app.extensions[NETWORK_DENIALS]
    now = monotonic()
    address = request.remote_addr
    if now - seen.get(address, -NETWORK_AUDIT_INTERVAL) < NETWORK_AUDIT_INTERVAL:
        return not_found_page()
    if len(seen) >= NETWORK_AUDIT_MEMORY:
        seen.clear()
    seen[address] = now
    return deny("network")


def _to_pledge() -> Response:
    """The pledge page, coming back afterwards to a page that was asked for (never to a change)."""
    audit.record("request.denied", outcome="pledge-awaited", object_type=request.endpoint)
    back = request.full_path.rstrip("?") if request.method == "GET" and not htmx else None
    return redirect_to(url_for("pledge.sign", next=back))


def staff_gate() -> Response | None:
    """Run the checks in order; returning a response stops the request there."""
    if not client_allowed(request.remote_addr):
        return _deny_network()
    if request.endpoint in OPEN_ENDPOINTS:
        check_csrf()
        return None
    if not current_user.is_authenticated:
        return _deny_ended_session() if SESSION_KEY in session else deny("anonymous")
    g.actor_id = current_user.id
    apply_upload_limit()
    check_csrf()
    if not allowed(request.endpoint, current_user.role):
        return deny("permission")
    if request.endpoint not in BEFORE_PLEDGE and awaited(current_user):
        return _to_pledge()
    return None


def init_app(app: Flask) -> None:
    """Bind Flask-Login and put the gate in front of everything."""
    login_manager.init_app(app)
    app.extensions[NETWORK_DENIALS] = {}
    app.before_request(staff_gate)
