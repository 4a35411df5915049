"""`portal security-check` (the probe from anywhere, given the two URLs) and `portal self-check`
(every check from the staff zone, kept, with an alert mail on a serious finding)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.staff.self_checks.probe import MAX_PAGES, probe
from portal.staff.self_checks.runs import Finding, Severity


def _site_url(_context: click.Context, parameter: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{value!r} is not an http(s) URL", param=parameter)
    return f"{parts.scheme}://{parts.netloc}"


def echo_findings(findings: list[Finding]) -> None:
    """Each finding on its own lines: severity and title, then where, then the evidence."""
    for finding in findings:
        click.echo(f"{finding.severity}: {finding.title}")
        for detail in (finding.where, finding.evidence):
            if detail:
                click.echo(f"    {detail}")


@click.command("security-check")
@click.option(
    "--public-url", required=True, callback=_site_url, help="The public site, e.g. https://yoyaku.example.jp"
)
@click.option(
    "--staff-url", required=True, callback=_site_url, help="The staff site, e.g. https://madoguchi.example.jp"
)
@click.option(
    "--max-pages", default=MAX_PAGES, type=click.IntRange(1, 10_000), help="Pages crawled per site."
)
def security_check_command(public_url: str, staff_url: str, max_pages: int) -> None:
    """Probe both sites anonymously from outside; exit 1 on a serious finding."""
    findings = probe(public_url, staff_url, max_pages=max_pages)
    echo_findings(findings)
    serious = sum(finding.severity == Severity.SERIOUS for finding in findings)
    click.echo(f"{serious} serious findings, {len(findings) - serious} notes")
    if serious:
        raise SystemExit(1)


@click.command("self-check")
@with_appcontext
def self_check_command() -> None:
    """Run every check (exposure, storage, audit chain, zones, dependencies), keep each run and mail
    the city and the administrators about serious findings; exit 1 on any."""
    from portal.core import mail
    from portal.core.database import database
    from portal.staff.self_checks.alert import send_alert
    from portal.staff.self_checks.suite import run_checks

    with database.connection_context():
        runs = run_checks(current_app.config["PORTAL"])
        for run in runs:
            click.echo(f"{run.check}: {run.serious} serious findings, {len(run.found()) - run.serious} notes")
            echo_findings(
                [Finding(**found) for found in run.found() if found["severity"] == Severity.SERIOUS]
            )
        failed = [run for run in runs if run.serious]
        if failed and mail.enabled():
            sent, refused = send_alert(failed)
            click.echo(f"alert: {sent} sent, {refused} failed")
        elif failed:
            click.echo("alert not sent: mail is off (PORTAL_SMTP_HOST)", err=True)
    if failed:
        raise SystemExit(1)
