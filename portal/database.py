"""The database binding: one pooled peewee Database per process, a connection lent per request."""

from __future__ import annotations

import logging

from flask import Flask
from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    # Deleted and overwritten rows are zeroed, so a destroyed item's ciphertext and wrapped key
    # do not linger in free pages of the file.
    "secure_delete": 1,
}
DEFAULT_POOL_SIZE = 16
# A connection older than this is closed when it comes back, so server-side limits never bite.
POOL_STALE_SECONDS = 300
# A request waits this long for a free connection (SQLite's busy_timeout is as long) before failing.
POOL_WAIT_SECONDS = 10


def open_database(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Database:
    """A connection pool for a peewee db_url; every SQLite connection gets WAL and foreign keys.

    A pooled connection serves one thread at a time but not always the same one, so SQLite's
    same-thread check is off; the pool rolls back anything a borrower left open.
    """
    scheme, rest = url.split("://", 1)
    pooled = f"{scheme}+pool://{rest}"
    options = {
        "max_connections": pool_size,
        "stale_timeout": POOL_STALE_SECONDS,
        "timeout": POOL_WAIT_SECONDS,
    }
    if scheme == "sqlite":
        return connect(pooled, pragmas=SQLITE_PRAGMAS, check_same_thread=False, **options)
    return connect(pooled, **options)


def bind(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Database:
    """Point every model at the database behind `url` (one database per process)."""
    previous = database.obj
    if previous is not None:
        previous.close_all()
    db = open_database(url, pool_size)
    database.initialize(db)
    return db


def is_postgres(db: Database | DatabaseProxy = database) -> bool:
    """PostgreSQL and SQLite lock differently; callers that serialise writes ask which runs."""
    target = db.obj if isinstance(db, DatabaseProxy) else db
    return isinstance(target, PostgresqlDatabase)


def locked(query):
    """`query` with FOR UPDATE on PostgreSQL; SQLite has locked the database already (IMMEDIATE)."""
    return query.for_update() if is_postgres() else query


def write_transaction():
    """A transaction that takes the write lock at its start.

    On SQLite in WAL mode a deferred transaction that reads and then writes gets a
    busy-snapshot error instead of waiting; BEGIN IMMEDIATE waits for the lock.
    """
    if isinstance(database.obj, SqliteDatabase):
        return database.atomic(lock_type="IMMEDIATE")
    return database.atomic()


def init_app(app: Flask) -> None:
    """Bind the models to the app's database; a request borrows a connection and gives it back.

    The connection is taken at the request's first query (peewee's autoconnect), so static files
    and the health check never wait for one.
    """
    # peewee's debug log prints every query's parameters, personal data among them.
    logging.getLogger("peewee").setLevel(logging.INFO)
    settings = app.config["PORTAL"]
    app.extensions["portal.database"] = bind(settings.database_url, settings.database_pool_size)

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()
