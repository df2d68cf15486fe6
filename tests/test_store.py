"""The store on SQLite and on PostgreSQL: migrations, an atomic load, the same export."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from vpetl.extractors import extract_answer
from vpetl.extractors.records import Extraction
from vpetl.schema import models as m
from vpetl.schema.db import open_store
from vpetl.schema.export import questions, table_cells
from vpetl.schema.load import DocumentIn, QuestionIn, load_question

from .conftest import pdf


def question() -> QuestionIn:
    data = pdf(1402290)
    now = datetime.now(UTC)
    doc = DocumentIn("https://docs.vlaamsparlement.be/files/pfile?id=1402290",
                     "https://docs.vlaamsparlement.be/files/pfile?id=1402290", "a" * 64, len(data),
                     "application/pdf", True, now)
    return QuestionIn(id=1402289, session_year="2019-2020", number=289, title="t", date_asked=date(2020, 1, 23),
                      date_answered=None, asker="Maurits Vande Reyde", minister="Hilde Crevits", themes=["Economie"],
                      status="Tijdig beantwoord", answer_url=doc.source_url, record={"id": 1402289}, answer=doc,
                      answer_extraction=Extraction("vpetl.answer", "0.1.0", now, now, extract_answer(data)))


def test_load_is_idempotent_and_exact(store_url):
    sessions = open_store(store_url)
    for _ in range(2):
        with sessions() as s:
            load_question(s, question())
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(m.ExtractionRun)) == 1
        assert [q["number"] for q in questions(s)] == [289]
        cells = {c["raw_text"]: c for c in table_cells(s)}
        assert cells["198.707,50€"]["value"] == "198707.50"


def test_a_failing_load_leaves_nothing(store_url, monkeypatch):
    sessions = open_store(store_url)
    q = question()
    q.answer_extraction.result.tables[0].cells[3].footnotes = None  # breaks the load half-way, at the cells
    with sessions() as s, pytest.raises(TypeError):
        load_question(s, q)
    with sessions() as s:
        for model in (m.Question, m.Document, m.ExtractionRun, m.ExtractedTable, m.TableCell):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__


def test_a_run_has_a_connection_for_each_of_its_threads(store_url):
    """Every batch thread, the run's own thread and PostgreSQL's run lock hold a session at once
    without waiting for one another (SQLAlchemy's default pool has 15: more threads waited 30 s
    and failed their question)."""
    import threading

    from vpetl.settings import Settings

    settings = Settings(database_url=store_url, workers=20)
    sessions = open_store(store_url, connections=settings.store_connections)
    held = threading.Barrier(settings.store_connections, timeout=60)
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with sessions() as s:
                s.execute(select(1))  # checks a connection out until the session closes
                held.wait()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hold) for _ in range(settings.store_connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sessions.kw["bind"].pool.size() == settings.store_connections  # not more: SQLite has one writer
