"""The audit chain verifies, and whatever a database writer does to it without the audit key is caught.

The attacks below are made the way someone with write access to the database (and, for some,
to the anchor file) would make them: straight SQL through the models, never through the portal.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import threading
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as apply

from portal import create_app
from portal.cli import cli
from portal.core import public_log
from portal.core.database import Stores, bind, database
from portal.core.migrations import MIGRATIONS, keyed_audit_chain
from portal.core.models import AuditEvent, PublicEvent, SchemaVersion
from portal.core.settings import ConfigError
from portal.staff import audit
from portal.staff.audit import anchor, chain
from portal.staff.audit.keys import audit_keys
from portal.staff.audit.verify import Verification, verify
from tests.servers import instance_env, portal_command

FIELDS = (
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "client",
    "outcome",
    "prev_hash",
    "hash",
    "key_id",
)
NOT_ANCHORED = "event {} is not in the anchor (the staff instance did not chain it)"


def record_some(app, count: int = 5) -> None:
    with app.app_context():
        for number in range(count):
            audit.record("test.event", object_type="thing", object_id=number)


def verification(app) -> Verification:
    with app.app_context(), database.connection_context():
        return verify(app.config["PORTAL"].audit_anchor, audit_keys())


def problems(app) -> list[str]:
    return verification(app).problems


def anchor_lines(app) -> list[str]:
    return app.config["PORTAL"].audit_anchor.read_text().splitlines()


def write_anchor(app, lines: list[str]) -> None:
    app.config["PORTAL"].audit_anchor.write_text("".join(f"{line}\n" for line in lines))


def _event_fields(event: AuditEvent) -> list:
    """The fields a chain hash covers, in the order the portal's source gives them."""
    return [
        event.seq,
        event.at.isoformat(),
        event.actor_id,
        event.action,
        event.object_type,
        event.object_id,
        event.client,
        event.outcome,
    ]


def sha256_chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The unkeyed chain hash of the portal before audit keys, as an attacker can compute it."""
    payload = json.dumps(_event_fields(event), separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def hmac_chain_hash(key: bytes, event: AuditEvent) -> str:
    """A keyed chain hash built exactly as the portal builds it, under whatever key is given."""
    payload = json.dumps([event.key_id, event.prev_hash, *_event_fields(event)], separators=(",", ":"))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def forge(app, key_id: str | None, hash_with, anchor_it: bool = False) -> AuditEvent:
    """Insert the next event, correctly sequenced and linked, hashed by `hash_with(event)`."""
    with app.app_context():
        last = AuditEvent.select().order_by(AuditEvent.seq.desc()).get()
        event = AuditEvent(
            seq=last.seq + 1,
            at=datetime(2026, 11, 26, 9, 0),
            actor_id=1,
            action="signin.success",
            object_type="user",
            object_id="1",
            client="127.0.0.1",
            outcome="ok",
            prev_hash=last.hash,
            key_id=key_id,
        )
        event.hash = hash_with(event)
        event.save(force_insert=True)
    if anchor_it:
        with app.config["PORTAL"].audit_anchor.open("a") as anchor:
            anchor.write(f"{event.seq} {event.hash}\n")
    return event


def key_bytes(app, key_id: str = "0001") -> bytes:
    return (app.config["PORTAL"].key_dir / f"audit-{key_id}.key").read_bytes()


def test_a_clean_chain_verifies_and_the_command_exits_0(staff_app, portal_cli):
    record_some(staff_app)
    assert problems(staff_app) == []
    result = portal_cli("audit", "verify")
    assert result.exit_code == 0 and "audit chain verified: 5 events" in result.output
    with staff_app.app_context():
        assert {e.key_id for e in AuditEvent.select()} == {"0001"}
    assert len(anchor_lines(staff_app)) == 5


@pytest.mark.parametrize("key_id", [None, "0001"])
@pytest.mark.parametrize("anchor_it", [False, True])
def test_an_event_forged_with_the_old_unkeyed_sha256_is_reported(staff_app, portal_cli, key_id, anchor_it):
    record_some(staff_app)
    forge(staff_app, key_id, lambda event: sha256_chain_hash(event.prev_hash, event), anchor_it)
    hash_problem = (
        "event 6 is not keyed: no staff instance chained it"
        if key_id is None
        else "event 6 does not verify under audit key 0001: altered or forged"
    )
    assert problems(staff_app) == [hash_problem] + ([] if anchor_it else [NOT_ANCHORED.format(6)])
    result = portal_cli("audit", "verify")
    assert result.exit_code == 1 and f"problem: {hash_problem}\n" in result.stderr
    assert "verified" not in result.output


@pytest.mark.parametrize("anchor_it", [False, True])
def test_an_event_with_an_hmac_under_a_wrong_key_is_reported(staff_app, portal_cli, anchor_it):
    record_some(staff_app)
    wrong = os.urandom(32)
    forge(staff_app, "0001", lambda event: hmac_chain_hash(wrong, event), anchor_it)
    expected = ["event 6 does not verify under audit key 0001: altered or forged"]
    assert problems(staff_app) == expected + ([] if anchor_it else [NOT_ANCHORED.format(6)])
    assert portal_cli("audit", "verify").exit_code == 1


def test_an_event_the_anchor_never_saw_is_reported_even_with_the_right_key(staff_app, portal_cli):
    record_some(staff_app)
    right = key_bytes(staff_app)
    forge(staff_app, "0001", lambda event: hmac_chain_hash(right, event))
    assert problems(staff_app) == [NOT_ANCHORED.format(6)]
    assert portal_cli("audit", "verify").exit_code == 1


def test_an_event_naming_an_unknown_key_is_reported(staff_app):
    record_some(staff_app)
    forge(staff_app, "0042", lambda event: hmac_chain_hash(os.urandom(32), event), anchor_it=True)
    assert problems(staff_app) == ["event 6 names audit key '0042', which is not in the key directory"]


def test_an_altered_field_is_reported(staff_app, portal_cli):
    record_some(staff_app)
    with staff_app.app_context():
        AuditEvent.update(object_id="9").where(AuditEvent.seq == 3).execute()
    assert problems(staff_app) == ["event 3 does not verify under audit key 0001: altered or forged"]
    assert portal_cli("audit", "verify").exit_code == 1


def test_deleting_an_event_in_the_middle_is_reported(staff_app, portal_cli):
    record_some(staff_app)
    with staff_app.app_context():
        AuditEvent.delete().where(AuditEvent.seq == 3).execute()
    assert problems(staff_app) == [
        "event 3 is missing (next is 4)",
        "event 4 does not link to its predecessor",
        "event 3 (anchor line 3) is not in the database: it was deleted",
    ]
    assert portal_cli("audit", "verify").exit_code == 1


def test_deleting_the_newest_event_is_reported(staff_app, portal_cli):
    record_some(staff_app)
    with staff_app.app_context():
        AuditEvent.delete().where(AuditEvent.seq == 5).execute()
    assert problems(staff_app) == ["event 5 (anchor line 5) is not in the database: it was deleted"]
    assert portal_cli("audit", "verify").exit_code == 1


def test_reordering_two_events_is_reported(staff_app, portal_cli):
    record_some(staff_app)
    with staff_app.app_context():
        second, third = (AuditEvent.get_by_id(seq) for seq in (2, 3))
        AuditEvent.update(hash="swapping").where(AuditEvent.seq == 2).execute()  # `hash` is unique
        AuditEvent.update({f: getattr(second, f) for f in FIELDS}).where(AuditEvent.seq == 3).execute()
        AuditEvent.update({f: getattr(third, f) for f in FIELDS}).where(AuditEvent.seq == 2).execute()
    found = problems(staff_app)
    for seq in (2, 3):
        assert f"event {seq} does not link to its predecessor" in found
        assert f"event {seq} does not verify under audit key 0001: altered or forged" in found
        assert f"event {seq} differs from its hash on anchor line {seq}" in found
    assert "event 4 does not link to its predecessor" in found
    assert portal_cli("audit", "verify").exit_code == 1


def test_the_chain_is_walked_in_sequence_whatever_order_its_rows_are_stored_in(staff_app):
    record_some(staff_app)
    with staff_app.app_context():
        second = AuditEvent.get_by_id(2)
        AuditEvent.delete().where(AuditEvent.seq == 2).execute()
        AuditEvent.insert({field: getattr(second, field) for field in ("seq", *FIELDS)}).execute()
    assert problems(staff_app) == []


def test_public_events_are_chained_in_the_order_they_happened_whatever_order_their_rows_are_stored_in(
    staff_app,
):
    with staff_app.app_context():  # stored newest first: PostgreSQL reads its heap in that order
        for event_id, action in ((2, "booking.cancel"), (1, "booking.request")):
            PublicEvent.insert(id=event_id, action=action, object_type="booking", object_id="7").execute()
    record_some(staff_app, 1)
    with staff_app.app_context():
        chained = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    assert chained == ["public.booking.request", "public.booking.cancel", "test.event"]


def test_an_event_chained_while_the_log_is_verified_is_left_for_the_next_run(staff_app, monkeypatch):
    record_some(staff_app, 2)
    read_anchor = anchor.reading

    @contextlib.contextmanager
    def then_a_request_chains_an_event(path):
        with read_anchor(path) as reading:
            yield reading
        record_some(staff_app, 1)  # once the anchor is read, before the events are walked

    monkeypatch.setattr(anchor, "reading", then_a_request_chains_an_event)
    checked = verification(staff_app)
    assert (checked.problems, checked.events) == ([], 2)
    monkeypatch.undo()
    checked = verification(staff_app)
    assert (checked.problems, checked.events) == ([], 3)


def test_rewriting_the_whole_chain_with_sha256_is_reported(staff_app):
    record_some(staff_app)
    with staff_app.app_context():
        prev = "0" * 64
        for event in list(AuditEvent.select().order_by(AuditEvent.seq)):
            event.action, event.prev_hash = "rewritten", prev
            event.hash = prev = sha256_chain_hash(prev, event)
            event.save()
    found = problems(staff_app)
    for seq in range(1, 6):
        assert f"event {seq} does not verify under audit key 0001: altered or forged" in found
        assert f"event {seq} differs from its hash on anchor line {seq}" in found
    assert len(found) == 10


def test_a_missing_anchor_line_is_a_gap(staff_app, portal_cli):
    record_some(staff_app)
    lines = anchor_lines(staff_app)
    write_anchor(staff_app, lines[:2] + lines[3:])
    assert problems(staff_app) == ["the anchor has no line for event 3 (a gap in the anchor)"]
    assert portal_cli("audit", "verify").exit_code == 1


def test_malformed_repeated_and_reordered_anchor_lines_are_reported(staff_app):
    record_some(staff_app)
    lines = anchor_lines(staff_app)
    write_anchor(staff_app, [lines[0], lines[2], lines[1], "3 not-a-hash", lines[3], lines[3], lines[4]])
    assert problems(staff_app) == [
        "anchor line 4 is malformed",
        "anchor line 6 repeats event 4",
        "anchor line 3 (event 2) comes after event 3",
    ]


def test_a_missing_anchor_file_is_reported(staff_app):
    record_some(staff_app, 2)
    anchor = staff_app.config["PORTAL"].audit_anchor
    anchor.unlink()
    assert problems(staff_app) == [
        f"the anchor file {anchor} is missing",
        NOT_ANCHORED.format(1),
        NOT_ANCHORED.format(2),
    ]


def test_events_recorded_at_once_are_anchored_in_chain_order(staff_app):
    def worker():
        record_some(staff_app, 25)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [int(line.split()[0]) for line in anchor_lines(staff_app)] == list(range(1, 201))
    assert problems(staff_app) == []


def test_writers_without_the_anchors_file_lock_still_chain_one_line(staff_app, monkeypatch):
    """Processes on several machines share the database, not the anchor file's lock: the database
    serialises them (on SQLite its write lock, on PostgreSQL an advisory lock)."""
    monkeypatch.setattr(anchor, "fcntl", SimpleNamespace(LOCK_EX=0, LOCK_SH=0, flock=lambda fd, how: None))
    threads = [threading.Thread(target=record_some, args=(staff_app, 25)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with staff_app.app_context():
        events = list(AuditEvent.select().order_by(AuditEvent.seq))
    assert [e.seq for e in events] == list(range(1, 201))
    assert all(e.prev_hash == before.hash for before, e in pairwise(events))


def test_rotation_chains_new_events_under_the_new_key_and_old_ones_still_verify(
    staff_app, config, portal_cli
):
    record_some(staff_app, 3)
    first_key = key_bytes(staff_app)
    # Another process rotates (the command runs in its own instance); this one follows at its next event.
    other = create_app("staff", {**config, "TESTING": True})
    rotated = other.test_cli_runner().invoke(cli, ["audit", "rotate-key"])
    assert rotated.exit_code == 0 and "audit key 0002 now chains new events" in rotated.output
    new_key = staff_app.config["PORTAL"].key_dir / "audit-0002.key"
    assert stat.S_IMODE(new_key.stat().st_mode) == 0o600 and len(new_key.read_bytes()) == 32
    assert key_bytes(staff_app) == first_key
    record_some(staff_app, 2)
    with staff_app.app_context():
        events = list(AuditEvent.select().order_by(AuditEvent.seq))
    assert [(e.action, e.key_id) for e in events] == [
        *[("test.event", "0001")] * 3,
        ("audit.key-rotate", "0002"),
        *[("test.event", "0002")] * 2,
    ]
    assert problems(staff_app) == []
    assert portal_cli("audit", "verify").exit_code == 0

    # An event moved under the other key does not verify under it.
    with staff_app.app_context():
        AuditEvent.update(key_id="0002").where(AuditEvent.seq == 1).execute()
    assert problems(staff_app) == ["event 1 does not verify under audit key 0002: altered or forged"]


def test_the_staff_instance_refuses_to_start_without_the_key_of_an_event(staff_app, config):
    record_some(staff_app, 1)
    key_dir = staff_app.config["PORTAL"].key_dir
    (key_dir / "audit-0002.key").write_bytes(os.urandom(32))
    (key_dir / "audit-0001.key").unlink()
    with pytest.raises(ConfigError, match=r"PORTAL_KEY_DIR: .*audit-0001\.key is missing"):
        create_app("staff", {**config, "TESTING": True})
    (key_dir / "audit-0002.key").unlink()
    with pytest.raises(ConfigError, match="no audit key"):
        create_app("staff", {**config, "TESTING": True})


def test_the_public_instance_logs_events_and_the_staff_instance_chains_them(
    staff_app, public_app, portal_cli
):
    with public_app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        public_log.log("booking.cancel", object_type="booking", object_id=7)
        with pytest.raises(KeyError):
            audit_keys()
        assert PublicEvent.select().count() == 1
    waiting = portal_cli("audit", "verify")
    assert waiting.exit_code == 0 and "1 events from the public instance wait" in waiting.output
    # The public zone's log takes anything, but the chain takes no staff action from it.
    with public_app.app_context():
        PublicEvent.create(at=datetime(2026, 11, 26), action="record.view", object_id="1", outcome="ok")
    record_some(staff_app, 1)
    with staff_app.app_context():
        events = [
            (e.action, e.object_type, e.object_id, e.client, e.outcome, e.actor_id, e.key_id)
            for e in AuditEvent.select()
        ]
        assert [p.action for p in PublicEvent.select()] == ["record.view"]
    assert events == [
        ("public.booking.cancel", "booking", "7", "203.0.113.9", "ok", None, "0001"),
        ("test.event", "thing", "0", None, "ok", None, "0001"),
    ]
    checked = verification(staff_app)
    assert checked.problems == [
        "the public instance reported 'record.view' (waiting event 2), which it never records"
    ]
    assert (checked.events, checked.waiting) == (2, 0)  # what it refuses is not waiting to be chained


def test_a_backlog_from_the_public_instance_is_chained_a_batch_at_a_time_in_its_order(
    staff_app, public_app, monkeypatch
):
    monkeypatch.setattr(chain, "PENDING_BATCH", 2)
    with public_app.test_request_context():
        for number in range(3):
            public_log.log("booking.cancel", object_type="booking", object_id=number)
    record_some(staff_app, 2)
    with staff_app.app_context():
        chained = [(e.action, e.object_id) for e in AuditEvent.select().order_by(AuditEvent.seq)]
    cancelled = [("public.booking.cancel", str(number)) for number in range(3)]
    assert chained == [*cancelled[:2], ("test.event", "0"), cancelled[2], ("test.event", "1")]
    assert verification(staff_app).waiting == 0


def test_events_hold_ids_not_personal_data(staff_app, signed_in, accounts):
    signed_in("city")
    with staff_app.app_context():
        rows = [(e.action, e.object_type, e.object_id, e.client, e.outcome) for e in AuditEvent.select()]
    text = repr(rows)
    assert accounts["city"].email not in text and accounts["city"].password not in text
    assert ("signin.success", "user", str(accounts["city"].id), "127.0.0.1", "ok") in rows


# Adopting a log chained before audit keys, with plain SHA-256.


def make_legacy(config: dict, count: int = 4, forged: bool = False) -> None:
    """Take the database back to before audit keys: no key column, an unkeyed chain and its anchor.

    With `forged`, a database writer has appended one more event with a correct SHA-256 and no
    anchor line: the attack unkeyed chains could not catch.
    """
    db = bind(Stores(config["DATABASE_URL"], config["PUBLIC_DATABASE_URL"]))
    with db.connection_context():
        table = AuditEvent._meta.table_name
        migrator = SchemaMigrator.from_database(db)
        apply(migrator.drop_column(table, "key_id"), migrator.drop_column("user", "approved_role"))
        SchemaVersion.update(version=MIGRATIONS.index(keyed_audit_chain)).execute()
        prev, lines = "0" * 64, []
        for seq in range(1, count + 2 if forged else count + 1):
            event = AuditEvent(
                seq=seq,
                at=datetime(2026, 4, 1, 9, seq, 30, 123456),
                actor_id=seq,
                action="signin.success",
                object_type="user",
                object_id=str(seq),
                client="192.0.2.1",
                outcome="ok",
                prev_hash=prev,
            )
            event.hash = prev = sha256_chain_hash(prev, event)
            AuditEvent.insert({field: getattr(event, field) for field in ("seq", *FIELDS[:-1])}).execute()
            lines.append(f"{seq} {event.hash}\n")
    Path(config["AUDIT_ANCHOR"]).parent.mkdir()
    Path(config["AUDIT_ANCHOR"]).write_text("".join(lines[:count]))


def run_init(config: dict):
    """`portal init` as an administrator runs it after upgrading."""
    umask = os.umask(0o022)
    os.umask(umask)
    env = {
        "PORTAL_INSTANCE_PATH": str(config["INSTANCE_PATH"]),
        "PORTAL_DATABASE_URL": config["DATABASE_URL"],
        "PORTAL_PUBLIC_DATABASE_URL": config["PUBLIC_DATABASE_URL"],
        "PORTAL_AUDIT_ANCHOR": str(config["AUDIT_ANCHOR"]),
    }
    try:
        return CliRunner().invoke(cli, ["init"], env=env)
    finally:
        os.umask(umask)  # init makes everything owner-only; the tests after this one expect the usual


def test_a_legacy_chain_is_verified_then_chained_again_under_the_audit_key(config):
    make_legacy(config)
    anchor = Path(config["AUDIT_ANCHOR"])
    old_anchor = anchor.read_text()
    with pytest.raises(ConfigError, match="predates keyed audit events: run `portal init`"):
        create_app("staff", {**config, "TESTING": True})

    result = run_init(config)
    assert result.exit_code == 0, result.output
    assert (
        f"audit log: 4 events chained again under an audit key; the old anchor is kept as {anchor}.legacy"
        in (result.output)
    )
    assert Path(f"{anchor}.legacy").read_text() == old_anchor
    staff_app = create_app("staff", {**config, "TESTING": True})
    with staff_app.app_context():
        events = list(AuditEvent.select().order_by(AuditEvent.seq))
    assert [(e.seq, e.key_id, e.object_id) for e in events] == [(n, "0001", str(n)) for n in range(1, 5)]
    assert anchor_lines(staff_app) == [f"{e.seq} {e.hash}" for e in events]
    assert anchor.read_text() != old_anchor
    assert problems(staff_app) == []
    again = run_init(config)
    assert again.exit_code == 0 and "audit log" not in again.output

    # After adoption no event uses the old algorithm: one forged with it is reported.
    forge(staff_app, None, lambda event: sha256_chain_hash(event.prev_hash, event), anchor_it=True)
    assert problems(staff_app) == ["event 5 is not keyed: no staff instance chained it"]


@pytest.mark.parametrize("tampering", ["inserted", "altered", "anchor line removed"])
def test_a_tampered_legacy_chain_is_refused_and_left_as_it_is(config, tampering):
    make_legacy(config, forged=tampering == "inserted")
    anchor = Path(config["AUDIT_ANCHOR"])
    if tampering == "altered":
        with database.connection_context():
            AuditEvent.update(outcome="refused").where(AuditEvent.seq == 2).execute()
    if tampering == "anchor line removed":
        anchor.write_text("".join(anchor.read_text().splitlines(keepends=True)[1:]))
    before = anchor.read_text()

    result = run_init(config)
    expected = {
        "inserted": "problem: event 5 is not in the anchor (the staff instance did not chain it)\n",
        "altered": "problem: event 2 does not match its SHA-256: altered or forged\n",
        "anchor line removed": "problem: the anchor has no line for event 1 (a gap in the anchor)\n",
    }[tampering]
    assert result.exit_code == 1 and expected in result.stderr
    assert "the unkeyed audit chain does not verify; it was not adopted" in result.stderr
    assert anchor.read_text() == before and not Path(f"{anchor}.legacy").exists()
    with database.connection_context():
        assert AuditEvent.select().where(AuditEvent.key_id.is_null(False)).count() == 0
    with pytest.raises(ConfigError, match="still chained with unkeyed SHA-256"):
        create_app("staff", {**config, "TESTING": True})


def test_a_legacy_anchor_written_out_of_order_is_adopted(config):
    """The old writer anchored after committing, without a lock: concurrent events could swap lines."""
    make_legacy(config)
    anchor = Path(config["AUDIT_ANCHOR"])
    first, second, *rest = anchor.read_text().splitlines(keepends=True)
    anchor.write_text("".join([second, first, *rest]))
    assert run_init(config).exit_code == 0
    assert problems(create_app("staff", {**config, "TESTING": True})) == []


def test_an_interrupted_adoption_runs_again_from_the_kept_anchor(config):
    make_legacy(config)
    anchor = Path(config["AUDIT_ANCHOR"])
    Path(f"{anchor}.legacy").write_text(anchor.read_text())
    anchor.write_text("1 half-writ")  # the rewrite was cut short; the database was not committed
    assert run_init(config).exit_code == 0
    assert problems(create_app("staff", {**config, "TESTING": True})) == []


def test_a_backup_restores_with_its_audit_keys_and_verifies(tmp_path):
    """The embedded set-up (SQLite): keys, database and anchor restored together."""
    assert portal_command("init", env=instance_env(tmp_path / "instance")).returncode == 0
    app = create_app("staff", {"INSTANCE_PATH": tmp_path / "instance", "TESTING": True})
    record_some(app, 2)
    assert app.test_cli_runner().invoke(cli, ["audit", "rotate-key"]).exit_code == 0
    record_some(app, 2)
    destination = tmp_path / "restored"
    assert app.test_cli_runner().invoke(cli, ["backup", str(destination)]).exit_code == 0

    restored = create_app("staff", {"INSTANCE_PATH": destination, "TESTING": True})
    verified = restored.test_cli_runner().invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0 and "5 events" in verified.output, verified.output
    for key_id in ("0001", "0002"):
        assert key_bytes(restored, key_id) == key_bytes(app, key_id)
    (destination / "keys" / "audit-0001.key").unlink()
    with pytest.raises(ConfigError, match=r"audit-0001\.key is missing"):
        create_app("staff", {"INSTANCE_PATH": destination, "TESTING": True})
