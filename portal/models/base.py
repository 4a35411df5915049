"""The base model and the clock every model shares."""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import IntegerField, Model

from portal.database import database


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
