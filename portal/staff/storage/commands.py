"""`portal storage …`, `portal keys …` and `portal backup`: operating the encrypted storage."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from portal.core.database import bind, database, stores_of
from portal.core.models import StoredObject
from portal.core.settings import ConfigError, load_settings
from portal.staff.storage.chunked import unfinished_writes
from portal.staff.storage.keyring import KeyringError, retire, rotate
from portal.staff.storage.setup import open_backend
from portal.staff.storage.transfer import object_store
from storage_backends import REGISTRY
from storage_backends.local import PARTS_DIR, TEMP_DIR


class BackendChoice(click.Choice):
    """The registered backends as they are when the command runs, not when this module was imported."""

    def __init__(self) -> None:
        super().__init__(REGISTRY)

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(REGISTRY)

    @choices.setter
    def choices(self, _names: tuple[str, ...]) -> None:
        """Set by click's constructor; the registry is read instead."""


storage_group = AppGroup("storage", help="Encrypted object storage.")
keys_group = AppGroup("keys", help="Key-encryption keys.")


@storage_group.command("check", with_appcontext=False)
def check_command() -> None:
    """Print the configured backend's findings and sweep interrupted uploads; exit 1 on findings.

    Files still arriving in chunks are left to `portal retention purge`, however old.
    """
    try:
        settings = load_settings("staff")
        backend = open_backend(settings)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    findings = backend.check()
    with bind(stores_of(settings)).connection_context():
        swept = backend.sweep(keep=unfinished_writes())
    click.echo(f"{backend.name}: removed {swept} interrupted uploads")
    for finding in findings:
        click.echo(f"finding: {finding}", err=True)
    if findings:
        raise SystemExit(1)
    click.echo(f"{backend.name}: no findings")


@storage_group.command("migrate")
@click.option("--to", "target_name", type=BackendChoice(), required=True)
@click.option("--delete-source", is_flag=True, help="Delete each object from the source once verified.")
def migrate_command(target_name: str, delete_source: bool) -> None:
    """Copy every object to another backend, verify each, and read it from there; rerun to resume."""
    store = object_store()
    try:
        target = store.backend_for(StoredObject(backend=target_name))
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    failures = 0
    with database.connection_context():
        pending = list(StoredObject.select().where(StoredObject.backend != target_name))
        total = sum(row.size for row in pending)
        with click.progressbar(length=total, label=f"{len(pending)} objects", show_pos=True) as bar:
            for row in pending:
                source = store.backend_for(row)
                with source.open(row.storage_key) as stream:
                    target.put(row.storage_key, iter(lambda s=stream: s.read(1024 * 1024), b""))
                if store.verify(row, target):
                    StoredObject.update(backend=target_name).where(StoredObject.id == row.id).execute()
                    if delete_source:
                        source.delete(row.storage_key)
                else:
                    failures += 1
                    target.delete(row.storage_key)
                    click.echo(f"\nobject {row.id} did not verify on {target_name}; left in place", err=True)
                bar.update(row.size)
    if failures:
        raise SystemExit(1)
    click.echo(
        f"all objects verified on {target_name} and read from there now; "
        f"set PORTAL_STORAGE_BACKEND={target_name} to store new objects there too"
    )


@keys_group.command("rotate")
def rotate_command() -> None:
    """Create a new key-encryption key and re-wrap every data key with it (objects are not rewritten)."""
    keyring = object_store().keyring
    with database.connection_context():
        new_id, count = rotate(keyring)
    click.echo(f"key {new_id} is now current; {count} data keys re-wrapped; restart the staff instance")


@keys_group.command("retire")
@click.argument("kek_id")
def retire_command(kek_id: str) -> None:
    """Delete a key-encryption key that no object uses any more."""
    keyring = object_store().keyring
    try:
        with database.connection_context():
            retire(keyring, kek_id)
    except KeyringError as error:
        click.echo(f"refused: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"key {kek_id} retired")


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def backup_command(destination: Path) -> None:
    """Copy database, local objects, keys and audit anchor into a new instance folder.

    Serve the copy by pointing PORTAL_INSTANCE_PATH at it. PostgreSQL databases and MinIO
    buckets are backed up with their own tools (pg_dump, bucket replication).
    """
    settings = current_app.config["PORTAL"]
    if destination.exists():
        raise click.UsageError(f"{destination} exists; back up into a new folder")
    if not settings.database_url.startswith("sqlite"):
        raise click.UsageError("the database is not SQLite: back it up with pg_dump")
    destination.mkdir(mode=0o700, parents=True)
    # Keys first: a key retired after this copy is still in it, so every row copied next opens.
    shutil.copytree(settings.key_dir, destination / "keys")
    for name in ("staff-secret.key", "portal.toml"):
        if (settings.instance_path / name).exists():
            shutil.copy2(settings.instance_path / name, destination)
    (destination / "public").mkdir(mode=0o700)
    for name in ("secret.key", "seal.pub", "portal.toml"):
        if (settings.public_home / name).exists():
            shutil.copy2(settings.public_home / name, destination / "public")
    stores = stores_of(settings)
    for source_db, copy_db in (
        (stores.staff_file, destination / "portal.db"),
        (stores.public_file, destination / "public" / "public.db"),
    ):
        with sqlite3.connect(source_db) as source, sqlite3.connect(copy_db) as copy:
            source.backup(copy)
    if settings.storage_backend == "local":
        shutil.copytree(
            settings.storage_options("local")["path"],
            destination / "objects",
            ignore=shutil.ignore_patterns(TEMP_DIR, PARTS_DIR),
        )
        for unfinished in (TEMP_DIR, PARTS_DIR):
            (destination / "objects" / unfinished).mkdir(mode=0o700)
    if settings.audit_anchor.exists():
        shutil.copy2(settings.audit_anchor, destination / "audit-anchor.log")
    click.echo(f"backed up to {destination}")
