"""Which data dir a command uses: the one the store records, unless the user names another.

The raw bytes of a store's documents are kept in a data dir beside it; which folder that is was
once "./vpetl-data" of wherever a command ran, so a store used from another folder (an absolute
--db) grew a second data dir there, and a store copied without its data dir failed on every
document. The store now records its data dir (absolute) when first written, and commands find
it there; one named with --data-dir or VPETL_DATA_DIR is used, with a warning when it is not
the store's."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from vpetl.errors import VpetlError
from vpetl.schema import store_info
from vpetl.settings import Settings, environment_variable

DEFAULT_NAME = "vpetl-data"


class DataDirMissing(VpetlError):
    """The store records a data dir that is not there, and none was named: said in one line."""


def named(option: Path | None) -> bool:
    """Whether the user named a data dir (the option, or the variable)."""
    return option is not None or bool(os.environ.get(environment_variable("data_dir")))


def beside(database_url: str) -> Path:
    """A new store's data dir: beside a SQLite file, else in the current folder."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        return Path(url.database).resolve().parent / DEFAULT_NAME
    return Path(DEFAULT_NAME).resolve()


def settle(settings: Settings, option: Path | None, store: sessionmaker[Session], write: bool,
           needs_bytes: bool = False) -> tuple[Settings, str | None]:
    """The settings with the data dir this command uses, and a warning line or None. A writer
    records the data dir in a store that has none yet; a command that reads stored bytes
    (`needs_bytes`) is refused when the recorded data dir is gone and none was named."""
    with store() as session:
        recorded = store_info.read(session, store_info.DATA_DIR)
    note = None
    if named(option):
        chosen = settings.data_dir.resolve()
        if recorded and Path(recorded) != chosen:
            note = (f"vpetl: warning: this store keeps its raw bytes in {recorded}; {chosen} was named "
                    "(--data-dir or VPETL_DATA_DIR), so bytes kept in the other are not found here")
    elif recorded:
        chosen = Path(recorded)
        if needs_bytes and not chosen.is_dir():
            raise DataDirMissing(f"this store keeps its raw bytes in {recorded}, which is not there (was the store "
                                 "copied or moved without it?): pass --data-dir where they are now")
    else:
        chosen = beside(settings.database_url)
    if write and recorded is None:  # another first run may record it at the same moment: the first one holds
        with store() as session:
            store_info.record_once(session, store_info.DATA_DIR, str(chosen))
    return settings.with_(data_dir=chosen), note
