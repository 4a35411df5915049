"""Staffing plans and the figures staff enter against them: phone lines and operators per month,
reception staff per venue per month, and what was actually staffed day by day.

Counts only, never names: nothing here is personal data. People are kept to one decimal place
(2.5 operators is two full-time and one half-time), exactly, as NUMERIC on PostgreSQL.
"""

from __future__ import annotations

from peewee import DateField, DateTimeField, DecimalField, ForeignKeyField, IntegerField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, CrossStoreKey, utcnow
from portal.core.models.reservations import Venue


def people_field(**kwargs) -> DecimalField:
    """A number of people to one decimal place."""
    return DecimalField(max_digits=5, decimal_places=1, auto_round=True, **kwargs)


class Entered(BaseModel):
    """Who last set a figure, and when (the audit log holds every change)."""

    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField(default=utcnow)


class PhonePlan(Entered):
    """The phone lines to staff and the operators to staff them with, on each working day of a month."""

    month = DateField(unique=True)  # the month's first day
    lines = IntegerField()
    operators = people_field()


class ReceptionPlan(Entered):
    """The reception staff one venue is to have on each of its session days in a month."""

    month = DateField()
    venue = CrossStoreKey(Venue, backref="+")
    staff = people_field()

    class Meta:
        indexes = ((("month", "venue"), True),)


class PhoneDay(Entered):
    """The phone lines staffed and the operators on them, on one day (calls come from the call counter)."""

    day = DateField(unique=True)
    lines = IntegerField()
    operators = people_field()


class ReceptionDay(Entered):
    """The reception staff one venue had on one day."""

    day = DateField()
    venue = CrossStoreKey(Venue, backref="+")
    staff = people_field()

    class Meta:
        indexes = ((("day", "venue"), True),)


STAFFING_MODELS = [PhonePlan, ReceptionPlan, PhoneDay, ReceptionDay]
