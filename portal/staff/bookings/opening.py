"""Opening a booking's personal data: staff-only, and every opening is an audit event."""

from __future__ import annotations

from collections.abc import Callable

from portal.core.models import Booking
from portal.staff import audit
from portal.staff.security.unseal import unsealer


def opened(booking: Booking, action: str = "booking.view") -> dict:
    """The details the visitor gave, for this page or export."""
    audit.record(action, object_type="booking", object_id=booking.id)
    return unsealer().open(booking.sealed)


def opened_if(booking: Booking, wanted: Callable[[dict], bool]) -> dict | None:
    """The details if `wanted` accepts them (a view), else None: opened only to be checked (a
    search's candidate that did not match). Either way the opening is audited, as what it was."""
    person = unsealer().open(booking.sealed)
    shown = wanted(person)
    audit.record("booking.view" if shown else "booking.match", object_type="booking", object_id=booking.id)
    return person if shown else None
