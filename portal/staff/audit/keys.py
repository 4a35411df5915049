"""Audit keys: 32 random bytes per file, `audit-NNNN.key` in PORTAL_KEY_DIR; the highest id chains.

Keys are never replaced or deleted: every event names the key that chained it and is verified
with that key for as long as the log is kept. Only the staff zone holds them.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import Flask, current_app

from portal.core.database import database
from portal.core.models import AuditEvent
from portal.core.settings import ConfigError
from portal.staff.keys import write_new

AUDIT_KEY_FILE = re.compile(r"audit-([0-9]{4})\.key")
EXTENSION = "portal.audit_keys"


class AuditKeyError(Exception):
    """An audit key is missing or malformed."""


def key_file(key_dir: Path, key_id: str) -> Path:
    """Where audit key `key_id` lives."""
    return key_dir / f"audit-{key_id}.key"


def key_ids(key_dir: Path) -> list[str]:
    """The ids of the audit key files in `key_dir`, lowest first."""
    if not key_dir.is_dir():
        return []
    return sorted(m.group(1) for path in key_dir.iterdir() if (m := AUDIT_KEY_FILE.fullmatch(path.name)))


class AuditKeys:
    """The audit keys found in a directory, by id."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._keys: dict[str, bytes] = {}
        self.current()

    def current(self) -> str:
        """The id that chains new events: the highest on disk, so a rotation by another process counts."""
        ids = key_ids(self.key_dir)
        if not ids:
            raise AuditKeyError(f"no audit key (audit-NNNN.key) in {self.key_dir}: run `portal init`")
        self.key(ids[-1])
        return ids[-1]

    def key(self, key_id: str) -> bytes:
        """The key with this id, read once; raises AuditKeyError if it is missing or malformed."""
        if key_id not in self._keys:
            if not AUDIT_KEY_FILE.fullmatch(f"audit-{key_id}.key"):
                raise AuditKeyError(f"there is no audit key {key_id!r}")
            path = key_file(self.key_dir, key_id)
            try:
                key = path.read_bytes()
            except FileNotFoundError:
                raise AuditKeyError(f"{path} is missing: restore it from a backup") from None
            if len(key) != 32:
                raise AuditKeyError(f"{path} must hold 32 bytes")
            self._keys[key_id] = key
        return self._keys[key_id]


def create_audit_key(key_dir: Path) -> str:
    """A new audit key with the next id, written durably; returns its id."""
    key_id = f"{int(max(key_ids(key_dir), default='0')) + 1:04d}"
    if not write_new(key_file(key_dir, key_id), secrets.token_bytes(32)):
        raise AuditKeyError(f"{key_file(key_dir, key_id)} appeared meanwhile: run the rotation again")
    return key_id


def init_app(app: Flask) -> None:
    """Load the audit keys; refuse to start without the key of any event, or on an unadopted chain."""
    from portal.staff.audit.legacy import has_legacy_chain

    settings = app.config["PORTAL"]
    try:
        keys = AuditKeys(settings.key_dir)
        with database.connection_context():
            if "key_id" not in {column.name for column in database.get_columns(AuditEvent._meta.table_name)}:
                raise ConfigError("the database predates keyed audit events: run `portal init`")
            if has_legacy_chain():
                raise ConfigError(
                    "the audit log is still chained with unkeyed SHA-256: run `portal init` to adopt it"
                )
            used = AuditEvent.select(AuditEvent.key_id).where(AuditEvent.key_id.is_null(False)).distinct()
            for row in used:
                keys.key(row.key_id)
    except AuditKeyError as error:
        raise ConfigError(f"PORTAL_KEY_DIR: {error}") from None
    app.extensions[EXTENSION] = keys


def audit_keys() -> AuditKeys:
    """The audit keys the staff instance loaded at start-up (the public instance holds none)."""
    return current_app.extensions[EXTENSION]
