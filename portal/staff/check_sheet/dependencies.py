"""The dependency scan as a self-check run: the installed set against the configured database.

A scan reads the whole export (seconds for PyPI's), too slow for every opening of the sheet, so
`portal dependencies audit` and the sheet's button run it and keep the result as a CheckRun; the
sheet shows the newest with its age. Each vulnerable distribution is a serious finding; a note
says which database was read, its date and how much it held.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.database import database as database_connection
from portal.core.models import CheckRun
from portal.core.models.base import utcnow
from portal.staff.check_sheet.vulnerabilities import NoDatabase, installed, scan
from portal.staff.self_checks.runs import Check, Finding, Severity, record


def configured_database() -> Path | None:
    """The database PORTAL_VULNERABILITY_DB names, if any."""
    return current_app.config["PORTAL"].vulnerability_db


def dependency_findings(database: Path | None) -> list[Finding]:
    """Each vulnerable installed distribution (serious), and a note of what was read; without a
    database, a note that says so instead of an all-clear."""
    if database is None:
        return [Finding(Severity.NOTE, "no vulnerability database: set PORTAL_VULNERABILITY_DB")]
    packages = installed()
    found, read = scan(database, packages)
    updated = datetime.fromtimestamp(database.stat().st_mtime, UTC).date().isoformat()
    findings = [
        Finding(
            Severity.SERIOUS,
            f"{hit.name} {hit.version}: {hit.advisory}",
            where=hit.name,
            evidence=" ".join(filter(None, [", ".join(hit.aliases), hit.summary, _fixed(hit.fixed)])),
        )
        for hit in found
    ]
    summary = f"{database.name} ({updated}): {read} advisories, {len(packages)} distributions checked"
    return [*findings, Finding(Severity.NOTE, summary, where=str(database))]


def audit_dependencies(database: Path | None) -> CheckRun:
    """Scan the installed distributions against `database` and keep the run; NoDatabase without one."""
    if database is None:
        raise NoDatabase("no vulnerability database: set PORTAL_VULNERABILITY_DB or pass --database")
    started = utcnow()
    return record(Check.DEPENDENCIES, started, dependency_findings(database))


def _fixed(versions: tuple[str, ...]) -> str:
    return f"fixed in {', '.join(versions)}" if versions else ""


dependencies_group = AppGroup("dependencies", help="The installed distributions' known vulnerabilities.")


@dependencies_group.command("audit")
@click.option("--database", type=click.Path(exists=True, path_type=Path), help="An OSV export for PyPI.")
def audit_command(database: Path | None) -> None:
    """Match the installed distributions against an OSV export and keep the result; exit 1 on findings."""
    try:
        with database_connection.connection_context():
            run = audit_dependencies(database or configured_database())
    except NoDatabase as error:
        raise click.UsageError(str(error)) from None
    for finding in run.found():
        click.echo(f"{finding['severity']}: {finding['title']} {finding['evidence']}".rstrip())
    if run.serious:
        raise SystemExit(1)
