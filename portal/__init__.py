"""Madoguchi: one app factory, two separately run instances (public and staff)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal.core.settings import PROJECT_ROOT, load_settings, require_secret_key, setting_names

UPLOAD_FORM_LIMIT = 1024 * 1024  # any form's body, unless its view takes a file
# A file is sent in chunks of this size (the last one shorter): a whole number of the storage's 1 MiB
# segments, and no smaller than S3's smallest part.
UPLOAD_CHUNK = 5 * 1024 * 1024
# The most any request may carry, either instance: one chunk, or a small file in a plain form.
REQUEST_BODY_LIMIT = UPLOAD_CHUNK + 64 * 1024


class Portal(Flask):
    """Flask, except that unhandled exceptions are logged by our 500 handler alone."""

    def log_exception(self, exc_info) -> None:
        """Flask's own log line carries the exception message, which can carry personal data."""


def create_app(zone: str, config: Mapping[str, Any] | None = None) -> Flask:
    """Build the `"public"` or `"staff"` instance; `config` overrides settings and Flask config."""
    config = dict(config or {})
    names = setting_names(zone)
    portal_keys = {k: v for k, v in config.items() if k.lower() in names}
    settings = load_settings(zone, portal_keys)

    app = Portal(
        __name__,
        instance_path=str(settings.instance_path.resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(
        PORTAL=settings,
        SECRET_KEY=require_secret_key(settings),
        SESSION_COOKIE_NAME=f"madoguchi-{zone}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=UPLOAD_FORM_LIMIT,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update({k: v for k, v in config.items() if k not in portal_keys})

    from portal.core import database, errors, headers, hosts, i18n, logs, routing
    from portal.core.cookies import ZoneCookieSessionInterface
    from portal.core.site import bp as site_bp
    from portal.core.web import htmx, init_csrf

    logs.init_app(app)
    hosts.init_app(app)
    app.session_interface = ZoneCookieSessionInterface()
    routing.init_app(app)
    database.init_app(app, zone)
    init_csrf(app)
    htmx.init_app(app)
    i18n.init_app(app)
    headers.init_app(app, zone)
    errors.init_app(app)
    app.register_blueprint(site_bp)
    app.context_processor(lambda: {"zone": zone})

    with app.app_context():  # start-up checks read the app's own database
        if zone == "staff":
            from portal import staff

            staff.init_app(app)
        else:
            from portal import public

            public.init_app(app)
    return app
