"""Keeping and reading the runs of the portal's own checks.

A check gives a list of findings; `record` stores them as one run. The newest run of each check is
what the staff home page and the security check sheet show, with its time, so a check that has
stopped running shows its age instead of a stale all-clear.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from portal.core.database import write_transaction
from portal.core.models import CheckRun
from portal.core.models.base import utcnow

OVERDUE_AFTER = timedelta(days=1)  # checks run at least daily; an older newest run is overdue


class Check(StrEnum):
    """The checks the portal runs on itself."""

    EXPOSURE = "exposure"  # the anonymous probe of both sites from outside
    STORAGE = "storage"  # the storage backend's own posture (portal storage check)
    AUDIT_CHAIN = "audit_chain"  # the audit chain's verification (portal audit verify)
    ZONES = "zones"  # the public zone's credentials reach no staff table
    DEPENDENCIES = "dependencies"  # installed distributions against a vulnerability database


class Severity(StrEnum):
    """Serious findings fail the check (exit 1, alert); notes are shown and do not."""

    SERIOUS = "serious"
    NOTE = "note"


@dataclass(frozen=True)
class Finding:
    """One thing a check found: where (a URL or a setting) and the evidence. Never personal data."""

    severity: Severity
    title: str
    where: str = ""
    evidence: str = ""


def record(check: Check, started_at: datetime, findings: list[Finding]) -> CheckRun:
    """Store one finished run of `check`."""
    with write_transaction():
        return CheckRun.create(
            check=check,
            started_at=started_at,
            finished_at=utcnow(),
            serious=sum(finding.severity == Severity.SERIOUS for finding in findings),
            findings=json.dumps([asdict(finding) for finding in findings], ensure_ascii=False),
        )


def latest() -> dict[Check, CheckRun]:
    """The newest run of each check that has run at least once."""
    newest = {}
    for check in Check:
        run = CheckRun.select().where(CheckRun.check == check).order_by(CheckRun.id.desc()).first()
        if run is not None:
            newest[check] = run
    return newest


def history(check: Check, limit: int = 50) -> list[CheckRun]:
    """The runs of `check`, newest first."""
    return list(CheckRun.select().where(CheckRun.check == check).order_by(CheckRun.id.desc()).limit(limit))


def is_overdue(run: CheckRun | None, now: datetime | None = None) -> bool:
    """Whether a check has not finished a run for longer than OVERDUE_AFTER (or never ran)."""
    return run is None or (now or utcnow()) - run.finished_at > OVERDUE_AFTER
