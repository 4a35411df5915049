"""Schema migrations.

A fresh database gets today's schema in one step and is stamped with the newest version;
an existing one runs each migration it has not had, in order, inside a transaction.
A migration is a function of (database, migrator) appended to MIGRATIONS.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database
from playhouse.migrate import SchemaMigrator

from portal.models import ALL_MODELS, SchemaVersion

Migration = Callable[[Database, SchemaMigrator], None]

MIGRATIONS: list[Migration] = []


def migrate(db: Database) -> int:
    """Bring the schema up to date; returns the number of migrations applied."""
    with db.atomic():
        if not db.table_exists(SchemaVersion._meta.table_name):
            db.create_tables(ALL_MODELS)
            SchemaVersion.create(version=len(MIGRATIONS))
            return 0
        row = SchemaVersion.get()
        pending = MIGRATIONS[row.version :]
        migrator = SchemaMigrator.from_database(db)
        for step in pending:
            step(db, migrator)
        row.version = len(MIGRATIONS)
        row.save()
        return len(pending)
