"""The demo season's staffing plan, as the contract with the operator sets it out.

Phone: June 5 lines and 5 operators, July 2 lines and 2.5 operators, August 2 and 2, September
and October 1 and 1. Reception: in June 2 people at nine venues (the eight ward offices and the
central station branch, the busiest) and 1 at the other seven, then 1 at every venue.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.core.database import write_transaction
from portal.core.models import PhonePlan, ReceptionPlan, Venue

PHONE = {  # month: (lines, operators)
    date(2020, 6, 1): (5, Decimal(5)),
    date(2020, 7, 1): (2, Decimal("2.5")),
    date(2020, 8, 1): (2, Decimal(2)),
    date(2020, 9, 1): (1, Decimal(1)),
    date(2020, 10, 1): (1, Decimal(1)),
}
BUSIEST = 9  # venues with two reception staff in June, the first of demo/venues.py's list
JUNE = date(2020, 6, 1)


def seed_staffing() -> None:
    """The season's plan: phone lines and operators per month, reception staff per venue per month."""
    venues = [venue.id for venue in Venue.select(Venue.id).order_by(Venue.id)]
    with write_transaction():
        for month, (lines, operators) in PHONE.items():
            PhonePlan.create(month=month, lines=lines, operators=operators)
            ReceptionPlan.insert_many(
                [
                    {"month": month, "venue": venue, "staff": 2 if month == JUNE and rank < BUSIEST else 1}
                    for rank, venue in enumerate(venues)
                ]
            ).execute()
