"""The staff zone: the gate, sign-in, and the blueprints behind them."""

from __future__ import annotations

from flask import Flask

from portal import gate
from portal.security.secrets_at_rest import SecretBox, SecretsKeyError
from portal.settings import ConfigError


def init_app(app: Flask) -> None:
    """Load the staff keys (refusing to start without them) and register the staff routes."""
    settings = app.config["PORTAL"]
    try:
        app.extensions["portal.secret_box"] = SecretBox.from_key_dir(settings.key_dir)
    except SecretsKeyError as error:
        raise ConfigError(f"PORTAL_KEY_DIR: {error}") from None
    from portal.audit import keys as audit_keys
    from portal.storage import setup as storage_setup

    audit_keys.init_app(app)
    from portal.storage.transfer import InMemoryFileRequest

    storage_setup.init_app(app)
    app.request_class = InMemoryFileRequest
    gate.init_app(app)

    from portal.admin import bp as admin_bp
    from portal.auth import bp as auth_bp
    from portal.bookings import bp as bookings_bp
    from portal.daily_reports import bp as daily_reports_bp
    from portal.home import bp as home_bp
    from portal.intake import bp as intake_bp
    from portal.library import bp as library_bp
    from portal.records import bp as records_bp
    from portal.retention.views import bp as retention_bp
    from portal.security.blind_index import BlindIndex
    from portal.security.sealing import Sealer
    from portal.security.unseal import Unsealer
    from portal.venues import bp as venues_bp

    app.extensions["portal.unsealer"] = Unsealer(settings.key_dir)
    app.extensions["portal.sealer"] = Sealer(settings.seal_public_key)
    app.extensions["portal.blind_index"] = BlindIndex.from_key_dir(settings.key_dir)
    for blueprint in (
        auth_bp,
        home_bp,
        admin_bp,
        bookings_bp,
        intake_bp,
        venues_bp,
        library_bp,
        daily_reports_bp,
        retention_bp,
        records_bp,
    ):
        app.register_blueprint(blueprint)
    app.config["START_ENDPOINT"] = "auth.login"
