"""Opening a booking's personal data: staff-only, and every opening is an audit event."""

from __future__ import annotations

from flask import current_app

from portal.core.models import Booking
from portal.staff import audit


def opened(booking: Booking, action: str = "booking.view") -> dict:
    """The details the visitor gave, for this page or export."""
    audit.record(action, object_type="booking", object_id=booking.id)
    return current_app.extensions["portal.unsealer"].open(booking.sealed)
