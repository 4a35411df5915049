"""A compromised public zone: with exactly its own store and credentials, no staff data is reached.

The attacker holds a shell in the public process: the public store (the SQLite file, or the
PostgreSQL role `portal db public-role` made) and the public zone's folder. Every staff table is
tried for reading and writing, sealed payloads are tried for reading in clear, the audit chain
for appending; the hijack of a city account fails at its first step. The same credentials still
run the public site end to end, and the staff inbox then sees the booking.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import time, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from portal import create_app
from portal.core.dates import business_today
from portal.core.models import (
    PUBLIC_MODELS,
    STAFF_MODELS,
    ConsultationSession,
    Venue,
    WaitingOffer,
    WaitingRequest,
)
from portal.core.models.base import utcnow
from portal.core.reservations import book, manage_hash
from tests.conftest import POSTGRES_DSN, POSTGRES_SCHEMA, csrf_from, public_config
from tests.test_reservations import FORM, form_data
from tests.test_waiting_list import WAITING

STAFF_TABLES = sorted(model._meta.table_name for model in STAFF_MODELS)
PUBLIC_TABLES = sorted(model._meta.table_name for model in PUBLIC_MODELS)
ROLE = f"madoguchi_public_test_{os.getpid()}"


def _attempts(table: str) -> list[str]:
    """Read, change, add and remove: every kind of access to one table."""
    return [
        f"SELECT * FROM {table}",
        f"UPDATE {table} SET id = id",
        f"INSERT INTO {table} DEFAULT VALUES",
        f"DELETE FROM {table}",
    ]


def _sessions(staff_app) -> tuple[int, int, int]:
    """Two sessions with places and a full one, a week ahead."""
    week = business_today() + timedelta(days=7)
    with staff_app.app_context():
        venue = Venue.create(name="架空区役所", ward="架空区", address="架空市1-1")
        return tuple(
            ConsultationSession.create(
                venue=venue, date=week, starts_at=time(h), ends_at=time(h + 1), capacity=3, taken=taken
            ).id
            for h, taken in ((10, 0), (13, 0), (15, 3))
        )


def _offer(staff_app, session_id: int, secret: str) -> None:
    """The staff zone offers the visitor a place (set up directly: the offer's mail is not this test's)."""
    with staff_app.app_context():
        waiting = WaitingRequest.get(WaitingRequest.status == "waiting")
        WaitingRequest.update(status="offered").where(WaitingRequest.id == waiting.id).execute()
        ConsultationSession.update(taken=2).where(ConsultationSession.id == session_id).execute()
        held = book(session_id, channel="web", status="offered", sealed=waiting.sealed).booking
        WaitingOffer.create(
            request=waiting,
            booking=held,
            offer_hash=manage_hash(secret),
            valid_until=utcnow() + timedelta(hours=1),
        )


def _waiting_list_works(public_app, staff_app, full: int) -> None:
    """Two visitors join the full session's waiting list; one accepts a place offered, one declines."""
    for visitor, answer in ((public_app.test_client(), "accept"), (public_app.test_client(), "decline")):
        page = visitor.get(f"/sessions/{full}/waiting").text
        key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
        joined = {**WAITING, "csrf_token": csrf_from(page), "idempotency_key": key}
        assert visitor.post(f"/sessions/{full}/waiting", data=joined).status_code == 303
        secret = f"{answer}-{full}"
        _offer(staff_app, full, secret)
        offered = visitor.get(f"/waiting/{secret}")
        answered = visitor.post(f"/waiting/{secret}/{answer}", data={"csrf_token": csrf_from(offered.text)})
        assert answered.status_code == 303, answered.text
    with staff_app.app_context():
        statuses = sorted(request.status for request in WaitingRequest.select())
        assert statuses == ["booked", "declined"]
        assert ConsultationSession.get_by_id(full).taken == 2


def _public_site_works_end_to_end(public_app, staff_app, signed_in) -> None:
    """Calendar, booking, manage link, move, cancel, a lost-link request and the waiting list, then
    the staff inbox sees a booking."""
    first, second, full = _sessions(staff_app)
    visitor = public_app.test_client()
    assert (
        visitor.get("/calendar?month=" + (business_today() + timedelta(days=7)).strftime("%Y-%m")).status_code
        == 200
    )
    for session_id in (first, first):  # one to move and cancel, one for the inbox
        response = visitor.post(f"/sessions/{session_id}", data=form_data(visitor, session_id))
        assert response.status_code == 303, response.text
        done = visitor.get("/booking/complete").text
        manage = "/manage/" + done.split('href="/manage/')[1].split('"')[0]
    page = visitor.get(manage)
    assert page.status_code == 200
    moved = visitor.post(f"{manage}/move", data={"csrf_token": csrf_from(page.text), "session_id": second})
    assert moved.status_code == 303
    assert "13:00" in visitor.get(manage).text
    page = visitor.get(f"{manage}/cancel")
    assert visitor.post(f"{manage}/cancel", data={"csrf_token": csrf_from(page.text)}).status_code == 303
    assert "取り消し済み" in visitor.get(manage).text
    reference = done.split('class="reference">')[1].split("<")[0]
    asked = visitor.get("/manage/lost")
    lost = {"csrf_token": csrf_from(asked.text), "reference": reference, "contact": FORM["phone"]}
    assert visitor.post("/manage/lost", data=lost).status_code == 303
    _waiting_list_works(public_app, staff_app, full)
    inbox = signed_in("operator").get("/bookings/requests")
    assert inbox.status_code == 200 and FORM["business_name"] in inbox.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_public_sqlite_file_holds_only_public_tables_and_reaches_nothing_else(
    config, stores, staff_app, signed_in
):
    public_app = create_app("public", {**public_config(config), "TESTING": True})
    _public_site_works_end_to_end(public_app, staff_app, signed_in)

    attacker = sqlite3.connect(stores.public_file)
    tables = [row[0] for row in attacker.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert sorted(tables) == PUBLIC_TABLES
    for table in STAFF_TABLES:
        for statement in _attempts(f'"{table}"'):
            with pytest.raises(sqlite3.OperationalError, match="no such table"):
                attacker.execute(statement)
    # The hijack's first step: give a city account a known password.
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        attacker.execute("UPDATE \"user\" SET password_hash = 'x' WHERE role = 'city'")
    sealed = [row[0] for row in attacker.execute("SELECT sealed FROM booking")]
    assert sealed and all(FORM["business_name"].encode() not in blob for blob in sealed)
    waiting = [row[0] for row in attacker.execute("SELECT sealed FROM waiting_request")]
    assert len(waiting) == 2 and all(WAITING["email"].encode() not in blob for blob in waiting)
    public_files = sorted(p.name for p in Path(config["INSTANCE_PATH"], "public").iterdir())
    assert not {"seal.key", "field.key"} & set(public_files) and not any(
        n.startswith("kek-") for n in public_files
    )
    for value in (FORM["business_name"], WAITING["email"]):
        assert value.encode() not in Path(stores.public_file).read_bytes()
    attacker.close()


@pytest.fixture
def public_role(stores, portal_cli):
    """The public zone's PostgreSQL role, made by the command a deployment runs."""
    result = portal_cli("db", "public-role", ROLE, input="a long password for the public zone\n")
    assert result.exit_code == 0, result.output
    yield result.output.strip().splitlines()[-1]
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(ROLE)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(ROLE)))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_public_postgresql_role_reads_and_writes_nothing_of_the_staff_zone(
    config, public_role, staff_app, signed_in
):
    public_app = create_app(
        "public", {**public_config(config), "PUBLIC_DATABASE_URL": public_role, "TESTING": True}
    )
    _public_site_works_end_to_end(public_app, staff_app, signed_in)

    with psycopg.connect(public_role, autocommit=True) as attacker:
        for table in STAFF_TABLES:
            for statement in _attempts(f'"{POSTGRES_SCHEMA}"."{table}"'):
                with pytest.raises(errors.InsufficientPrivilege):
                    attacker.execute(statement)
        with pytest.raises(errors.InsufficientPrivilege):
            attacker.execute(f'UPDATE "{POSTGRES_SCHEMA}"."user" SET password_hash = \'x\'')
        for statement in (
            "SELECT sealed FROM booking",
            "SELECT created_by_id FROM booking",
            "SELECT action FROM public_event",
            "SELECT sealed FROM manage_link_request",
            "SELECT created_at FROM manage_link_request",
            "DELETE FROM manage_link_request",
            "DELETE FROM public_event",
            "DELETE FROM booking",
            "UPDATE booking SET sealed = NULL",
            # The waiting list: a request is written once and never read back or removed; offers
            # are the staff zone's to make, and the public zone only answers them.
            "SELECT sealed FROM waiting_request",
            "SELECT * FROM waiting_request",
            "UPDATE waiting_request SET sealed = NULL",
            "UPDATE waiting_request SET session_id = session_id",
            "DELETE FROM waiting_request",
            "INSERT INTO waiting_offer DEFAULT VALUES",
            "UPDATE waiting_offer SET valid_until = valid_until",
            "UPDATE waiting_offer SET offer_hash = offer_hash",
            "DELETE FROM waiting_offer",
            "CREATE TABLE planted (id int)",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                attacker.execute(statement)
        assert attacker.execute("SELECT count(*) FROM booking").fetchone()[0] == 4
        assert attacker.execute("SELECT status FROM waiting_request ORDER BY id").fetchall() == [
            ("booked",),
            ("declined",),
        ]
