"""What the portal's own checks found: the exposure probe, storage posture, audit chain, zones.

Each run is one row, kept as history; the newest run of each check is what the staff home page
and the security check sheet show. Findings hold URLs, settings and counts, never personal data.
"""

from __future__ import annotations

import json

from peewee import CharField, DateTimeField, IntegerField, TextField

from portal.core.models.base import BaseModel


class CheckRun(BaseModel):
    """One run of one check: when it ran, how many findings were serious, and all it found (JSON)."""

    check = CharField(max_length=20)
    started_at = DateTimeField()
    finished_at = DateTimeField()
    serious = IntegerField()
    findings = TextField()

    class Meta:
        indexes = ((("check", "id"), False),)

    def found(self) -> list[dict]:
        """The findings, each a dict of severity, title, url and evidence."""
        return json.loads(self.findings)
