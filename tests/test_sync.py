"""Incremental sync against a mirror whose files a test can change: conditional requests,
republished answers, questions answered later, and the fault mix."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from sqlalchemy import func, select, text

from vpetl.schema import models as m
from vpetl.schema.db import open_store
from vpetl.schema.export import beneficiaries, questions, table_cells
from vpetl.schema.queries import current_run_ids
from vpetl.schema.trace import trace
from vpetl.settings import Settings
from vpetl.vlpar import mirror

from .conftest import flow_ingest

ANSWER_312 = "1402313.pdf"


@pytest.fixture(scope="module")
def server():
    """One mirror server for the module, pointed at each test's own copy of the mirror's tree
    (`point`): the same port throughout, as a store that syncs against one site sees it."""
    server, base = mirror.start()
    yield server, base
    server.shutdown()


def point(server, root) -> None:
    """Serve `root` from now on (the server's handler class reads its corpus at each request)."""
    server.RequestHandlerClass.corpus = mirror.Corpus(root)


@pytest.fixture
def site(server, tmp_path):
    """A private copy of the mirror's tree, served: (tree, base URL)."""
    root = tmp_path / "mirror"
    shutil.copytree(mirror.DEFAULT_ROOT, root)
    point(server[0], root)
    return root, server[1]


def run(flow, base, folder, sessions):
    settings = Settings(api_base=base, database_url=f"sqlite:///{folder / 's.sqlite'}", data_dir=folder / "data",
                        rate=200)
    return flow(sessions, settings)


@pytest.fixture(scope="module")
def first_sync(prefect, server, tmp_path_factory):
    """The first sync of a session, made once for the module: its result, the folder it ran in
    (a copy of the mirror's tree, the store and its data dir) and a pristine copy of that folder."""
    from vpetl.flows.ingest import sync

    folder, kept = tmp_path_factory.mktemp("synced"), tmp_path_factory.mktemp("first-sync")
    shutil.copytree(mirror.DEFAULT_ROOT, folder / "mirror")
    point(server[0], folder / "mirror")
    (first,) = run(sync, server[1], folder, sessions=["2019-2020"])
    with sqlite3.connect(folder / "s.sqlite") as db:  # the store whole in one file, to be copied
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(folder, kept, dirs_exist_ok=True)
    return first, folder, kept


@pytest.fixture
def synced(first_sync, server):
    """A site and a store as the first sync left them, at the paths it ran with (the store names
    its data dir), each test starting from the same state: (first result, folder, base URL)."""
    first, folder, kept = first_sync
    shutil.rmtree(folder)
    shutil.copytree(kept, folder)
    point(server[0], folder / "mirror")
    return first, folder, server[1]


def count(tmp_path, model, *where) -> int:
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}")() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def pdf_bodies(tmp_path, run_id: int) -> int:
    """PDF bodies downloaded in one run, from the fetch log."""
    return count(tmp_path, m.FetchLog, m.FetchLog.ingest_run_id == run_id, m.FetchLog.status == 200,
                 m.FetchLog.requested_url.contains("pfile"))


def test_second_sync_downloads_and_extracts_nothing(synced):
    from vpetl.flows.ingest import sync

    first, folder, base = synced
    assert (first.loaded, first.failed) == (15, 0)
    # 14 answers (12 PDF, 2 Word), 5 annexes; 2 of them again by the record's route (one document each)
    assert pdf_bodies(folder, first.ingest_run_id) == 21
    runs_before = count(folder, m.ExtractionRun)
    (second,) = run(sync, base, folder, sessions=["2019-2020"])
    assert (second.loaded, second.unchanged) == (0, 15)
    from typer.testing import CliRunner

    from vpetl.cli import app

    shown = CliRunner().invoke(app, ["status", "--db", f"sqlite:///{folder / 's.sqlite'}"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "2019-2020 (sync)" in shown.output and "fetch log:" in shown.output
    assert pdf_bodies(folder, second.ingest_run_id) == 0 and second.extractions == 0
    assert count(folder, m.ExtractionRun) == runs_before
    # only the search page, the one unanswered question's record and the record of the one
    # question whose hits carry no last_modified were asked for (both records: a 304), and each
    # of the 14 askers' member records, conditionally: a 304 each, no body
    log = count(folder, m.FetchLog, m.FetchLog.ingest_run_id == second.ingest_run_id)
    assert log == 3 + 14 and count(folder, m.FetchLog, m.FetchLog.ingest_run_id == second.ingest_run_id,
                                   m.FetchLog.status == 304) == 2 + 14
    assert second.people["member_records_unchanged"] == 14


def test_republished_answer_is_a_new_version(synced):
    from vpetl.flows.ingest import sync

    _, folder, base = synced
    root = folder / "mirror"
    with open_store(f"sqlite:///{folder / 's.sqlite'}")() as s:
        ids_before = {c["id"]: c["value"] for c in table_cells(s) if c["question_id"] == 1402312}
    # the ministry republishes the answer: same URL, new bytes; the record says it changed
    path = root / "files" / ANSWER_312
    path.write_bytes(path.read_bytes() + b"\n% republished\n")
    rec_path = root / "records" / "1402312.json"
    rec = json.loads(rec_path.read_text())
    rec["last_modified"] = "2020-03-05T10:00:00"
    rec_path.write_text(json.dumps(rec))
    (result,) = run(sync, base, folder, sessions=["2019-2020"])
    assert result.loaded == 1 and result.changed_documents == [
        "https://docs.vlaamsparlement.be/files/pfile?id=1402313"]
    assert pdf_bodies(folder, result.ingest_run_id) == 1
    url = "https://docs.vlaamsparlement.be/files/pfile?id=1402313"
    assert count(folder, m.Document, m.Document.source_url == url) == 2  # the old version is kept
    with open_store(f"sqlite:///{folder / 's.sqlite'}")() as s:
        now = {c["id"]: c["value"] for c in table_cells(s) if c["question_id"] == 1402312}
        runs = s.scalars(select(m.ExtractionRun).join(m.Document).where(m.Document.source_url == url)
                         .order_by(m.ExtractionRun.id)).all()
    assert now == ids_before  # same facts, same ids, from the new version
    with open_store(f"sqlite:///{folder / 's.sqlite'}")() as s:
        assert current_run_ids(s) >= {runs[1].id} and runs[0].id not in current_run_ids(s)

    # and then the first version again: its facts are the current ones, in the export and the views alike
    path.write_bytes(path.read_bytes()[: -len(b"\n% republished\n")])
    rec_path.write_text(json.dumps({**rec, "last_modified": "2020-03-06T10:00:00"}))
    (back,) = run(sync, base, folder, sessions=["2019-2020"])
    assert back.loaded == 1 and back.extractions == 0  # those bytes were read before
    with open_store(f"sqlite:///{folder / 's.sqlite'}")() as s:
        exported = {c["id"] for c in table_cells(s) if c["question_id"] == 1402312}
        viewed = {r[0] for r in s.execute(text("SELECT fact_id FROM v_table_cells WHERE question_id = 1402312"))}
        assert exported == set(ids_before) and viewed == exported
        # export, views and trace name the same run: the first one, current again
        fact = next(iter(exported))
        exported_run = {c["provenance"]["run_id"] for c in table_cells(s) if c["id"] == fact}
        viewed_run = {r[0] for r in s.execute(text("SELECT run_id FROM v_table_cells WHERE fact_id = :f"),
                                              {"f": fact})}
        traced = {r["extraction_run"]["id"] for r in trace(s, fact)["runs"] if r["extraction_run"]["current"]}
    assert exported_run == viewed_run == traced == {runs[0].id}


def test_a_question_answered_later_is_picked_up(synced):
    from vpetl.flows.ingest import sync

    _, folder, base = synced
    root = folder / "mirror"
    shutil.copy(root / "files" / "1402372.pdf", root / "files" / "1402389.pdf")
    rec_path = root / "records" / "1402388.json"
    rec = json.loads(rec_path.read_text())  # its last_modified stays as it was: the sync must still look
    rec["bestand-ordered"] = [{"URL": "https://docs.vlaamsparlement.be/files/pfile?id=1402389"}]
    rec["procedureverloop"].append({"datum": "2020-03-30T00:00:00", "status": "Laattijdig beantwoord"})
    rec_path.write_text(json.dumps(rec))
    (result,) = run(sync, base, folder, sessions=["2019-2020"])
    assert result.loaded == 1
    with open_store(f"sqlite:///{folder / 's.sqlite'}")() as s:
        q = next(q for q in questions(s) if q["id"] == 1402388)
    assert q["status"] == "Laattijdig beantwoord" and q["answer_url"].endswith("id=1402389")


def comparable(records: list[dict]) -> list[dict]:
    """Records without what differs between two runs by nature: fetch times and run ids."""
    out = []
    for r in records:
        r = dict(r)
        if r.get("provenance"):
            r["provenance"] = {k: v for k, v in r["provenance"].items()
                               if k not in ("fetched_at", "run_id", "flow_run_id")}
        out.append(r)
    return out


def exports(url: str) -> dict[str, list[dict]]:
    with open_store(url)() as s:
        return {kind: comparable(list(fn(s))) for kind, fn in
                (("questions", questions), ("cells", table_cells), ("beneficiaries", beneficiaries))}


def test_faults_in_20_percent_of_requests_change_no_record(first_sync, tmp_path):
    """A run through 20% of faulty responses exports what the clean first sync exported."""
    _, _, kept = first_sync
    faults = mirror.Faults.parse("0.2", seed=7, hang_seconds=1.5)
    server, base = mirror.start(faults=faults)
    url = f"sqlite:///{tmp_path / 'faulty.sqlite'}"
    try:
        result = flow_ingest(api_base=base, database_url=url, data_dir=str(tmp_path / "faulty"), rate=200,
                             timeout=0.5, retries=8, backoff=0.05)
    finally:
        server.shutdown()
    with open_store(url)() as s:
        errors = s.scalars(select(m.FetchLog.error).where(m.FetchLog.error.is_not(None))).all()
    injected = sum(faults.injected.values())
    assert injected >= 10 and result.retries >= injected - 5  # html on a non-PDF path is not a fault
    assert len(errors) >= 10 and result.failed == 0 and not result.failures
    with open_store(f"sqlite:///{kept / 's.sqlite'}")() as s:
        clean_errors = s.scalars(select(m.FetchLog.error).where(m.FetchLog.error.is_not(None))).all()
    assert clean_errors == []
    assert exports(url) == exports(f"sqlite:///{kept / 's.sqlite'}")


def test_two_runs_never_load_into_one_database_at_once(prefect, site, tmp_path):
    from vpetl.schema.db import make_engine
    from vpetl.schema.lock import LockBusy, run_lock

    _, base = site
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    open_store(url)
    with run_lock(make_engine(url)):  # another run holds the database
        with pytest.raises(LockBusy, match="another vpetl run"):
            flow_ingest(question=289, api_base=base, database_url=url,
                   data_dir=str(tmp_path / "data"), rate=200, lock_wait=0.5)
    result = flow_ingest(question=289, api_base=base, database_url=url,
                    data_dir=str(tmp_path / "data"), rate=200)
    assert result.loaded == 1


def test_a_bug_fails_only_its_question_and_odd_fields_do_not_fail_theirs(site, tmp_path, monkeypatch):
    from vpetl import pipeline
    from vpetl.pipeline import question

    root, base = site
    rec_path = root / "records" / "1402312.json"
    rec = json.loads(rec_path.read_text())
    rec_path.write_text(json.dumps({**rec, "titel": {"nl": "a title as an object"}, "thema": [{"x": 1}, "Werk"]}))
    real = question.question_in

    def buggy(run, record, resp, last_modified):  # a bug in vpetl's own code, for one question
        if record.id == 1402388:
            raise RuntimeError("boom")
        return real(run, record, resp, last_modified)

    monkeypatch.setattr(question, "question_in", buggy)
    settings = Settings(api_base=base, database_url=f"sqlite:///{tmp_path / 's.sqlite'}", data_dir=tmp_path / "d",
                        rate=0)
    result = pipeline.execute(pipeline.Query(session_year="2019-2020"), settings)
    assert (result.discovered, result.loaded, result.failed) == (15, 14, 1)
    reasons = {f.question_id: f.reason for f in result.failures}
    assert reasons == {1402388: "bug in vpetl: RuntimeError: boom"}
    assert count(tmp_path, m.Question) == 14  # nothing of a failed question is loaded
    with open_store(settings.database_url)() as s:
        odd = s.get(m.Question, 1402312)
        assert (odd.title, odd.themes) == (rec["onderwerp"], ["Werk"])  # the title falls back on the subject
        assert odd.record["titel"] == {"nl": "a title as an object"}  # the raw record keeps it

    monkeypatch.setattr(question, "question_in", real)  # the next run retries exactly those two
    again = pipeline.sync(["2019-2020"], settings)[0]
    assert (again.loaded, again.unchanged, again.failed) == (1, 14, 0)


def test_a_search_page_that_breaks_midway_keeps_what_was_found(tmp_path, monkeypatch):
    from vpetl import pipeline
    from vpetl.vlpar import api

    server, base = mirror.start()
    monkeypatch.setattr(api, "SEARCH_PAGE_SIZE", 5)  # 64 hits (a question's own, its documents', its journal's)
    real, calls = api.read_search_page, []

    def breaks_on_the_third_page(body, url):
        calls.append(url)
        if len(calls) == 3:
            raise api.SearchError(f"unreadable search page {url}: ValueError: not JSON")
        return real(body, url)

    monkeypatch.setattr(api, "read_search_page", breaks_on_the_third_page)
    settings = Settings(api_base=base, database_url=f"sqlite:///{tmp_path / 's.sqlite'}", data_dir=tmp_path / "d",
                        rate=0)
    try:
        result = pipeline.execute(pipeline.Query(session_year="2019-2020"), settings)
    finally:
        server.shutdown()
    assert (result.discovered, result.loaded, result.failed) == (2, 2, 0)  # 10 hits: 2 questions and a stray
    assert result.dropped == {"Vraag om uitleg": 1}
    assert result.discovery_error and "not JSON" in result.discovery_error
    with open_store(settings.database_url)() as s:
        row = s.scalars(select(m.IngestRun)).one()
    assert (row.status, row.error) == ("failed", result.discovery_error)


def test_a_killed_run_is_marked_interrupted_by_the_next(mirror_base, store_url, tmp_path):
    from datetime import UTC, datetime

    from vpetl import pipeline

    with open_store(store_url)() as s, s.begin():  # what a run killed with SIGKILL leaves behind
        s.add(m.IngestRun(started_at=datetime.now(UTC), status="running", api_base="x", query={}))
    settings = Settings(api_base=mirror_base, database_url=store_url, data_dir=tmp_path / "d", rate=0)
    result = pipeline.execute(pipeline.Query(session_year="2019-2020", number=289), settings)
    with open_store(store_url)() as s:
        runs = s.execute(select(m.IngestRun.id, m.IngestRun.status, m.IngestRun.error).order_by(m.IngestRun.id)).all()
    assert [(r.id, r.status) for r in runs] == [(1, "interrupted"), (result.ingest_run_id, "ok")]
    assert runs[0].error == f"ended without finishing (killed?); found by run {result.ingest_run_id}"


def test_a_run_that_loses_its_lock_stops_before_loading_more(mirror_base, tmp_path):
    """PostgreSQL: the advisory lock lives with one connection; when that connection dies, another
    run could start, so this one stops at its next load, and its row says why."""
    from sqlalchemy import create_engine, text

    from vpetl import pipeline
    from vpetl.pipeline.question import discover, ingest_batch
    from vpetl.pipeline.runner import Steps, on_threads
    from vpetl.schema.lock import LockLost

    from .conftest import PG_URL, postgres_schema

    with postgres_schema() as url:
        def discover_then_lose_the_lock(run, query):
            found = discover(run, query)
            pid = run.lease.conn.execute(text("SELECT pg_backend_pid()")).scalar()
            run.lease.conn.rollback()
            with create_engine(PG_URL).connect() as other:  # an administrator, or a network cut
                other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            return found

        settings = Settings(api_base=mirror_base, database_url=url, data_dir=tmp_path / "d", rate=0)
        with pytest.raises(LockLost, match="stopped before loading more"):
            pipeline.execute(pipeline.Query(session_year="2019-2020"), settings,
                             steps=Steps(discover_then_lose_the_lock, on_threads(ingest_batch)))
        with open_store(url)() as s:
            assert s.scalar(select(func.count()).select_from(m.Question)) == 0
            status, error = s.execute(select(m.IngestRun.status, m.IngestRun.error)).one()
        assert status == "failed" and error.startswith("LockLost: the connection holding the run lock died")
