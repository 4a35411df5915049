"""Record audit events.

Events form a chain: each one's hash is an HMAC, under an audit key only the staff zone holds,
over its fields and the previous hash, so a database writer can neither edit, remove nor insert
an event unnoticed. Each new event is also appended to an anchor file outside the database, so
deleting the newest events (which leaves a valid shorter chain) is caught as well. The public
instance holds no audit key and cannot reach the chain: it appends its events to its own log
(`portal.core.public_log`), and the staff instance chains them, marked `public.`, with its next event.
Events hold ids and addresses, never personal data or secrets.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request

from portal.core import refusal_log
from portal.core.database import database
from portal.core.models import AuditEvent
from portal.core.models.base import utcnow

# What the public instance records; the staff instance chains nothing else from its log.
PUBLIC_ACTIONS = frozenset(
    {
        "booking.request",
        "booking.honeypot",
        "booking.cancel",
        "booking.move",
        "mail.confirmation",
        "manage_link.request",
        "waiting.request",
        "waiting.honeypot",
        "waiting.accept",
        "waiting.decline",
        refusal_log.CSRF,
        refusal_log.RATE_LIMIT,
    }
)
# Chained events that came from the public instance's log carry this before their action.
FROM_PUBLIC = "public."


def record(
    action: str,
    *,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: object = None,
    actor_id: int | None = None,
) -> None:
    """Append one event; who and from where come from the request when there is one.

    Call it outside any open transaction: the anchor is written once the event is committed.
    """
    if database.in_transaction():
        raise RuntimeError("audit events are recorded after the change has committed")
    if actor_id is None:
        actor_id = g.get("actor_id") if has_request_context() else None
    fields = {
        "at": utcnow(),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "client": request.remote_addr if has_request_context() else None,
        "outcome": outcome,
    }
    settings = current_app.config["PORTAL"]
    from portal.staff.audit.chain import append
    from portal.staff.audit.keys import audit_keys

    append(settings.audit_anchor, audit_keys(), AuditEvent(actor_id=actor_id, **fields))
