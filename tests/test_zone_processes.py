"""The public process as `make run` starts it (bin/run-public): another user, its own folder and
environment, and no way to the staff zone's keys, database or cookie key."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import service_missing
from tests.servers import free_port, passed_on

REPO = Path(__file__).resolve().parent.parent
RUN_PUBLIC = REPO / "bin" / "run-public"
BIN = Path(sys.executable).parent
# All the public process is given besides PATH and LANG, from a caller's environment that holds
# every staff setting too.
PUBLIC_VARIABLES = ("PORTAL_INSTANCE_PATH", "PORTAL_SEAL_PUBLIC_KEY", "PORTAL_CENTRE_PHONE")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start the process as another user")


@pytest.fixture
def instance():
    """An instance made by `portal init` in a folder other users may pass through (not pytest's 0700 one)."""
    top = Path(tempfile.mkdtemp(prefix="madoguchi-zones-", dir="/tmp"))
    top.chmod(0o711)
    path = top / "instance"
    result = subprocess.run(
        [str(BIN / "portal"), "init"],
        env={"PATH": os.environ["PATH"], **passed_on(), "PORTAL_INSTANCE_PATH": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    yield path
    shutil.rmtree(top)


def _checkout_unreachable() -> str | None:
    """Why the public user cannot run this checkout's code, if it cannot (a clone under a private
    home, say): the separation is then a property of where the checkout lies, not of the product."""
    probe = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--no-new-privs",
            str(BIN / "python"),
            "-c",
            f"open({str(REPO / 'portal' / '__init__.py')!r})",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return None if probe.returncode == 0 else f"nobody cannot run {REPO}: {probe.stderr.strip()[-200:]}"


@pytest.fixture
def public_process(instance, tmp_path):
    """The public process started by bin/run-public from an environment full of staff settings."""
    unreachable = _checkout_unreachable()
    if unreachable:
        service_missing("a checkout the public user can read", RuntimeError(unreachable))
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "VENV": str(BIN.parent),
        "PORTAL_KEY_DIR": str(instance / "keys"),
        "PORTAL_DATABASE_URL": f"sqlite:///{instance / 'portal.db'}",
        "PORTAL_SECRET_KEY": "s" * 48,
        "PORTAL_MINIO_ACCESS_KEY": "staff-minio",
        "PORTAL_MINIO_SECRET_KEY": "m" * 40,
        "PORTAL_SMTP_USER": "staff-mailer",
        "PORTAL_SMTP_PASSWORD": "p" * 20,
        "PORTAL_CENTRE_PHONE": "03-1234-5678",
    }
    log = (tmp_path / "stderr").open("w+")
    process = subprocess.Popen(
        [str(RUN_PUBLIC), str(instance), f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"bin/run-public did not start the public process:\n{log.read()}")
                time.sleep(0.1)
        yield process.pid, base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def ids_of(pid: int) -> tuple[int, int]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    uids = [int(n) for n in status["Uid"].split()]
    gids = [int(n) for n in status["Gid"].split()]
    assert all(uids) and all(gids), f"the public process runs as root: Uid {uids}, Gid {gids}"
    return uids[0], gids[0]


def read_as(uid: int, gid: int, path: Path) -> subprocess.CompletedProcess:
    """`cat path` as that user and group, with no other groups."""
    return subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--no-new-privs", "cat", str(path)],
        capture_output=True,
        timeout=30,
    )


def test_public_process_runs_apart_from_the_staff_zone(instance, public_process):
    pid, base = public_process
    with urllib.request.urlopen(f"{base}/calendar", timeout=10) as response:
        assert response.status == 200  # the public store is open now
    keys = instance / "keys"
    public = instance / "public"
    staff_files = [keys / "seal.key", keys / "field.key"]
    staff_files += [instance / "portal.db", instance / "staff-secret.key"]

    uid, gid = ids_of(pid)

    environ = dict(
        item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if item
    )
    assert environ["PORTAL_INSTANCE_PATH"] == str(instance)
    assert environ["PORTAL_SEAL_PUBLIC_KEY"] == str(public / "seal.pub")
    assert environ["PORTAL_CENTRE_PHONE"] == "03-1234-5678"  # the non-secret settings do reach it
    assert set(environ) == {"PATH", "LANG", *PUBLIC_VARIABLES}  # and nothing else
    for name, value in environ.items():
        for staff in (str(keys), "portal.db", "staff-secret.key"):
            assert staff not in value, f"{name}={value}"

    assert Path(f"/proc/{pid}/cwd").resolve() == public

    fds = Path(f"/proc/{pid}/fd")
    targets = [os.readlink(fd) for fd in fds.iterdir()]
    assert str(public / "public.db") in targets
    for target in targets:
        assert not target.startswith(f"{keys}/") and target != str(keys), target
        assert not Path(target).name.startswith(("portal.db", "staff-secret.key")), target

    # The staff files stay root's, and the public user can reach none of them.
    assert instance.stat().st_mode & 0o777 == 0o711
    for path in [keys, *staff_files]:
        assert path.stat().st_uid == 0 and path.stat().st_mode & 0o077 == 0, path
    for path in staff_files:
        result = read_as(uid, gid, path)
        assert result.returncode != 0 and b"Permission denied" in result.stderr, path
    listing = subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "ls", str(instance)],
        capture_output=True,
        timeout=30,
    )
    assert listing.returncode != 0 and b"Permission denied" in listing.stderr
    assert read_as(uid, gid, public / "public.db").returncode == 0
