"""The `portal` command on a fresh checkout, as an administrator runs it."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from tests.servers import instance_env, portal_command


@pytest.fixture
def fresh(tmp_path):
    """An environment whose instance folder does not exist yet."""
    return instance_env(tmp_path / "instance")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_help_works_with_no_configuration(fresh):
    result = portal_command("--help", env=fresh)
    assert result.returncode == 0 and result.stderr == ""
    for command in ("init", "demo-seed", "user", "audit"):
        assert command in result.stdout
    assert portal_command("run", env=fresh).returncode == 2
    assert portal_command("shell", env=fresh).returncode == 2


def test_init_is_rerunnable_and_never_replaces_keys(tmp_path, fresh):
    first = portal_command("init", env=fresh)
    assert first.returncode == 0, first.stderr
    instance = tmp_path / "instance"
    keys = [*(instance / "keys").iterdir(), instance / "staff-secret.key", *(instance / "public").glob("*")]
    assert {str(k.relative_to(instance)) for k in keys} >= {
        "keys/audit-0001.key",
        "keys/field.key",
        "keys/seal.key",
        "keys/seal.pub",
        "staff-secret.key",
        "public/secret.key",
        "public/seal.pub",
        "public/public.db",
    }
    assert (instance / "public" / "seal.pub").read_bytes() == (instance / "keys" / "seal.pub").read_bytes()
    assert mode(instance) == 0o700 and mode(instance / "keys") == 0o700 and mode(instance / "public") == 0o700
    assert all(mode(k) == 0o600 for k in keys)
    assert mode(instance / "portal.db") == 0o600
    before = {k: k.read_bytes() for k in keys}
    second = portal_command("init", env=fresh)
    assert second.returncode == 0 and "created" not in second.stdout
    assert {k: k.read_bytes() for k in keys} == before


def test_user_create_demo_seed_and_audit_verify(tmp_path, fresh):
    assert portal_command("init", env=fresh).returncode == 0
    seeded = portal_command("demo-seed", env=fresh)
    assert seeded.returncode == 0, seeded.stderr
    accounts = tmp_path / "instance" / "demo-accounts.txt"
    assert mode(accounts) == 0o600
    lines = accounts.read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == ["admin", "city", "consultant", "operator"]
    assert all(len(line.split("\t")) == 4 and line.split("\t")[3].startswith("otpauth://") for line in lines)
    again = portal_command("demo-seed", env=fresh)
    assert again.returncode == 0 and "nothing seeded" in again.stdout
    assert accounts.read_text(encoding="utf-8").splitlines() == lines

    created = portal_command(
        "user",
        "create",
        "Clerk@Example.jp",
        "--role",
        "city",
        "--org",
        "架空市 産業観光局",
        env=fresh,
        input="長くて推測されにくい日本語のパスワード\n",
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("otpauth://totp/Madoguchi:clerk%40example.jp?secret=")
    weak = portal_command(
        "user", "create", "x@example.jp", "--role", "city", "--org", "o", env=fresh, input="password\n"
    )
    assert weak.returncode == 2 and "too_short" in weak.stderr
    bad_role = portal_command(
        "user", "create", "y@example.jp", "--role", "boss", "--org", "o", env=fresh, input="x\n"
    )
    assert bad_role.returncode == 2

    verified = portal_command("audit", "verify", env=fresh)
    assert verified.returncode == 0 and "verified" in verified.stdout


@pytest.mark.parametrize(
    "name,value",
    [
        ("PORTAL_STAFF_NETWORKS", "10.0.0.0/33"),
        ("PORTAL_DATABASE_URL", "mysql://root@localhost/portal"),
        ("PORTAL_TRUSTED_PROXIES", "-1"),
        ("PORTAL_STORAGE_BACKEND", "ftp"),
        ("PORTAL_MINIO_SECURE", "maybe"),
        ("PORTAL_HOME_BUREAU", "港湾局"),
        ("PORTAL_BUREAUS", "建設局,建設局"),
    ],
)
def test_a_wrong_setting_is_a_usage_error_that_names_it(fresh, name, value):
    result = portal_command("init", env={**fresh, name: value})
    assert result.returncode == 2 and name in result.stderr


def test_commands_needing_the_app_refuse_before_init(fresh):
    result = portal_command("audit", "verify", env=fresh)
    assert result.returncode == 2 and "portal init" in result.stderr


def test_audit_verify_reports_an_event_written_straight_into_the_database(tmp_path, fresh):
    """The attack unkeyed chains let through: a row with a correct SHA-256, added with sqlite3."""
    from datetime import datetime

    from portal.core.models import AuditEvent
    from tests.test_audit import sha256_chain_hash

    assert portal_command("init", env=fresh).returncode == 0
    assert portal_command("demo-seed", env=fresh).returncode == 0
    rotated = portal_command("audit", "rotate-key", env=fresh)
    assert rotated.returncode == 0 and "audit key 0002 now chains new events" in rotated.stdout
    assert portal_command("audit", "verify", env=fresh).returncode == 0

    with sqlite3.connect(tmp_path / "instance" / "portal.db") as db:
        seq, last_hash = db.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
        event = AuditEvent(
            seq=seq + 1,
            at=datetime(2026, 11, 26, 9, 0),
            actor_id=1,
            action="record.view",
            object_type="record",
            object_id="1",
            client="127.0.0.1",
            outcome="ok",
            prev_hash=last_hash,
            key_id="0002",
        )
        event.hash = sha256_chain_hash(last_hash, event)
        db.execute(
            "INSERT INTO audit_event (seq, at, actor_id, action, object_type, object_id, client, outcome,"
            " prev_hash, hash, key_id) VALUES (?, '2026-11-26 09:00:00', 1, 'record.view', 'record', '1',"
            " '127.0.0.1', 'ok', ?, ?, '0002')",
            (event.seq, last_hash, event.hash),
        )
    result = portal_command("audit", "verify", env=fresh)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"problem: event {seq + 1} does not verify under audit key 0002: altered or forged",
        f"problem: event {seq + 1} is not in the anchor (the staff instance did not chain it)",
    ]
