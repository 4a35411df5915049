"""A backend brings its own settings: registering one is enough for settings, storage and commands."""

from __future__ import annotations

import io
import os
from collections.abc import Collection, Iterable, Iterator
from typing import BinaryIO

import pytest

from portal import create_app
from portal.cli import cli
from portal.core.models import StoredObject
from portal.core.settings import PROJECT_ROOT, ConfigError, load_settings
from portal.staff.storage.setup import open_backend
from storage_backends import REGISTRY, Backend, BackendError, Option, backend_class


class MemoryBackend(Backend):
    """Objects in a dict, at most `capacity` of them: a backend no product file knows of."""

    name = "memory"
    OPTIONS = (Option("capacity", int, 100, "how many objects fit"),)

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.objects: dict[str, bytes] = {}

    def _put(self, key: str, chunks: Iterable[bytes]) -> None:
        if len(self.objects) >= self.capacity:
            raise BackendError(f"could not write {key}: full")
        self.objects[key] = b"".join(chunks)

    def _open(self, key: str) -> BinaryIO:
        return io.BytesIO(self.objects[key])

    def _delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def _exists(self, key: str) -> bool:
        return key in self.objects

    def _list(self) -> Iterator[str]:
        return iter(sorted(self.objects))

    def _check(self) -> list[str]:
        return []

    def _sweep(self, older_than: float, keep: Collection[str]) -> int:
        return 0


@pytest.fixture
def memory(monkeypatch):
    """The in-memory backend, registered for this test only."""
    monkeypatch.setitem(REGISTRY, "memory", f"{__name__}:MemoryBackend")


def test_settings_read_and_check_a_registered_backends_options(memory, tmp_path, monkeypatch):
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path})
    assert settings.storage_options("memory") == {"capacity": 100}
    monkeypatch.setenv("PORTAL_MEMORY_CAPACITY", "3")
    assert load_settings("staff", {"INSTANCE_PATH": tmp_path}).storage_options("memory") == {"capacity": 3}
    monkeypatch.setenv("PORTAL_MEMORY_CAPACITY", "many")
    with pytest.raises(ConfigError, match="PORTAL_MEMORY_CAPACITY"):
        load_settings("staff", {"INSTANCE_PATH": tmp_path})
    monkeypatch.delenv("PORTAL_MEMORY_CAPACITY")
    (tmp_path / "portal.toml").write_text("storage_backend = 'memory'\nmemory_capacity = 7\n")
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path})
    assert settings.storage_backend == "memory" and settings.storage_options("memory")["capacity"] == 7


def test_open_backend_builds_a_registered_backend_from_its_options(memory, tmp_path):
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path, "STORAGE_BACKEND": "memory"})
    backend = open_backend(settings)
    assert isinstance(backend, MemoryBackend) and backend.capacity == 100
    with pytest.raises(ConfigError, match="PORTAL_STORAGE_BACKEND"):
        open_backend(settings, "tape")


def test_only_registered_backends_can_be_chosen(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_STORAGE_BACKEND: 'memory' is not one of local, minio"):
        load_settings("staff", {"INSTANCE_PATH": tmp_path, "STORAGE_BACKEND": "memory"})


def test_migrate_offers_a_registered_backend_and_moves_objects_onto_it(memory, config):
    app = create_app("staff", {**config, "MEMORY_CAPACITY": 2, "TESTING": True})
    with app.app_context():
        store = app.extensions["portal.objects"]
        rows = [store.store([os.urandom(size)], kind="test") for size in (10, 70_000)]
    runner = app.test_cli_runner()
    assert "memory" in runner.invoke(cli, ["storage", "migrate", "--help"]).output
    result = runner.invoke(cli, ["storage", "migrate", "--to", "memory"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        target = store.backend_for(StoredObject(backend="memory"))
        assert sorted(target.list()) == sorted(row.storage_key for row in rows)
        assert all(store.verify(StoredObject.get_by_id(row.id)) for row in rows)
    assert runner.invoke(cli, ["storage", "migrate", "--to", "tape"]).exit_code == 2


def test_secret_options_stay_out_of_the_settings_repr(tmp_path):
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path, "MINIO_SECRET_KEY": "s" * 40})
    assert settings.storage_options("minio")["secret_key"] == "s" * 40
    assert "s" * 40 not in repr(settings) and "bucket='madoguchi'" in repr(settings)


def test_the_defaults_are_those_documented(tmp_path):
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path})
    assert settings.storage_backend == "local"
    assert settings.storage_options("local") == {"path": tmp_path / "objects"}
    assert settings.storage_options("minio") == {
        "endpoint": "127.0.0.1:9000",
        "access_key": "",
        "secret_key": "",
        "bucket": "madoguchi",
        "secure": False,
    }


def test_the_readme_documents_every_registered_option():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name in REGISTRY:
        for option in backend_class(name).OPTIONS:
            assert f"`PORTAL_{option.setting_for(name).upper()}`" in readme, (name, option.name)
