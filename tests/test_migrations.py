"""Stores made by earlier releases come up to today's schema and keep every row.

The old schemas are frozen files (tests/schemas), so these tests do not change when models do.
"""

from __future__ import annotations

from datetime import date, datetime, time

import psycopg
import pytest
from playhouse.migrate import SchemaMigrator

from portal.core.database import bind, open_database, open_public_store, public_schema_name
from portal.core.migrations import BOOKING_COUNTS_INDEX, MIGRATIONS, migrate, monitoring_counts, waiting_list
from portal.core.models import (
    PUBLIC_MODELS,
    STAFF_MODELS,
    AccountApproval,
    AuditEvent,
    AvailabilityVersion,
    Booking,
    BookingIndex,
    ConsultationRecord,
    ConsultationSession,
    Organisation,
    SchemaVersion,
    User,
    Venue,
    WeeklyPattern,
)
from tests.conftest import POSTGRES_DSN, POSTGRES_SCHEMA
from tests.old_releases import create_release_schema

MOVED = {"venue", "consultation_session", "booking", "availability_version"}


def _insert(db, table: str, **values) -> None:
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join([db.param] * len(values))
    db.execute_sql(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(values.values()))


def _old_venue_and_session(db, consultant_id: int | None = None) -> None:
    _insert(
        db,
        "venue",
        id=1,
        name="会場",
        ward="区",
        address="住所",
        access_notes="",
        what_to_bring="",
        map_url="",
        active=True,
    )
    _insert(
        db,
        "consultation_session",
        id=1,
        venue_id=1,
        date=date(2026, 12, 1),
        starts_at=time(10),
        ends_at=time(11),
        capacity=5,
        taken=1,
        consultant_id=consultant_id,
        status="open",
    )


def _public_count(stores, table: str) -> int:
    """Rows of a table as the public instance, opening its store alone, sees them."""
    public = open_public_store(stores, pool_size=1)
    with public.connection_context():
        count = public.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    public.close_all()
    return count


def _public_columns(stores, table: str) -> list[tuple[str, bool]]:
    """A public table's columns and whether each may be null, as the public instance sees them."""
    public = open_public_store(stores, pool_size=1)
    with public.connection_context():
        columns = sorted((column.name, column.null) for column in public.get_columns(table))
    public.close_all()
    return columns


def test_the_first_release_migrates_to_today(stores):
    db = bind(stores)
    with db.connection_context():
        create_release_schema(db, 0)
        _old_venue_and_session(db)

        assert migrate(db) == len(MIGRATIONS)
        assert SchemaVersion.get().version == len(MIGRATIONS)
        assert AvailabilityVersion.get_by_id(1).version == 0
        assert ConsultationSession.get().venue.name == "会場"
        assert not MOVED & set(db.get_tables())
        assert migrate(db) == 0
    assert _public_count(stores, "consultation_session") == 1


def test_release_4_moves_the_public_tables_keeping_every_row(stores):
    db = bind(stores)
    with db.connection_context():
        create_release_schema(db, 4)
        consultant = User.create(
            email="c@example.jp",
            password_hash="x",
            role="consultant",
            organisation=Organisation.create(name="架空市"),
        )
        _old_venue_and_session(db, consultant.id)
        _insert(
            db,
            "booking",
            id=7,
            session_id=1,
            channel="phone",
            status="attended",
            reference="ABCD-EFGH",
            sealed=b"sealed",
            programmes="",
            phone_index="p" * 64,
            kana_index="k" * 64,
            created_by_id=consultant.id,
            created_at=datetime(2026, 11, 1, 9),
        )
        _insert(db, "weekly_pattern", venue_id=1, weekday=0, starts_at=time(10), ends_at=time(11), capacity=5)
        ConsultationRecord.create(booking=7, author=consultant)
        _insert(
            db,
            "audit_event",
            seq=1,
            at=datetime(2026, 11, 1, 9),
            action="signin.success",
            outcome="ok",
            prev_hash="0" * 64,
            hash="a" * 64,
        )
        notes: list[str] = []

        assert migrate(db, say=notes.append) == len(MIGRATIONS) - 4
        assert notes == [
            "moved to the public store: 1 venue, 1 consultation_session, 1 booking, 1 availability_version"
        ]
        assert not MOVED & set(db.get_tables())
        booking = Booking.get_by_id(7)
        assert (bytes(booking.sealed), booking.session.venue.name, booking.created_by_id) == (
            b"sealed",
            "会場",
            consultant.id,
        )
        assert booking.session.consultant_id == consultant.id
        index = BookingIndex.get_by_id(7)
        assert (index.phone_index, index.email_index, index.kana_index) == ("p" * 64, None, "k" * 64)
        assert ConsultationRecord.get().booking_id == 7 and WeeklyPattern.get().venue_id == 1
        # Audit events gain the key that chains them; adopting old ones needs the key (portal init).
        assert (AuditEvent.get().hash, AuditEvent.get().key_id) == ("a" * 64, None)

        # New rows follow the old ids, and staff rows can point at moved ones again.
        fresh = Booking.create(session=1, channel="web", status="requested", reference="WXYZ-2345")
        assert fresh.id == 8 and Venue.create(name="新", ward="区", address="住所").id == 2
        ConsultationRecord.create(booking=fresh.id, author=consultant)
        WeeklyPattern.create(venue=2, weekday=1, starts_at=time(13), ends_at=time(14), capacity=3)
        assert migrate(db) == 0
    assert _public_count(stores, "booking") == 2
    assert _public_columns(stores, "manage_link_request") == [
        ("created_at", False),
        ("id", False),
        ("sealed", False),
    ]


def test_a_public_store_from_before_lost_link_requests_gains_their_table(stores):
    db = bind(stores)
    with db.connection_context():
        migrate(db)
        db.execute_sql(f'DROP TABLE "{public_schema_name(db)}"."manage_link_request"')
        SchemaVersion.update(version=7).execute()  # release 7: account approvals were the last step
        assert migrate(db) == len(MIGRATIONS) - 7
        assert migrate(db) == 0
    assert _public_columns(stores, "manage_link_request") == [
        ("created_at", False),
        ("id", False),
        ("sealed", False),
    ]
    assert _public_count(stores, "manage_link_request") == 0


def test_a_public_store_from_before_the_waiting_list_gains_its_tables_as_a_fresh_store_has_them(
    stores, separate
):
    db = bind(stores)
    step = MIGRATIONS.index(waiting_list)
    with db.connection_context():
        migrate(db)
        for table in ("waiting_offer", "waiting_request"):
            db.execute_sql(f'DROP TABLE "{public_schema_name(db)}"."{table}"')
        SchemaVersion.update(version=step).execute()
        assert migrate(db) == len(MIGRATIONS) - step
        assert migrate(db) == 0
    public = open_public_store(stores, pool_size=1)
    with public.connection_context():
        migrated = _shape(public)
    public.close_all()
    with separate.connection_context(), separate.bind_ctx(PUBLIC_MODELS):
        separate.create_tables(PUBLIC_MODELS)
        fresh = _shape(separate)
    for table in ("waiting_request", "waiting_offer"):
        assert migrated[table] == fresh[table], table
    assert _public_count(stores, "waiting_request") == 0


def test_bookings_from_before_the_monitoring_index_gain_it_as_a_fresh_store_has_it(stores, separate):
    db = bind(stores)
    step = MIGRATIONS.index(monitoring_counts)
    with db.connection_context():
        migrate(db)
        schema = public_schema_name(db)
        dropped = f'"{schema}"."{BOOKING_COUNTS_INDEX}"'
        db.execute_sql(f"DROP INDEX {dropped}")
        SchemaVersion.update(version=step).execute()
        assert migrate(db) == len(MIGRATIONS) - step
    public = open_public_store(stores, pool_size=1)
    with public.connection_context():
        migrated = _shape(public)["booking"]
    public.close_all()
    with separate.connection_context(), separate.bind_ctx(PUBLIC_MODELS):
        separate.create_tables(PUBLIC_MODELS)
        fresh = _shape(separate)["booking"]
    assert migrated == fresh
    assert (("session_id", "channel", "status"), False) in migrated[1]


def _shape(db) -> dict:
    """Each table's columns (with nullability), indexes (by columns) and foreign keys."""
    return {
        table: (
            sorted((column.name, column.null) for column in db.get_columns(table)),
            sorted((tuple(index.columns), index.unique) for index in db.get_indexes(table)),
            sorted((key.column, key.dest_table) for key in db.get_foreign_keys(table)),
        )
        for table in db.get_tables()
    }


@pytest.fixture
def separate(stores, tmp_path):
    """A second, separate, empty database of the same kind."""
    if not stores.on_postgres:
        db = open_database(f"sqlite:///{tmp_path / 'separate.db'}", pool_size=1)
        yield db
        db.close_all()
        return
    schema = f"{POSTGRES_SCHEMA}_separate"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    db = open_database(f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}", pool_size=1)
    yield db
    db.close_all()
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


def test_migrations_1_to_4_replayed_on_release_0_make_release_4s_schema(stores, separate):
    db = bind(stores)
    with db.connection_context():
        create_release_schema(db, 0)
        migrator = SchemaMigrator.from_database(db)
        with db.atomic():
            for step in MIGRATIONS[:4]:
                step(db, migrator)
        replayed = _shape(db)
    with separate.connection_context():
        create_release_schema(separate, 4)
        assert replayed == _shape(separate)


def test_accounts_enabled_before_approvals_keep_their_role_and_disabled_ones_must_be_approved(
    stores, separate
):
    db = bind(stores)
    with db.connection_context():
        create_release_schema(db, 4)
        created = datetime(2026, 1, 5, 9)
        _insert(db, "organisation", id=1, name="架空市", created_at=created)
        for user_id, role, disabled_at in (
            (1, "city", None),
            (2, "consultant", created),
            (3, "consultant", None),
        ):
            _insert(
                db,
                "user",
                id=user_id,
                email=f"{user_id}@example.jp",
                password_hash="x",
                role=role,
                organisation_id=1,
                totp_last_step=0,
                disabled_at=disabled_at,
                created_at=created,
            )
        migrate(db)
        users = {user.id: user for user in User.select()}
        assert [users[i].approved_role for i in (1, 2, 3)] == ["city", None, "consultant"]
        assert users[1].may_sign_in(date(2026, 12, 1)) and users[3].may_sign_in(date(2026, 12, 1))
        assert AccountApproval.select().count() == 0
        migrated = _shape(db)
    # The step makes what today's models describe.
    tables = [Organisation, User, AccountApproval]
    with separate.connection_context(), separate.bind_ctx(tables):
        separate.create_tables(tables)
        fresh = _shape(separate)
    for table in ("user", "account_approval"):
        assert migrated[table] == fresh[table], table


def test_every_migration_replayed_on_release_0_makes_the_schema_a_fresh_store_gets(stores, separate):
    db = bind(stores)
    with db.connection_context():
        create_release_schema(db, 0)
        migrate(db)
        replayed = _shape(db)
    with separate.connection_context(), separate.bind_ctx(STAFF_MODELS):
        separate.create_tables(STAFF_MODELS)
        assert replayed == _shape(separate)
