"""The database binding: each app owns its pooled peewee Database, a connection lent per request.

The zones are apart below Python too. The public instance opens the public store alone (venues,
sessions and their places, sealed booking requests, its own event log). The staff instance opens
its own store and reaches the public one beside it: on SQLite the public file is attached to every
staff connection, on PostgreSQL the public store is a schema of the same database that the staff
connection's search path includes. Table names differ between the stores, so one query may join
them and capacity stays enforced by one conditional statement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, current_app, has_app_context
from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

# The name the public SQLite file is attached under on staff connections.
PUBLIC_ATTACHED_AS = "public_zone"
# The PostgreSQL schema of the public store when the public URL names none.
DEFAULT_PUBLIC_SCHEMA = "madoguchi_public"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    # Deleted and overwritten rows are zeroed, so a destroyed item's ciphertext and wrapped key
    # do not linger in free pages of the file.
    "secure_delete": 1,
}
# The same for the public file where the staff zone attaches it (pragmas are per schema).
ATTACHED_PRAGMAS = {
    f"{PUBLIC_ATTACHED_AS}.{name}": SQLITE_PRAGMAS[name]
    for name in ("journal_mode", "synchronous", "secure_delete")
}
DEFAULT_POOL_SIZE = 16
# The largest whole number both stores hold in an id or count column (PostgreSQL's integer):
# what a visitor types is checked against it before it reaches a query.
MAX_INTEGER = 2**31 - 1
# A connection older than this is closed when it comes back, so server-side limits never bite.
POOL_STALE_SECONDS = 300
# A request waits this long for a free connection (SQLite's busy_timeout is as long) before failing.
POOL_WAIT_SECONDS = 10


class AppDatabase(DatabaseProxy):
    """The models' database: the current app's own, else the process default.

    Each app holds its binding (public and staff instances may share a process in tests); the
    default serves set-up code that runs outside any app, such as `portal init`.
    """

    __slots__ = ("default",)

    def __init__(self) -> None:
        object.__setattr__(self, "default", None)
        super().__init__()

    def __setattr__(self, attr: str, value) -> None:
        object.__setattr__(self, attr, value)  # the proxy's own slots; `obj` is derived

    def initialize(self, obj: Database | None) -> None:
        """Set the default; blob fields are told of no driver, so they pass `bytearray`, which
        both drivers take, whichever app's database a query goes to."""
        object.__setattr__(self, "default", obj)
        for callback in self._callbacks:
            callback(None)

    @property
    def obj(self) -> Database | None:
        """The database of the app in context, else the default."""
        if has_app_context():
            bound = current_app.extensions.get("portal.database")
            if bound is not None:
                return bound
        return self.default


database = AppDatabase()


@dataclass(frozen=True)
class Stores:
    """Where the two stores live: the staff URL, and the public one (a file or a schema)."""

    staff_url: str
    public_url: str

    @property
    def on_postgres(self) -> bool:
        """Both stores are SQLite or both PostgreSQL (settings check it)."""
        return not self.staff_url.startswith("sqlite")

    @property
    def public_schema(self) -> str:
        """On PostgreSQL, the schema that holds the public store."""
        return first_search_path(self.public_url) or DEFAULT_PUBLIC_SCHEMA

    @property
    def public_file(self) -> str:
        """On SQLite, the public store's file."""
        return urlsplit(self.public_url).path[1:]

    @property
    def staff_file(self) -> str:
        """On SQLite, the staff store's file."""
        return urlsplit(self.staff_url).path[1:]


def first_search_path(url: str) -> str | None:
    """The first schema of a PostgreSQL URL's `options=-csearch_path=…`, if it sets one."""
    options = dict(parse_qsl(urlsplit(url).query)).get("options", "")
    for option in options.split():
        if option.startswith("-csearch_path="):
            return option.split("=", 1)[1].split(",")[0].strip() or None
    return None


def with_search_path(url: str, *schemas: str) -> str:
    """`url` with its search path set to `schemas` (other query options kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={','.join(schemas)}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def open_database(url: str, pool_size: int = DEFAULT_POOL_SIZE, attach: str | None = None) -> Database:
    """A connection pool for a peewee db_url; every SQLite connection gets WAL and foreign keys.

    `attach` is a SQLite file attached to every connection as the public store. A pooled
    connection serves one thread at a time but not always the same one, so SQLite's same-thread
    check is off; the pool rolls back anything a borrower left open.
    """
    scheme, rest = url.split("://", 1)
    pooled = f"{scheme}+pool://{rest}"
    options = {
        "max_connections": pool_size,
        "stale_timeout": POOL_STALE_SECONDS,
        "timeout": POOL_WAIT_SECONDS,
    }
    if scheme != "sqlite":
        return connect(pooled, **options)
    pragmas = {**SQLITE_PRAGMAS, **(ATTACHED_PRAGMAS if attach else {})}
    db = connect(pooled, pragmas=pragmas, check_same_thread=False, **options)
    if attach:
        db.attach(attach, PUBLIC_ATTACHED_AS)
    return db


def open_public_store(stores: Stores, pool_size: int = DEFAULT_POOL_SIZE, as_owner: bool = False) -> Database:
    """The public store alone, as the public instance sees it.

    `as_owner` connects with the staff zone's credentials instead (on PostgreSQL), which is how
    migrations create the public tables in their schema.
    """
    if not stores.on_postgres:
        return open_database(stores.public_url, pool_size)
    url = stores.staff_url if as_owner else stores.public_url
    return open_database(with_search_path(url, stores.public_schema), pool_size)


def open_staff_store(stores: Stores, pool_size: int = DEFAULT_POOL_SIZE) -> Database:
    """The staff store with the public one beside it; `db.stores` says where each lives."""
    if stores.on_postgres:
        own = first_search_path(stores.staff_url)
        path = [own] if own else ['"$user"', "public"]
        db = open_database(with_search_path(stores.staff_url, *path, stores.public_schema), pool_size)
    else:
        db = open_database(stores.staff_url, pool_size, attach=stores.public_file)
    db.stores = stores
    return db


def public_schema_name(db: Database) -> str:
    """The name a staff connection qualifies the public store's tables with."""
    return db.stores.public_schema if db.stores.on_postgres else PUBLIC_ATTACHED_AS


def bind(stores: Stores, pool_size: int = DEFAULT_POOL_SIZE) -> Database:
    """Make the staff store (which reaches both) the default outside any app; returns it."""
    previous = database.default
    if previous is not None:
        previous.close_all()
    db = open_staff_store(stores, pool_size)
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
    busy-snapshot error instead of waiting; BEGIN IMMEDIATE waits for the lock (of every
    attached file too, so a staff write and a public booking serialise).
    """
    if isinstance(database.obj, SqliteDatabase):
        return database.atomic(lock_type="IMMEDIATE")
    return database.atomic()


def stores_of(settings) -> Stores:
    """The two stores a zone's settings name."""
    return Stores(settings.database_url, settings.public_database_url)


def init_app(app: Flask, zone: str) -> None:
    """Give the app its database: the public store alone, or the staff store reaching both.

    A request borrows a connection at its first query (peewee's autoconnect), so static files
    and the health check never wait for one, and gives it back at teardown.
    """
    # peewee's debug log prints every query's parameters, personal data among them.
    logging.getLogger("peewee").setLevel(logging.INFO)
    settings = app.config["PORTAL"]
    stores = stores_of(settings)
    opener = open_public_store if zone == "public" else open_staff_store
    app.extensions["portal.database"] = opener(stores, settings.database_pool_size)

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()
