"""The availability counter: bumped in the same transaction as every change of places.

Anything derived from places left (the public calendar's rendered fragments) is cached under
the counter's value, so a change is seen by every process at once.
"""

from __future__ import annotations

from portal.models import AvailabilityVersion


def changed() -> None:
    """Call inside the transaction that changes places (a seat, a session's capacity or status)."""
    AvailabilityVersion.update(version=AvailabilityVersion.version + 1).where(
        AvailabilityVersion.id == 1
    ).execute()


def current() -> int:
    """The counter's value now."""
    return (
        AvailabilityVersion.select(AvailabilityVersion.version).where(AvailabilityVersion.id == 1).scalar()
        or 0
    )
