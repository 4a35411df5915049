"""Opening a booking's personal data: staff-only, and every opening is an audit event."""

from __future__ import annotations

from portal.core.models import Booking
from portal.staff import audit
from portal.staff.security.unseal import unsealer


def opened(booking: Booking, action: str = "booking.view") -> dict:
    """The details the visitor gave, for this page or export."""
    audit.record(action, object_type="booking", object_id=booking.id)
    return unsealer().open(booking.sealed)
