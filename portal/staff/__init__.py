"""The staff zone: the gate, sign-in, and the blueprints behind them."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from portal import UPLOAD_CHUNK
from portal.core import refusal_log
from portal.core.settings import ConfigError
from portal.staff import audit, gate, metrics, names, navigation
from portal.staff.export_consent import guard as export_guard
from portal.staff.security.secrets_at_rest import SecretBox, SecretsKeyError
from portal.staff.sessions import draft_key
from portal.staff.storage.uploads import size_label, upload_limit


def init_app(app: Flask) -> None:
    """Load the staff keys (refusing to start without them) and register the staff routes."""
    settings = app.config["PORTAL"]
    try:
        app.extensions["portal.secret_box"] = SecretBox.from_key_dir(settings.key_dir)
    except SecretsKeyError as error:
        raise ConfigError(f"PORTAL_KEY_DIR: {error}") from None
    from portal.staff.audit import keys as audit_keys
    from portal.staff.storage import setup as storage_setup

    audit_keys.init_app(app)
    from portal.staff.storage.transfer import InMemoryFileRequest

    storage_setup.init_app(app)
    app.request_class = InMemoryFileRequest
    metrics.init_app(app)  # before the gate, so that its clock times the gate too
    gate.init_app(app)
    refusal_log.init_app(app, _audit_refusal)
    names.init_app(app)
    navigation.init_app(app)
    export_guard.init_app(app)

    from portal.core.security.sealing import Sealer
    from portal.staff.account import bp as account_bp
    from portal.staff.admin import bp as admin_bp
    from portal.staff.approvals import bp as approvals_bp
    from portal.staff.audit_log import bp as audit_log_bp
    from portal.staff.auth import bp as auth_bp
    from portal.staff.bookings import bp as bookings_bp
    from portal.staff.check_sheet import bp as check_sheet_bp
    from portal.staff.daily_reports import bp as daily_reports_bp
    from portal.staff.export_consent import bp as export_consent_bp
    from portal.staff.home import bp as home_bp
    from portal.staff.incidents import bp as incidents_bp
    from portal.staff.intake import bp as intake_bp
    from portal.staff.ledger import bp as ledger_bp
    from portal.staff.library import bp as library_bp
    from portal.staff.monitoring import bp as monitoring_bp
    from portal.staff.pledge import bp as pledge_bp
    from portal.staff.records import bp as records_bp
    from portal.staff.reports import bp as reports_bp
    from portal.staff.retention.views import bp as retention_bp
    from portal.staff.security.blind_index import BlindIndex
    from portal.staff.security.unseal import Unsealer
    from portal.staff.self_checks.views import bp as self_checks_bp
    from portal.staff.staffing import bp as staffing_bp
    from portal.staff.uploads import bp as uploads_bp
    from portal.staff.venues import bp as venues_bp

    app.extensions["portal.unsealer"] = Unsealer(settings.key_dir)
    app.extensions["portal.sealer"] = Sealer(settings.seal_public_key)
    app.extensions["portal.blind_index"] = BlindIndex.from_key_dir(settings.key_dir)
    for blueprint in (
        auth_bp,
        home_bp,
        account_bp,
        admin_bp,
        approvals_bp,
        bookings_bp,
        intake_bp,
        venues_bp,
        library_bp,
        daily_reports_bp,
        retention_bp,
        records_bp,
        ledger_bp,
        monitoring_bp,
        staffing_bp,
        reports_bp,
        audit_log_bp,
        pledge_bp,
        export_consent_bp,
        self_checks_bp,
        incidents_bp,
        check_sheet_bp,
        uploads_bp,
    ):
        app.register_blueprint(blueprint)
    app.config["START_ENDPOINT"] = "auth.login"
    app.jinja_env.globals["draft_key"] = lambda: draft_key(current_user)
    app.jinja_env.globals["upload_limit"] = upload_limit
    app.jinja_env.globals["form_upload_limit"] = lambda: size_label(UPLOAD_CHUNK)


def _audit_refusal(action: str, outcome: str) -> None:
    """Staff refusals join the audit chain, named by the endpoint they were aimed at."""
    audit.record(action, outcome=outcome, object_type=(request.endpoint or "")[:40] or None)
