"""One run at a time on a database: two syncs never load into the same store at once."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from vpetl.errors import VpetlError


def lock_key(schema: str) -> int:
    """The PostgreSQL advisory lock's key for the store in `schema`: a store is a database and a
    schema, and two stores in one database (two schemas) load independently. Positive and 62
    bits, so that its halves read back as pg_locks' oids."""
    return int.from_bytes(hashlib.sha256(f"vpetl/{schema}".encode()).digest()[:8]) >> 2


# A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
HELD = text("SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND granted AND objsubid = 1 AND classid = (:k >> 32)::oid AND objid = (:k & 4294967295)::oid")


class LockBusy(VpetlError, RuntimeError):
    """Another run holds the database."""


class LockLost(VpetlError, RuntimeError):
    """The run's lock is gone (its database connection died): another run may be loading."""


class Lease:
    """The run lock, held: `check()` before each load says it is still held."""

    def __init__(self, conn: Connection | None = None, key: int = 0) -> None:
        # PostgreSQL's lock lives as long as this connection; a flock as long as the process
        self.conn, self.key = conn, key
        self.guard = threading.Lock()  # the run's threads share the connection
        self.lost: str | None = None

    def check(self) -> None:
        if self.conn is None:
            return
        with self.guard:
            if self.lost is None:
                try:
                    if not self.conn.execute(HELD, {"k": self.key}).scalar():
                        self.lost = "the run lock is no longer held"
                    self.conn.rollback()
                except SQLAlchemyError as exc:
                    cause = type(exc.orig if isinstance(exc, DBAPIError) else exc).__name__
                    self.lost = f"the connection holding the run lock died ({cause})"
            if self.lost is not None:  # once lost, lost for every thread of the run
                raise LockLost(f"{self.lost}; stopped before loading more")


@contextmanager
def run_lock(engine: Engine, wait: float = 0.0, poll: float = 0.5) -> Iterator[Lease]:
    """Hold the database's run lock; wait up to `wait` seconds for it, then raise LockBusy.

    PostgreSQL: a session advisory lock. SQLite: an exclusive flock on `<database>.lock`
    beside the file its name resolves to (released by the OS if the process dies)."""
    deadline = time.monotonic() + wait
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar() or "public"
            key = lock_key(schema)
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                if time.monotonic() >= deadline:
                    raise LockBusy(f"another vpetl run is loading into this PostgreSQL database (schema {schema})")
                time.sleep(poll)
            conn.commit()  # no transaction left open for the whole run
            try:
                yield Lease(conn, key)
            finally:
                with contextlib.suppress(SQLAlchemyError):  # a dead connection took its lock with it
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield Lease()
        return
    path = Path(f"{os.path.realpath(database)}.lock")  # one lock per store, whatever name (symlink) leads to it
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"another vpetl run is loading into {database} (lock {path})") from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield Lease()
    finally:
        os.close(fd)
