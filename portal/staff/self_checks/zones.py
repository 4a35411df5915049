"""The zones apart, proved on the live stores: the public zone's login reaches no staff table.

It connects with the public store's URL exactly as the public instance does and tries to read
every staff table (users, sessions, the audit chain, records, keys' checks, objects…), by bare
name and, on PostgreSQL, in the staff schema. Each must be absent or refused. On SQLite the
public process is kept out of the staff file by the operating system alone, so a staff database
file that others may read is a finding too.
"""

from __future__ import annotations

import stat
from pathlib import Path

from peewee import DatabaseError

from portal.core.database import Stores, first_search_path, open_public_store, stores_of
from portal.core.models import STAFF_MODELS
from portal.core.settings import Settings
from portal.staff.self_checks.runs import Finding, Severity


def _names(stores: Stores, table: str) -> list[str]:
    """How a connection could name a staff table: bare, and qualified by the staff schema."""
    if not stores.on_postgres:
        return [f'"{table}"']
    staff_schema = first_search_path(stores.staff_url) or "public"
    return [f'"{table}"', f'"{staff_schema}"."{table}"']


def _reachable(db, name: str) -> bool:
    try:
        with db.atomic():
            db.execute_sql(f"SELECT 1 FROM {name} LIMIT 0")
    except DatabaseError:
        return False
    return True


def _file_open_to_others(path: Path) -> bool:
    return path.exists() and bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def zone_findings(settings: Settings) -> list[Finding]:
    """A serious finding for each staff table the public zone's login reaches."""
    stores = stores_of(settings)
    findings = []
    db = open_public_store(stores, pool_size=1)
    try:
        with db.connection_context():
            for model in STAFF_MODELS:
                for name in _names(stores, model._meta.table_name):
                    if _reachable(db, name):
                        title = "the public zone's login reaches a staff table"
                        findings.append(Finding(Severity.SERIOUS, title, "PORTAL_PUBLIC_DATABASE_URL", name))
    finally:
        db.close_all()
    if not stores.on_postgres:
        for path in (Path(stores.staff_file + suffix) for suffix in ("", "-wal", "-shm")):
            if _file_open_to_others(path):
                mode = oct(path.stat().st_mode & 0o777)
                findings.append(
                    Finding(
                        Severity.SERIOUS, "the staff database file is open to other users", str(path), mode
                    )
                )
    return findings
