"""Credentials the portal logs in to its backends with: start-up refuses the ones anyone could guess.

A backend left on its shipped default (MinIO's minioadmin, the postgres/postgres of many
containers) is open to whoever reaches it, whatever the portal does above it.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

# What MinIO, PostgreSQL images and set-up guides ship with or suggest, and what people type first.
WELL_KNOWN_PASSWORDS = frozenset(
    {
        "minioadmin",
        "minio123",
        "miniostorage",
        "postgres",
        "password",
        "passw0rd",
        "admin",
        "root",
        "secret",
        "changeme",
        "changeit",
        "123456",
        "12345678",
        "madoguchi",
    }
)


def guessable(password: str, *names: str) -> str | None:
    """Why `password` is a credential anyone could guess, or None.

    `names` are what stands beside it in the configuration (the user name, the bucket, the host).
    """
    if not password:
        return "the password is empty"
    if password.lower() in WELL_KNOWN_PASSWORDS:
        return "the password is a well-known default"
    if any(name and password.lower() == name.lower() for name in names):
        return "the password repeats the user name or another setting"
    return None


def guessable_in_url(url: str) -> str | None:
    """The same for a password written in a URL; a URL without one authenticates otherwise
    (PostgreSQL's peer or certificate login, a password file) and is not judged here."""
    try:
        parts = urlsplit(url)
        password, user = parts.password, parts.username
    except ValueError:  # not a URL: the connection fails with its own message
        return None
    return None if password is None else guessable(unquote(password), unquote(user or ""))
