"""Key-encryption keys: files in PORTAL_KEY_DIR, each with an id; the database says which is current.

Data keys are wrapped with AES-256-GCM, bound to their object's id, and stored beside the
object's metadata (or the upload's, while the object arrives in chunks), so rotation re-wraps
database rows and never rewrites objects. Each key seals a check value in the database
(KeyCheck) when it is made: start-up refuses a missing or wrong key file, and the newest check
row names the current key, so every process, however long it has run, wraps new data keys with
the key a rotation made. A key is retired by deleting its check row in the same locked
transaction that finds no object using it; an object's row is written in a transaction that
locks its key's check row, so the two cannot pass each other.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.core.database import database, locked, write_transaction
from portal.core.models import ChunkedUpload, KeyCheck, StoredObject
from portal.staff.keys import write_new

KEK_FILE = re.compile(r"kek-(\d{4})\.key")
CHECK_PLAINTEXT = b"madoguchi key check"
# The tables that hold wrapped data keys, each with the field holding the object id a key is bound to.
KEY_HOLDERS = {StoredObject: "id", ChunkedUpload: "object_id"}
Holder = TypeVar("Holder", StoredObject, ChunkedUpload)
REWRAP_BATCH = 500  # rows re-wrapped per transaction during a rotation: memory and lock time stay bounded


def bound_to(row: Holder) -> str:
    """The object id a row's data key is bound to."""
    return str(getattr(row, KEY_HOLDERS[type(row)]))


class KeyringError(Exception):
    """A key is missing, wrong or still in use."""


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    sealed = bytes(sealed)
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], context)


def check_name(kek_id: str) -> str:
    """The KeyCheck row of a key-encryption key."""
    return f"kek-{kek_id}"


def _locked_check(kek_id: str) -> KeyCheck | None:
    query = KeyCheck.select().where(KeyCheck.name == check_name(kek_id))
    return locked(query).first()


class Keyring:
    """The key-encryption keys found in a directory."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self.keys: dict[str, bytes] = {}
        self.reload()
        if not self.keys:
            raise KeyringError(f"no key-encryption key in {key_dir}: run `portal init`")

    def reload(self) -> None:
        """Read the key files again (another process may have rotated)."""
        for path in sorted(self.key_dir.glob("kek-*.key")):
            match = KEK_FILE.fullmatch(path.name)
            if match:
                key = path.read_bytes()
                if len(key) != 32:
                    raise KeyringError(f"{path} must hold 32 bytes")
                self.keys[match.group(1)] = key

    def current(self) -> str:
        """The id of the key that wraps new data keys: the newest with a check row."""
        names = [row.name for row in KeyCheck.select(KeyCheck.name)]
        if not names:
            raise KeyringError("the database names no key-encryption key: run `portal init`")
        return max(names).removeprefix("kek-")

    def _key(self, kek_id: str) -> bytes:
        if kek_id not in self.keys:
            self.reload()
        try:
            return self.keys[kek_id]
        except KeyError:
            raise KeyringError(f"key {kek_id} is not in {self.key_dir}") from None

    def wrap_and_save(self, data_key: bytes, row: Holder) -> Holder:
        """Wrap the data key with the current key and insert the row, under a lock on that key."""
        with write_transaction():
            kek_id = self.current()
            if _locked_check(kek_id) is None:
                raise KeyringError(f"key {kek_id} was retired while the object was stored")
            row.kek_id = kek_id
            row.wrapped_key = _seal(self._key(kek_id), data_key, bound_to(row).encode())
            row.save(force_insert=True)
        return row

    def unwrap(self, kek_id: str, wrapped: bytes, object_id: str) -> bytes:
        """The data key of an object; raises KeyringError if its key is missing or wrong."""
        try:
            return _open(self._key(kek_id), wrapped, object_id.encode())
        except InvalidTag:
            raise KeyringError(f"the data key of {object_id} does not open with key {kek_id}") from None

    def verify(self) -> None:
        """Refuse to run on a key directory that does not match the database."""
        for row in KeyCheck.select():
            kek_id = row.name.removeprefix("kek-")
            try:
                _open(self._key(kek_id), row.check, row.name.encode())
            except InvalidTag:
                raise KeyringError(
                    f"{self.key_dir}/kek-{kek_id}.key is not the key this database uses"
                ) from None
        if not KeyCheck.select().exists():
            first = min(self.keys)
            register_check(check_name(first), self.keys[first])
        in_use = {row.kek_id for table in KEY_HOLDERS for row in table.select(table.kek_id).distinct()}
        missing = sorted(kek_id for kek_id in in_use if kek_id not in self.keys)
        if missing:
            raise KeyringError(f"keys {', '.join(missing)} wrap objects but are not in {self.key_dir}")


def register_check(name: str, key: bytes) -> None:
    """Seal the check value of a key the first time it is seen."""
    if not KeyCheck.select().where(KeyCheck.name == name).exists():
        KeyCheck.create(name=name, check=_seal(key, CHECK_PLAINTEXT, name.encode()))


def create_key(key_dir: Path) -> str:
    """A new key-encryption key with the next id, written durably; returns the id."""
    existing = [int(m.group(1)) for p in key_dir.glob("kek-*.key") if (m := KEK_FILE.fullmatch(p.name))]
    kek_id = f"{max(existing, default=0) + 1:04d}"
    write_new(key_dir / f"kek-{kek_id}.key", os.urandom(32))
    return kek_id


def rotate(keyring: Keyring) -> tuple[str, int]:
    """Make a new key, make it current, and re-wrap every data key with it; returns (id, count).

    Interrupted, it leaves every object readable (each row is re-wrapped in a transaction);
    running it again finishes the job under a newer key.
    """
    new_id = create_key(keyring.key_dir)
    keyring.reload()
    register_check(check_name(new_id), keyring.keys[new_id])
    rewrapped = 0
    for table in KEY_HOLDERS:
        while batch := list(table.select().where(table.kek_id != new_id).limit(REWRAP_BATCH)):
            with database.atomic():
                for row in batch:
                    data_key = keyring.unwrap(row.kek_id, row.wrapped_key, bound_to(row))
                    wrapped = _seal(keyring.keys[new_id], data_key, bound_to(row).encode())
                    table.update(kek_id=new_id, wrapped_key=wrapped).where(table.id == row.id).execute()
            rewrapped += len(batch)
    return new_id, rewrapped


def retire(keyring: Keyring, kek_id: str) -> None:
    """Delete a key no object needs any more; refused while it still wraps anything or is current."""
    keyring.reload()
    if kek_id not in keyring.keys:
        raise KeyringError(f"there is no key {kek_id}")
    with write_transaction():
        if kek_id == keyring.current():
            raise KeyringError(f"key {kek_id} is the current key: rotate first")
        _locked_check(kek_id)
        users = sum(table.select().where(table.kek_id == kek_id).count() for table in KEY_HOLDERS)
        if users:
            raise KeyringError(f"key {kek_id} still wraps {users} objects: rotate first")
        KeyCheck.delete().where(KeyCheck.name == check_name(kek_id)).execute()
    (keyring.key_dir / f"kek-{kek_id}.key").unlink()
    del keyring.keys[kek_id]
