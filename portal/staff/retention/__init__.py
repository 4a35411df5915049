"""Retention: a registry of the kinds of things that expire, and what destroying one means.

A feature registers each kind once, with one call:

    register("record", expired_records, destroy_record, label=_l("相談記録"))

`expired(settings, now)` yields an Expired for each item past its rule (soft-deleted longer
than the grace period, or older than its kind's retention); `destroy(object_id)` deletes the
item's objects through the object store (ciphertext, then data key) and its rows, inside the
purge's transaction, and returns any parts destroyed with it as (kind, id) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.core.settings import Settings

DELETED = "deleted"
EXPIRED = "expired"


@dataclass(frozen=True)
class Expired:
    """One item past its rule: its internal id, why (DELETED or EXPIRED) and the rule applied."""

    object_id: str
    reason: str
    rule: str


@dataclass(frozen=True)
class Kind:
    """A kind of item retention can destroy."""

    name: str
    expired: Callable[[Settings, datetime], Iterable[Expired]]
    destroy: Callable[[str], Sequence[tuple[str, str]]]
    label: object = None


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    expired: Callable[[Settings, datetime], Iterable[Expired]],
    destroy: Callable[[str], Sequence[tuple[str, str]]],
    label: object = None,
) -> None:
    """Add a kind to the purge (registering a name again replaces it); `label` names it on screen."""
    KINDS[name] = Kind(name, expired, destroy, label)


def rule(settings: Settings, name: str) -> tuple[str, int]:
    """A retention setting as the certificate names it, and its number of days."""
    days = getattr(settings, name)
    return f"{name}={days}", days


def deleted_or_aged(
    model, age_field, age_setting: str, settings: Settings, now: datetime, *live
) -> Iterator[Expired]:
    """Rows of `model` soft-deleted longer ago than the grace period, then live rows (matching any
    further `live` conditions) whose `age_field` lies further back than `age_setting` days."""
    deleted_rule, grace = rule(settings, "retention_deleted_days")
    for row in model.select(model.id).where(model.deleted_at <= now - timedelta(days=grace)):
        yield Expired(str(row.id), DELETED, deleted_rule)
    age_rule, days = rule(settings, age_setting)
    aged = model.select(model.id).where(
        model.deleted_at.is_null(), age_field <= now - timedelta(days=days), *live
    )
    for row in aged:
        yield Expired(str(row.id), EXPIRED, age_rule)
