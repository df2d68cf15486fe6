"""One definition of the current facts (the view `v_current_runs`): export, trace, pictures and
the views name the same run, on SQLite and PostgreSQL, also when an answer is republished and
then served in its first version again; and the migration that made it so goes down and up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from vpetl.extractors import extract_answer
from vpetl.extractors.records import Extraction
from vpetl.schema.db import MIGRATIONS, make_engine, open_store
from vpetl.schema.export import table_cells
from vpetl.schema.load import DocumentIn, QuestionIn, load_question
from vpetl.schema.queries import current_run, current_run_ids, placed_facts
from vpetl.schema.trace import trace

from .conftest import pdf

URL = "https://docs.vlaamsparlement.be/files/pfile?id=1402290"


def question(sha: str, version: str) -> QuestionIn:
    """Question 289 with its answer served as bytes `sha`, read by extractor `version`."""
    data = pdf(1402290)
    now = datetime.now(UTC)
    doc = DocumentIn(URL, URL, sha, len(data), "application/pdf", True, now)
    return QuestionIn(id=1402289, session_year="2019-2020", number=289, title="t", date_asked=date(2020, 1, 23),
                      date_answered=None, asker="Maurits Vande Reyde", minister="Hilde Crevits", themes=["Economie"],
                      status="Tijdig beantwoord", answer_url=URL, record={"id": 1402289}, answer=doc,
                      answer_extraction=Extraction("vpetl.answer", version, now, now, extract_answer(data)))


def test_republished_then_reverted_everyone_names_the_same_run(store_url):
    sessions = open_store(store_url)
    first = question("a" * 64, "1")
    for q in (first, question("b" * 64, "1"), replace(first, answer_extraction=first.answer_extraction)):
        with sessions() as s:
            load_question(s, q)
    with sessions() as s:
        doc_id = s.execute(text("SELECT answer_document_id FROM questions")).scalar_one()
        run = current_run(s, doc_id)
        assert run is not None and run.id == 1  # the first bytes again: their run, not the later one's
        assert current_run_ids(s) == {run.id}  # the republished version's run is no question's any more
        fact = next(c for c in table_cells(s) if c["raw_text"] == "198.707,50€")
        viewed = s.execute(text("SELECT DISTINCT run_id FROM v_table_cells")).scalars().all()
        traced = [r["extraction_run"] for r in trace(s, fact["id"])["runs"]]
        pictured = {p.run_id for p in placed_facts(s, fact["id"])}
    assert fact["provenance"]["run_id"] == run.id and viewed == [run.id] and pictured == {run.id}
    assert [(r["id"], r["current"]) for r in traced] == [(2, False), (1, True)]


def test_a_new_extractor_version_is_current(store_url):
    sessions = open_store(store_url)
    for version in ("1", "2"):
        with sessions() as s:
            load_question(s, question("a" * 64, version))
    with sessions() as s:
        assert current_run_ids(s) == {2}
        fact = next(c for c in table_cells(s) if c["raw_text"] == "198.707,50€")
        assert fact["provenance"]["run_id"] == 2
        assert [r["extraction_run"]["current"] for r in trace(s, fact["id"])["runs"]] == [True, False]


def _alembic(conn) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def test_the_migration_goes_down_and_up(store_url):
    open_store(store_url)
    engine = make_engine(store_url)
    assert "superseded_by_run_id" not in {c["name"] for c in inspect(engine).get_columns("extraction_runs")}
    for target in ("0010", "head"):
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            with conn.begin():
                (command.downgrade if target == "0010" else command.upgrade)(_alembic(conn), target)
        columns = {c["name"] for c in inspect(engine).get_columns("extraction_runs")}
        assert ("superseded_by_run_id" in columns) == (target == "0010")
        with engine.connect() as conn:  # every view is there and reads
            for view in ("v_current_runs", "v_table_cells", "v_beneficiaries", "v_municipality_totals"):
                conn.execute(text(f"SELECT count(*) FROM {view}")).scalar_one()
    engine.dispose()


def test_needs_extraction_is_decided_once(store_url):
    """Ingest, sync and reextract ask one function: new bytes or a new extractor version need
    reading, bytes already read by this version do not, a file vpetl cannot read never does."""
    from vpetl.schema.load import needs_extraction

    sessions = open_store(store_url)
    q = question("a" * 64, "1")
    assert q.answer is not None
    with sessions() as s:
        assert needs_extraction(s, q.answer, "vpetl.answer", "1")
    with sessions() as s:
        load_question(s, q)
    with sessions() as s:
        assert not needs_extraction(s, q.answer, "vpetl.answer", "1")
        assert needs_extraction(s, q.answer, "vpetl.answer", "2")
        assert needs_extraction(s, replace(q.answer, sha256="b" * 64), "vpetl.answer", "1")
        assert not needs_extraction(s, replace(q.answer, sha256="c" * 64, is_pdf=False, media_type="text/html"),
                                    "vpetl.answer", "1")
