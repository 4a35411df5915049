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

from argon2 import PasswordHasher
from peewee import CharField, Database, DateField, DateTimeField, Field, IntegerField, Model
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

# The monitoring figures' index on bookings (the model declares the same, which names it so).
BOOKING_COUNTS_INDEX = "booking_session_id_channel_status"

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
    if "approved_role" in {column.name for column in db.get_columns("user")}:
        return  # replayed on a store that has it: approving anyone again would skip the second person
    apply(migrator.add_column("user", "approved_role", CharField(max_length=20, null=True)))
    db.execute_sql('UPDATE "user" SET approved_role = role WHERE disabled_at IS NULL')


def lost_manage_links(db: Database, _migrator: SchemaMigrator) -> None:
    """The public store takes visitors' sealed requests for their manage link: a new table there."""
    with _schema(schema_history.MIGRATION_8, public_schema_name(db)):
        _create_frozen(db, schema_history.MIGRATION_8)


def _add_missing(db: Database, migrator: SchemaMigrator, table: str, columns: dict[str, Field]) -> None:
    """Add the columns the table lacks (a step replayed on a newer store adds nothing twice)."""
    present = {column.name for column in db.get_columns(table)}
    missing = [migrator.add_column(table, name, f) for name, f in columns.items() if name not in present]
    if missing:
        apply(*missing)


def recovery_codes_under_argon2id(db: Database, _migrator: SchemaMigrator) -> str | None:
    """Recovery codes are kept as salted argon2id: each stored SHA-256 is wrapped in one.

    Earlier codes (50 bits, unsalted SHA-256) keep working: the portal checks a code of that form
    by hashing it with SHA-256 first. The profile is this step's own (OWASP's argon2id minimum).
    """
    if is_postgres(db):
        db.execute_sql('ALTER TABLE "recovery_code" ALTER COLUMN "code_hash" TYPE VARCHAR(255)')
    hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    rows = [
        (row_id, stored)
        for row_id, stored in db.execute_sql('SELECT id, code_hash FROM "recovery_code"').fetchall()
        if not stored.startswith("$argon2")  # wrapped already: a replay leaves it alone
    ]
    for row_id, sha256 in rows:
        db.execute_sql(
            f'UPDATE "recovery_code" SET code_hash = {db.param} WHERE id = {db.param}',
            (hasher.hash(sha256), row_id),
        )
    return f"recovery codes: {len(rows)} rehashed with argon2id" if rows else None


def enrolment_code_after_a_reset(db: Database, migrator: SchemaMigrator) -> None:
    """An administrator's second-factor reset issues a one-time code the owner enrols with.

    Accounts reset before this step enrol again as they would have: with the password alone.
    """
    _add_missing(
        db,
        migrator,
        "user",
        {
            "enrolment_code_hash": CharField(max_length=255, null=True),
            "enrolment_code_expires_at": DateTimeField(null=True),
        },
    )


def session_devices(db: Database, migrator: SchemaMigrator) -> None:
    """Sessions keep the browser's User-Agent, so their owner can tell them apart and end one."""
    _add_missing(db, migrator, "staff_session", {"user_agent": CharField(max_length=200, null=True)})


def code_pause_and_password_change(db: Database, migrator: SchemaMigrator) -> None:
    """Wrong codes counted per account in a window, the password change a pause requires, and
    the notices on the staff home page (what a store has of these already is kept)."""
    _create_frozen(db, schema_history.MIGRATION_ACCOUNT_NOTICES)
    columns = (("throttle", "window_started_at"), ("user", "password_change_required_at"))
    apply(
        *(
            migrator.add_column(table, column, DateTimeField(null=True))
            for table, column in columns
            if column not in {existing.name for existing in db.get_columns(table)}
        )
    )


def temporary_password_after_a_reset(db: Database, migrator: SchemaMigrator) -> None:
    """An administrator's password reset gives a temporary password that works for a short time."""
    _add_missing(db, migrator, "user", {"temporary_password_expires_at": DateTimeField(null=True)})


def staff_support_ledger(db: Database, _migrator: SchemaMigrator) -> None:
    """The staff support ledger (応援): a new table only."""
    _create_frozen(db, schema_history.MIGRATION_SUPPORT_LEDGER)


def staff_names(db: Database, migrator: SchemaMigrator) -> None:
    """Accounts get the name colleagues know them by; existing ones show their email until given one."""
    _add_missing(db, migrator, "user", {"display_name": CharField(max_length=100, null=True)})


def partial_name_search(db: Database, migrator: SchemaMigrator) -> None:
    """Bookings are found by part of a name or reading through shortened keyed tokens; the staff
    zone writes them for every booking (old ones included) the next time it looks."""
    _create_frozen(db, schema_history.MIGRATION_NAME_TOKENS)
    _add_missing(db, migrator, "booking_index", {"name_tokens": IntegerField(default=0)})
    if not any(tuple(index.columns) == ("name_tokens",) for index in db.get_indexes("booking_index")):
        apply(migrator.add_index("booking_index", ("name_tokens",)))


def waiting_list(db: Database, _migrator: SchemaMigrator) -> None:
    """The public store takes the waiting list: visitors' sealed requests and the places offered.

    On PostgreSQL the new tables' foreign keys name the public schema's tables; a SQLite foreign
    key names a table of its own file (the attached public store) without qualifying it.
    """
    schema, tables = public_schema_name(db), schema_history.MIGRATION_WAITING_LIST
    if is_postgres(db):
        with _schema([*tables, schema_history.ConsultationSession, schema_history.Booking], schema):
            _create_frozen(db, tables)
        return
    for table in tables:
        with _schema([table], schema):
            _create_frozen(db, [table])


def monitoring_counts(db: Database, _migrator: SchemaMigrator) -> None:
    """Bookings by session, channel and status in one index, so the monitoring figures count a
    year of bookings from the index alone. The booking table is in the public store: SQLite names
    the attached file on the index, PostgreSQL the schema on the table."""
    schema, name, columns = public_schema_name(db), BOOKING_COUNTS_INDEX, "(session_id, channel, status)"
    if is_postgres(db):
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{schema}"."booking" {columns}')
    else:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{schema}"."{name}" ON "booking" {columns}')


def staffing_plans_and_monthly_reports(db: Database, _migrator: SchemaMigrator) -> None:
    """Staffing plans, what was staffed day by day, and the monthly report's remarks and sign-offs:
    new tables in the staff store only."""
    _create_frozen(db, schema_history.MIGRATION_STAFFING_AND_REPORTS)


# The audit log page's searches: each column it filters on, then the sequence it pages by.
AUDIT_SEARCH_INDEXES = (
    ("actor_id", "seq"),
    ("action", "seq"),
    ("outcome", "seq"),
    ("client", "seq"),
    ("at",),
)


def audit_log_search(db: Database, migrator: SchemaMigrator) -> None:
    """The audit log page: indexes for its searches and the stored results of verification runs."""
    _create_frozen(db, schema_history.MIGRATION_AUDIT_LOG)
    present = {tuple(index.columns) for index in db.get_indexes("audit_event")}
    missing = [migrator.add_index("audit_event", c) for c in AUDIT_SEARCH_INDEXES if c not in present]
    if missing:
        apply(*missing)


def confidentiality_pledges(db: Database, _migrator: SchemaMigrator) -> None:
    """The confidentiality pledge's versions and acceptances: new tables only (`portal init`
    publishes the first text)."""
    _create_frozen(db, schema_history.MIGRATION_PLEDGES)


def export_consents(db: Database, _migrator: SchemaMigrator) -> None:
    """The city's consent to exports of personal data, per organisation: a new table only."""
    _create_frozen(db, schema_history.MIGRATION_EXPORT_CONSENT)


def self_check_runs(db: Database, _migrator: SchemaMigrator) -> None:
    """The history of the portal's own checks (exposure probe, storage, audit chain, zones): a new
    table only."""
    _create_frozen(db, schema_history.MIGRATION_SELF_CHECKS)


def incident_response(db: Database, _migrator: SchemaMigrator) -> None:
    """Incidents, their exposed objects, affected businesses, contact and timeline entries: new tables."""
    _create_frozen(db, schema_history.MIGRATION_INCIDENTS)


def check_sheet_sign_offs(db: Database, _migrator: SchemaMigrator) -> None:
    """The security check sheet's sign-offs and countersignatures: a new table only."""
    _create_frozen(db, schema_history.MIGRATION_CHECK_SHEET)


def chunked_uploads(db: Database, _migrator: SchemaMigrator) -> None:
    """Files arriving in chunks, until a form takes them: a new table only."""
    _create_frozen(db, schema_history.MIGRATION_CHUNKED_UPLOADS)


MIGRATIONS: list[Migration] = [
    calendar_intake_and_blind_indexes,
    library_daily_reports_and_retention,
    consultation_records,
    audit_lookup_by_object,
    public_store_of_its_own,
    keyed_audit_chain,
    approval_of_roles_that_read_personal_data,
    lost_manage_links,
    recovery_codes_under_argon2id,
    enrolment_code_after_a_reset,
    session_devices,
    code_pause_and_password_change,
    temporary_password_after_a_reset,
    staff_support_ledger,
    staff_names,
    partial_name_search,
    waiting_list,
    monitoring_counts,
    staffing_plans_and_monthly_reports,
    audit_log_search,
    confidentiality_pledges,
    export_consents,
    self_check_runs,
    incident_response,
    check_sheet_sign_offs,
    chunked_uploads,
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
