"""The operating calendar as data: the season, its holidays and each venue's weekly pattern.

Sessions are generated from these rows (see portal/staff/venues/season.py), so a new season or a
changed holiday is an edit in the staff instance, never a change of code.
"""

from __future__ import annotations

from datetime import time

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TimeField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, CrossStoreKey
from portal.core.models.reservations import Venue


class Season(BaseModel):
    """A period of consultations, and the hours the phone line takes reservations."""

    name = CharField(max_length=100)
    starts_on = DateField()
    ends_on = DateField()
    intake_weekdays = CharField(max_length=20, default="0,1,2,3,4")  # Monday = 0
    intake_opens = TimeField(default=time(9, 0))
    intake_closes = TimeField(default=time(17, 0))


class Holiday(BaseModel):
    """A day without consultations or phone intake."""

    date = DateField(unique=True)
    name = CharField(max_length=100)


class WeeklyPattern(BaseModel):
    """A venue's regular consultation: on this weekday, at these hours, with these places."""

    venue = CrossStoreKey(Venue, backref="patterns")
    weekday = IntegerField()  # Monday = 0
    starts_at = TimeField()
    ends_at = TimeField()
    capacity = IntegerField()
    consultant = ForeignKeyField(User, null=True, backref="patterns", on_delete="SET NULL")
