"""A faulty machine: bytes lost from the blob store are fetched again, a write that fails is a
plain reason and a non-zero exit with nothing half-written left, a lost lock is one line, and the
lock is per store whatever name leads to it (issue 22's findings).

Runs go through the CLI with the core run without Prefect (as the malformed-search cases in
test_hostile.py do), against `hostile.HostileSite` serving the seed answer for each question."""

from __future__ import annotations

import errno
import re
import shutil
import threading

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from vpetl import pipeline
from vpetl.schema import models as m
from vpetl.schema.blobs import BlobStore, BlobWriter
from vpetl.schema.db import open_store
from vpetl.schema.lock import LockBusy, run_lock

from . import hostile
from .conftest import pdf
from .hostile import as_json, record

QUESTIONS = 2


@pytest.fixture
def site():
    s = hostile.HostileSite()
    for link, pfile in (("9681", 1402518), ("9682", 1402519)):  # the seed answer's annexes
        s.replies[f"/link?id={link}"] = hostile.pdf(pdf(pfile), ETag=f'"{pfile}"')
    for i in range(QUESTIONS):
        rec = as_json(record(hostile.FIRST_ID + i))
        rec.headers["ETag"] = f'"record-{i}"'  # conditional requests, as the real service answers them
        s.question(rec, hostile.pdf(pdf(1402290) + b"%% copy %d\n" % i, ETag=f'"answer-{i}"'))  # bytes of its own
    yield s
    s.close()


@pytest.fixture
def cli(monkeypatch, tmp_path, site):
    """`vpetl ARGS` against the site, on a store in tmp_path, the core run without Prefect."""
    from vpetl import cli as module
    from vpetl.flows import ingest as flows

    monkeypatch.setattr(module, "_prepare_flows", lambda settings: None)
    monkeypatch.setattr(flows, "for_settings", lambda flow, settings: pipeline.execute if flow is flows.ingest
                        else lambda years, s: [pipeline.execute(pipeline.Query(session_year=y), s, incremental=True)
                                               for y in years])

    def run(command: str, *args: str):
        base = [command, "--session", hostile.SESSION, "--api-base", site.base, "--db",
                f"sqlite:///{tmp_path / 's.sqlite'}", "--data-dir", str(tmp_path / "data"), "--rate", "0",
                "--processes", "1"]
        return CliRunner().invoke(module.app, [*base, *args], env={"VPETL_RETRIES": "1", "COLUMNS": "200"})

    return run


def documents(tmp_path) -> list[str]:
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}")() as session:
        return list(session.scalars(select(m.Document.sha256)))


@pytest.mark.parametrize("command", ["ingest", "sync"])
def test_bytes_lost_from_the_blob_store_are_fetched_again(cli, tmp_path, command):
    first = cli("ingest")
    assert first.exit_code == 0, first.output
    assert f"{QUESTIONS} questions loaded" in first.output
    shutil.rmtree(tmp_path / "data")  # the data dir lost; the database kept
    from vpetl import cli as module

    reread = CliRunner().invoke(module.app, ["reextract", "--all", "--db", f"sqlite:///{tmp_path / 's.sqlite'}",
                                             "--data-dir", str(tmp_path / "data")])
    assert reread.exit_code == 1 and reread.output.count(f"are not in {tmp_path / 'data' / 'blobs'}") == QUESTIONS
    again = cli(command)
    assert again.exit_code == 0, again.output
    assert f"{QUESTIONS} questions loaded, 0 unchanged" in again.output  # not "2 unchanged"
    blobs = BlobStore(tmp_path / "data" / "blobs")
    assert documents(tmp_path) and all(sha in blobs for sha in documents(tmp_path))
    third = cli(command)  # all there again: nothing more to fetch
    assert f"0 questions loaded, {QUESTIONS} unchanged" in third.output


def test_a_data_dir_removed_during_a_run_is_said_and_its_bytes_fetched_again(cli, tmp_path, monkeypatch):
    """The data dir deleted while a run goes on: the bytes of the questions loaded before are gone
    for good from this run's point of view; the summary says so, the exit is 1, and the next
    ingest fetches them again."""
    from vpetl.pipeline import question

    load = question.load_question
    first = threading.Lock()  # questions load on several threads: the first to load removes it

    def load_then_lose_the_data_dir(*args, **kwargs):
        out = load(*args, **kwargs)
        if first.acquire(blocking=False):
            # Renamed away first: the path is gone at once, and another thread's blob written
            # meanwhile (into a folder it makes again) cannot fail the removal.
            (tmp_path / "data").rename(tmp_path / "lost")
            shutil.rmtree(tmp_path / "lost")
        return out

    monkeypatch.setattr(question, "load_question", load_then_lose_the_data_dir)
    result = cli("ingest")
    assert result.exit_code == 1, result.output
    assert re.search(r"^not stored: \d+ document(s'|'s) bytes missing from .* at the end of the run", result.output,
                     re.MULTILINE), result.output
    monkeypatch.setattr(question, "load_question", load)
    again = cli("ingest")
    assert again.exit_code == 0, again.output
    blobs = BlobStore(tmp_path / "data" / "blobs")
    assert all(sha in blobs for sha in documents(tmp_path))


def test_a_full_disk_fails_the_questions_plainly_and_leaves_nothing_half_written(cli, tmp_path, monkeypatch):
    write = BlobWriter.write

    class Full:
        """A file on a disk that is full: every write fails, as write(2) does with ENOSPC."""

        def __init__(self, fh) -> None:
            self.fh = fh

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            self.fh.close()

    def full(self, chunk: bytes) -> None:  # the disk fills up as the documents stream in
        if chunk.startswith(b"%PDF"):
            self.fh = Full(self.fh)
        write(self, chunk)

    monkeypatch.setattr(BlobWriter, "write", full)
    result = cli("ingest")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith(("0/", "1/", "2/"))]  # progress
    assert len(lines) == 1 and lines[0].startswith(f"vpetl: cannot use {tmp_path / 'data' / 'blobs'}/.incoming-")
    assert lines[0].endswith(": the disk is full (No space left on device)")  # not "bug in vpetl", not a retry
    assert list((tmp_path / "data" / "blobs").glob(".incoming-*")) == []
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}")() as session:
        run = session.scalars(select(m.IngestRun)).one()
    assert run.status == "failed" and "No space left on device" in run.error


def test_a_data_dir_that_cannot_be_written_is_one_line_and_exit_1(cli, tmp_path):
    (tmp_path / "data").write_text("a file where the data dir should be")
    result = cli("ingest")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"vpetl: cannot use {tmp_path / 'data'}/blobs: a part of the path is a file")


def test_the_lock_is_per_store_whatever_name_leads_to_it(tmp_path):
    real = tmp_path / "s.sqlite"
    open_store(f"sqlite:///{real}")  # the store made
    (tmp_path / "other-name.sqlite").symlink_to(real)
    with run_lock(create_engine(f"sqlite:///{real}")):
        with pytest.raises(LockBusy), run_lock(create_engine(f"sqlite:///{tmp_path / 'other-name.sqlite'}")):
            pass
    with run_lock(create_engine(f"sqlite:///{tmp_path / 'other-name.sqlite'}")):
        pass  # free again


def test_a_lost_lock_ends_the_run_with_one_line(cli, monkeypatch):
    """PostgreSQL's advisory lock dies with its connection (pg_terminate_backend); the run stops
    at its next load with one line, not a traceback."""
    from .conftest import PG_URL

    if not PG_URL:
        pytest.skip("PostgreSQL: set VPETL_TEST_POSTGRES_URL (postgresql+psycopg://...) to run")
    from sqlalchemy import text

    from vpetl.pipeline import runner
    from vpetl.pipeline.question import discover, ingest_batch

    from .conftest import postgres_schema

    def discover_then_lose_the_lock(run, query):
        found = discover(run, query)
        pid = run.lease.conn.execute(text("SELECT pg_backend_pid()")).scalar()
        run.lease.conn.rollback()
        with create_engine(PG_URL).connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        return found

    steps = runner.Steps(discover_then_lose_the_lock, runner.on_threads(ingest_batch))
    execute = pipeline.execute
    monkeypatch.setattr(pipeline, "execute", lambda query, settings, **kw: execute(query, settings, steps=steps))
    from vpetl.flows import ingest as flows

    monkeypatch.setattr(flows, "for_settings", lambda flow, settings: pipeline.execute)
    with postgres_schema() as url:
        result = cli("ingest", "--db", url)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert result.output.startswith("run stopped: the connection holding the run lock died")
