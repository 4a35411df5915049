"""Schema migrations of both stores, run from the staff zone (which reaches both).

A fresh store gets today's schema in one step and is stamped with the newest version; an
existing one runs each migration it has not had, in order, inside a transaction. A migration
is a function of (database, migrator) appended to MIGRATIONS, and describes its own schema:
tables come from frozen copies (portal/core/schema_history.py) or explicit columns, never from
today's models, so a replay on an old store gives that release's schema. The public store is
created in its own file or schema the first time; the public zone never migrates anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from peewee import CharField, Database, DateField, IntegerField, Model
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as apply

from portal.core import schema_history
from portal.core.database import is_postgres, open_database, public_schema_name
from portal.core.models import (
    PUBLIC_MODELS,
    STAFF_MODELS,
    AvailabilityVersion,
    PublicSchemaVersion,
    SchemaVersion,
)
from portal.core.zone_split import move_public_tables

# A step may return a sentence saying what it did, which `portal init` prints.
Migration = Callable[[Database, SchemaMigrator], str | None]


def seed_rows() -> None:
    """Rows the schema relies on: the single availability counter."""
    AvailabilityVersion.get_or_create(id=1)


def _create_frozen(db: Database, tables: list[type[Model]]) -> None:
    with db.bind_ctx(tables):
        db.create_tables(tables)


def calendar_intake_and_blind_indexes(db: Database, migrator: SchemaMigrator) -> None:
    """The operating calendar, call counter, list notices, blind indexes and reminders."""
    _create_frozen(db, schema_history.MIGRATION_1)
    table = "booking"
    apply(
        *(
            migrator.add_column(table, name, CharField(max_length=64, null=True, index=True))
            for name in ("phone_index", "email_index", "kana_index")
        ),
        migrator.add_column(table, "reminder_sent_on", DateField(null=True)),
        migrator.add_index("consultation_session", ("venue_id", "date", "starts_at"), unique=True),
    )
    with db.bind_ctx([schema_history.AvailabilityVersion]):
        schema_history.AvailabilityVersion.get_or_create(id=1)


def library_daily_reports_and_retention(db: Database, _migrator: SchemaMigrator) -> None:
    """The document library, daily reports and deletion certificates: new tables only."""
    _create_frozen(db, schema_history.MIGRATION_2)


def consultation_records(db: Database, _migrator: SchemaMigrator) -> None:
    """Consultation records, their versions, read grants and attachments."""
    _create_frozen(db, schema_history.MIGRATION_3)


def audit_lookup_by_object(db: Database, migrator: SchemaMigrator) -> None:
    """An index for "who has seen this": an object's audit events by type and id."""
    table, columns = "audit_event", ("object_type", "object_id")
    if not any(tuple(index.columns) == columns for index in db.get_indexes(table)):
        apply(migrator.add_index(table, columns))


def public_store_of_its_own(db: Database, _migrator: SchemaMigrator) -> str:
    """Venues, sessions, bookings and the availability counter move to the public store.

    Blind indexes stay in the staff store (their own table); references from staff tables to
    moved rows lose their constraints, which cannot span two stores.
    """
    _create_frozen(db, schema_history.MIGRATION_5)
    return move_public_tables(db)


def keyed_audit_chain(db: Database, migrator: SchemaMigrator) -> None:
    """Each audit event names the key that chained it.

    Existing events keep a null key until `portal init` checks and adopts their unkeyed chain.
    """
    table = "audit_event"
    if "key_id" not in {column.name for column in db.get_columns(table)}:
        apply(migrator.add_column(table, "key_id", CharField(max_length=8, null=True)))


def approval_of_roles_that_read_personal_data(db: Database, migrator: SchemaMigrator) -> None:
    """Accounts remember the role a city user approved; approval requests get their table.

    Accounts enabled before this step keep working (their role counts as approved); a disabled
    one needs an approval to come back.
    """
    _create_frozen(db, schema_history.MIGRATION_7)
    apply(migrator.add_column("user", "approved_role", CharField(max_length=20, null=True)))
    db.execute_sql('UPDATE "user" SET approved_role = role WHERE disabled_at IS NULL')


def staff_names(_db: Database, migrator: SchemaMigrator) -> None:
    """Accounts get the name colleagues know them by; existing ones show their email until given one."""
    apply(migrator.add_column("user", "display_name", CharField(max_length=100, null=True)))


def partial_name_search(db: Database, migrator: SchemaMigrator) -> None:
    """Bookings are found by part of a name or reading through shortened keyed tokens; the staff
    zone writes them for every booking (old ones included) the next time it looks."""
    _create_frozen(db, schema_history.MIGRATION_9)
    apply(
        migrator.add_column("booking_index", "name_tokens", IntegerField(default=0)),
        migrator.add_index("booking_index", ("name_tokens",)),
    )


MIGRATIONS: list[Migration] = [
    calendar_intake_and_blind_indexes,
    library_daily_reports_and_retention,
    consultation_records,
    audit_lookup_by_object,
    public_store_of_its_own,
    keyed_audit_chain,
    approval_of_roles_that_read_personal_data,
    staff_names,
    partial_name_search,
]


@contextmanager
def _schema(models: list[type[Model]], schema: str) -> Iterator[None]:
    for model in models:
        model._meta.schema = schema
    try:
        yield
    finally:
        for model in models:
            model._meta.schema = None


def create_public_store(db: Database) -> bool:
    """Create the public store's tables if it has none; returns whether it did.

    On PostgreSQL they are made in the public schema through the staff connection. SQLite
    cannot name an attached file in a foreign key, so the file is opened on its own for this.
    """
    schema = public_schema_name(db)
    if db.table_exists(PublicSchemaVersion._meta.table_name, schema=schema):
        return False
    if is_postgres(db):
        with db.atomic():
            db.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            with _schema(PUBLIC_MODELS, schema):
                db.create_tables(PUBLIC_MODELS)
            PublicSchemaVersion.create(version=0)
        return True
    direct = open_database(f"sqlite:///{db.stores.public_file}", pool_size=1)
    with direct.bind_ctx(PUBLIC_MODELS), direct.connection_context(), direct.atomic():
        direct.create_tables(PUBLIC_MODELS)
        PublicSchemaVersion.create(version=0)
    direct.close_all()
    return True


def migrate(db: Database, say: Callable[[str], None] = lambda _note: None) -> int:
    """Bring both stores up to date; returns the number of staff migrations applied.

    `db` is a staff store (portal.core.database.open_staff_store), which reaches the public one;
    `say` hears what each step reports it did.
    """
    create_public_store(db)
    with db.atomic():
        if not db.table_exists(SchemaVersion._meta.table_name):
            db.create_tables(STAFF_MODELS)
            seed_rows()
            SchemaVersion.create(version=len(MIGRATIONS))
            return 0
        row = SchemaVersion.get()
        pending = MIGRATIONS[row.version :]
        migrator = SchemaMigrator.from_database(db)
        for step in pending:
            note = step(db, migrator)
            if note:
                say(note)
        row.version = len(MIGRATIONS)
        row.save()
        seed_rows()
        return len(pending)
