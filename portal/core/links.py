"""Absolute links (emails, calendar files, the sitemap), from `public_url` and `staff_url`.

A request's own host can be anything a client sends; these settings are what the centre publishes.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app

MANAGE_PATH = "/manage/{secret}"  # the public route `public.manage`; the staff zone does not register it
OFFER_PATH = "/waiting/{secret}"  # the public route `public.offer`, mailed by the staff zone


def manage_url(secret: str) -> str:
    """The visitor's manage link, which works in both zones (the reminder is sent by the staff zone)."""
    return current_app.config["PORTAL"].public_url + MANAGE_PATH.format(secret=quote(secret, safe=""))


def offer_url(secret: str) -> str:
    """The link that answers a place offered from the waiting list (the staff zone mails it)."""
    return current_app.config["PORTAL"].public_url + OFFER_PATH.format(secret=quote(secret, safe=""))


def external_url(endpoint: str, **values: object) -> str:
    """A link into this instance, built from its routes under the address it is published at."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PORTAL"].own_url + path
