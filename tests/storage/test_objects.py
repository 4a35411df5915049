"""The encrypted object store over each backend: round trips, faults, keys and rotation."""

from __future__ import annotations

import os
import threading

import pytest

from portal import create_app
from portal.core.models import KeyCheck, StoredObject
from portal.core.settings import ConfigError
from portal.staff.storage import keyring as keyrings
from portal.staff.storage import stream_aead
from portal.staff.storage.keyring import (
    Keyring,
    KeyringError,
    check_name,
    create_key,
    register_check,
    retire,
    rotate,
)
from storage_backends import BackendError

MARKER = b"MADOGUCHI-PLAINTEXT-MARKER-090-1234-5678"


@pytest.fixture
def storage_app(config, backend_settings):
    return create_app("staff", {**config, **backend_settings, "TESTING": True})


@pytest.fixture
def store(storage_app):
    with storage_app.app_context():
        yield storage_app.extensions["portal.objects"]


def plaintext(size: int) -> bytes:
    block = MARKER + os.urandom(64)
    return (block * (size // len(block) + 1))[:size]


def chunked(data: bytes, size: int = 300_000):
    return (data[i : i + size] for i in range(0, len(data), size))


def raw_bytes(store, stored) -> bytes:
    with store.backend.open(stored.storage_key) as stream:
        return stream.read()


@pytest.mark.parametrize("size", [0, 1, stream_aead.SEGMENT, 3 * stream_aead.SEGMENT + 17])
def test_round_trip_records_size_and_hash(store, size):
    data = plaintext(size)
    stored = store.store(chunked(data), kind="test")
    assert (stored.size, stored.kek_id, stored.format) == (size, "0001", 1)
    assert b"".join(store.read(stored)) == data
    assert store.verify(stored)
    assert len(raw_bytes(store, stored)) == stream_aead.ciphertext_size(size)


class Watched:
    """A backend's stream that notes which threads read it and whether it was closed."""

    def __init__(self, stream) -> None:
        self.stream, self.readers, self.closed = stream, set(), False

    def read(self, size: int = -1) -> bytes:
        self.readers.add(threading.current_thread().name)
        return self.stream.read(size)

    def close(self) -> None:
        self.closed = True
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class WatchedBackend:
    """The store's backend, handing out watched streams."""

    def __init__(self, backend) -> None:
        self.backend, self.opened = backend, None

    def open(self, key: str) -> Watched:
        self.opened = Watched(self.backend.open(key))
        return self.opened


def read_ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("object-read-ahead")]


def test_segments_are_read_and_authenticated_ahead_in_a_thread_of_their_own(store):
    data = plaintext(3 * stream_aead.SEGMENT + 5)
    stored = store.store(chunked(data), kind="test")
    backend = WatchedBackend(store.backend)
    assert b"".join(store.read(stored, backend)) == data
    assert backend.opened.closed
    assert threading.current_thread().name not in backend.opened.readers
    assert {name.split("_")[0] for name in backend.opened.readers} == {"object-read-ahead"}


@pytest.mark.parametrize("taken", [0, 1, 2])
def test_stopping_part_way_waits_for_the_read_ahead_and_closes_the_object(store, taken):
    stored = store.store(chunked(plaintext(4 * stream_aead.SEGMENT)), kind="test")
    backend = WatchedBackend(store.backend)
    segments = store.read(stored, backend)
    for _, _segment in zip(range(taken), segments, strict=False):
        pass
    segments.close()  # the client went away, or a HEAD request read nothing
    assert backend.opened.closed and read_ahead_threads() == []


def test_an_object_dropped_part_way_is_closed_at_once(store):
    stored = store.store(chunked(plaintext(4 * stream_aead.SEGMENT)), kind="test")
    backend = WatchedBackend(store.backend)
    segments = iter(store.read(stored, backend))
    next(segments)
    del segments  # no close(): a server that drops the response; no garbage collection needed
    assert backend.opened.closed and read_ahead_threads() == []


def test_raw_storage_and_database_hold_no_plaintext(store, config):
    stored = [store.store(chunked(plaintext(n)), kind="test") for n in (100, 2_000_000)]
    for row in stored:
        assert MARKER not in raw_bytes(store, row)
    for key in store.backend.list():
        with store.backend.open(key) as stream:
            assert MARKER not in stream.read()
    if config["DATABASE_URL"].startswith("sqlite"):
        database_file = config["DATABASE_URL"].removeprefix("sqlite:///")
        with open(database_file, "rb") as handle:
            assert MARKER not in handle.read()


def test_the_storage_key_is_random_and_unrelated_to_the_id(store):
    first, second = (store.store([b"x"], kind="test") for _ in range(2))
    assert first.storage_key != second.storage_key
    assert str(first.id).replace("-", "") not in first.storage_key


@pytest.mark.parametrize("where", ["first segment", "last segment", "header"])
def test_a_flipped_byte_fails_loudly(store, where):
    stored = store.store(chunked(plaintext(2 * stream_aead.SEGMENT + 5)), kind="test")
    data = bytearray(raw_bytes(store, stored))
    position = {"first segment": 100, "last segment": len(data) - 3, "header": 5}[where]
    data[position] ^= 0x01
    store.backend.put(stored.storage_key, [bytes(data)])
    released = []
    with pytest.raises(stream_aead.IntegrityError):
        for chunk in store.read(stored):
            released.append(chunk)
    assert sum(len(c) for c in released) < stored.size
    assert not store.verify(stored)


@pytest.mark.parametrize("damage", ["truncated", "swapped", "extended"])
def test_truncated_swapped_or_extended_objects_are_detected(store, damage):
    stored = store.store(chunked(plaintext(3 * stream_aead.SEGMENT)), kind="test")
    data = raw_bytes(store, stored)
    header, body = data[: stream_aead.HEADER_SIZE], data[stream_aead.HEADER_SIZE :]
    step = stream_aead.SEGMENT + stream_aead.TAG
    segments = [body[i : i + step] for i in range(0, len(body), step)]
    changed = {
        "truncated": header + b"".join(segments[:-1]),
        "swapped": header + segments[1] + segments[0] + segments[2],
        "extended": header + b"".join(segments) + segments[-1],
    }[damage]
    store.backend.put(stored.storage_key, [changed])
    assert not store.verify(stored)


def test_a_failed_upload_leaves_no_row_and_no_object(store):
    def cut_short():
        yield plaintext(6 * 1024 * 1024)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.store(cut_short(), kind="test")
    assert StoredObject.select().count() == 0
    store.backend.sweep(older_than=0)
    assert list(store.backend.list()) == []


def test_key_rotation_rewraps_rows_and_never_rewrites_objects(store):
    stored = [store.store([plaintext(n)], kind="test") for n in (10, 20, 30)]
    ciphertexts = {row.storage_key: raw_bytes(store, row) for row in stored}
    with pytest.raises(KeyringError, match="current"):
        retire(store.keyring, "0001")
    new_id, count = rotate(store.keyring)
    assert (new_id, count) == ("0002", 3)
    for row in StoredObject.select():
        assert row.kek_id == "0002"
        assert raw_bytes(store, row) == ciphertexts[row.storage_key]
        assert store.verify(row)
    retire(store.keyring, "0001")
    assert not (store.keyring.key_dir / "kek-0001.key").exists()
    assert all(store.verify(row) for row in StoredObject.select())


def test_retiring_a_key_that_still_wraps_objects_is_refused(store):
    store.store([b"kept under key 0001"], kind="test")
    newer = create_key(store.keyring.key_dir)  # a rotation cut short before it re-wrapped anything
    store.keyring.reload()
    register_check(check_name(newer), store.keyring.keys[newer])
    with pytest.raises(KeyringError, match="still wraps 1 objects"):
        retire(store.keyring, "0001")
    assert (store.keyring.key_dir / "kek-0001.key").exists()
    assert store.store([b"new objects use the newer key"], kind="test").kek_id == newer


def test_a_rotation_rewraps_every_batch_and_counts_them_all(store, monkeypatch):
    monkeypatch.setattr(keyrings, "REWRAP_BATCH", 2)
    stored = [store.store([plaintext(n)], kind="test") for n in range(1, 6)]
    assert rotate(store.keyring) == ("0002", 5)
    assert [row.kek_id for row in StoredObject.select()] == ["0002"] * 5
    assert all(store.verify(row) for row in stored)


def test_key_ids_count_up_from_0001_in_an_empty_directory(tmp_path):
    assert [create_key(tmp_path) for _ in range(3)] == ["0001", "0002", "0003"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"kek-000{n}.key" for n in (1, 2, 3)]


def test_unknown_keys_and_wrong_data_keys_are_named_in_the_refusal(store):
    with pytest.raises(KeyringError, match=r"^there is no key 0009$"):
        retire(store.keyring, "0009")
    stored = store.store([b"data"], kind="test")
    with pytest.raises(KeyringError, match=r"^the data key of another object does not open with key 0001$"):
        store.keyring.unwrap("0001", stored.wrapped_key, "another object")


def test_each_missing_or_malformed_key_is_named(store, tmp_path):
    empty = tmp_path / "keys"
    empty.mkdir()
    with pytest.raises(KeyringError, match=rf"^no key-encryption key in {empty}: run `portal init`$"):
        Keyring(empty)
    (empty / "kek-0001.key").write_bytes(bytes(31))
    with pytest.raises(KeyringError, match=rf"^{empty}/kek-0001.key must hold 32 bytes$"):
        Keyring(empty)
    with pytest.raises(KeyringError, match=rf"^key 0007 is not in {store.keyring.key_dir}$"):
        store.keyring.unwrap("0007", bytes(60), "an object")
    KeyCheck.delete().execute()
    with pytest.raises(KeyringError, match=r"^the database names no key-encryption key: run `portal init`$"):
        store.keyring.current()


def test_an_object_is_not_stored_under_a_key_retired_after_it_was_chosen(store, monkeypatch):
    """A process that read the current key just before a rotation and retirement: the check row
    it locks is gone, so the object is refused rather than wrapped with a deleted key."""
    rotate(store.keyring)
    retire(store.keyring, "0001")
    monkeypatch.setattr(store.keyring, "current", lambda: "0001")
    with pytest.raises(KeyringError, match=r"^key 0001 was retired while the object was stored$"):
        store.store([b"data"], kind="test")
    assert StoredObject.select().count() == 0


def test_a_key_is_not_retired_while_an_object_is_being_stored_under_it(storage_app, monkeypatch):
    """The store holds its key's check row until its row commits; retirement waits for it, then
    finds the object and refuses. Without the wait the key file would go and the object with it."""
    with storage_app.app_context():
        store = storage_app.extensions["portal.objects"]
        rotate(store.keyring)
    sealing, go = threading.Event(), threading.Event()
    seal = keyrings._seal

    def slow_seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
        if threading.current_thread().name == "storing":
            sealing.set()
            go.wait(10)
        return seal(key, plaintext, context)

    monkeypatch.setattr(keyrings, "_seal", slow_seal)
    monkeypatch.setattr(store.keyring, "current", lambda: "0001")  # chosen before the rotation
    outcome: dict = {}

    def storing() -> None:
        with storage_app.app_context():
            outcome["stored"] = store.store([b"stored under key 0001"], kind="test")

    def retiring() -> None:
        with storage_app.app_context():
            try:
                retire(Keyring(store.keyring.key_dir), "0001")
            except KeyringError as error:
                outcome["refused"] = str(error)

    writer = threading.Thread(target=storing, name="storing")
    writer.start()
    assert sealing.wait(10)
    retirement = threading.Thread(target=retiring)
    retirement.start()
    retirement.join(0.5)
    waited = retirement.is_alive()
    go.set()
    writer.join(10)
    retirement.join(10)
    assert waited, "retirement went ahead while the object's row was being written"
    assert outcome["refused"] == "key 0001 still wraps 1 objects: rotate first"
    with storage_app.app_context():
        assert b"".join(store.read(StoredObject.get_by_id(outcome["stored"].id))) == b"stored under key 0001"


def test_a_long_running_instance_wraps_with_the_key_another_process_rotated_to(config):
    serving = create_app("staff", {**config, "TESTING": True})
    operator = create_app("staff", {**config, "TESTING": True})
    with operator.app_context():
        keyring = operator.extensions["portal.objects"].keyring
        new_id, _ = rotate(keyring)
        retire(keyring, "0001")
    with serving.app_context():
        stored = serving.extensions["portal.objects"].store([b"stored after the rotation"], kind="test")
        assert stored.kek_id == new_id
    create_app("staff", config)  # every object still opens: start-up succeeds


def test_a_missing_or_wrong_key_stops_the_staff_instance(config, tmp_path):
    app = create_app("staff", {**config, "TESTING": True})
    with app.app_context():
        app.extensions["portal.objects"].store([b"data"], kind="test")
        assert KeyCheck.select().where(KeyCheck.name == "kek-0001").exists()
    key_file = app.config["PORTAL"].key_dir / "kek-0001.key"
    original = key_file.read_bytes()
    key_file.write_bytes(os.urandom(32))
    with pytest.raises(ConfigError, match="not the key this database uses"):
        create_app("staff", config)
    key_file.unlink()
    with pytest.raises(ConfigError, match="PORTAL_KEY_DIR"):
        create_app("staff", config)
    key_file.write_bytes(original)
    create_app("staff", config)


def test_start_up_refuses_objects_whose_keys_are_gone_with_their_check_rows(config):
    """A database restored beside the wrong key directory: objects name keys nothing else does."""
    app = create_app("staff", {**config, "TESTING": True})
    with app.app_context():
        store = app.extensions["portal.objects"]
        for _ in range(2):
            store.store([b"kept under the current key"], kind="test")
            newer = create_key(store.keyring.key_dir)
            store.keyring.reload()
            register_check(check_name(newer), store.keyring.keys[newer])
        KeyCheck.delete().where(KeyCheck.name != check_name("0003")).execute()
    for gone in ("0001", "0002"):
        (store.keyring.key_dir / f"kek-{gone}.key").unlink()
    refusal = rf"^PORTAL_KEY_DIR: keys 0001, 0002 wrap objects but are not in {store.keyring.key_dir}$"
    with pytest.raises(ConfigError, match=refusal):
        create_app("staff", config)


def test_the_s3_server_dying_mid_upload_leaves_no_row(s3_server, minio_settings, config):
    app = create_app("staff", {**config, **minio_settings, "TESTING": True})
    with app.app_context():
        store = app.extensions["portal.objects"]

        def stream_then_server_dies():
            yield plaintext(20 * 1024 * 1024)
            s3_server.stop()
            yield plaintext(20 * 1024 * 1024)

        try:
            with pytest.raises(BackendError):
                store.store(stream_then_server_dies(), kind="test")
            assert StoredObject.select().count() == 0
        finally:
            s3_server.start()
        store.backend.sweep(older_than=0)
        assert list(store.backend.list()) == []
        assert store.backend.client._list_multipart_uploads(store.backend.bucket).uploads == []
