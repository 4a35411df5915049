"""Building the configured backend and the object store, and refusing to start on a bad one."""

from __future__ import annotations

from flask import Flask

from portal.core.credentials import guessable
from portal.core.models import StoredObject
from portal.core.settings import ConfigError, Settings, StorageOptions
from portal.staff.storage.chunked import unfinished_writes
from portal.staff.storage.digests import DIGESTS, RunningDigests
from portal.staff.storage.keyring import Keyring, KeyringError
from portal.staff.storage.objects import ObjectStore
from portal.staff.storage.successors import SUCCESSORS, Successors
from storage_backends import Backend, BackendError, backend_class, load_backend


def open_backend(settings: Settings, name: str | None = None) -> Backend:
    """The backend called `name` (default: the configured one), or a ConfigError saying why not."""
    name = name or settings.storage_backend
    options = settings.storage_options(name)
    _refuse_guessable_secrets(name, options)
    try:
        return load_backend(name, **options)
    except (ValueError, BackendError) as error:
        raise ConfigError(f"PORTAL_STORAGE_BACKEND={name}: {error}") from None


def _refuse_guessable_secrets(name: str, options: StorageOptions) -> None:
    """A backend's secret that is empty, a shipped default or the same as its user is refused
    before anything connects (MinIO's minioadmin/minioadmin opens the whole bucket)."""
    declared = backend_class(name).OPTIONS
    names = [options[o.name] for o in declared if not o.secret and o.kind is str]
    for option in (o for o in declared if o.secret):
        problem = guessable(options[option.name], *names)
        if problem:
            setting = f"PORTAL_{option.setting_for(name).upper()}"
            raise ConfigError(f"{setting}: {problem}; give the backend's account a secret of its own")


def init_app(app: Flask) -> None:
    """Open storage for the staff zone; a backend with findings or a wrong key stops start-up."""
    from portal.core.database import database

    settings = app.config["PORTAL"]
    backend = open_backend(settings)
    findings = backend.check()
    if findings:
        raise ConfigError("storage is not safe to use: " + "; ".join(findings))
    try:
        keyring = Keyring(settings.key_dir)
        with database.connection_context():
            backend.sweep(keep=unfinished_writes())
            keyring.verify()
            elsewhere = [r.backend for r in StoredObject.select(StoredObject.backend).distinct()]
    except KeyringError as error:
        raise ConfigError(f"PORTAL_KEY_DIR: {error}") from None
    store = ObjectStore(backend, keyring, opener=lambda name: open_backend(settings, name))
    for name in set(elsewhere) - {backend.name}:
        store.backend_for(StoredObject(backend=name))  # objects mid-migration must stay readable
    app.extensions["portal.objects"] = store
    app.extensions[DIGESTS] = RunningDigests()
    app.extensions[SUCCESSORS] = Successors()
