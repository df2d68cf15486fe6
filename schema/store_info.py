"""What a store says of itself (the `store_info` table, key and value)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import models as m

DATA_DIR = "data_dir"  # the absolute folder of the store's raw bytes (blobs/ under it)


def read(session: Session, key: str) -> str | None:
    row = session.get(m.StoreInfo, key)
    return row.value if row else None


def write(session: Session, key: str, value: str) -> None:
    """Set a value (its own transaction)."""
    with session.begin():
        session.merge(m.StoreInfo(key=key, value=value))


def record_once(session: Session, key: str, value: str) -> str:
    """Set a value unless it is set; returns the value in force (its own transaction)."""
    with session.begin():
        row = session.get(m.StoreInfo, key)
        if row is None:
            session.add(m.StoreInfo(key=key, value=value))
            return value
        return row.value
