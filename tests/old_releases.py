"""Build the schema an earlier release left behind, from the frozen dumps in tests/schemas/.

Migration tests start from these files rather than from today's models with pieces dropped, so they
keep exercising the real upgrade path however the models change.
"""

from __future__ import annotations

from pathlib import Path

from peewee import Database, PostgresqlDatabase, SqliteDatabase

SCHEMAS = Path(__file__).parent / "schemas"


def release_schema_file(db: Database, release: int) -> Path:
    """The dump of `release` for the kind of database `db` is."""
    if isinstance(db, SqliteDatabase):
        kind = "sqlite"
    elif isinstance(db, PostgresqlDatabase):
        kind = "postgresql"
    else:
        raise TypeError(f"no frozen schemas for {type(db).__name__}")
    path = SCHEMAS / f"release-{release}.{kind}.sql"
    if not path.is_file():
        raise ValueError(f"no frozen schema for release {release} on {kind}")
    return path


def create_release_schema(db: Database, release: int) -> None:
    """Create release `release`'s tables and seed rows in the empty, open database `db`.

    On PostgreSQL they land in the first schema of the connection's search_path.
    """
    text = release_schema_file(db, release).read_text(encoding="utf-8")
    if isinstance(db, SqliteDatabase):
        db.connection().executescript(text)
    else:
        with db.atomic():
            db.connection().execute(text)
