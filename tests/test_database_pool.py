"""Pooled connections: each request borrows one and gives it back, whatever happens in the view."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from playhouse.pool import PooledDatabase

from portal.core.database import database, write_transaction
from portal.core.models import Venue


@pytest.fixture
def app(public_app):
    """The public instance with probes: a connection held or not, its identity, a failing write, a pragma."""
    meeting = threading.Barrier(2, timeout=10)

    def connection_id() -> str:
        held = id(database.connection())
        meeting.wait()  # both requests hold their connection at the same moment
        return str(held)

    def failing_write() -> str:
        with write_transaction():
            Venue.create(name="書きかけの会場", ward="架空区", address="-")
            raise RuntimeError("the view fails inside its transaction")

    def pragma(name: str) -> str:
        return str(database.execute_sql(f"PRAGMA {name}").fetchone()[0])

    public_app.add_url_rule("/test/borrowed", view_func=lambda: str(not database.is_closed()))
    public_app.add_url_rule("/test/connection", view_func=connection_id)
    public_app.add_url_rule("/test/fail", view_func=failing_write)
    public_app.add_url_rule(
        "/test/pragma/<any(journal_mode, foreign_keys, busy_timeout):name>", view_func=pragma
    )
    return public_app


def pool(app) -> PooledDatabase:
    """The app's own pool (outside a request, `database` is the process default, not the app's)."""
    with app.app_context():
        assert isinstance(database.obj, PooledDatabase)
        return database.obj


def test_concurrent_requests_give_every_connection_back(app):
    def calendar(_index: int) -> int:
        return app.test_client().get("/calendar").status_code

    with ThreadPoolExecutor(max_workers=8) as workers:
        assert set(workers.map(calendar, range(80))) == {200}
    assert pool(app)._in_use == {}, "nothing is still lent"
    assert 0 < len(pool(app)._connections) <= 8, "the connections are kept for the next requests"


def test_a_request_borrows_a_connection_only_when_it_queries(app):
    with ThreadPoolExecutor(max_workers=1) as worker:  # a thread that never held one
        assert worker.submit(lambda: app.test_client().get("/test/borrowed").text).result() == "False"
    assert pool(app)._in_use == {}


def test_two_requests_at_once_never_share_a_connection(app):
    with ThreadPoolExecutor(max_workers=2) as workers:
        ids = list(workers.map(lambda _: app.test_client().get("/test/connection").text, range(2)))
    assert ids[0] != ids[1]
    assert pool(app)._in_use == {}


def test_a_view_that_fails_in_a_transaction_gives_back_a_clean_connection(app):
    client = app.test_client()
    for _ in range(3):  # the same thread, so the same pooled connection each time
        with pytest.raises(RuntimeError):
            client.get("/test/fail")
        assert pool(app)._in_use == {}
    assert client.get("/calendar").status_code == 200
    with app.app_context():
        assert not Venue.select().where(Venue.name == "書きかけの会場").exists()
        assert not database.in_transaction()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_pooled_sqlite_connections_keep_wal_and_foreign_keys(app):
    client = app.test_client()
    with ThreadPoolExecutor(max_workers=4) as workers:  # connections made on other threads, reused here
        list(workers.map(lambda _: app.test_client().get("/calendar"), range(16)))
    assert client.get("/test/pragma/journal_mode").text == "wal"
    assert client.get("/test/pragma/foreign_keys").text == "1"
    assert client.get("/test/pragma/busy_timeout").text == "10000"
