"""`portal ledger import FILE` and `portal ledger summary --json`.

An import stores every row of the file or none: a bad row is named by its line and nothing is
stored (exit status 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.database import database
from portal.staff.ledger.csv_file import BadFile, read_entries
from portal.staff.ledger.entries import add_all
from portal.staff.ledger.summary import summarise

ledger_group = AppGroup("ledger", help="The staff support ledger (応援).")


@ledger_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Add the entries of a CSV file (date,bureau,people,day_part,status,note): all, or none."""
    settings = current_app.config["PORTAL"]
    try:
        entries = read_entries(file.read_bytes(), settings.bureaus)
    except BadFile as error:
        for problem in error.problems:
            click.echo(f"problem: {problem}", err=True)
        click.echo(f"{file}: nothing imported", err=True)
        raise SystemExit(1) from None
    with database.connection_context():
        ids = add_all(entries)
    click.echo(f"imported {len(ids)} entries")


@ledger_group.command("summary")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def summary_command(as_json: bool) -> None:
    """Person-days planned and actual: total, home bureau and the others, per bureau, periods."""
    settings = current_app.config["PORTAL"]
    with database.connection_context():
        found = summarise(settings.home_bureau, settings.bureaus)
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        return
    for status, figures in (("planned", found.planned), ("actual", found.actual)):
        click.echo(
            f"{status}: {figures.total} person-days, {figures.home} in {found.home_bureau},"
            f" {figures.other} from other bureaus"
        )
        for name, value in figures.by_bureau.items():
            click.echo(f"  {name}: {value}")
