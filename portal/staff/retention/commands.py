"""`portal retention purge [--dry-run]`: run by hand or from a scheduler (cron, systemd timer).

Besides the expired items, it sweeps files whose sending in chunks was abandoned.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.database import database
from portal.staff.retention.purge import purge
from portal.staff.storage.chunked import sweep_abandoned

retention_group = AppGroup("retention", help="Retention of records, documents and reports.")


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be destroyed; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Destroy expired items (ciphertext, data keys, rows) and certify each, and remove abandoned
    uploads; exit 1 if any failed."""
    settings = current_app.config["PORTAL"]
    with database.connection_context():
        outcomes = purge(settings, dry_run=dry_run)
        swept, unswept = (0, 0) if dry_run else sweep_abandoned(settings.upload_abandon_hours)
    failed = 0
    for outcome in outcomes:
        item = outcome.item
        what = f"{outcome.kind} {item.object_id} ({item.reason}: {item.rule})"
        if dry_run:
            click.echo(f"would destroy {what}")
        elif outcome.error:
            failed += 1
            click.echo(f"could not destroy {what}: {outcome.error}", err=True)
        else:
            parts = f" with {len(outcome.parts)} parts" if outcome.parts else ""
            click.echo(f"destroyed {what}{parts}")
    verb = "would be destroyed" if dry_run else "destroyed"
    click.echo(f"{len(outcomes) - failed} items {verb}")
    if not dry_run:
        click.echo(f"{swept} abandoned uploads removed")
    if unswept:
        click.echo(f"could not remove {unswept} abandoned uploads; the next run retries", err=True)
    if failed or unswept:
        raise SystemExit(1)
