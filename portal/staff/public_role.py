"""The public zone's PostgreSQL role: exactly the grants the public site needs, nothing more.

It reaches the public schema alone. It reads venues, sessions and the availability counter, and
the bookings' columns a manage link shows; it writes a booking (its sealed details included, which
it cannot read back), takes and gives back seats, appends to its event log, and writes sealed
requests for a lost manage link and for the waiting list, which it cannot read back either; it
reads the places offered from the waiting list and answers them. It holds nothing
in the staff schema: users, sessions, the audit chain, records, documents, keys and objects are
out of its reach, and so are the blind indexes.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from peewee import Database
from psycopg import sql

from portal.core.database import public_schema_name, with_search_path
from portal.core.models import (
    AvailabilityVersion,
    Booking,
    ConsultationSession,
    ManageLinkRequest,
    PublicEvent,
    Venue,
    WaitingOffer,
    WaitingRequest,
)
from portal.core.models.reservations import PUBLIC_BOOKING_FIELDS
from portal.core.models.waiting import PUBLIC_WAITING_FIELDS


def _columns(model) -> list[str]:
    return [f.column_name for f in model._meta.sorted_fields]


def _grants() -> list[tuple[str, str, list[str] | None]]:
    """(privilege, table, columns or None for the whole table), one per grant."""
    booking_written = [c for c in _columns(Booking) if c not in ("id", "created_by_id")]
    public_columns = [f.column_name for f in PUBLIC_BOOKING_FIELDS]
    return [
        ("SELECT", Venue._meta.table_name, None),
        ("SELECT", ConsultationSession._meta.table_name, None),
        ("UPDATE", ConsultationSession._meta.table_name, ["taken"]),
        ("SELECT", AvailabilityVersion._meta.table_name, None),
        ("UPDATE", AvailabilityVersion._meta.table_name, ["version"]),
        ("SELECT", Booking._meta.table_name, public_columns),
        ("INSERT", Booking._meta.table_name, booking_written),
        (
            "UPDATE",
            Booking._meta.table_name,
            ["status", "session_id", "decline_reason", "manage_valid_until", "reminder_sent_on"],
        ),
        ("INSERT", PublicEvent._meta.table_name, [c for c in _columns(PublicEvent) if c != "id"]),
        ("SELECT", PublicEvent._meta.table_name, ["id"]),  # INSERT … RETURNING id
        ("INSERT", ManageLinkRequest._meta.table_name, [c for c in _columns(ManageLinkRequest) if c != "id"]),
        ("SELECT", ManageLinkRequest._meta.table_name, ["id"]),
        ("INSERT", WaitingRequest._meta.table_name, [c for c in _columns(WaitingRequest) if c != "id"]),
        ("SELECT", WaitingRequest._meta.table_name, [f.column_name for f in PUBLIC_WAITING_FIELDS]),
        ("UPDATE", WaitingRequest._meta.table_name, ["status"]),
        ("SELECT", WaitingOffer._meta.table_name, None),
        ("UPDATE", WaitingOffer._meta.table_name, ["answer", "answered_at"]),
    ]


def _run(db: Database, statement: sql.Composable) -> None:
    db.connection().execute(statement)


def grant_public_role(db: Database, name: str, password: str) -> str:
    """Create or update the login role `name` with the public zone's grants; returns its URL.

    `db` is the staff store (its owner's connection). Earlier grants are revoked first, so the
    role holds exactly today's list.
    """
    schema = public_schema_name(db)
    role = sql.Identifier(name)
    with db.atomic():
        exists = db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        _run(
            db,
            sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
                role, sql.Literal(password)
            ),
        )
        _run(
            db, sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), role)
        )
        _run(
            db,
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), role),
        )
        _run(db, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role))
        for privilege, table, columns in _grants():
            target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            listed = (
                sql.SQL("({})").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
                if columns
                else sql.SQL("")
            )
            _run(db, sql.SQL("GRANT " + privilege + " {} ON {} TO {}").format(listed, target, role))
        for table in (Booking, PublicEvent, ManageLinkRequest, WaitingRequest):
            sequence = f"{table._meta.table_name}_id_seq"
            _run(
                db,
                sql.SQL("GRANT USAGE ON SEQUENCE {}.{} TO {}").format(
                    sql.Identifier(schema), sql.Identifier(sequence), role
                ),
            )
    return public_url(db.stores.staff_url, name, password, schema)


def public_url(staff_url: str, name: str, password: str, schema: str) -> str:
    """The staff URL's host and database, with the public role's credentials and schema."""
    parts = urlsplit(staff_url)
    host = parts.hostname or ""
    netloc = f"{quote(name, safe='')}:{quote(password, safe='')}@{host}" + (
        f":{parts.port}" if parts.port else ""
    )
    return with_search_path(urlunsplit((parts.scheme, netloc, parts.path, "", "")), schema)
