"""Opening an affected business's details: its name for the city's lists, its contact details for
whoever makes the call, and every opening audited against its booking.

Decision: lists name a business by its booking reference; the city, which owns the data and
answers for the incident, also sees the business names there (each one opened is audited, as on
the daily list). The operator, who makes the calls, sees references only, and a business's name,
contact person and phone number after pressing "show contact details" for that one business.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.models import AffectedBusiness, Booking, User
from portal.staff.bookings.opening import opened

NAMES_ACTION = "incident.business-name"
REVEAL_ACTION = "incident.reveal"


@dataclass(frozen=True)
class Contact:
    """What the caller needs, and nothing more."""

    business_name: str
    contact_name: str
    phone: str


def sees_names(user: User) -> bool:
    """Whether lists show this user the business names."""
    return user.role == "city"


def names(businesses: list[AffectedBusiness], user: User) -> dict[int, str]:
    """Each business's name by its id, opened for the city only (empty for anyone else)."""
    if not sees_names(user):
        return {}
    return {
        business.id: opened(business.booking, NAMES_ACTION).get("business_name", "")
        for business in businesses
    }


def reveal(booking: Booking) -> Contact:
    """The contact details of a business, for the call about to be made."""
    person = opened(booking, REVEAL_ACTION)
    return Contact(person.get("business_name", ""), person.get("contact_name", ""), person.get("phone", ""))
