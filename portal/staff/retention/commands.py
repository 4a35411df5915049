"""`portal retention purge [--dry-run]`: run by hand or from a scheduler (cron, systemd timer)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.database import database
from portal.staff.retention.purge import purge

retention_group = AppGroup("retention", help="Retention of records, documents and reports.")


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be destroyed; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Destroy expired items (ciphertext, data keys, rows) and certify each; exit 1 if any failed."""
    with database.connection_context():
        outcomes = purge(current_app.config["PORTAL"], dry_run=dry_run)
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
    if failed:
        raise SystemExit(1)
