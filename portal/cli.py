"""The `portal` command: Flask's CLI with the portal's own commands and none of Flask's defaults.

Exit status: 0 success, 1 a check found a problem, 2 a usage or configuration error.
"""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo

from portal.core.models.accounts import ROLES, ROLES_NEEDING_APPROVAL
from portal.core.settings import ConfigError, Settings, load_settings
from portal.staff.check_sheet.dependencies import dependencies_group
from portal.staff.ledger.commands import ledger_group
from portal.staff.notify import notify_group
from portal.staff.retention.commands import retention_group
from portal.staff.self_checks.commands import security_check_command, self_check_command
from portal.staff.storage.commands import backup_command, keys_group, storage_group


def _load_staff_app():
    from portal import create_app

    try:
        return create_app("staff")
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


@click.group(cls=AppGroup)
def cli() -> None:
    """Madoguchi administration."""


@cli.command("init", with_appcontext=False)
def init_command() -> None:
    """Create the instance folder, keys and database; rerunnable, never replaces anything."""
    from portal.core.database import bind, stores_of
    from portal.core.migrations import migrate
    from portal.staff.keys import ensure_keys
    from portal.staff.pledge.service import ensure_first_version

    try:
        settings = load_settings("staff")
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    os.umask(0o077)  # the database file and everything else made here: owner only
    settings.instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in ensure_keys(settings):
        click.echo(f"created {path}")
    db = bind(stores_of(settings))
    with db.connection_context():
        applied = migrate(db, say=click.echo)
        click.echo(f"database ready ({applied} migrations applied)")
        if ensure_first_version() is not None:
            click.echo("published the confidentiality pledge's first version")
        _adopt_legacy_audit_chain(settings)


def _adopt_legacy_audit_chain(settings: Settings) -> None:
    from portal.staff.audit.keys import AuditKeys
    from portal.staff.audit.legacy import LegacyChainError, adopt_legacy_chain, legacy_anchor

    try:
        adopted = adopt_legacy_chain(settings.audit_anchor, AuditKeys(settings.key_dir))
    except LegacyChainError as error:
        for problem in error.problems:
            click.echo(f"problem: {problem}", err=True)
        click.echo("the unkeyed audit chain does not verify; it was not adopted", err=True)
        raise SystemExit(1) from None
    if adopted:
        click.echo(
            f"audit log: {adopted} events chained again under an audit key;"
            f" the old anchor is kept as {legacy_anchor(settings.audit_anchor)}"
        )


@cli.command("demo-seed")
def demo_seed_command() -> None:
    """Demo organisations and one account per role; does nothing on a database with data."""
    from portal.demo import seed

    accounts = seed()
    if accounts is None:
        click.echo("the database already holds data; nothing seeded")
        return
    for line in accounts:
        click.echo(line)
    click.echo(f"written to {current_app.config['PORTAL'].instance_path / 'demo-accounts.txt'}")


@cli.group("user")
def user_group() -> None:
    """Staff accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "organisation", required=True, help="Organisation name (created if missing).")
@click.option("--name", default="", help="The name colleagues see on lists (the email until given).")
def user_create_command(email: str, role: str, organisation: str, name: str) -> None:
    """Create an enrolled account; the password comes from standard input unless it is a terminal.

    The account works at once, whatever its role: whoever runs this on the server holds the keys
    already. Roles that read personal data (city, consultant) given in the portal wait for a
    city user's approval instead.
    """
    from portal.core.database import database
    from portal.staff.accounts import AccountError, create_user, organisation_named
    from portal.staff.security.passwords import generate_password

    generated = sys.stdin is None or sys.stdin.isatty()
    password = generate_password() if generated else sys.stdin.readline().rstrip("\r\n")
    with database.connection_context():
        try:
            account = create_user(
                email,
                role,
                organisation_named(organisation),
                password,
                enrol_now=True,
                requested_by=None,
                name=name,
            )
        except AccountError as error:
            raise click.UsageError(f"cannot create {email}: {error.code}") from None
    if role in ROLES_NEEDING_APPROVAL:
        click.echo(f"{role} reads personal data: made on the server, it needs no approval", err=True)
    if generated:
        click.echo(f"password: {password}")
    click.echo(account.otpauth_uri)


@cli.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify_command() -> None:
    """Check every event's key, link and sequence, and the anchor file both ways; exit 1 on any problem.

    The result is stored for the audit log page."""
    from portal.core.database import database
    from portal.staff.audit.keys import audit_keys
    from portal.staff.audit.verified import remember
    from portal.staff.audit.verify import verify

    with database.connection_context():
        result = verify(current_app.config["PORTAL"].audit_anchor, audit_keys())
        remember(result, audit_keys())
    for problem in result.problems:
        click.echo(f"problem: {problem}", err=True)
    if result.problems:
        raise SystemExit(1)
    click.echo(f"audit chain verified: {result.events} events")
    if result.waiting:
        click.echo(f"{result.waiting} events from the public instance wait for the next staff event")


@audit_group.command("rotate-key")
def audit_rotate_key_command() -> None:
    """Chain new events under a new audit key; earlier events keep verifying with theirs."""
    from portal.core.database import database
    from portal.staff.audit import record
    from portal.staff.audit.keys import create_audit_key

    key_id = create_audit_key(current_app.config["PORTAL"].key_dir)
    with database.connection_context():
        record("audit.key-rotate", object_type="audit-key", object_id=key_id)
    click.echo(f"audit key {key_id} now chains new events; keep every audit-*.key, old events need theirs")


@cli.group("db")
def db_group() -> None:
    """The two stores."""


@db_group.command("public-role")
@click.argument("name")
def public_role_command(name: str) -> None:
    """Create or update the public zone's PostgreSQL login role (password on standard input);
    prints the PORTAL_PUBLIC_DATABASE_URL to give the public instance."""
    from portal.core.database import database, is_postgres
    from portal.staff.public_role import grant_public_role

    if not is_postgres():
        raise click.UsageError("the stores are SQLite: the public file is the public zone's store")
    password = sys.stdin.readline().rstrip("\r\n") if sys.stdin and not sys.stdin.isatty() else ""
    if len(password) < 16:
        raise click.UsageError("give the role's password (16 characters or more) on standard input")
    with database.connection_context():
        click.echo(grant_public_role(database.obj, name, password))


@cli.command("serve", with_appcontext=False)
@click.argument("zone", type=click.Choice(["public", "staff"]))
@click.option("--listen", default=None, help="host:port (default 127.0.0.1:8000 public, :8001 staff)")
def serve_command(zone: str, listen: str | None) -> None:
    """Serve one instance with waitress, tuned for streamed, encrypted file transfers."""
    from portal import create_app
    from portal.serve import serve

    try:
        app = create_app(zone)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    serve(app, listen or ("127.0.0.1:8000" if zone == "public" else "127.0.0.1:8001"))


cli.add_command(storage_group)
cli.add_command(keys_group)
cli.add_command(backup_command)
cli.add_command(notify_group)
cli.add_command(retention_group)
cli.add_command(ledger_group)
cli.add_command(security_check_command)
cli.add_command(self_check_command)
cli.add_command(dependencies_group)


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    cli.main(obj=ScriptInfo(create_app=_load_staff_app, set_debug_flag=False))
