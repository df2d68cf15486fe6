"""One run at a time on a database: two syncs never load into the same store at once."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

LOCK_KEY = 0x7670_6574_6C00  # "vpetl": the PostgreSQL advisory lock's key


class LockBusy(RuntimeError):
    """Another run holds the database."""


@contextmanager
def run_lock(engine: Engine, wait: float = 0.0, poll: float = 0.5) -> Iterator[None]:
    """Hold the database's run lock; wait up to `wait` seconds for it, then raise LockBusy.

    PostgreSQL: a session advisory lock. SQLite: an exclusive flock on `<database>.lock`
    beside the file (released by the OS if the process dies)."""
    deadline = time.monotonic() + wait
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                if time.monotonic() >= deadline:
                    raise LockBusy("another vpetl run is loading into this PostgreSQL database")
                time.sleep(poll)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(f"{database}.lock")
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
        yield
    finally:
        os.close(fd)
