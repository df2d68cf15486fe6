"""Which schema a store is at, and bringing it to this vpetl's on request only.

A command that reads never changes the schema: an older vpetl would then fail on a store
that only looked at. It says to run `vpetl migrate`, which copies a SQLite store aside first,
so that the store can go back to the vpetl that made it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from vpetl.settings import redact

MIGRATIONS = Path(__file__).parent / "migrations"


def scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg)


def head() -> str:
    """The schema this vpetl writes."""
    return str(scripts().get_current_head())


def current(engine: Engine) -> str | None:
    """The store's schema revision; None for a database vpetl has not made a store in."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_empty(engine: Engine) -> bool:
    """No tables at all: a new database, where a writer may make the store."""
    return not inspect(engine).get_table_names()


@dataclass(frozen=True)
class Behind:
    """The store is at `at`, this vpetl needs `needs` (or, `newer`, the store is ahead of it)."""

    url: str
    at: str | None
    needs: str
    newer: bool

    def __str__(self) -> str:
        if self.newer:
            return (f"the store {redact(self.url)} has schema {self.at}, made by a newer vpetl than this one "
                    f"(which knows up to {self.needs}): use that vpetl, or upgrade this one")
        return (f"the store {redact(self.url)} has schema {self.at}, this vpetl needs {self.needs}: run "
                f"`vpetl migrate --db {redact(self.url)}` (a SQLite store is copied aside first)")


def behind(engine: Engine, url: str) -> Behind | None:
    """How the store's schema differs from this vpetl's, or None when it is the same."""
    at, needs = current(engine), head()
    if at == needs:
        return None
    known = {r.revision for r in scripts().walk_revisions()}
    return Behind(url, at, needs, newer=at is not None and at not in known)


def backup(engine: Engine, at: str | None) -> Path | None:
    """A consistent copy of a SQLite store beside it (`vpetl.sqlite.schema-0008.bak`), made with
    SQLite's backup API (a live WAL store copied byte by byte may be torn); None elsewhere."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    target = Path(f"{database}.schema-{at or 'none'}.bak")
    with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target
