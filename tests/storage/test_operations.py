"""Operating storage: posture checks, moving objects between backends, keys, backup and restore."""

from __future__ import annotations

import os

from portal import create_app
from portal.cli import cli
from portal.core.models import StoredObject
from tests.servers import instance_env, portal_command


def run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def test_storage_check_reports_findings_with_exit_status_1(tmp_path):
    env = instance_env(tmp_path / "instance")
    assert portal_command("init", env=env).returncode == 0
    clean = portal_command("storage", "check", env=env)
    assert clean.returncode == 0 and "no findings" in clean.stdout
    os.chmod(tmp_path / "instance" / "objects", 0o755)
    found = portal_command("storage", "check", env=env)
    assert found.returncode == 1 and "accessible to other users" in found.stderr
    broken = portal_command("storage", "check", env={**env, "PORTAL_STORAGE_BACKEND": "tape"})
    assert broken.returncode == 2


def test_migrate_to_minio_verifies_resumes_and_switches_only_when_told(config, minio_settings, tmp_path):
    local = {**config, **minio_settings, "STORAGE_BACKEND": "local", "STORAGE_PATH": tmp_path / "objects"}
    app = create_app("staff", {**local, "TESTING": True})
    with app.app_context():
        store = app.extensions["portal.objects"]
        rows = [store.store([os.urandom(size)], kind="test") for size in (10, 3_000_000, 0)]
    result = run(app, "storage", "migrate", "--to", "minio")
    assert result.exit_code == 0, result.output
    assert "set PORTAL_STORAGE_BACKEND=minio" in result.output
    again = run(app, "storage", "migrate", "--to", "minio")
    assert again.exit_code == 0 and "0 objects" in again.output
    assert sorted(os.listdir(tmp_path / "objects")) != [".incoming", ".parts"], "the source is kept"

    minio_app = create_app("staff", {**config, **minio_settings, "TESTING": True})
    with minio_app.app_context():
        minio_store = minio_app.extensions["portal.objects"]
        assert all(minio_store.verify(StoredObject.get_by_id(row.id)) for row in rows)
    back = run(minio_app, "storage", "migrate", "--to", "local", "--delete-source")
    assert back.exit_code == 0, back.output
    with minio_app.app_context():
        assert list(minio_store.backend.list()) == []
        assert {row.backend for row in StoredObject.select()} == {"local"}
        # Still configured for MinIO: every object is read from where its row says it is.
        assert all(minio_store.verify(StoredObject.get_by_id(row.id)) for row in rows)


def test_objects_stay_readable_through_a_migration_and_the_switch(config, minio_settings, tmp_path):
    local = {**config, **minio_settings, "STORAGE_BACKEND": "local", "STORAGE_PATH": tmp_path / "objects"}
    app = create_app("staff", {**local, "TESTING": True})
    with app.app_context():
        before = app.extensions["portal.objects"].store([b"stored before"], kind="test")
    assert run(app, "storage", "migrate", "--to", "minio", "--delete-source").exit_code == 0
    with app.app_context():
        store = app.extensions["portal.objects"]
        after = store.store([b"stored after, before the switch"], kind="test")
        assert store.verify(StoredObject.get_by_id(before.id))
    switched = create_app("staff", {**local, "STORAGE_BACKEND": "minio", "TESTING": True})
    with switched.app_context():
        store = switched.extensions["portal.objects"]
        assert all(store.verify(StoredObject.get_by_id(i)) for i in (before.id, after.id))


def test_migrate_leaves_an_object_that_does_not_verify(config, minio_settings, tmp_path):
    local = {**config, **minio_settings, "STORAGE_BACKEND": "local", "STORAGE_PATH": tmp_path / "objects"}
    app = create_app("staff", {**local, "TESTING": True})
    with app.app_context():
        row = app.extensions["portal.objects"].store([b"a record"], kind="test")
        StoredObject.update(sha256="0" * 64).where(StoredObject.id == row.id).execute()
    result = run(app, "storage", "migrate", "--to", "minio", "--delete-source")
    assert result.exit_code == 1 and "did not verify" in result.output
    assert (tmp_path / "objects" / row.storage_key).exists()


def test_keys_rotate_and_retire_commands(staff_app):
    with staff_app.app_context():
        staff_app.extensions["portal.objects"].store([b"x"], kind="test")
    refused = run(staff_app, "keys", "retire", "0001")
    assert refused.exit_code == 1 and "current key" in refused.output
    rotated = run(staff_app, "keys", "rotate")
    assert rotated.exit_code == 0 and "key 0002 is now current; 1 data keys re-wrapped" in rotated.output
    retired = run(staff_app, "keys", "retire", "0001")
    assert retired.exit_code == 0, retired.output


def test_backup_restores_onto_a_fresh_directory(tmp_path):
    """The embedded set-up; PostgreSQL deployments back the database up with pg_dump."""
    assert portal_command("init", env=instance_env(tmp_path / "instance")).returncode == 0
    app = create_app("staff", {"INSTANCE_PATH": tmp_path / "instance", "TESTING": True})
    with app.app_context():
        store = app.extensions["portal.objects"]
        rows = [store.store([os.urandom(size)], kind="test") for size in (5, 2_500_000)]
    destination = tmp_path / "restored"
    result = run(app, "backup", str(destination))
    assert result.exit_code == 0, result.output
    restored = create_app("staff", {"INSTANCE_PATH": destination, "TESTING": True})
    with restored.app_context():
        restored_store = restored.extensions["portal.objects"]
        assert StoredObject.select().count() == 2
        assert all(restored_store.verify(StoredObject.get_by_id(row.id)) for row in rows)
    assert run(restored, "audit", "verify").exit_code == 0
