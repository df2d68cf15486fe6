"""Shared fixtures: Prefect offline in a temporary home, the mirror over real HTTP, a store."""

from __future__ import annotations

import fcntl
import os
import pickle
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from . import prefect_server

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="vpetl-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# but a flow run's own log (progress, outcome) reaches its server, as it does outside the tests
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "INFO")
# Every run over the mirror retries its HTML-instead-of-PDF answer; a second's wait before each
# retry is politeness toward the live service, not something a test checks (those set their own).
os.environ.setdefault("VPETL_BACKOFF", "0.05")

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "fixtures" / "mirror" / "files"
SHARED = ROOT.parent / "shared"


SHARED_MISSING: list[str] = []


# The files that take longest, longest first (about 40 s down to 7 s each on an idle 2-core
# machine, `pytest --durations=0`). xdist hands whole files to workers in collection order as
# they free up (`--dist loadfile --no-loadscope-reorder`), so a run ends on short files, not on
# one long file with the other worker idle (its own order, by test count, put these last). The
# first three (one per worker on 2 CPUs) begin with tests that need no Prefect server: it takes
# 8-15 s to start, and test_sync, which needs it at once, waited that long in third place.
LONGEST_FIRST = ("test_usability.py", "test_browse.py", "test_hostile_libreoffice.py", "test_hostile.py",
                 "test_sync.py", "test_cli.py", "test_schedule.py", "test_real_tables.py",
                 "test_people.py", "test_office.py", "test_flow.py", "test_provenance.py", "test_dask.py",
                 "test_live_forms.py", "test_install.py", "test_budgets.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest files first; without ../shared, the tests that read it are set aside, and the
    summary says so once."""
    missing = [name for name in LONGEST_FIRST if not (ROOT / "tests" / name).exists()]
    if missing:
        raise pytest.UsageError(f"conftest.LONGEST_FIRST names files that are not there: {missing}")
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
    if (SHARED / "corpus" / "real").is_dir():
        return
    aside = [item for item in items if item.get_closest_marker("shared")]
    if aside:
        SHARED_MISSING.extend(item.nodeid for item in aside)
        items[:] = [item for item in items if not item.get_closest_marker("shared")]
        config.hook.pytest_deselected(items=aside)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not (SHARED / "corpus" / "real").is_dir():  # said by the controller too, which collects nothing under xdist
        count = f"{len(SHARED_MISSING)} tests" if SHARED_MISSING else "The tests that"
        terminalreporter.write_line(f"{count} need ../shared beside this checkout (the real corpus, the table "
                                    f"benchmark and its scorer) and were not run: see the README, \"Two commands\"",
                                    yellow=True)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: one worker more than the CPUs this process may use. A sixth of a worker's time is
    spent waiting (on a Prefect run, a browser, LibreOffice, a server's answer): with one worker per
    CPU an idle 2-core machine was busy 1.67 CPUs of 2 over the run, with three 1.93, and the run took
    136-140 s against 146-150 s (a fourth worker: 152 s). PYTEST_XDIST_AUTO_NUM_WORKERS still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1  # (Linux only)
    return cpus + 1


ONCE: list[Path] = []  # this run's folder for what its workers share (set when the session starts)


@pytest.fixture(scope="session", autouse=True)
def _once_folder(request, tmp_path_factory) -> None:
    """Under xdist each worker's temporary folder is in the run's own (pytest-N/popen-gwN), so
    that one is shared by the workers of this run and no other; without xdist, the session's."""
    base = tmp_path_factory.getbasetemp()
    ONCE[:] = [(base.parent if hasattr(request.config, "workerinput") else base) / "once"]
    ONCE[0].mkdir(exist_ok=True)


def once(key: str, make: Callable[[], Any]) -> Any:
    """`make()` computed once per test run however many workers ask for it (the first computes
    it under a lock and leaves it pickled; the others read that): for an expensive result that
    several test files check, such as the tables of a real PDF."""
    path = ONCE[0] / f"{key}.pickle"
    with (ONCE[0] / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():
            return pickle.loads(path.read_bytes())
        value = make()
        path.with_suffix(".part").write_bytes(pickle.dumps(value))
        path.with_suffix(".part").replace(path)
        return value


def real_pdf_tables(name: str) -> list:
    """The tables of ../shared/corpus/real/`name`, extracted once per test run."""
    from vpetl.extractors import extract_pdf_tables

    return once(f"real-{name}", lambda: extract_pdf_tables((SHARED / "corpus" / "real" / name).read_bytes()))


def wheel() -> Path:
    """vpetl's wheel, built from this checkout once per test run (pip's build takes seconds)."""

    def build() -> Path:
        out = ONCE[0] / "wheel"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                       check=True, capture_output=True, timeout=600)
        (built,) = out.glob("vpetl-*.whl")
        return built

    return once("wheel", build)


def pdf(pfile: int) -> bytes:
    """A fixture document's bytes by its pfile id."""
    return (FILES / f"{pfile}.pdf").read_bytes()


SERVER: list[tuple[subprocess.Popen[bytes], Path]] = []  # the run's Prefect server, in the process that started it


def pytest_configure(config: pytest.Config) -> None:
    """The run's Prefect server is started by the process that starts the workers (or runs the
    tests), and handed to them through the environment they inherit."""
    if hasattr(config, "workerinput") or prefect_server.URL_VARIABLE in os.environ:
        return
    process, url, folder = prefect_server.start()
    os.environ[prefect_server.URL_VARIABLE] = url
    SERVER.append((process, folder))


def pytest_unconfigure(config: pytest.Config) -> None:
    while SERVER:
        prefect_server.stop(*SERVER.pop())


@pytest.fixture(scope="session")
def prefect():
    """Flows run on the test run's Prefect server (`tests/prefect_server.py`)."""
    with prefect_server.used(os.environ[prefect_server.URL_VARIABLE]):
        yield


@pytest.fixture(scope="session")
def mirror_base():
    from vpetl.vlpar import mirror

    server, base = mirror.start()
    yield base
    server.shutdown()


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'vpetl.sqlite'}"


PG_URL = os.environ.get("VPETL_TEST_POSTGRES_URL")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A store URL on the test PostgreSQL, in a schema of its own (dropped afterwards): tests
    never see each other's rows. Skips when no PostgreSQL is configured; fails when one is
    configured and does not answer (never a silent skip on CI)."""
    if not PG_URL:
        pytest.skip("PostgreSQL: set VPETL_TEST_POSTGRES_URL (postgresql+psycopg://...) to run")
    try:
        with create_engine(PG_URL).connect():
            pass
    except Exception as exc:
        pytest.fail(f"VPETL_TEST_POSTGRES_URL is set but PostgreSQL does not answer: {exc}")
    schema = f"t_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 's.sqlite'}"
        return
    with postgres_schema() as url:
        yield url


def flow_ingest(session_year: str | None = "2019-2020", question: int | None = None, **settings):
    """The ingest flow (on the test run's Prefect server: the `prefect` fixture) with these settings."""
    from vpetl.flows.ingest import ingest
    from vpetl.pipeline import Query
    from vpetl.settings import Settings

    return ingest(Query(session_year=session_year, number=question), Settings(**settings))


@pytest.fixture(scope="session")
def demo_store(mirror_base) -> tuple[str, Path]:
    """The demo's store (every question of the mirror), loaded once for the test run (whichever
    worker asks first) by the core without Prefect: (database URL, data dir). Tests read it;
    none writes to it."""
    from vpetl.pipeline import ingest
    from vpetl.settings import Settings

    def load() -> tuple[str, Path]:
        tmp = ONCE[0] / "demo"
        tmp.mkdir()
        url, data = f"sqlite:///{tmp / 'vpetl.sqlite'}", tmp / "data"
        summary = ingest("2019-2020", settings=Settings(api_base=mirror_base, database_url=url, data_dir=data,
                                                        rate=100))
        assert summary.failed == 0, summary
        return url, data

    return once("demo-store", load)
