"""Neither instance starts with a backend login anyone could guess: a shipped default (MinIO's
minioadmin, postgres/postgres), an empty password, or a password that repeats the user name."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.core.settings import ConfigError
from tests.conftest import public_config
from tests.servers import instance_env, portal_command

PG = "127.0.0.1:5432/portal"
GUESSABLE = [
    (
        "staff",
        {"DATABASE_URL": f"postgresql://postgres:postgres@{PG}", "PUBLIC_DATABASE_URL": f"postgresql://{PG}"},
        "PORTAL_DATABASE_URL",
    ),
    (
        "staff",
        {"DATABASE_URL": f"postgresql://madoguchi:@{PG}", "PUBLIC_DATABASE_URL": f"postgresql://{PG}"},
        "PORTAL_DATABASE_URL",
    ),
    (
        "public",
        {"PUBLIC_DATABASE_URL": f"postgresql://madoguchi_public:Madoguchi_Public@{PG}"},
        "PUBLIC_DATABASE",
    ),
    ("public", {"RATELIMIT_STORAGE": "redis://default:changeme@127.0.0.1:6379"}, "PORTAL_RATELIMIT_STORAGE"),
    ("staff", {"SMTP_HOST": "127.0.0.1", "SMTP_USER": "madoguchi@example.jp"}, "PORTAL_SMTP_PASSWORD"),
    ("staff", {"SMTP_USER": "mailer", "SMTP_PASSWORD": "password"}, "PORTAL_SMTP_PASSWORD"),
    (
        "staff",
        {"STORAGE_BACKEND": "minio", "MINIO_ACCESS_KEY": "minioadmin", "MINIO_SECRET_KEY": "minioadmin"},
        "PORTAL_MINIO_SECRET_KEY",
    ),
    ("staff", {"STORAGE_BACKEND": "minio", "MINIO_ACCESS_KEY": "portal"}, "PORTAL_MINIO_SECRET_KEY"),
    (
        "staff",
        {
            "STORAGE_BACKEND": "minio",
            "MINIO_ACCESS_KEY": "portal-objects",
            "MINIO_SECRET_KEY": "Portal-Objects",
        },
        "PORTAL_MINIO_SECRET_KEY",
    ),
]


@pytest.mark.parametrize(("zone", "given", "named"), GUESSABLE)
def test_an_instance_refuses_to_start_on_a_guessable_backend_login(config, zone, given, named):
    base = config if zone == "staff" else public_config(config)
    with pytest.raises(ConfigError, match=named) as refused:
        create_app(zone, {**base, **given})
    assert any(why in str(refused.value) for why in ("empty", "well-known default", "repeats the user"))


def test_portal_serve_stops_on_minios_default_login_before_connecting(tmp_path):
    env = instance_env(tmp_path / "instance")
    assert portal_command("init", env=env).returncode == 0
    minio = {
        "PORTAL_STORAGE_BACKEND": "minio",
        "PORTAL_MINIO_ENDPOINT": "127.0.0.1:9",  # nothing listens: the refusal comes first
        "PORTAL_MINIO_ACCESS_KEY": "minioadmin",
        "PORTAL_MINIO_SECRET_KEY": "minioadmin",
    }
    result = portal_command("serve", "staff", "--listen", "127.0.0.1:0", env={**env, **minio})
    assert result.returncode == 2
    assert "PORTAL_MINIO_SECRET_KEY: the password is a well-known default" in result.stderr
