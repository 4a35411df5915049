"""The database binding: one peewee Database per process, opened per request."""

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


def open_database(url: str) -> Database:
    """A Database for a peewee db_url; SQLite gets WAL and foreign keys."""
    if url.startswith("sqlite"):
        return connect(url, pragmas=SQLITE_PRAGMAS)
    return connect(url)


def bind(url: str) -> Database:
    """Point every model at the database behind `url` (one database per process)."""
    previous = database.obj
    if previous is not None and not previous.is_closed():
        previous.close()
    db = open_database(url)
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
    """Bind the models to the app's database and open a connection per request."""
    # peewee's debug log prints every query's parameters, personal data among them.
    logging.getLogger("peewee").setLevel(logging.INFO)
    app.extensions["portal.database"] = bind(app.config["PORTAL"].database_url)

    @app.before_request
    def _connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()
