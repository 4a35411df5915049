"""One contract for every backend, run against local disk and a real S3 server."""

from __future__ import annotations

import os
import stat

import pytest
from minio.error import S3Error

from portal.core.settings import ConfigError, load_settings
from portal.staff.storage.setup import open_backend
from storage_backends import BackendError, load_backend, safe_key
from tests.servers import OPEN_BUCKET


@pytest.fixture
def backend(backend_settings, tmp_path):
    return open_backend(load_settings("staff", {"INSTANCE_PATH": tmp_path, **backend_settings}))


def test_put_open_exists_list_delete(backend):
    key = "ab/0123456789abcdef"
    assert not backend.exists(key)
    backend.put(key, [b"first ", b"second"])
    assert backend.exists(key)
    with backend.open(key) as stream:
        assert stream.read() == b"first second"
    assert key in list(backend.list())
    backend.delete(key)
    assert not backend.exists(key)
    backend.delete(key)
    with pytest.raises(BackendError):
        backend.open(key)


def test_a_large_object_streams_in_parts(backend):
    part = os.urandom(1024 * 1024)
    backend.put("cd/1a1e0001", (part for _ in range(40)))
    with backend.open("cd/1a1e0001") as stream:
        assert sum(len(c) for c in iter(lambda: stream.read(4 * 1024 * 1024), b"")) == 40 * len(part)


def test_a_failed_write_leaves_nothing(backend):
    def chunks():
        yield os.urandom(20 * 1024 * 1024)
        raise RuntimeError("the upload was cut")

    with pytest.raises(RuntimeError):
        backend.put("ef/0badc0de01", chunks())
    assert not backend.exists("ef/0badc0de01")
    backend.sweep(older_than=0)
    assert list(backend.list()) == []


PART = 5 * 1024 * 1024  # S3's smallest part but the last


def write_in_parts(backend, key: str, parts: list[bytes], order: list[int]) -> tuple[str, list[str]]:
    """Begin a write in parts and write `parts` in `order`; returns its handle and the parts' tags."""
    handle = backend.begin_parts(key)
    tags = [""] * len(parts)
    for number in order:
        tags[number] = backend.write_part(key, handle, number, number * PART, [parts[number]])
    return handle, tags


def test_an_object_written_in_parts_appears_whole_only_when_completed(backend):
    key = "ab/9a27"
    parts = [os.urandom(PART), os.urandom(PART), b"the last part"]
    handle, tags = write_in_parts(backend, key, parts, order=[1, 0, 2])
    assert not backend.exists(key) and list(backend.list()) == []
    backend.complete_parts(key, handle, tags)
    with backend.open(key) as stream:
        assert stream.read() == b"".join(parts)
    assert backend.read_range(key, PART + 10, 20) == parts[1][10:30]
    assert backend.read_range(key, 2 * PART, 1000) == b"the last part", "fewer at the end"
    assert list(backend.list()) == [key]
    backend.abort_parts(key, handle)  # completed already: nothing to abort, and the object stays
    assert backend.exists(key)


def test_an_aborted_write_in_parts_leaves_nothing_and_takes_no_more_parts(backend):
    key = "cd/ab0127"
    handle, _ = write_in_parts(backend, key, [os.urandom(PART), b"end"], order=[0])
    backend.abort_parts(key, handle)
    backend.abort_parts(key, handle)
    with pytest.raises(BackendError):
        backend.write_part(key, handle, 1, PART, [b"end"])
    assert not backend.exists(key) and list(backend.list()) == []
    assert backend.sweep(older_than=0) == 0


def test_the_sweep_leaves_the_writes_in_parts_it_is_told_are_still_going_on(backend):
    going_on, _ = write_in_parts(backend, "ef/0001", [os.urandom(PART)], order=[0])
    write_in_parts(backend, "ef/0002", [os.urandom(PART)], order=[0])
    assert backend.sweep(older_than=0, keep={going_on}) == 1
    tag = backend.write_part("ef/0001", going_on, 1, PART, [b"e", b"nd"])
    tags = [backend.write_part("ef/0001", going_on, 0, 0, [b"s" * (PART - 1), b"s"]), tag]
    backend.complete_parts("ef/0001", going_on, tags)
    assert backend.read_range("ef/0001", PART - 1, 10) == b"send"


@pytest.mark.parametrize(
    "key",
    ["../../etc/passwd", "/etc/passwd", "ab/../../x", "ab\\cd", "ab/cd\x00", "AB/CD", "", "ab//cd", "ab/."],
)
def test_keys_that_the_server_did_not_make_are_refused(backend, key):
    with pytest.raises(ValueError):
        backend.put(key, [b"x"])
    with pytest.raises(ValueError):
        backend.open(key)
    with pytest.raises(ValueError):
        safe_key(key)


@pytest.mark.parametrize("handle", ["../../etc/passwd", "", "0123", "A" * 32, "0" * 31 + "/"])
def test_local_handles_that_the_server_did_not_make_are_refused(tmp_path, handle):
    backend = load_backend("local", path=tmp_path / "objects")
    for call in (
        lambda: backend.write_part("ab/cdef", handle, 0, 0, [b"x"]),
        lambda: backend.complete_parts("ab/cdef", handle, []),
        lambda: backend.abort_parts("ab/cdef", handle),
    ):
        with pytest.raises(ValueError):
            call()


def test_a_sound_backend_has_no_findings(backend):
    assert backend.check() == []


def test_unknown_backends_and_options_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown storage backend"):
        load_backend("ftp")
    with pytest.raises(ValueError, match="takes no option"):
        load_backend("local", path=tmp_path, bucket="x")


def test_a_local_folder_readable_by_others_is_a_finding(tmp_path):
    backend = load_backend("local", path=tmp_path / "objects")
    backend.put("ab/cdef", [b"x"])
    os.chmod(tmp_path / "objects", 0o755)
    assert any("accessible to other users" in f for f in backend.check())
    os.chmod(tmp_path / "objects", 0o700)
    os.chmod(tmp_path / "objects/ab/cdef", 0o644)
    assert any("cdef" in f for f in backend.check())


def test_local_files_are_owner_only(tmp_path):
    backend = load_backend("local", path=tmp_path / "objects")
    backend.put("ab/cdef", [b"x"])
    assert stat.S_IMODE((tmp_path / "objects/ab/cdef").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "objects/ab").stat().st_mode) == 0o700


class FillsUp:
    """A temporary file whose second write finds the disk full."""

    def __init__(self, handle):
        self.handle, self.writes = handle, 0

    def write(self, data):
        self.writes += 1
        if self.writes > 1:
            raise OSError(28, "No space left on device")
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def disk_fills_up(monkeypatch) -> None:
    """From now on, the local backend's temporary files find the disk full at their second write."""
    import storage_backends.local as local

    real_fdopen = os.fdopen
    monkeypatch.setattr(local.os, "fdopen", lambda fd, mode: FillsUp(real_fdopen(fd, mode)))


def test_a_full_disk_leaves_no_temporary_file(tmp_path, monkeypatch):
    backend = load_backend("local", path=tmp_path / "objects")
    disk_fills_up(monkeypatch)
    with pytest.raises(BackendError, match="No space left"):
        backend.put("ab/f011", [b"a" * 10, b"b" * 10])
    monkeypatch.undo()
    left = sorted(path.name for path in (tmp_path / "objects").rglob("*"))
    assert left == [".incoming", ".parts"], "the folders for writes under way, empty"


def test_the_bucket_refuses_anonymous_and_wrong_keys(s3_server, minio_settings, tmp_path):
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path, **minio_settings})
    backend = open_backend(settings)
    backend.put("ab/5ec7e701", [b"ciphertext"])
    bucket = settings.storage_options("minio")["bucket"]
    assert s3_server.client().get_object(bucket, "ab/5ec7e701").read() == b"ciphertext", "the keys open it"
    anonymous = s3_server.client(access_key=None, secret_key=None)
    with pytest.raises(S3Error, match="AccessDenied"):
        list(anonymous.list_objects(bucket))
    with pytest.raises(S3Error, match="AccessDenied"):
        anonymous.get_object(bucket, "ab/5ec7e701")
    with pytest.raises(ConfigError, match="SignatureDoesNotMatch"):
        open_backend(
            load_settings("staff", {"INSTANCE_PATH": tmp_path, **minio_settings, "MINIO_SECRET_KEY": "wrong"})
        )


def test_a_public_bucket_is_a_finding_and_stops_the_staff_instance(minio_settings, tmp_path, config):
    from portal import create_app

    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path, **minio_settings})
    backend = open_backend(settings)
    bucket = settings.storage_options("minio")["bucket"]
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},'
        '"Action":["s3:GetObject","s3:ListBucket"],'
        f'"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}]}}'
    )
    backend.client.set_bucket_policy(bucket, policy)
    findings = backend.check()
    assert any("without credentials" in f for f in findings), findings
    with pytest.raises(ConfigError, match="without credentials"):
        create_app("staff", {**config, **minio_settings})


def test_a_bucket_anyone_may_write_or_delete_is_a_finding(minio_settings, tmp_path):
    settings = load_settings(
        "staff", {"INSTANCE_PATH": tmp_path, **minio_settings, "MINIO_BUCKET": OPEN_BUCKET}
    )
    findings = open_backend(settings).check()
    assert any("written without credentials" in f for f in findings), findings
    assert any("deleted without credentials" in f for f in findings), findings
