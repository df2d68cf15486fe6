"""What a store says of itself (the `store_info` table, key and value)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import models as m

DATA_DIR = "data_dir"  # the absolute folder of the store's raw bytes (blobs/ under it)


def read(session: Session, key: str) -> str | None:
    row = session.get(m.StoreInfo, key)
    return row.value if row else None


def record_once(session: Session, key: str, value: str) -> str:
    """Set a value unless it is set; returns the value in force (its own transaction). Two first
    runs on a new store may both find it unset: the one whose insert loses reads the winner's."""
    try:
        with session.begin():
            row = session.get(m.StoreInfo, key)
            if row is None:
                session.add(m.StoreInfo(key=key, value=value))
                return value
            return row.value
    except IntegrityError:
        with session.begin():
            return session.get_one(m.StoreInfo, key).value
