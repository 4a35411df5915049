"""Japanese first, English on request; dates as people in Japan read them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel, format_date, format_datetime, get_locale

LANGUAGES = ("ja", "en")
LANGUAGE_COOKIE = "lang"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

babel = Babel()


def language_cookie_name() -> str:
    """Over TLS `__Host-lang`: only this host, over TLS, could have set it (no cookie tossing)."""
    return f"__Host-{LANGUAGE_COOKIE}" if request.is_secure else LANGUAGE_COOKIE


def select_locale() -> str:
    """Japanese whatever the browser asks, unless the visitor chose English with the switch."""
    chosen = request.cookies.get(language_cookie_name())
    return chosen if chosen in LANGUAGES else "ja"


def long_date(value: date | datetime) -> str:
    """2020年6月15日(月) in Japanese, Mon 15 Jun 2020 in English."""
    if get_locale().language == "ja":
        return format_date(value, "y年M月d日(E)")
    return format_date(value, "EEE d MMM y")


def date_time(value: datetime) -> str:
    """A stored (UTC) time as read in Tokyo: 2020年6月15日(月) 14:05."""
    if get_locale().language == "ja":
        return format_datetime(value, "y年M月d日(E) HH:mm")
    return format_datetime(value, "EEE d MMM y HH:mm")


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and the date filter."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "ja")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Tokyo")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.globals["current_language"] = lambda: str(get_locale())
