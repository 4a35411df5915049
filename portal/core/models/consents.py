"""The city's consent to exports of personal data, per organisation.

The contract forbids copying the work's documents or data without the city's consent. Each
change of the switch is a new row (who decided, when, why), so the consent in force is the
newest row of an organisation and the earlier ones are its history.
"""

from __future__ import annotations

from datetime import date

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField

from portal.core.models.accounts import Organisation, User
from portal.core.models.base import BaseModel, utcnow


class ExportConsent(BaseModel):
    """The switch as a city user set it: on for a period (first and last day) with a reason, or off."""

    organisation = ForeignKeyField(Organisation, backref="export_consents", on_delete="RESTRICT")
    allowed = BooleanField()
    starts_on = DateField(null=True)
    ends_on = DateField(null=True)
    reason = CharField(max_length=200)
    decided_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField(default=utcnow)

    def in_force(self, today: date) -> bool:
        """On, and `today` within its period (both ends included)."""
        return bool(
            self.allowed and self.starts_on and self.ends_on and self.starts_on <= today <= self.ends_on
        )
