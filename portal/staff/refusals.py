"""Refusing a request for one object, the same way in every feature: audited, then the unknown-URL 404.

The rule: the audit action is always `request.denied`, as at the gate; the outcome is `missing`
when no such object exists and `refused` when it does; the object type and id say what was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from portal.core.models import User
from portal.core.web import not_found
from portal.staff import audit

T = TypeVar("T")


def refuse(object_type: str, object_id: object, missing: bool = False) -> None:
    """Audit a per-object refusal and answer exactly as an unknown URL would."""
    audit.record(
        "request.denied",
        outcome="missing" if missing else "refused",
        object_type=object_type,
        object_id=object_id,
    )
    not_found()


def permitted(
    user: User, found: T | None, rule: Callable[[User, T], bool], object_type: str, object_id: object
) -> T:
    """`found`, if there is one and `rule` lets `user` at it; otherwise the audited 404."""
    if found is None or not rule(user, found):
        refuse(object_type, object_id, missing=found is None)
    return found
