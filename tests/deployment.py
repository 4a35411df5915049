"""The reference deployment of deploy/, started on loopback for the tests and the benchmarks:
nginx from Debian in front with TLS and its plain-HTTP redirect, a given number of staff and of
public processes under `portal serve`, PostgreSQL with the public zone's own login role, the S3
server, and a Redis of its own run with deploy/redis's ACL."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pyotp

from tests.conftest import PASSWORD, POSTGRES_DSN, csrf_from
from tests.http_browser import Browser
from tests.servers import BIN, S3Server, free_port, instance_env, portal_command, public_env, running
from tests.tls import self_signed

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_PASSWORD = "public-zone-counters-0123456789"  # one word, as ACL files take it
PUBLIC_ROLE_PASSWORD = "a long password of the public zone's store"
# The two sites listen on ports of their own here, so nginx tells them apart by port; the names
# matter only on the plain-HTTP port, which both share as they would share port 80.
PUBLIC_HOST, STAFF_HOST = "yoyaku.madoguchi.test", "staff.madoguchi.test"


@dataclass
class Deployment:
    public: str  # the proxy's public site
    staff: str  # the proxy's staff site
    plain_http: str  # the proxy's plain-HTTP port, port 80's stand-in, for either host
    public_processes: list[str]
    staff_processes: list[str]
    tls: ssl.SSLContext
    env: dict  # the staff zone's environment, for `portal` commands
    public_store: str  # the public zone's PostgreSQL schema, as its owner reaches it
    public_role: str  # the PostgreSQL login role the public processes connect as
    folder: Path  # nginx's prefix (its pid file), the processes' logs
    challenges: Path  # the folder nginx serves the ACME http-01 challenge path from
    proxy_cache: Path  # where nginx keeps the answers it may serve again


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def niced(command: list[str], unit: Path) -> list[str]:
    """`command` run with the `Nice=` its systemd unit gives, on top of this process's own niceness."""
    found = re.search(r"^Nice=(-?\d+)$", unit.read_text(), re.MULTILINE)
    return ["nice", "-n", found.group(1) if found else "0", *command]


def site_file(folder: Path, values: dict[str, str]) -> Path:
    """deploy/nginx/madoguchi.conf with its placeholders filled, as the README's install step does."""
    text = (DEPLOY / "nginx" / "madoguchi.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    assert "@" not in re.sub(r"#.*", "", text), "every placeholder is filled"
    path = folder / "madoguchi.conf"
    path.write_text(text)
    return path


def start_nginx(folder: Path, site: Path, beside: str = "") -> subprocess.Popen:
    """nginx with a main file of our own (Debian's workers and connections) around the site file
    and `beside`, more configuration for the http block."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir()
    main = folder / "nginx.conf"
    main.write_text(
        "user root;\nworker_processes auto;\ndaemon off;\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 768; }\n"
        "http {\n  access_log off;\n"
        + "".join(f"  {temp}_temp_path {folder / temp};\n" for temp in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {folder / 'body'};\n"
        f"  include {site};\n{beside}}}\n"
    )
    command = [NGINX, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(main)]
    return subprocess.Popen(niced(command, DEPLOY / "systemd" / "nginx.service.d" / "madoguchi.conf"))


def start_redis(folder: Path, port: int) -> subprocess.Popen:
    """A Redis of its own that knows only deploy/redis's users (the password filled in)."""
    acl = folder / "users.acl"
    acl.write_text(
        (DEPLOY / "redis" / "madoguchi.acl").read_text().replace("A-LONG-RANDOM-VALUE", REDIS_PASSWORD)
    )
    return subprocess.Popen(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--aclfile",
            str(acl),
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )


def own_schemas(name: str) -> tuple[str, str]:
    """Two new schemas for the deployment's stores, apart from those the other tests drop and remake."""
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        for schema in (name, f"{name}_public"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {schema}")
    return tuple(f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}" for schema in (name, f"{name}_public"))


def drop_schemas(role: str) -> None:
    """The deployment's schemas and the public zone's role, gone."""
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        for schema in (role, f"{role}_public"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def upstream_lines(processes: list[str]) -> str:
    return " ".join(f"server {urlsplit(url).netloc};" for url in processes)


@contextlib.contextmanager
def deployed(
    folder: Path,
    s3: S3Server,
    processes: int = 2,
    booking_rate_limit: str = "4 per minute",
    beside: str = "",
) -> Iterator[Deployment]:
    """The deployment in `folder`, with `processes` processes per zone, until the block ends.

    `beside` is more nginx configuration for its http block (a benchmark's baseline server).
    """
    folder.mkdir(parents=True, exist_ok=True)
    tls_files = self_signed(folder / "tls", "localhost", "127.0.0.1")
    public_port, staff_port, http_port, redis_port = free_port(), free_port(), free_port(), free_port()
    public_url, staff_url = f"https://127.0.0.1:{public_port}", f"https://127.0.0.1:{staff_port}"
    role = f"madoguchi_deploy_{os.getpid()}_{processes}"
    staff_store, public_store = own_schemas(role)
    settings = {
        "PORTAL_DATABASE_URL": staff_store,
        "PORTAL_PUBLIC_DATABASE_URL": public_store,
        **{f"PORTAL_{name}": value for name, value in s3.settings(f"deploy-{public_port}").items()},
        "PORTAL_PUBLIC_URL": public_url,
        "PORTAL_STAFF_URL": staff_url,
        "PORTAL_TRUSTED_PROXIES": "1",
        "PORTAL_PROXY_ADDRESS": "127.0.0.1",
        "PORTAL_BOOKING_RATE_LIMIT": booking_rate_limit,
    }
    instance = folder / "instance"
    env = instance_env(instance, **settings)
    challenges, cache = folder / "acme", folder / "cache"
    challenges.mkdir()
    units = DEPLOY / "systemd"
    staff_serve = niced([str(BIN / "portal"), "serve", "staff"], units / "madoguchi-staff@.service")
    public_serve = niced([str(BIN / "portal"), "serve", "public"], units / "madoguchi-public@.service")
    redis = nginx = None
    try:
        assert portal_command("init", env=env).returncode == 0
        assert portal_command("demo-seed", env=env).returncode == 0
        made = portal_command("db", "public-role", role, env=env, input=PUBLIC_ROLE_PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        role_url = made.stdout.strip().splitlines()[-1]
        public_settings = {
            "PORTAL_PUBLIC_DATABASE_URL": role_url,
            "PORTAL_PUBLIC_URL": public_url,
            "PORTAL_TRUSTED_PROXIES": "1",
            "PORTAL_PROXY_ADDRESS": "127.0.0.1",
            "PORTAL_BOOKING_RATE_LIMIT": booking_rate_limit,
            "PORTAL_RATELIMIT_STORAGE": f"redis://madoguchi-public:{REDIS_PASSWORD}@127.0.0.1:{redis_port}/0",
        }
        redis = start_redis(folder, redis_port)
        wait_for_port(redis_port, redis, "redis-server")
        with contextlib.ExitStack() as stack:
            staff_processes = [
                stack.enter_context(
                    running([*staff_serve, "--listen=127.0.0.1:{port}"], env, folder / f"staff-{n}.log")
                )
                for n in range(processes)
            ]
            public_zone = public_env(instance, **public_settings)
            public_processes = [
                stack.enter_context(
                    running(
                        [*public_serve, "--listen=127.0.0.1:{port}"],
                        public_zone,
                        folder / f"public-{n}.log",
                    )
                )
                for n in range(processes)
            ]
            site = site_file(
                folder,
                {
                    "PUBLIC_HOST": PUBLIC_HOST,
                    "STAFF_HOST": STAFF_HOST,
                    "PUBLIC_LISTEN": f"127.0.0.1:{public_port}",
                    "STAFF_LISTEN": f"127.0.0.1:{staff_port}",
                    "HTTP_LISTEN": f"127.0.0.1:{http_port}",
                    "PUBLIC_SERVERS": upstream_lines(public_processes),
                    "STAFF_SERVERS": upstream_lines(staff_processes),
                    "CERTIFICATE": str(tls_files.certificate),
                    "CERTIFICATE_KEY": str(tls_files.private_key),
                    "STAFF_NETWORKS": "allow 127.0.0.1/32;",
                    "ERROR_PAGES": str(DEPLOY / "nginx" / "errors"),
                    "NGINX_DIR": str(DEPLOY / "nginx"),
                    "ACME_CHALLENGES": str(challenges),
                    "PROXY_CACHE": str(cache),
                },
            )
            nginx = start_nginx(folder, site, beside)
            for port in (public_port, staff_port, http_port):
                wait_for_port(port, nginx, "nginx")
            yield Deployment(
                public=public_url,
                staff=staff_url,
                plain_http=f"http://127.0.0.1:{http_port}",
                public_processes=public_processes,
                staff_processes=staff_processes,
                tls=ssl.create_default_context(cafile=str(tls_files.certificate)),
                env=env,
                public_store=public_store,
                public_role=role,
                folder=folder,
                challenges=challenges,
                proxy_cache=cache,
            )
    finally:
        for process in (nginx, redis):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        drop_schemas(role)


def through_proxy(
    deployment: Deployment, site: str, peer: str = "127.0.0.1", keep_alive: bool = False
) -> Browser:
    return Browser(getattr(deployment, site), peer, tls=deployment.tls, keep_alive=keep_alive)


def as_the_proxy(process: str) -> Browser:
    """Straight to one process, as nginx reaches it: from its address, saying https and the client."""
    return Browser(process, "127.0.0.1", for_="127.0.0.1", proto="https")


def signed_in_city(deployment: Deployment) -> Browser:
    """A new city account of its own (a code is good once), signed in through the proxy."""
    email = f"city-{secrets.token_hex(4)}@example.jp"
    made = portal_command(
        "user",
        "create",
        email,
        "--role",
        "city",
        "--org",
        "架空市 産業観光局",
        env=deployment.env,
        input=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    secret = parse_qs(urlsplit(made.stdout.strip().splitlines()[-1]).query)["secret"][0]
    city = through_proxy(deployment, "staff")
    _, page = city.request("GET", "/login")
    form = {"csrf_token": csrf_from(page), "email": email, "password": PASSWORD}
    assert city.request("POST", "/login", form)[0].status == 303
    _, page = city.request("GET", "/login/code")
    code = pyotp.TOTP(secret).now()
    response, _ = city.request("POST", "/login/code", {"csrf_token": csrf_from(page), "code": code})
    assert response.status == 303 and response.getheader("Location") == "/", "signed in"
    _, page = city.request("GET", "/pledge")
    accepted = city.request("POST", "/pledge", {"csrf_token": csrf_from(page), "agree": "y"})[0]
    assert accepted.status == 303, "the confidentiality pledge, before anything else"
    return city
