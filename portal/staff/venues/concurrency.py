"""Two staff editing the same row: the second save is told, and nothing the first saved is lost.

A form carries a fingerprint of the values it was loaded with; the save re-reads the row under
the write lock and refuses when the fingerprint no longer matches. No version column is needed.
"""

from __future__ import annotations

import hashlib

from peewee import Model

from portal.core.database import locked


def fingerprint(row: Model, fields: tuple[str, ...]) -> str:
    """A digest of the row's editable values."""
    return hashlib.sha256(repr([getattr(row, name) for name in fields]).encode()).hexdigest()[:32]


def reread_locked(row: Model) -> Model | None:
    """Inside a write transaction: the row as stored now, locked until the transaction ends."""
    model = type(row)
    return locked(model.select().where(model.id == row.id)).first()


def overtaken(row: Model, fields: tuple[str, ...], loaded: str | None) -> bool:
    """Inside a write transaction: whether someone saved the row since the form was loaded."""
    current = reread_locked(row)
    return current is None or fingerprint(current, fields) != loaded
