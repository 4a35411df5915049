"""How staff are named on screen: the name colleagues know them by, or their email until they have one."""

from __future__ import annotations

from flask import Flask

from portal.core.models import User


def person_name(user: User | None) -> str:
    """The account's name, its email if it has none, and nothing for no account."""
    if user is None:
        return ""
    return user.display_name or user.email


def init_app(app: Flask) -> None:
    """Make the name a template filter."""
    app.jinja_env.filters["person_name"] = person_name
