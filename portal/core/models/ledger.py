"""The staff support ledger (応援): staff the city's bureaus lent to the subsidy work, day by day.

An entry holds a bureau's name, a count and a note about the work, never personal data, so
nothing in it is sealed (unlike the notes of bookings and records): the form asks for no names.
"""

from __future__ import annotations

from peewee import CharField, DateField, IntegerField

from portal.core.models.base import BaseModel

DAY_PARTS = ("full", "half")
STATUSES = ("planned", "actual")


class SupportEntry(BaseModel):
    """How many people one bureau lent on one day, for a full or a half day, planned or actual.

    People and day part are stored as given; person-days are computed from them in whole halves
    (portal.staff.ledger.summary), so no sum is ever rounded.
    """

    day = DateField(index=True)
    bureau = CharField(max_length=40)
    people = IntegerField()
    day_part = CharField(max_length=4)  # one of DAY_PARTS
    status = CharField(max_length=7)  # one of STATUSES
    note = CharField(max_length=200, default="")
