"""The ingestion flow end to end: the mirror over HTTP, Prefect, SQLite, the export."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from vpetl.extractors import ocr
from vpetl.schema import models as m
from vpetl.schema.db import open_store
from vpetl.schema.export import export


@pytest.fixture(scope="module")
def ingested(prefect, mirror_base, tmp_path_factory):
    from .conftest import flow_ingest

    tmp = tmp_path_factory.mktemp("flow")
    url = f"sqlite:///{tmp / 'vpetl.sqlite'}"
    first = flow_ingest(api_base=mirror_base, database_url=url, data_dir=str(tmp / "data"),
                   rate=100)
    return url, tmp, first


def counts(url: str) -> dict[str, int]:
    with open_store(url)() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in
                (m.Question, m.Document, m.ExtractionRun, m.TableCell, m.Beneficiary, m.ValidationResult, m.Annex)}


def test_everything_discovered_is_loaded(ingested):
    url, _, result = ingested
    assert (result.discovered, result.loaded) == (15, 15)
    scanned = 3 if ocr.available() else 0  # the scanned annex's list, where Tesseract can read it
    assert result.store["beneficiaries"] == 38 + 56 + 5 + 6 + scanned  # 6 from an Excel annex
    assert result.store["validations_failed"] == 0 and result.store["validations_passed"] == 12


def test_second_run_changes_nothing(ingested, mirror_base):
    from .conftest import flow_ingest

    url, tmp, _ = ingested
    before = counts(url)
    flow_ingest(api_base=mirror_base, database_url=url, data_dir=str(tmp / "data"), rate=100)
    assert counts(url) == before


def test_raw_bytes_are_kept_by_sha256(ingested):
    url, tmp, _ = ingested
    from vpetl.schema.blobs import BlobStore

    blobs = BlobStore(tmp / "data" / "blobs")
    with open_store(url)() as s:
        docs = s.scalars(select(m.Document)).all()
    assert docs and all(d.sha256 in blobs and len(blobs.get(d.sha256)) == d.size for d in docs)


def test_what_cannot_be_read_is_recorded(ingested):
    url, _, _ = ingested
    with open_store(url)() as s:
        annexes = {a.question_id: a for a in s.scalars(select(m.Annex))}
        assert annexes[1402395].status == "not_a_document" and "text/html" in annexes[1402395].detail
        assert ("read by OCR" if ocr.available() else "needs OCR") in annexes[1402404].detail
        broken = s.scalars(select(m.ExtractionRun).where(m.ExtractionRun.status == "failed")).all()
        assert [r.error.startswith("unreadable PDF") for r in broken] == [True]
        unanswered = s.get(m.Question, 1402388)
        assert unanswered.status == "Vraag gesteld aan de minister" and unanswered.answer_document_id is None
        linked = annexes[1402417]  # linked only through a PDF link annotation
        assert linked.status == "ok" and linked.url == "http://www.vlaamsparlement.be/link?id=9720"


def test_export_follows_the_contract(ingested, tmp_path):
    url, _, _ = ingested
    with open_store(url)() as s:
        n = export(s, tmp_path, "jsonl")
    assert n["questions"] == 15
    rows = {kind: [json.loads(line) for line in (tmp_path / f"{kind}.jsonl").open()] for kind in n}
    q = next(r for r in rows["questions"] if r["number"] == 289)
    assert (q["session_year"], q["date_asked"], q["asker"], q["minister"]) == (
        "2019-2020", "2020-01-23", "Maurits Vande Reyde", "Hilde Crevits")
    assert [a["url"] for a in q["annexes"]] == ["http://www.vlaamsparlement.be/link?id=9681",
                                                "http://www.vlaamsparlement.be/link?id=9682"]
    cell = next(c for c in rows["table_cells"] if c["question_id"] == q["id"] and c["raw_text"] == "100 (*)")
    assert (cell["value"], cell["row_label"], cell["column_label"]) == ("100", "Aantal sessies", "2019")
    assert cell["footnotes"] == [{"marker": "*", "text": "cijfer 2019 nog niet definitief"}]
    prov = cell["provenance"]
    assert prov["source_url"] == "https://docs.vlaamsparlement.be/files/pfile?id=1402290"
    assert len(prov["document_sha256"]) == 64 and prov["page"] == 2 and len(prov["bbox"]) == 4
    assert prov["extractor"] == "vpetl.answer" and prov["run_id"] and prov["flow_run_id"]
    assert prov["fetched_at"].endswith("+00:00")
    bens = [b for b in rows["beneficiaries"] if b["question_id"] == q["id"]]
    assert len(bens) == 94
    assert sum(int(b["amount_eur"].replace(".", "")) for b in bens if b["annex_label"] == "Bijlage 1") == 19870750
    b = next(b for b in bens if b["name"] == "Gemeente Nazareth")
    assert (b["kind"], b["nis_code_at_time"], b["nis_code"], b["call_year"]) == ("municipality", "44048", "44086", 2019)
    assert b["provenance"]["final_url"] == "https://docs.vlaamsparlement.be/files/pfile?id=1402519"
    assert {v["status"] for v in rows["validations"]} == {"pass"}
    with open_store(url)() as s:
        export(s, tmp_path / "csv", "csv")
    header = (tmp_path / "csv" / "beneficiaries.csv").read_text().splitlines()[0]
    assert header.startswith("id,question_id,annex_label,call_year,name,normalised_name,kind")


def test_an_annex_reached_by_two_routes_is_one_document(ingested, tmp_path):
    """Question 289's record lists its annexes by their files; its answer prints their short links."""
    url, _, _ = ingested
    with open_store(url)() as s:
        annexes = s.scalars(select(m.Annex).where(m.Annex.question_id == 1402289).order_by(m.Annex.position)).all()
    assert [(a.label, a.url, a.other_urls) for a in annexes] == [
        ("Bijlage 1", "http://www.vlaamsparlement.be/link?id=9681",
         ["https://docs.vlaamsparlement.be/files/pfile?id=1402518"]),
        ("Bijlage 2", "http://www.vlaamsparlement.be/link?id=9682",
         ["https://docs.vlaamsparlement.be/files/pfile?id=1402519"])]
    with open_store(url)() as s:
        export(s, tmp_path, "jsonl")
    rows = [json.loads(line) for line in (tmp_path / "beneficiaries.jsonl").read_text().splitlines()]
    of_289 = [r for r in rows if r["question_id"] == 1402289]
    assert len(of_289) == 38 + 56 and len({r["id"] for r in rows}) == len(rows)  # every beneficiary once
    first = next(r for r in of_289 if r["annex_label"] == "Bijlage 1")["provenance"]
    assert first["other_source_urls"] == ["https://docs.vlaamsparlement.be/files/pfile?id=1402518"]
    assert first["document_media_type"] == "application/pdf" and first["sheet"] is None


def test_the_answer_is_told_apart_whatever_the_order_of_the_files(ingested):
    url, _, _ = ingested
    with open_store(url)() as s:
        q404 = s.get(m.Question, 1402404)  # its record lists the annex before the answer
        assert q404.answer_url == "https://docs.vlaamsparlement.be/files/pfile?id=1402405"
        assert q404.answer_identified_by == "search hit"
        assert [a.url for a in q404.annexes] == ["http://www.vlaamsparlement.be/link?id=9712"]
        assert s.get(m.Question, 1402312).number == 312  # no vraagnummer in its record: the hit's nummer
        q325 = s.get(m.Question, 1402325)  # no last_modified anywhere: normal
        assert q325.last_modified is None and q325.complete


def test_word_and_excel_facts_are_exported_with_where_they_stand(ingested, tmp_path):
    """Question 455's answer and 467's answer are Word files, 467's annex an Excel workbook; the
    mirror serves them as application/octet-stream: what they are comes from their bytes."""
    url, _, _ = ingested
    with open_store(url)() as s:
        export(s, tmp_path, "jsonl")
    cells = [json.loads(line) for line in (tmp_path / "table_cells.jsonl").read_text().splitlines()]
    total = next(c for c in cells if c["question_id"] == 1402455 and c["row_label"] == "Totaal"
                 and c["column_label"] == "2019")
    assert (total["value"], total["unit"], total["row"], total["col"]) == ("1503", "count", 6, 2)
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert total["provenance"] | {"document_media_type": docx_type, "page": None, "bbox": None, "sheet": None,
                                  "cell": None} == total["provenance"]
    rows = [json.loads(line) for line in (tmp_path / "beneficiaries.jsonl").read_text().splitlines()]
    excel = [r for r in rows if r["question_id"] == 1402467]
    assert sorted((r["name"], r["amount_eur"], r["provenance"]["cell"]) for r in excel)[:2] == [
        ("Chiro Sint-Kruis", "48500.00", "B5"), ("Jeugdhuis Zwerm", "29000.00", "B9")]
    p = excel[0]["provenance"]
    assert (p["sheet"], p["page"], p["bbox"], p["document_media_type"]) == (
        "Oproep 2020", None, None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    checks = [json.loads(line) for line in (tmp_path / "validations.jsonl").read_text().splitlines()]
    assert any(c["question_id"] == 1402467 and c["status"] == "pass" for c in checks)


def test_trace_shows_the_sheet_and_cell_of_a_spreadsheet_fact(ingested):
    from typer.testing import CliRunner

    from vpetl.cli import app

    url, _, _ = ingested
    with open_store(url)() as s:
        fact = s.scalars(select(m.Beneficiary).where(m.Beneficiary.name == "Scouts Heverlee")).one()
    shown = CliRunner().invoke(app, ["trace", fact.fact_id, "--db", url])
    assert shown.exit_code == 0, shown.output
    assert "  where       sheet 'Oproep 2020', cell B7" in shown.output
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in shown.output
    as_json = json.loads(CliRunner().invoke(app, ["trace", fact.fact_id, "--db", url, "--format", "json"]).stdout)
    assert (as_json["runs"][0]["sheet"], as_json["runs"][0]["cell"], as_json["runs"][0]["page"]) == (
        "Oproep 2020", "B7", None)


def test_the_flow_run_page_shows_progress_and_outcome(ingested):
    """What the Prefect UI shows for the run: its progress lines and its summary, in its logs."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    url, _, _ = ingested
    with open_store(url)() as s:
        flow_run_id = s.scalars(select(m.ExtractionRun.flow_run_id).where(m.ExtractionRun.flow_run_id.is_not(None))
                                .order_by(m.ExtractionRun.id)).first()
    APILogWorker.drain_all(timeout=30)  # logs go to the server in batches

    async def logs() -> list[str]:
        async with get_client() as client:
            found = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            return [log.message for log in found]

    messages = asyncio.run(logs())
    assert "15/15 questions" in " ".join(messages)  # the last progress line
    assert any("15 loaded, 0 unchanged, 0 failed of 15 found" in message for message in messages)


def test_no_more_batches_in_flight_than_workers(prefect, mirror_base, tmp_path, monkeypatch):
    """The flow's default task runner has no bound of its own: 15 batches of one question with
    2 workers must still be 2 at a time (a session year's 800 batches were 800 threads, and
    their sessions ran the store's connection pool dry)."""
    import threading

    from vpetl.pipeline import question

    from .conftest import flow_ingest

    workers, in_flight, most, lock = 2, [0], [0], threading.Lock()
    crowded = threading.Event()  # set when more batches than workers run at once
    real = question.ingest_batch

    def counted(run, batch):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
            if in_flight[0] > workers:
                crowded.set()
        try:
            crowded.wait(0.3)  # a while for others to start, if they can: overlap is what is measured
            return real(run, batch)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(question, "ingest_batch", counted)
    result = flow_ingest(api_base=mirror_base, database_url=f"sqlite:///{tmp_path / 's.sqlite'}",
                         data_dir=str(tmp_path / "data"), rate=100, workers=workers, batch=1)
    assert (result.discovered, result.loaded, result.failed) == (15, 15, 0)
    assert most[0] == workers


def test_a_small_run_is_spread_over_every_thread():
    """Batches hold at most `batch` questions, fewer when one batch would leave threads idle."""
    from vpetl.pipeline.runner import batches

    sizes = lambda n, size, workers: [len(b) for b in batches(list(range(n)), size, workers)]  # noqa: E731
    assert sizes(15, 25, 4) == [4, 4, 4, 3]  # the demo: not one batch of 15 on one thread
    assert sizes(100, 25, 4) == [25] * 4 and sizes(7000, 25, 4) == [25] * 280
    assert sizes(3, 25, 4) == [1, 1, 1] and sizes(0, 25, 4) == []
    assert [q for b in batches(list(range(15)), 25, 4) for q in b] == list(range(15))  # in order, each once
