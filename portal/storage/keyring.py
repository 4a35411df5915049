"""Key-encryption keys: files in PORTAL_KEY_DIR, each with an id; the newest wraps new data keys.

Data keys are wrapped with AES-256-GCM, bound to their object's id, and stored beside the
object's metadata, so rotation re-wraps database rows and never rewrites objects. Each key also
seals a check value in the database when it is made, so a wrong key file is caught at start-up
rather than when a file fails to open.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.keys import write_new
from portal.models import KeyCheck, StoredObject

KEK_FILE = re.compile(r"kek-(\d{4})\.key")
CHECK_PLAINTEXT = b"madoguchi key check"


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


class Keyring:
    """The key-encryption keys found in a directory."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self.keys: dict[str, bytes] = {}
        for path in sorted(key_dir.glob("kek-*.key")):
            match = KEK_FILE.fullmatch(path.name)
            if match:
                self.keys[match.group(1)] = path.read_bytes()
        if not self.keys:
            raise KeyringError(f"no key-encryption key in {key_dir}: run `portal init`")
        for kek_id, key in self.keys.items():
            if len(key) != 32:
                raise KeyringError(f"{key_dir}/kek-{kek_id}.key must hold 32 bytes")

    @property
    def current(self) -> str:
        """The id of the key that wraps new data keys."""
        return max(self.keys)

    def wrap(self, data_key: bytes, object_id: str) -> tuple[str, bytes]:
        """Wrap a data key with the current key; returns (key id, wrapped key)."""
        return self.current, _seal(self.keys[self.current], data_key, object_id.encode())

    def unwrap(self, kek_id: str, wrapped: bytes, object_id: str) -> bytes:
        """The data key of an object; raises KeyringError if its key is missing or wrong."""
        try:
            return _open(self.keys[kek_id], wrapped, object_id.encode())
        except KeyError:
            raise KeyringError(f"key {kek_id} is not in {self.key_dir}") from None
        except InvalidTag:
            raise KeyringError(f"the data key of {object_id} does not open with key {kek_id}") from None

    def verify(self) -> None:
        """Refuse to run on a key directory that does not match the database."""
        for row in KeyCheck.select().where(KeyCheck.name.startswith("kek-")):
            kek_id = row.name.removeprefix("kek-")
            if kek_id not in self.keys:
                raise KeyringError(f"key {kek_id} is missing from {self.key_dir}")
            try:
                _open(self.keys[kek_id], row.check, row.name.encode())
            except InvalidTag:
                raise KeyringError(
                    f"{self.key_dir}/kek-{kek_id}.key is not the key this database uses"
                ) from None
        for kek_id in self.keys:
            register_check(check_name(kek_id), self.keys[kek_id])
        in_use = {row.kek_id for row in StoredObject.select(StoredObject.kek_id).distinct()}
        missing = in_use - set(self.keys)
        if missing:
            raise KeyringError(
                f"keys {', '.join(sorted(missing))} wrap objects but are not in {self.key_dir}"
            )


def register_check(name: str, key: bytes) -> None:
    """Seal the check value of a key the first time it is seen."""
    if not KeyCheck.select().where(KeyCheck.name == name).exists():
        KeyCheck.create(name=name, check=_seal(key, CHECK_PLAINTEXT, name.encode()))


def create_key(key_dir: Path) -> str:
    """A new key-encryption key with the next id; returns the id."""
    existing = [int(m.group(1)) for p in key_dir.glob("kek-*.key") if (m := KEK_FILE.fullmatch(p.name))]
    kek_id = f"{max(existing, default=0) + 1:04d}"
    write_new(key_dir / f"kek-{kek_id}.key", os.urandom(32))
    return kek_id


def rotate(keyring: Keyring) -> tuple[str, int]:
    """Make a new key and re-wrap every data key with it; returns (new id, rows re-wrapped)."""
    from portal.database import database

    new_id = create_key(keyring.key_dir)
    keyring.keys[new_id] = (keyring.key_dir / f"kek-{new_id}.key").read_bytes()
    register_check(check_name(new_id), keyring.keys[new_id])
    rewrapped = 0
    while True:
        batch = list(StoredObject.select().where(StoredObject.kek_id != new_id).limit(500))
        if not batch:
            return new_id, rewrapped
        with database.atomic():
            for row in batch:
                data_key = keyring.unwrap(row.kek_id, row.wrapped_key, str(row.id))
                kek_id, wrapped = keyring.wrap(data_key, str(row.id))
                StoredObject.update(kek_id=kek_id, wrapped_key=wrapped).where(
                    StoredObject.id == row.id
                ).execute()
        rewrapped += len(batch)


def retire(keyring: Keyring, kek_id: str) -> None:
    """Delete a key no object needs any more; refused while it still wraps anything or is current."""
    if kek_id not in keyring.keys:
        raise KeyringError(f"there is no key {kek_id}")
    if kek_id == keyring.current:
        raise KeyringError(f"key {kek_id} is the current key: rotate first")
    users = StoredObject.select().where(StoredObject.kek_id == kek_id).count()
    if users:
        raise KeyringError(f"key {kek_id} still wraps {users} objects: rotate first")
    KeyCheck.delete().where(KeyCheck.name == check_name(kek_id)).execute()
    (keyring.key_dir / f"kek-{kek_id}.key").unlink()
    del keyring.keys[kek_id]
