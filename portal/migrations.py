"""Schema migrations.

A fresh database gets today's schema in one step and is stamped with the newest version;
an existing one runs each migration it has not had, in order, inside a transaction.
A migration is a function of (database, migrator) appended to MIGRATIONS.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import CharField, Database, DateField
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as apply

from portal.models import (
    ADDED_IN_1,
    ALL_MODELS,
    LIBRARY_TABLES,
    RECORD_MODELS,
    AuditEvent,
    AvailabilityVersion,
    Booking,
    ConsultationSession,
    PendingAuditEvent,
    SchemaVersion,
)

Migration = Callable[[Database, SchemaMigrator], None]


def seed_rows() -> None:
    """Rows the schema relies on: the single availability counter."""
    AvailabilityVersion.get_or_create(id=1)


def calendar_intake_and_blind_indexes(db: Database, migrator: SchemaMigrator) -> None:
    """The operating calendar, call counter, list notices, blind indexes and reminders."""
    db.create_tables(ADDED_IN_1)
    table = Booking._meta.table_name
    apply(
        *(
            migrator.add_column(table, name, CharField(max_length=64, null=True, index=True))
            for name in ("phone_index", "email_index", "kana_index")
        ),
        migrator.add_column(table, "reminder_sent_on", DateField(null=True)),
        migrator.add_index(
            ConsultationSession._meta.table_name, ("venue_id", "date", "starts_at"), unique=True
        ),
    )
    seed_rows()


def library_daily_reports_and_retention(db: Database, _migrator: SchemaMigrator) -> None:
    """The document library, daily reports and deletion certificates: new tables only."""
    db.create_tables(LIBRARY_TABLES)


def consultation_records(db: Database, _migrator: SchemaMigrator) -> None:
    """Consultation records, their versions, read grants and attachments."""
    db.create_tables(RECORD_MODELS)


def audit_lookup_by_object(db: Database, migrator: SchemaMigrator) -> None:
    """An index for "who has seen this": an object's audit events by type and id."""
    table, columns = AuditEvent._meta.table_name, ("object_type", "object_id")
    if not any(tuple(index.columns) == columns for index in db.get_indexes(table)):
        apply(migrator.add_index(table, columns))


def keyed_audit_chain(db: Database, migrator: SchemaMigrator) -> None:
    """Each audit event names the key that chained it; the public instance's events wait to be chained.

    Existing events keep a null key until `portal init` checks and adopts their unkeyed chain.
    """
    table = AuditEvent._meta.table_name
    if "key_id" not in {column.name for column in db.get_columns(table)}:
        apply(migrator.add_column(table, "key_id", CharField(max_length=8, null=True)))
    db.create_tables([PendingAuditEvent])


MIGRATIONS: list[Migration] = [
    calendar_intake_and_blind_indexes,
    library_daily_reports_and_retention,
    consultation_records,
    audit_lookup_by_object,
    keyed_audit_chain,
]


def migrate(db: Database) -> int:
    """Bring the schema up to date; returns the number of migrations applied."""
    with db.atomic():
        if not db.table_exists(SchemaVersion._meta.table_name):
            db.create_tables(ALL_MODELS)
            seed_rows()
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
