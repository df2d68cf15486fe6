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
    assert (result.discovered, result.loaded) == (13, 13)
    scanned = 3 if ocr.available() else 0  # the scanned annex's list, where Tesseract can read it
    assert result.store["beneficiaries"] == 38 + 56 + 5 + scanned
    assert result.store["validations_failed"] == 0 and result.store["validations_passed"] == 11


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
        assert annexes[1402395].status == "not_pdf" and "text/html" in annexes[1402395].detail
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
    assert n["questions"] == 13
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
