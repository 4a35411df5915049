"""An existing database is brought up to today's schema, keeping its rows."""

from __future__ import annotations

from datetime import date, time

from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as apply

from portal.database import bind
from portal.migrations import MIGRATIONS, library_daily_reports_and_retention, migrate
from portal.models import (
    ADDED_IN_1,
    LIBRARY_TABLES,
    AvailabilityVersion,
    Booking,
    ConsultationSession,
    Folder,
    Organisation,
    SchemaVersion,
    Venue,
)

INDEXES = ("phone_index", "email_index", "kana_index")


def test_the_first_release_schema_migrates_to_today(database_url):
    db = bind(database_url)
    with db.connection_context():
        migrate(db)
        # Take the database back to the first release: no new tables, columns or index.
        db.drop_tables(ADDED_IN_1)
        migrator = SchemaMigrator.from_database(db)
        sessions = ConsultationSession._meta.table_name
        (unique,) = [index.name for index in db.get_indexes(sessions) if len(index.columns) == 3]
        bookings = Booking._meta.table_name
        apply(
            migrator.drop_index(sessions, unique),
            *(
                migrator.drop_index(bookings, f"{bookings}_{name}")
                for name in ("phone_index", "email_index", "kana_index")
            ),
            *(
                migrator.drop_column(bookings, name)
                for name in ("phone_index", "email_index", "kana_index", "reminder_sent_on")
            ),
        )
        SchemaVersion.update(version=0).execute()
        venue = Venue.create(name="会場", ward="区", address="住所")
        db.execute_sql(
            f"INSERT INTO {sessions} (venue_id, date, starts_at, ends_at, capacity, taken, status)"
            " VALUES (%s, %s, %s, %s, 5, 0, 'open')".replace("%s", db.param),
            (venue.id, date(2026, 12, 1), time(10), time(11)),
        )

        assert migrate(db) == len(MIGRATIONS)
        assert (
            SchemaVersion.get().version == len(MIGRATIONS) and AvailabilityVersion.get_by_id(1).version == 0
        )
        columns = {column.name for column in db.get_columns(Booking._meta.table_name)}
        assert {"phone_index", "email_index", "kana_index", "reminder_sent_on"} <= columns
        assert ConsultationSession.select().count() == 1
        assert any(index.unique and len(index.columns) == 3 for index in db.get_indexes(sessions))
        assert migrate(db) == 0


def test_the_library_step_adds_its_tables_to_a_database_without_them(database_url):
    db = bind(database_url)
    with db.connection_context():
        migrate(db)
        db.drop_tables(LIBRARY_TABLES)
        step = MIGRATIONS.index(library_daily_reports_and_retention)
        SchemaVersion.update(version=step).execute()
        organisation = Organisation.create(name="架空市")

        assert migrate(db) == len(MIGRATIONS) - step
        assert all(db.table_exists(model._meta.table_name) for model in LIBRARY_TABLES)
        Folder.create(name="日報", purpose="daily-reports", owner=organisation)
        assert Organisation.select().count() == 1 and Folder.select().count() == 1
        assert migrate(db) == 0


def test_the_audit_log_gets_its_lookup_index(database_url):
    from portal.migrations import audit_lookup_by_object
    from portal.models import AuditEvent

    db = bind(database_url)
    with db.connection_context():
        migrate(db)
        table = AuditEvent._meta.table_name
        (name,) = [i.name for i in db.get_indexes(table) if tuple(i.columns) == ("object_type", "object_id")]
        apply(SchemaMigrator.from_database(db).drop_index(table, name))
        SchemaVersion.update(version=MIGRATIONS.index(audit_lookup_by_object)).execute()
        assert migrate(db) == len(MIGRATIONS) - MIGRATIONS.index(audit_lookup_by_object)
        assert any(tuple(i.columns) == ("object_type", "object_id") for i in db.get_indexes(table))


def test_audit_events_get_a_key_column_and_the_public_instance_a_waiting_table(database_url):
    from datetime import datetime

    from portal.migrations import keyed_audit_chain
    from portal.models import AuditEvent, PendingAuditEvent

    db = bind(database_url)
    with db.connection_context():
        migrate(db)
        table = AuditEvent._meta.table_name
        apply(SchemaMigrator.from_database(db).drop_column(table, "key_id"))
        db.drop_tables([PendingAuditEvent])
        step = MIGRATIONS.index(keyed_audit_chain)
        SchemaVersion.update(version=step).execute()
        AuditEvent.insert(
            seq=1,
            at=datetime(2026, 4, 1),
            action="signin.success",
            outcome="ok",
            prev_hash="0" * 64,
            hash="a" * 64,
        ).execute()

        assert migrate(db) == len(MIGRATIONS) - step
        assert "key_id" in {column.name for column in db.get_columns(table)}
        assert db.table_exists(PendingAuditEvent._meta.table_name)
        event = AuditEvent.get()
        assert (event.hash, event.key_id) == ("a" * 64, None), "adopting the chain needs the key: not here"
        assert migrate(db) == 0
