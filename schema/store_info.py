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
