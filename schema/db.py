"""Connecting to the store and bringing its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from vpetl.errors import VpetlError
from vpetl.settings import redact

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:  # integrity and concurrent readers
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    return engine


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied (Alembic `upgrade head`).

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


def open_store(url: str, create: bool = True) -> sessionmaker[Session]:
    """An up-to-date store at a SQLAlchemy URL (`Settings.database_url`), as a session factory.
    With `create=False` a SQLite file that does not exist is an error, not a new empty store."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        hint = " (SQLAlchemy wants postgresql+psycopg://...)" if url.startswith("postgres://") else ""
        raise StoreError(f"{redact(url)!r} is not a database URL vpetl can use{hint}; e.g. "
                         "sqlite:///vpetl.sqlite or postgresql+psycopg://user@host/db") from exc
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        path = Path(database)
        if not path.parent.is_dir():
            raise StoreError(f"cannot make the store {database}: the folder {path.parent} does not exist")
        if not create and not path.exists():
            raise StoreError(f"no store at {database}: run `vpetl demo` or `vpetl ingest` first, or pass --db URL")
    try:
        migrate(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open the store {redact(url)}: {reason}") from exc
    return sessionmaker(engine, expire_on_commit=False)
