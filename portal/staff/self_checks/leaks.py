"""What a stranger tries beyond the links: the places leaked files are usually found, and the
staff site's object URLs with ids guessed or seen.

The staff shapes are every GET route of the staff site that takes ids, written with `{id}`;
a test holds this list to the staff URL rules, so a new route is probed from its first day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

UPLOAD_FOLDERS = (
    "/uploads/",
    "/upload/",
    "/files/",
    "/attachments/",
    "/documents/",
    "/static/uploads/",
    "/static/files/",
    "/instance/",
    "/instance/objects/",
    "/objects/",
    "/backup/",
    "/backups/",
)
BACKUPS = tuple(
    f"/{name}{suffix}"
    for name in ("backup", "portal", "madoguchi", "instance", "site", "www")
    for suffix in (".zip", ".tar.gz", ".bak")
)
DATABASES = (
    "/portal.db",
    "/public.db",
    "/portal.db.bak",
    "/database.db",
    "/db.sqlite",
    "/portal.sqlite",
    "/instance/portal.db",
    "/instance/public/public.db",
)
SECRETS = (
    "/.git/HEAD",
    "/.git/config",
    "/.env",
    "/portal.toml",
    "/instance/portal.toml",
    "/instance/demo-accounts.txt",
    "/instance/audit-anchor.log",
    "/instance/keys/",
    "/wsgi.py",
    "/setup.cfg",
    "/.DS_Store",
)
TRAVERSALS = (
    "/static/..%2f..%2finstance%2fportal.toml",
    "/static/..%2f..%2finstance%2fportal.db",
    "/static/..%2f..%2f.env",
    "/static/%2e%2e/%2e%2e/instance/portal.toml",
    "/static/%2e%2e%2f%2e%2e%2fwsgi.py",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%5c..%5cinstance%5cportal.toml",
)
LEAK_PATHS = UPLOAD_FOLDERS + BACKUPS + DATABASES + SECRETS + TRAVERSALS

STAFF_OBJECT_SHAPES = (
    "/admin/users/{id}",
    "/admin/users/{id}/history",
    "/export-consents/{id}",
    "/incidents/{id}",
    "/incidents/{id}/businesses",
    "/incidents/{id}/businesses/{id}",
    "/incidents/{id}/print",
    "/incidents/{id}/report.xlsx",
    "/intake/{id}/change",
    "/intake/booked/{id}",
    "/library/documents/{id}",
    "/library/documents/{id}/seen",
    "/library/folders/{id}",
    "/library/folders/{id}/grants",
    "/library/versions/{id}/download",
    "/pledge/versions/{id}",
    "/records/{id}",
    "/records/{id}/edit",
    "/records/{id}/versions/{id}",
    "/records/{id}/viewers",
    "/records/new/{id}",
    "/venues/{id}/edit",
    "/venues/{id}/patterns",
    "/venues/{id}/sessions",
    "/venues/{id}/sessions/new",
    "/venues/seasons/{id}/edit",
    "/venues/sessions/{id}",
    "/venues/sessions/{id}/edit",
)
FIRST_IDS = (1, 2, 3)  # what a guesser tries first
NUMBER = re.compile(r"/(\d{1,9})(?=/|$|\?)")


def ids_to_try(seen_paths: Iterable[str], most: int) -> list[int]:
    """The first ids, then each id seen in a path and its neighbours, at most `most` in all."""
    ids = dict.fromkeys(FIRST_IDS)
    for path in seen_paths:
        for number in map(int, NUMBER.findall(path)):
            ids.update(dict.fromkeys(n for n in (number - 1, number, number + 1) if n > 0))
    return list(ids)[:most]


def staff_object_paths(ids: list[int]) -> list[str]:
    """Every staff object shape with each id."""
    return [shape.replace("{id}", str(number)) for shape in STAFF_OBJECT_SHAPES for number in ids]


def is_directory_listing(text: str) -> bool:
    """Whether a page is a web server's listing of a folder."""
    return any(mark in text[:4096] for mark in ("Index of /", "Directory listing for", "<title>Index of"))
