"""Who has seen something, read back from the audit log, for every feature that shows it."""

from __future__ import annotations

import operator
from collections.abc import Collection
from dataclasses import dataclass
from functools import reduce

from portal.core.models import AuditEvent, User

Watched = tuple[str, Collection[object], Collection[str]]


@dataclass(frozen=True)
class Sighting:
    """One successful event and the account that caused it (None if there is none any more)."""

    event: AuditEvent
    actor: User | None


def sightings(*watched: Watched, limit: int | None = None) -> list[Sighting]:
    """Events with outcome "ok" for any (object type, ids, actions) given, newest first."""
    conditions = [
        (AuditEvent.object_type == object_type)
        & AuditEvent.object_id.in_([str(object_id) for object_id in ids])
        & AuditEvent.action.in_(list(actions))
        for object_type, ids, actions in watched
        if ids
    ]
    if not conditions:
        return []
    events = list(
        AuditEvent.select()
        .where(AuditEvent.outcome == "ok", reduce(operator.or_, conditions))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    actors = {event.actor_id for event in events if event.actor_id is not None}
    users = {user.id: user for user in User.select().where(User.id.in_(actors))} if actors else {}
    return [Sighting(event, users.get(event.actor_id)) for event in events]
