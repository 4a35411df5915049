"""Searching the audit log: filters read from the query string, and keyset pages newest first.

Pages are bounded by sequence numbers (`before` / `after`), never by OFFSET, so the thousandth
page costs what the first does: each filter has an index ending in `seq` (see the migration
`audit_log_search`), from which the database reads one page and stops.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from peewee import Field, Select
from werkzeug.datastructures import MultiDict

from portal.core.database import database
from portal.core.dates import TOKYO, parse_day
from portal.core.models import AuditEvent, User
from portal.core.query_args import int_arg, text_arg

PAGE = 50
NOT_OK = "not-ok"  # the outcome filter's "anything but ok": refusals, failures and counts
NOBODY = "none"  # the actor filter's "no account": anonymous requests and the command line
CHOICES_MAX = 500  # distinct values offered in a list, at most
OBJECT_ID = re.compile(r"[0-9A-Za-z._:,@-]{1,64}")  # what the portal writes as object ids


@dataclass(frozen=True)
class Filters:
    """What to search for, as typed; empty text means "any"."""

    actor: str = ""  # a user id, or NOBODY
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""  # a stored outcome, or NOT_OK
    client: str = ""
    since: str = ""  # business days, YYYY-MM-DD, both included
    until: str = ""

    @classmethod
    def from_args(cls, args: MultiDict) -> Filters:
        """The filters in the query string, as typed (see `problems` for what cannot be searched for)."""
        return cls(
            actor=text_arg("actor", 12, args),
            action=text_arg("action", 60, args),
            object_type=text_arg("object_type", 40, args),
            object_id=text_arg("object_id", 64, args),
            outcome=text_arg("outcome", 20, args),
            client=text_arg("client", 45, args),
            since=text_arg("since", 10, args),
            until=text_arg("until", 10, args),
        )

    def problems(self) -> list[str]:
        """What cannot be searched for as typed, each with what to type instead."""
        problems = []
        if self.actor and self.actor != NOBODY and int_arg("actor", MultiDict({"actor": self.actor})) is None:
            problems.append(_l("操作した人は一覧から選んでください。"))
        if self.object_id and not OBJECT_ID.fullmatch(self.object_id):
            problems.append(_l("対象のIDは英数字と . _ : , @ - で入力してください。"))
        if self.client:
            try:
                ipaddress.ip_address(self.client)
            except ValueError:
                problems.append(_l("接続元は 192.0.2.1 のようなIPアドレスで入力してください。"))
        for typed in (self.since, self.until):
            if typed and parse_day(typed) is None:
                problems.append(_l("期間の日付は 2026-04-01 のように入力してください。"))
        since, until = self.period()
        if since and until and since > until:
            problems.append(_l("期間の始めは終わりより前の日にしてください。"))
        return problems

    def period(self) -> tuple[date | None, date | None]:
        """The first and last business day asked for."""
        return parse_day(self.since), parse_day(self.until)

    def args(self) -> dict[str, str]:
        """The filters given, as query arguments (for links to other pages and the exports)."""
        return {name: value for name, value in asdict(self).items() if value}

    def summary(self) -> str | None:
        """The filters as the audit event of a search names them (the column holds 64 characters)."""
        return urlencode(self.args())[:64] or None


def _tokyo_midnight(day: date) -> datetime:
    """The stored (naive UTC) time at which a business day begins."""
    return datetime.combine(day, time(), TOKYO).astimezone(UTC).replace(tzinfo=None)


def matching(filters: Filters) -> Select:
    """Every event the filters let through (the filters must have no problems)."""
    conditions = []
    if filters.actor == NOBODY:
        conditions.append(AuditEvent.actor_id.is_null())
    elif filters.actor:
        conditions.append(AuditEvent.actor_id == int(filters.actor))
    for column, value in (
        (AuditEvent.action, filters.action),
        (AuditEvent.object_type, filters.object_type),
        (AuditEvent.object_id, filters.object_id),
        (AuditEvent.client, filters.client),
    ):
        if value:
            conditions.append(column == value)
    if filters.outcome == NOT_OK:
        conditions.append(AuditEvent.outcome != "ok")
    elif filters.outcome:
        conditions.append(AuditEvent.outcome == filters.outcome)
    since, until = filters.period()
    if since:
        conditions.append(AuditEvent.at >= _tokyo_midnight(since))
    if until:
        conditions.append(AuditEvent.at < _tokyo_midnight(until + timedelta(days=1)))
    query = AuditEvent.select()
    return query.where(*conditions) if conditions else query


@dataclass
class Page:
    """One page of events, newest first, with the cursors of the pages on either side."""

    events: list[AuditEvent]
    older: int | None  # `before` of the next page back in time
    newer: int | None  # `after` of the page forward in time
    actors: dict[int, User]


def page(filters: Filters, before: int | None = None, after: int | None = None, size: int = PAGE) -> Page:
    """The page just before `before` (or just after `after`; the newest page without either)."""
    query = matching(filters)
    if after is not None:
        rows = list(query.where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(size))[::-1]
    else:
        bounded = query.where(AuditEvent.seq < before) if before is not None else query
        rows = list(bounded.order_by(AuditEvent.seq.desc()).limit(size))
    if not rows:
        return Page([], None, None, {})
    newest, oldest = rows[0].seq, rows[-1].seq
    older = oldest if matching(filters).where(AuditEvent.seq < oldest).exists() else None
    newer = newest if matching(filters).where(AuditEvent.seq > newest).exists() else None
    return Page(rows, older, newer, actors_of(rows))


def actors_of(events: list[AuditEvent]) -> dict[int, User]:
    """The accounts that acted in `events`, by id, in one query."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    return {user.id: user for user in User.select().where(User.id.in_(ids))} if ids else {}


def distinct_values(column: Field) -> list[str]:
    """The values a column holds, in order, found by one index lookup each rather than a scan of
    every event (a loose index scan; SQLite and PostgreSQL both run it from the column's index)."""
    table, name = AuditEvent._meta.table_name, column.column_name
    sql = (
        f'WITH RECURSIVE seen(value) AS (SELECT MIN("{name}") FROM "{table}" '
        f'UNION ALL SELECT (SELECT MIN("{name}") FROM "{table}" WHERE "{name}" > seen.value) '
        f"FROM seen WHERE seen.value IS NOT NULL) "
        f"SELECT value FROM seen WHERE value IS NOT NULL LIMIT {CHOICES_MAX}"
    )
    return [row[0] for row in database.execute_sql(sql).fetchall()]
