"""Each test's instance, as `portal init` leaves it, copied from a template built once per process.

Building an instance (its keys, every table of both stores, the pledge's first version) takes up to
a second on PostgreSQL; copying one takes milliseconds. The template is built the slow way, by the
product's own `ensure_keys`, `migrate` and `ensure_first_version`, in the process's first test on
each database. A SQLite template is two files copied. On PostgreSQL the process keeps its own two
schemas and empties them between tests, down to the template's rows and sequence values, as long
as their shape (relations, columns, defaults, constraints, indexes, triggers, functions, policies,
owners and grants) is untouched since they were last built; a test that changed it (a migration
test, the public zone's login role) leaves them to be dropped and built again.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from portal.core.database import Stores, bind
from portal.core.migrations import migrate
from portal.core.settings import load_settings
from portal.staff.keys import ensure_keys
from portal.staff.pledge.service import ensure_first_version

SQLITE = "sqlite:///"
# The version of every catalog row that describes the two schemas: any change to their relations,
# columns, defaults, constraints, functions, owners or grants writes a new row version (a new xmin),
# while deleting table rows and setting sequences, which is all that emptying them does, writes none.
SHAPE = """
WITH spaces AS (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(schemas)s)),
     relations AS (SELECT oid, xmin FROM pg_class WHERE relnamespace IN (SELECT oid FROM spaces))
SELECT coalesce(string_agg(version, ',' ORDER BY version), '') FROM (
  SELECT 'n' || oid || ':' || xmin AS version FROM pg_namespace WHERE oid IN (SELECT oid FROM spaces)
  UNION ALL SELECT 'c' || oid || ':' || xmin FROM relations
  UNION ALL SELECT 'a' || attrelid || '.' || attnum || ':' || xmin FROM pg_attribute
             WHERE attrelid IN (SELECT oid FROM relations)
  UNION ALL SELECT 'd' || oid || ':' || xmin FROM pg_attrdef WHERE adrelid IN (SELECT oid FROM relations)
  UNION ALL SELECT 'k' || oid || ':' || xmin FROM pg_constraint WHERE connamespace IN (SELECT oid FROM spaces)
  UNION ALL SELECT 't' || oid || ':' || xmin FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM relations)
  UNION ALL SELECT 'p' || oid || ':' || xmin FROM pg_proc WHERE pronamespace IN (SELECT oid FROM spaces)
  UNION ALL SELECT 'l' || oid || ':' || xmin FROM pg_policy WHERE polrelid IN (SELECT oid FROM relations)
  UNION ALL SELECT 'g' || oid || ':' || xmin FROM pg_default_acl
             WHERE defaclnamespace IN (SELECT oid FROM spaces)
) versions
"""


@dataclass
class PostgresTemplate:
    """What a test's schemas are brought back to: their shape, and how to empty and refill them."""

    shape: str
    reset: str  # deletes every row (no foreign key checked, as all go) and sets every sequence back
    rows: dict[str, bytes]  # qualified table → the template's rows in it, in COPY's text format


_templates: dict[str, Path] = {}  # database kind → a folder with the template instance's files
_postgres: dict[str, PostgresTemplate] = {}  # "schemas" → the template, once built


def _build(stores: Stores) -> None:
    """Both stores the slow way, as `portal init` makes them."""
    db = bind(stores)
    with db.connection_context():
        migrate(db)
        ensure_first_version()


def _copy_keys(instance: Path) -> None:
    template = _templates.get("keys")
    if template is None:
        template = _template_folder("keys")
        settings = load_settings("staff", {"INSTANCE_PATH": template / "instance"})
        settings.instance_path.mkdir(mode=0o700)
        ensure_keys(settings)
    shutil.copytree(template / "instance", instance)


def _template_folder(kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"madoguchi-template-{kind}-"))
    atexit.register(shutil.rmtree, folder, True)
    _templates[kind] = folder
    return folder


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix(SQLITE))


def _copy_sqlite(stores: Stores) -> None:
    template = _templates.get("sqlite")
    if template is None:
        template = _template_folder("sqlite")
        _build(Stores(f"{SQLITE}{template / 'portal.db'}", f"{SQLITE}{template / 'public.db'}"))
        for name in ("portal.db", "public.db"):
            with sqlite3.connect(template / name) as connection:  # the whole file, nothing in its log
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(template / "portal.db", _sqlite_file(stores.staff_url))
    shutil.copyfile(template / "public.db", _sqlite_file(stores.public_url))


def _shape(connection: psycopg.Connection, schemas: list[str]) -> str:
    return connection.execute(SHAPE, {"schemas": schemas}).fetchone()[0]


def _take_template(connection: psycopg.Connection, schemas: list[str]) -> PostgresTemplate:
    tables = [
        f'"{schema}"."{table}"'
        for schema, table in connection.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s) ORDER BY 1, 2", [schemas]
        )
    ]
    rows = {}
    for table in tables:
        with connection.cursor().copy(f"COPY {table} TO STDOUT") as copy:
            data = b"".join(bytes(block) for block in copy)
        if data:
            rows[table] = data
    sequences = [
        f'setval(\'"{schema}"."{name}"\', {value or 1}, {value is not None})'
        for schema, name, value in connection.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE schemaname = ANY(%s)",
            [schemas],
        )
    ]
    reset = "".join(
        [
            "SET LOCAL session_replication_role = replica;",
            *(f"DELETE FROM {table};" for table in tables),
            f"SELECT {', '.join(sequences)};" if sequences else "",
        ]
    )
    return PostgresTemplate(_shape(connection, schemas), reset, rows)


def _restore(connection: psycopg.Connection, template: PostgresTemplate) -> None:
    with connection.transaction():
        connection.execute(template.reset)
        for table, data in template.rows.items():
            with connection.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(data)


def _fresh_postgres(stores: Stores, dsn: str, schemas: list[str]) -> None:
    """Empty the process's two schemas back to the template, or drop them and build them again."""
    with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as connection:
        template = _postgres.get("schemas")
        if template is not None and _shape(connection, schemas) == template.shape:
            _restore(connection, template)
            return
        for schema in schemas:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{schemas[0]}"')
    _build(stores)
    with psycopg.connect(dsn, autocommit=True) as connection:
        if template is None:
            _postgres["schemas"] = _take_template(connection, schemas)
        else:  # built again: the same tables and rows, in catalog rows of a new version
            template.shape = _shape(connection, schemas)


def fresh_instance(folder: Path, stores: Stores, postgres: tuple[str, list[str]] | None = None) -> dict:
    """Settings for a fresh instance in `folder`: its keys, both stores up to date, the pledge's
    first version. `postgres` is (server DSN, [staff schema, public schema]) when the stores are
    the process's PostgreSQL schemas."""
    if stores.staff_url.startswith(SQLITE):
        _copy_sqlite(stores)
    else:
        assert postgres, "PostgreSQL stores are the process's own schemas"
        _fresh_postgres(stores, *postgres)
    bind(stores)  # as building them leaves it: models reach the test's stores outside an app too
    values = {
        "INSTANCE_PATH": folder / "instance",
        "DATABASE_URL": stores.staff_url,
        "PUBLIC_DATABASE_URL": stores.public_url,
        "AUDIT_ANCHOR": folder / "anchor" / "audit-anchor.log",
    }
    _copy_keys(values["INSTANCE_PATH"])
    return values
