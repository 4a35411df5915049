"""The confidentiality pledge (秘密保持に関する誓約書): its published versions and who accepted which.

The contract asks everyone who handles the work to sign the pledge before starting; the staff
gate holds each account at the pledge page until it has accepted the newest version. The text
is the city's, not personal data, so it is kept as written.
"""

from __future__ import annotations

from peewee import DateTimeField, ForeignKeyField, IntegerField, TextField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, utcnow


class PledgeVersion(BaseModel):
    """One published text; the highest version number is the one every account must have accepted."""

    version = IntegerField(unique=True)
    text = TextField()
    published_at = DateTimeField(default=utcnow)
    # The city user who published it; none for the first text, which `portal init` publishes.
    published_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


class PledgeAcceptance(BaseModel):
    """An account accepted a version, at a time; kept for as long as the account is."""

    user = ForeignKeyField(User, backref="pledges", on_delete="RESTRICT")
    version = ForeignKeyField(PledgeVersion, backref="acceptances", on_delete="RESTRICT")
    accepted_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "version"), True),)
