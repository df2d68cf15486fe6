"""Shared fixtures: Prefect offline in a temporary home, the mirror over real HTTP, a store."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="vpetl-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "fixtures" / "mirror" / "files"
SHARED = ROOT.parent / "shared"


def pdf(pfile: int) -> bytes:
    """A fixture document's bytes by its pfile id."""
    return (FILES / f"{pfile}.pdf").read_bytes()


@pytest.fixture(scope="session")
def prefect():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def mirror_base():
    from vlpar import mirror

    server, base = mirror.start()
    yield base
    server.shutdown()


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'vpetl.sqlite'}"
