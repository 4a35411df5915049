"""Routes both zones share: health, crawler rules, the icon, our copy of htmx and the language switch."""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, Response, current_app, request, send_file, send_from_directory, url_for

from portal.core.i18n import LANGUAGES, language_cookie_name
from portal.core.links import external_url
from portal.core.web import redirect_to, safe_next

bp = Blueprint("site", __name__)

HTMX_FILE = files("js_lib_htmx") / "static" / "htmx" / "htmx.min.js"
ONE_YEAR = 365 * 24 * 3600
ONE_DAY = 24 * 3600


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness for load balancers; says nothing about the data."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/robots.txt")
def robots() -> Response:
    """Staff: nothing may be crawled, and no path is named. Public: everything may."""
    if current_app.config["PORTAL"].zone == "staff":
        body = "User-agent: *\nDisallow: /\n"
    else:
        body = f"User-agent: *\nAllow: /\nSitemap: {external_url('public.sitemap')}\n"
    return Response(body, mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers look for it without being told."""
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=ONE_DAY)


@bp.get("/assets/htmx-2.0.3.min.js")
def htmx() -> Response:
    """htmx from the installed package, served from our own origin."""
    return send_file(HTMX_FILE, mimetype="text/javascript", max_age=ONE_YEAR)


@bp.get("/language/<any(ja, en):language>")
def set_language(language: str) -> Response:
    """Remember the chosen language in the visitor's own cookie and go back.

    A link rather than a form: it changes no stored state, and a form would put a token,
    and so a cookie, on every page, including the cacheable public ones.
    """
    target = safe_next(request.args.get("next"), url_for(current_app.config["START_ENDPOINT"]))
    response = redirect_to(target)
    if language in LANGUAGES:
        response.set_cookie(
            language_cookie_name(),
            language,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response
