"""The public zone's own event log: it may append here and nowhere else.

The staff zone takes these events into its audit chain, marked as coming from the public zone
(`portal.staff.audit.take_public_events`); the public zone can neither read them back nor reach the chain.
"""

from __future__ import annotations

from flask import has_request_context, request

from portal.core.models import PublicEvent


def log(
    action: str, *, outcome: str = "ok", object_type: str | None = None, object_id: object = None
) -> None:
    """Append one event: ids and the client address, never personal data."""
    PublicEvent.insert(
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        client=request.remote_addr if has_request_context() else None,
    ).execute()
