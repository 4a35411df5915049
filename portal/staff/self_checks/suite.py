"""`portal self-check`: every check run from the staff zone with its configured URLs, each kept.

A check that crashes is kept as a run with one serious finding, so a broken check shows as a
failure on the home page instead of a stale all-clear.
"""

from __future__ import annotations

from collections.abc import Callable

from portal.core.models import CheckRun
from portal.core.models.base import utcnow
from portal.core.settings import ConfigError, Settings
from portal.staff.audit.keys import audit_keys
from portal.staff.audit.verified import remember
from portal.staff.audit.verify import verify
from portal.staff.check_sheet.dependencies import dependency_findings
from portal.staff.self_checks.probe import probe
from portal.staff.self_checks.runs import Check, Finding, Severity, record
from portal.staff.self_checks.zones import zone_findings
from portal.staff.storage.setup import open_backend


def exposure_findings(settings: Settings) -> list[Finding]:
    """The anonymous probe of both sites at the addresses they are published at."""
    return probe(settings.public_url, settings.staff_url)


def storage_findings(settings: Settings) -> list[Finding]:
    """The storage backend's own posture, as `portal storage check` reports it."""
    try:
        problems = open_backend(settings).check()
    except ConfigError as error:
        problems = [str(error)]
    return [Finding(Severity.SERIOUS, "storage backend", settings.storage_backend, text) for text in problems]


def audit_chain_findings(settings: Settings) -> list[Finding]:
    """The audit chain verified, and the result stored for the audit log page, as `portal audit
    verify` does."""
    result = verify(settings.audit_anchor, audit_keys())
    remember(result, audit_keys())
    return [
        Finding(Severity.SERIOUS, "audit chain", str(settings.audit_anchor), text) for text in result.problems
    ]


def dependencies_findings(settings: Settings) -> list[Finding]:
    """The installed distributions against PORTAL_VULNERABILITY_DB, as `portal dependencies audit`."""
    return dependency_findings(settings.vulnerability_db)


CHECKS: dict[Check, Callable[[Settings], list[Finding]]] = {
    Check.EXPOSURE: exposure_findings,
    Check.STORAGE: storage_findings,
    Check.AUDIT_CHAIN: audit_chain_findings,
    Check.ZONES: zone_findings,
    Check.DEPENDENCIES: dependencies_findings,
}


def run_checks(settings: Settings) -> list[CheckRun]:
    """Run every check once and record each run."""
    runs = []
    for check, run in CHECKS.items():
        started = utcnow()
        try:
            findings = run(settings)
        except Exception as error:  # a broken check must show as failed, not as not run
            findings = [
                Finding(Severity.SERIOUS, "the check could not run", check.value, type(error).__name__)
            ]
        runs.append(record(check, started, findings))
    return runs
