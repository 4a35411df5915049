"""Demo data for a first look: four accounts and a season of the support centre's work.

Everything is fictional: organisations and venues of 架空市, businesses put together from
common name parts, phone numbers no line is given, emails at the example domains. Personal
data is sealed to the staff key with blind indexes, exactly as real bookings are.

The operating data mirrors the real support centre: sixteen venues in ward offices, branch
offices and public facilities with their weekly sessions, the season of 15 June to 31 October
2020 with that period's public holidays, its generated sessions, and about three hundred
bookings by phone and on the web with their outcomes (attended, absent, cancelled), and the
season's staffing plan (phone lines, operators and reception staff per month, demo/staffing.py).

Decision: those 2020 dates are in the past, so the public site would offer nothing to book.
The demo therefore also makes a current season with the same weekly patterns, from the next
business day for twenty weeks, with some bookings (requests waiting in the inbox, confirmed
bookings, a few sessions booked out), so that a visitor and an operator can book at once.
A seeded random generator makes the same demo on every fresh database; only the current
season's dates move with the day it runs.
"""

from __future__ import annotations

import os

from flask import current_app

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import Organisation, User, Venue
from portal.demo.library import seed_library
from portal.demo.operations import seed_operations
from portal.demo.oversight import seed_oversight
from portal.demo.records import seed_records
from portal.demo.staffing import seed_staffing
from portal.staff import audit
from portal.staff.accounts import create_user, organisation_named
from portal.staff.security.passwords import generate_password

# Family names the demo businesses never draw (demo/businesses.py), so no staff name, kept in clear,
# is ever also a visitor's sealed one.
DEMO_ACCOUNTS = (
    ("city", "city@example.jp", "架空市 産業観光局", "村上 美咲"),
    ("consultant", "consultant@example.jp", "架空行政書士会", "斎藤 誠"),
    ("operator", "operator@example.jp", "株式会社サンプル窓口サービス", "佐々木 由美"),
    ("admin", "admin@example.jp", "架空市 情報システム課", "阿部 健"),
)


def seed() -> list[str] | None:
    """Create the demo data; returns account lines, or None if the database already holds data."""
    with database.connection_context():
        if User.select().exists() or Organisation.select().exists() or Venue.select().exists():
            return None
        lines, users = [], {}
        for role, email, organisation, name in DEMO_ACCOUNTS:
            password = generate_password()
            account = create_user(
                email,
                role,
                organisation_named(organisation),
                password,
                enrol_now=True,
                requested_by=None,
                name=name,
            )
            users[role] = account.user.id
            lines.append(f"{role}\t{email}\t{password}\t{account.otpauth_uri}")
        for season, created in seed_operations(users["consultant"], users["operator"], business_today()):
            audit.record("season.generate", object_type="season", object_id=season.id, outcome=str(created))
        seed_staffing()
        seed_library()
        seed_records()
        seed_oversight(users)
    path = current_app.config["PORTAL"].instance_path / "demo-accounts.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
    os.chmod(path, 0o600)
    return lines
