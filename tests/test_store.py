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


def test_a_new_sqlite_store_is_made_as_the_migrations_make_it(tmp_path):
    """A new SQLite store is made from `sqlite-schema.sql` (milliseconds, where the migrations
    copy tables); the file is what the migrations make now, and a store made from it is the
    same, object by object, as one the migrations made."""
    from sqlalchemy import text

    from vpetl.schema import versions
    from vpetl.schema.db import make_engine, migrate

    written = versions.write_sqlite_schema(tmp_path / "schema.sql")
    assert written == versions.SQLITE_SCHEMA.read_text(encoding="utf-8"), "run: python -m vpetl.schema.versions"

    def made(path, from_schema: bool) -> tuple[str, list[tuple]]:
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine, from_schema=from_schema)
        with engine.connect() as conn:
            columns = conn.execute(text("SELECT m.name, c.* FROM sqlite_master m, pragma_table_info(m.name) c "
                                        "WHERE m.type = 'table' ORDER BY 1, 2")).all()
            keys = conn.execute(text('SELECT m.name, k."table", k."from", k."to", k.on_update, k.on_delete FROM '
                                     "sqlite_master m, pragma_foreign_key_list(m.name) k WHERE m.type = 'table' "
                                     "ORDER BY 1, 2, 3")).all()
            return versions.sqlite_schema(conn), [*columns, *keys]

    (by_file, described), (by_migrations, as_migrated) = made(tmp_path / "a", True), made(tmp_path / "b", False)
    assert by_file == by_migrations == written and described == as_migrated
    assert "CREATE VIEW v_current_runs" in by_file and f"VALUES ('{versions.head()}')" in by_file


def test_a_schema_file_behind_the_migrations_is_not_used(tmp_path, monkeypatch):
    """A migration added and the file not written again: new stores are made by the migrations."""
    from vpetl.schema import versions
    from vpetl.schema.db import make_engine

    stale = tmp_path / "old.sql"
    stale.write_text(versions.SQLITE_SCHEMA.read_text().replace(f"VALUES ('{versions.head()}')", "VALUES ('0001')"))
    monkeypatch.setattr(versions, "SQLITE_SCHEMA", stale)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    open_store(url)
    assert versions.current(make_engine(url)) == versions.head()
