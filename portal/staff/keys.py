"""Creating the instance's secrets and keys, once, with owner-only permissions."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path

from nacl.public import PrivateKey

from portal.core.settings import Settings
from portal.staff.security.secrets_at_rest import KEY_FILE


def write_new(path: Path, content: bytes) -> bool:
    """Create `path` with mode 0600; an existing file is never replaced. Returns whether it wrote."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    # The key must survive a power cut before anything it wraps is committed.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return True


def ensure_keys(settings: Settings) -> list[Path]:
    """Every secret the two zones need; returns the files it created."""
    created = []
    for zone in ("public", "staff"):
        path = replace(settings, zone=zone).secret_key_file()
        if write_new(path, secrets.token_urlsafe(48).encode()):
            created.append(path)
    key_dir = settings.key_dir
    if write_new(key_dir / KEY_FILE, secrets.token_bytes(32)):
        created.append(key_dir / KEY_FILE)
    if not any(key_dir.glob("kek-*.key")):
        write_new(key_dir / "kek-0001.key", secrets.token_bytes(32))
        created.append(key_dir / "kek-0001.key")
    if not any(key_dir.glob("audit-*.key")):
        write_new(key_dir / "audit-0001.key", secrets.token_bytes(32))
        created.append(key_dir / "audit-0001.key")
    if not (key_dir / "seal.key").exists():
        private = PrivateKey.generate()
        write_new(key_dir / "seal.key", bytes(private))
        write_new(settings.seal_public_key, bytes(private.public_key))
        created += [key_dir / "seal.key", settings.seal_public_key]
    # The public zone's copy, in the one folder its process may read.
    public_copy = settings.public_home / "seal.pub"
    if write_new(public_copy, settings.seal_public_key.read_bytes()):
        created.append(public_copy)
    os.chmod(key_dir, 0o700)
    return created
