"""Re-extraction without the network, diffs, stable ids, reviews that survive, traces."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import text

from vpetl import extractors
from vpetl.extractors import municipalities
from vpetl.schema.db import open_store
from vpetl.schema.diff import diff_runs
from vpetl.schema.export import beneficiaries as export_beneficiaries
from vpetl.schema.export import table_cells
from vpetl.schema.review import add_review, export_file, import_file, orphans
from vpetl.schema.trace import as_prov, trace


@pytest.fixture
def store(prefect, mirror_base, tmp_path, store_url):
    from .conftest import flow_ingest

    url = store_url
    flow_ingest(question=289, api_base=mirror_base, database_url=url,
           data_dir=str(tmp_path / "data"), rate=100)
    return url, tmp_path


def cell(session, raw_text: str) -> dict:
    return next(c for c in table_cells(session) if c["raw_text"] == raw_text)


def test_reextract_new_version_offline_keeps_ids_and_corrections(store, monkeypatch):
    from vpetl.pipeline import reextract
    from vpetl.pipeline.pool import InProcess
    from vpetl.settings import Settings

    url, tmp = store
    settings = Settings(database_url=url, data_dir=tmp / "data")
    sessions = open_store(url)
    with sessions() as s, s.begin():
        before = cell(s, "100 (*)")
        add_review(s, before["id"], "correct", "Jan Peeters", "definitief cijfer", value="101")
        gent = next(b for b in export_beneficiaries(s) if b["name"] == "Stad Gent")
    # nothing to do at the same version: no extraction, no new run
    assert reextract(settings, questions=[1402289], extractor=InProcess(settings)) == []

    # a new extractor version that reads Gent differently; no request may leave this process
    def no_network(*args, **kwargs):
        raise AssertionError("re-extraction made an HTTP request")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", no_network)
    from vpetl.extractors import version

    old_identity = extractors.identity(settings.ocr)
    monkeypatch.setattr(version, "source_hash", lambda: "an edited extractor")  # as after an upgrade
    new_identity = extractors.identity(settings.ocr)
    assert new_identity != old_identity and new_identity.startswith(version.RELEASE + "+")
    real = municipalities.resolve
    monkeypatch.setattr(municipalities, "resolve", lambda name, on: None if "Gent" in name else real(name, on))
    rows = reextract(settings, questions=[1402289], extractor=InProcess(settings))
    assert len(rows) == 3  # the answer and both annexes
    changed = {r.question_id: r for r in rows if r.changed}
    assert changed and all(r.previous_run_id for r in rows)

    with sessions() as s:
        after = cell(s, "100 (*)")
        assert after["id"] == before["id"]  # same fact, same id
        assert after["provenance"]["extractor_version"] == new_identity
        assert (after["value"], after["corrected_value"]) == ("100", "101")
        assert after["review"]["status"] == "corrected" and after["review"]["reviewer"] == "Jan Peeters"
        gent_now = next(b for b in export_beneficiaries(s) if b["name"] == "Stad Gent")
        assert gent_now["id"] == gent["id"] and gent_now["kind"] == "organisation"
        annex_run = next(r for r in rows if r.run_id == gent_now["provenance"]["run_id"])
        d = diff_runs(s, annex_run.previous_run_id, annex_run.run_id)
        (change,) = [c for c in d.changed if c["old"].get("name") == "Stad Gent"]
        assert (change["old"]["nis_code"], change["new"]["nis_code"]) == ("44021", None)
        assert not d.added and not d.removed
        # older runs are superseded, not deleted
        n_runs = s.execute(text("select count(*) from extraction_runs")).scalar()
        assert n_runs == 6
        t = trace(s, before["id"])
        assert [r["extraction_run"]["extractor_version"] for r in t["runs"]] == [new_identity, old_identity]
        assert t["runs"][0]["document"]["sha256"] == after["provenance"]["document_sha256"]
        prov = as_prov(t)
        types = {n["@id"].split("/")[0]: n["@type"] for n in prov["@graph"]}
        assert types["vpetl:fact"] == "prov:Entity" and types["vpetl:extraction-run"] == "prov:Activity"
        json.dumps(prov)


def test_corrections_file_round_trip_and_orphans(store, tmp_path):
    url, _ = store
    sessions = open_store(url)
    with sessions() as s, s.begin():
        fid = cell(s, "198.707,50€")["id"]
        add_review(s, fid, "verify", "An Smet", "nagerekend met bijlage 1")
    with sessions() as s:
        assert export_file(s, tmp_path / "corrections.jsonl") == 1
    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with other() as s, s.begin():
        assert import_file(s, tmp_path / "corrections.jsonl") == 1
    with other() as s, s.begin():
        assert import_file(s, tmp_path / "corrections.jsonl") == 0  # idempotent
    with other() as s:  # the other store has no such fact: the review is reported, not lost
        assert [r.fact_id for r in orphans(s)] == [fid]


def test_views_join_facts_to_provenance(store):
    url, _ = store
    with open_store(url)() as s:
        row = s.execute(text("select value, unit, source_url, document_sha256, extractor, page from v_table_cells "
                             "where raw_text = '198.707,50€'")).one()
        assert row.value == "198707.50" and row.extractor == "vpetl.answer" and row.page == 2
        n, total = s.execute(text("select count(*), sum(amount_cents) from v_beneficiaries "
                                  "where annex_label = 'Bijlage 2'")).one()
        assert (n, total) == (56, 24496500)


def test_datasette_serves_the_store_as_is(prefect, mirror_base, tmp_path):
    import asyncio

    from datasette.app import Datasette

    from .conftest import flow_ingest

    path = tmp_path / "vpetl.sqlite"
    flow_ingest(question=289, api_base=mirror_base, database_url=f"sqlite:///{path}",
           data_dir=str(tmp_path / "data"), rate=100)

    async def get(url: str):
        return (await Datasette([str(path)]).client.get(url)).json()

    rows = asyncio.run(get("/vpetl/v_table_cells.json?_shape=array&raw_text=198.707,50€"))
    assert [(r["value"], r["extractor"], r["page"]) for r in rows] == [("198707.50", "vpetl.answer", 2)]
