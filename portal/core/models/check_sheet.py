"""The security check sheet's sign-offs: each stage signed by a named person, then countersigned.

Rows are only ever added. A sign-off keeps who signed (the account, and its name and organisation
as they were), the day, and the summary of the evidence the signer saw (statuses and counts as
JSON, no personal data); a countersignature is a row of its own that names the sign-off it checks.
"""

from __future__ import annotations

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, utcnow


class CheckSheetSignOff(BaseModel):
    """One signature on a stage of the sheet: a sign-off, or the countersignature of one."""

    stage = CharField(max_length=20, index=True)  # portal.staff.check_sheet.items.STAGES
    countersigns = ForeignKeyField("self", null=True, backref="countersignatures", on_delete="RESTRICT")
    signed_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    signer_name = CharField(max_length=100)  # as shown when signing, kept as signed
    organisation_name = CharField(max_length=200)
    signed_on = DateField()  # the business day it was signed (Asia/Tokyo)
    signed_at = DateTimeField(default=utcnow)
    evidence = TextField()  # JSON: the evidence summary the signer saw
