"""The monthly report to the city: the operator's remarks being written, and each sign-off.

A sign-off keeps the month's figures as they were signed (counts and venue names, no personal
data, as JSON) and the remarks sealed like every free-text note, with who signed and when. Rows
are only ever added: a change after a sign-off is a new sign-off, and the earlier ones stay.
"""

from __future__ import annotations

from peewee import BlobField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, utcnow


class ReportDraft(BaseModel):
    """The remarks of a month's report as they are being written (sealed)."""

    month = DateField(unique=True)  # the month's first day
    remarks = BlobField()
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField(default=utcnow)


class ReportSignOff(BaseModel):
    """One sign-off of a month's report: the figures and remarks exactly as signed."""

    month = DateField(index=True)
    figures = TextField()  # JSON: portal.staff.reports.content
    remarks = BlobField()  # sealed
    signed_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    signer_name = CharField(max_length=100)  # the name shown when signing, kept as signed
    signed_at = DateTimeField(default=utcnow)


REPORT_MODELS = [ReportDraft, ReportSignOff]
