"""Real servers for tests that must cross HTTP: waitress running one instance in a subprocess."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
# Set by coverage (`patch = ["subprocess"]` in pyproject.toml) only while it measures the tests:
# a Python process started with it measures itself too.
COVERAGE_VARIABLES = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


def free_port() -> int:
    """A port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_command(*args: str, env: dict, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the `portal` console script the way an administrator would."""
    return subprocess.run(
        [str(BIN / "portal"), *args], env=env, input=input, capture_output=True, text=True, timeout=120
    )


def passed_on() -> dict:
    """What even a clean environment keeps: where the code under test is, and coverage's variables
    while coverage runs (and only then)."""
    return {name: os.environ[name] for name in ("PYTHONPATH", *COVERAGE_VARIABLES) if name in os.environ}


def instance_env(instance: Path, **extra: str) -> dict:
    """A clean environment pointing every PORTAL_* path into `instance`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({"PORTAL_INSTANCE_PATH": str(instance), **extra})
    return env


def start_server(args: list[str], env: dict) -> tuple[subprocess.Popen, int]:
    """Run a server command (given its port, it returns the arguments) until /healthz answers."""
    port = free_port()
    process = subprocess.Popen(
        [part.format(port=port) for part in args],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{args} did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def running(args: list[str], env: dict):
    """Run a server command until the block ends; yields its base URL."""
    process, port = start_server(args, env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def waitress(zone: str, env: dict):
    """Serve one instance with waitress-serve on a free port; yields its base URL."""
    return running([str(BIN / "waitress-serve"), "--listen=127.0.0.1:{port}", "--call", f"wsgi:{zone}"], env)


def portal_serve(zone: str, env: dict):
    """Serve one instance with `portal serve` on a free port; yields its base URL."""
    return running([str(BIN / "portal"), "serve", zone, "--listen=127.0.0.1:{port}"], env)


def public_env(instance: Path, **extra: str) -> dict:
    """What the public process is given: its instance folder and the sealing public key, no staff keys."""
    return {
        "PATH": os.environ["PATH"],
        **passed_on(),
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_SEAL_PUBLIC_KEY": str(instance / "public" / "seal.pub"),
        "PORTAL_KEY_DIR": str(instance / "no-keys-here"),
        **extra,
    }
