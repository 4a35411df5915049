"""Demo organisations and accounts for a first look; fictional names and example domains only."""

from __future__ import annotations

import os

from flask import current_app

from portal.accounts import create_user, organisation_named
from portal.database import database
from portal.models import Organisation, User
from portal.records.demo import seed_records
from portal.security.passwords import generate_password

DEMO_ACCOUNTS = (
    ("city", "city@example.jp", "架空市 産業観光局"),
    ("consultant", "consultant@example.jp", "架空行政書士会"),
    ("operator", "operator@example.jp", "株式会社サンプル窓口サービス"),
    ("admin", "admin@example.jp", "架空市 情報システム課"),
)


def seed() -> list[str] | None:
    """Create the demo data; returns account lines, or None if the database already holds data."""
    with database.connection_context():
        if User.select().exists() or Organisation.select().exists():
            return None
        lines = []
        for role, email, organisation in DEMO_ACCOUNTS:
            password = generate_password()
            account = create_user(email, role, organisation_named(organisation), password, enrol_now=True)
            lines.append(f"{role}\t{email}\t{password}\t{account.otpauth_uri}")
        seed_records()
    path = current_app.config["PORTAL"].instance_path / "demo-accounts.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
    os.chmod(path, 0o600)
    return lines
