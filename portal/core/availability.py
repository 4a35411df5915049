"""The availability counter: bumped in the same transaction as every change of places.

Anything derived from places left (the public calendar's rendered pages) is kept under the
counter's value, so a change is seen by every process at its next request.
"""

from __future__ import annotations

from peewee import Database, DatabaseProxy

from portal.core.database import database
from portal.core.models import AvailabilityVersion


def changed() -> None:
    """Call inside any transaction that changes what the public calendar shows.

    That is a seat, a session added or removed or its capacity, status, date or times, and a
    venue's name, ward or active flag: the calendar shows old pages until the counter moves.
    """
    AvailabilityVersion.update(version=AvailabilityVersion.version + 1).where(
        AvailabilityVersion.id == 1
    ).execute()


# Read on every calendar request: written once here rather than compiled by the ORM on each call.
CURRENT_SQL = f'SELECT "version" FROM "{AvailabilityVersion._meta.table_name}" WHERE "id" = 1'


def current(db: Database | DatabaseProxy = database) -> int:
    """The counter's value now (in `db`, for a reader outside the app's context)."""
    row = db.execute_sql(CURRENT_SQL).fetchone()
    return row[0] if row else 0
