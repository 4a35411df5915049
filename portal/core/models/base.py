"""The base model and the clock every model shares."""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import ForeignKeyField, IntegerField, Model

from portal.core.database import database


def utcnow() -> datetime:
    """Stored timestamps are naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    """Binds every table to the process's database."""

    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """How many migrations this database has had."""

    version = IntegerField()


class CrossStoreKey(ForeignKeyField):
    """A reference to a row of the other zone's store: joins work, but no constraint is declared.

    A foreign key cannot span an attached SQLite file or, for the public zone's role, reach a
    table it holds no grant on; the side that deletes checks references itself.
    """

    def __init__(self, model, **kwargs) -> None:
        super().__init__(model, _deferred=True, **kwargs)
