"""Connecting to the store and bringing its schema up to date with Alembic."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, QueuePool, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from vpetl.errors import VpetlError
from vpetl.settings import redact

from . import versions
from .lock import LockBusy, run_lock

MIGRATIONS = Path(__file__).parent / "migrations"

# Seconds a thread waits for one of the store's connections before its question fails, reported
# as a bug: a run's pool has a connection for each of its threads (`Settings.store_connections`),
# so none should wait at all. (SQLAlchemy's default wait.)
CONNECTION_WAIT = 30.0


def make_engine(url: str, connections: int | None = None) -> Engine:
    """An engine for the URL; with `connections`, its pool holds exactly that many (a run's
    threads at once: more would only wait on SQLite's one writer, fewer would make a thread
    wait for another's connection)."""
    engine = _create(url, connections)
    if engine.dialect.name == "sqlite":
        if read_only_file(engine.url.database):
            return _read_only(engine, connections)

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:  # integrity and concurrent readers
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # A commit is written to the log without waiting for the disk (the log is synced at each
            # checkpoint): the store stays whole whatever happens, and a power cut can undo only the
            # last commits, which the next run fetches again. Waiting for the disk (2-3 ms) at each of
            # a session year's 16,000 commits, with SQLite's one write lock held, kept the other
            # threads' loads waiting too.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    return engine


def read_only_file(database: str | None) -> bool:
    """A SQLite store that exists but may not be written (a read-only disk or file, an archive
    copy): it is opened for reading, which the WAL mode would otherwise refuse (it writes a
    shared-memory file beside the store)."""
    if not database or database == ":memory:" or database.startswith("file:") or not Path(database).is_file():
        return False
    folder = Path(database).resolve().parent
    if not (os.access(database, os.W_OK) and os.access(folder, os.W_OK)):
        return True
    try:  # root may write any file, except on a read-only disk
        return os.statvfs(folder).f_flag & os.ST_RDONLY != 0
    except OSError:
        return False


def _create(url: str, connections: int | None) -> Engine:
    """An engine whose pool holds `connections` (None: SQLAlchemy's default pool). Only a queue
    pool has a size: an in-memory SQLite database has one connection per thread."""
    engine = create_engine(url)
    if connections is None or not isinstance(engine.pool, QueuePool):
        return engine
    engine.dispose()
    return create_engine(url, pool_size=connections, max_overflow=0, pool_timeout=CONNECTION_WAIT)


def _read_only(engine: Engine, connections: int | None) -> Engine:
    """The same store, opened read-only and immutable (no locks, no WAL files: nothing else
    can be writing to a store on a read-only disk)."""
    path = Path(str(engine.url.database)).resolve()
    engine.dispose()
    url = f"sqlite:///file:{quote(str(path))}?mode=ro&immutable=1&uri=true"
    return _create(url, connections)


def migrate(engine: Engine, from_schema: bool = True) -> None:
    """Apply every migration not yet applied (Alembic `upgrade head`). A new SQLite store is
    made from the schema the migrations make, written down (`versions.SQLITE_SCHEMA`), unless
    `from_schema` is False.

    SQLite changes a column by copying its table; foreign keys are off while it does (they can
    only be switched outside a transaction) and checked when it is done."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            new = from_schema and sqlite and versions.is_empty(conn)
            if not (new and versions.make_sqlite_store(conn)):
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("a migration left rows whose foreign keys point nowhere")
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


class StoreError(VpetlError):
    """A store that cannot be opened: a URL that is not one, a missing file, a server that does
    not answer. The message says what to do."""


def open_store(url: str, create: bool = True, upgrade: bool = True,
               connections: int | None = None) -> sessionmaker[Session]:
    """An up-to-date store at a SQLAlchemy URL (`Settings.database_url`), as a session factory.
    With `create=False` a SQLite file that does not exist is an error, not a new empty store.
    With `upgrade=False` (the CLI: only `vpetl migrate` changes a schema) a store at another
    schema is an error that says what to do; a new, empty database is still made a store.
    `connections`: how many sessions may be open at once (a run: `Settings.store_connections`)."""
    engine = _engine(url, create, connections)
    try:
        off = None if versions.is_empty(engine) else versions.behind(engine, url)
        # (no schema revision but tables: another process is making this new store; wait for it)
        if off is not None and (off.newer or (not upgrade and off.at is not None)):
            raise StoreError(str(off))
        if off is not None or versions.is_empty(engine):  # nothing is written to a store at this schema
            _migrate_once(engine, url)
    except OperationalError as exc:
        raise StoreError(f"cannot open the store {redact(url)}: {_reason(exc)}") from exc
    return sessionmaker(engine, expire_on_commit=False)


# Seconds a command waits for another to finish creating or migrating the same store (a first
# store is made in a second or two, even on a busy machine; a migration of a large store longer).
MIGRATION_WAIT = 300.0


def _migrate_once(engine: Engine, url: str) -> None:
    """Migrate under the store's run lock: two first runs on a new SQLite file would otherwise
    both create its tables ("table documents already exists"); the second waits, then finds the
    store made."""
    try:
        with run_lock(engine, wait=MIGRATION_WAIT):
            if versions.is_empty(engine) or versions.behind(engine, url) is not None:
                migrate(engine)
    except LockBusy as exc:
        raise StoreError(f"cannot open the store {redact(url)}: another vpetl holds it for more than "
                         f"{MIGRATION_WAIT:g} s; try again when it is done") from exc


def _reason(exc: OperationalError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


def upgrade_store(url: str) -> tuple[str | None, str, Path | None]:
    """`vpetl migrate`: the store brought to this vpetl's schema, a SQLite store copied aside
    first. Returns the schema it was at, the one it is at, and the copy (None: no change, or
    not SQLite)."""
    engine = _engine(url, create=False)
    try:
        off = versions.behind(engine, url)
        if off is None:
            return versions.head(), versions.head(), None
        if off.newer:
            raise StoreError(str(off))
        with run_lock(engine):  # not under a run that is loading
            copy = versions.backup(engine, off.at)
            migrate(engine)
    except LockBusy as exc:
        raise StoreError(f"{exc}: migrate it when that run is done") from exc
    except OperationalError as exc:
        raise StoreError(f"cannot migrate the store {redact(url)}: {_reason(exc)}") from exc
    return off.at, off.needs, copy


def _engine(url: str, create: bool, connections: int | None = None) -> Engine:
    """An engine for the URL; a URL that is not one, or (unless `create`) a SQLite file that
    does not exist, is a StoreError saying what to do."""
    try:
        engine = make_engine(url, connections)
    except (ArgumentError, NoSuchModuleError) as exc:
        hint = " (SQLAlchemy wants postgresql+psycopg://...)" if url.startswith("postgres://") else ""
        raise StoreError(f"{redact(url)!r} is not a database URL vpetl can use{hint}; e.g. "
                         "sqlite:///vpetl.sqlite or postgresql+psycopg://user@host/db") from exc
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if not path.parent.is_dir():
            raise StoreError(f"cannot make the store {database}: the folder {path.parent} does not exist")
        if not create and not path.exists():
            raise StoreError(f"no store at {database}: run `vpetl demo` or `vpetl ingest` first, or pass --db URL")
    if create and engine.url.database and engine.url.database.startswith("file:") and "mode=ro" in str(engine.url):
        raise StoreError(f"the store {redact(url)} is read-only (its file or disk): it can be read (status, "
                         "export, trace, show), not written")
    return engine
