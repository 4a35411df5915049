"""Absolute links for what leaves the site (emails, calendar files), from `public_url` and `staff_url`.

A request's own host can be anything a client sends; these settings are what the centre publishes.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app

MANAGE_PATH = "/manage/{secret}"  # the public route `public.manage`; the staff zone does not register it


def manage_url(secret: str) -> str:
    """The visitor's manage link, which works in both zones (the reminder is sent by the staff zone)."""
    return current_app.config["PORTAL"].public_url + MANAGE_PATH.format(secret=quote(secret, safe=""))


def staff_url(endpoint: str, **values: str) -> str:
    """A link into the staff portal, built from this (staff) app's routes."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PORTAL"].staff_url + path
