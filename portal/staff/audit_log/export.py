"""A search of the audit log as a spreadsheet, through the formula-safe exports.

One function builds the file, so what every export must also do is added in one place.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response
from flask_babel import gettext as _

from portal.core.dates import TOKYO
from portal.core.models import AuditEvent, User
from portal.staff.audit_log.search import Filters, matching
from portal.staff.exports import XLSX, Cell, csv_bytes, current_stamp, xlsx_bytes
from portal.staff.names import person_name

EXPORT_MAX = 100_000  # the newest matching events an export holds; narrower searches hold them all
KINDS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def local_time(at: datetime) -> datetime:
    """A stored (UTC) time as read in Tokyo, to the second, for a spreadsheet cell."""
    return at.replace(tzinfo=UTC).astimezone(TOKYO).replace(tzinfo=None, microsecond=0)


def rows(filters: Filters) -> list[list[Cell]]:
    """The matching events, newest first, one row each, the actor by name and by id."""
    names = {user.id: person_name(user) for user in User.select()}
    events = matching(filters).order_by(AuditEvent.seq.desc()).limit(EXPORT_MAX)
    return [
        [
            event.seq,
            local_time(event.at),
            names.get(event.actor_id, "") if event.actor_id is not None else "",
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.client,
            event.outcome,
        ]
        for event in events.iterator()
    ]


def export(filters: Filters, kind: str) -> Response:
    """The search as a CSV (for Excel in Japan) or XLSX download."""
    header = [
        _("番号"),
        _("日時"),
        _("操作した人"),
        _("利用者ID"),
        _("操作"),
        _("対象の種類"),
        _("対象のID"),
        _("接続元"),
        _("結果"),
    ]
    found, stamp = rows(filters), current_stamp()
    if kind == "csv":
        body = csv_bytes(header, found, stamp=stamp)
    else:
        body = xlsx_bytes(_("監査ログ"), header, found, stamp=stamp)
    response = Response(body, mimetype=KINDS[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="audit-log.{kind}"'
    return response
