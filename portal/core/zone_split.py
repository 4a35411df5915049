"""Moving a store made before the zones were apart: its public tables go to the public store.

Run once by migration 5 from the staff zone, which reaches both stores, after it made the blind
indexes' own staff table. Rows keep their ids; blind indexes go to that table; constraints from
staff tables to moved rows are dropped (no constraint spans two stores); then the old tables are
dropped.
"""

from __future__ import annotations

import re

from peewee import Database, Model

from portal.core.database import is_postgres, public_schema_name
from portal.core.models import AvailabilityVersion, Booking, BookingIndex, ConsultationSession, Venue

# Parents before children, so the public store's own foreign keys hold at every insert.
MOVED: list[type[Model]] = [Venue, ConsultationSession, Booking, AvailabilityVersion]
INDEX_COLUMNS = ("phone_index", "email_index", "kana_index")


def move_public_tables(db: Database) -> str:
    """Copy the public tables' rows to the public store and drop them here; says what it did."""
    own = set(db.get_tables())
    moved = [model for model in MOVED if model._meta.table_name in own]
    if not moved:
        return "no public tables to move"
    here = db.execute_sql("SELECT current_schema()").fetchone()[0] if is_postgres(db) else "main"
    there = public_schema_name(db)
    bookings = Booking._meta.table_name
    if bookings in own:
        _copy_blind_indexes(db, f'"{here}"."{bookings}"')
    counts = []
    for model in moved:
        counts.append(f"{_copy_rows(db, model, here, there)} {model._meta.table_name}")
    _drop_references_to(db, [model._meta.table_name for model in moved])
    for model in reversed(moved):
        db.execute_sql(f'DROP TABLE "{here}"."{model._meta.table_name}"')
    return "moved to the public store: " + ", ".join(counts)


def _copy_blind_indexes(db: Database, source: str) -> None:
    columns = {column.name for column in db.get_columns(Booking._meta.table_name)}
    if not set(INDEX_COLUMNS) <= columns:
        return
    listed = ", ".join(f'"{name}"' for name in INDEX_COLUMNS)
    db.execute_sql(
        f'INSERT INTO "{BookingIndex._meta.table_name}" ("booking_id", {listed}) '
        f'SELECT "id", {listed} FROM {source} WHERE '
        + " OR ".join(f'"{name}" IS NOT NULL' for name in INDEX_COLUMNS)
    )


def _copy_rows(db: Database, model: type[Model], here: str, there: str) -> int:
    table = model._meta.table_name
    present = {column.name for column in db.get_columns(table)}
    columns = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields if f.column_name in present)
    cursor = db.execute_sql(
        f'INSERT INTO "{there}"."{table}" ({columns}) SELECT {columns} FROM "{here}"."{table}"'
    )
    if is_postgres(db):
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{there}\".\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX("id") FROM "{there}"."{table}"), 0) + 1, false)'
        )
    return cursor.rowcount


def _drop_references_to(db: Database, tables: list[str]) -> None:
    """Drop every constraint of a staff table that points at one of `tables`."""
    if is_postgres(db):
        rows = db.execute_sql(
            "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c "
            "JOIN pg_class p ON p.oid = c.confrelid "
            "WHERE c.contype = 'f' AND p.relnamespace = current_schema()::regnamespace "
            "AND p.relname = ANY(%s) AND c.conrelid <> c.confrelid",
            (tables,),
        ).fetchall()
        for table, name in rows:
            if table.strip('"') not in tables:
                db.execute_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        return
    _drop_sqlite_references(db, tables)


def _drop_sqlite_references(db: Database, tables: list[str]) -> None:
    """SQLite keeps a table's constraints in its CREATE statement: remove the clauses from it.

    This is SQLite's documented way to drop a foreign key, which changes nothing on disk.
    """
    pattern = re.compile(
        r',\s*FOREIGN KEY \("\w+"\) REFERENCES "(?:' + "|".join(map(re.escape, tables)) + r')" \("\w+"\)'
        r"(?: ON DELETE \w+(?: \w+)?)?(?: ON UPDATE \w+(?: \w+)?)?"
    )
    rows = db.execute_sql("SELECT name, sql FROM main.sqlite_master WHERE type = 'table'").fetchall()
    changed = [
        (name, pattern.sub("", sql)) for name, sql in rows if name not in tables and pattern.search(sql or "")
    ]
    if not changed:
        return
    version = db.execute_sql("PRAGMA main.schema_version").fetchone()[0]
    db.execute_sql("PRAGMA writable_schema = ON")
    try:
        for name, sql in changed:
            db.execute_sql(
                "UPDATE main.sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, name)
            )
        db.execute_sql(f"PRAGMA main.schema_version = {version + 1}")
    finally:
        db.execute_sql("PRAGMA writable_schema = OFF")
