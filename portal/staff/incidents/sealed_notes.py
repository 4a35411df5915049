"""The incident's free text (how it was found, its cause, contact notes, timeline entries) sealed
like every other note: with the field key, bound to its row and purpose."""

from __future__ import annotations

from portal.staff.security.secrets_at_rest import secret_box


def context(kind: str, row_id: int) -> str:
    """Binds a sealed text to its row: `incident:cause:12`."""
    return f"incident:{kind}:{row_id}"


def seal(text: str, kind: str, row_id: int) -> bytes:
    """The text as stored."""
    return secret_box().seal(text, context(kind, row_id))


def unseal(sealed: bytes, kind: str, row_id: int) -> str:
    """The text as typed."""
    return secret_box().open(sealed, context(kind, row_id))
