"""The command line, as a user runs it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vpetl.cli import app

from .conftest import FILES, ROOT, SHARED


def test_tables_json_is_what_the_scorer_reads(tmp_path):
    result = CliRunner().invoke(app, ["tables", str(FILES / "1402341.pdf"), "--json"])
    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)["tables"]
    assert [t["page"] for t in tables] == [2, 3]  # one logical table, one entry per page
    assert tables[1]["cells"][0]["row"] == 0


@pytest.mark.shared
def test_the_scorer_parses_our_tables_json(tmp_path):
    """Run where ../shared is (set aside, and counted in the summary, where it is not)."""
    result = CliRunner().invoke(app, ["tables", str(FILES / "1402341.pdf"), "--json"])
    (tmp_path / "1402341.json").write_text(result.stdout)
    run = subprocess.run([sys.executable, str(SHARED / "tools" / "score_tables.py"),
                          str(SHARED / "bench" / "icdar2013-dev"), str(tmp_path), "--json"],
                         capture_output=True, text=True, check=True)
    assert json.loads(run.stdout)["documents"] > 0


def test_tables_on_a_broken_pdf_says_why():
    result = CliRunner().invoke(app, ["tables", str(FILES / "1402443.pdf")])
    assert result.exit_code == 1 and "unreadable PDF" in result.output


def test_tables_json_of_a_broken_pdf_leaves_stdout_empty():
    """A script reading `vpetl tables FILE --json` gets JSON or nothing on stdout; the reason on stderr."""
    vpetl = Path(sys.executable).parent / "vpetl"
    run = subprocess.run([str(vpetl), "tables", str(FILES / "1402443.pdf"), "--json"], capture_output=True,
                         text=True, timeout=120, env=dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false"))
    assert run.returncode == 1
    assert run.stdout == ""
    assert "unreadable PDF" in run.stderr


@pytest.mark.slow
def test_demo_twice_through_the_real_command(tmp_path, prefect):
    from prefect.settings import get_current_settings

    # on the session's Prefect server, as with `prefect server start` (the wheel's test starts its own)
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), VPETL_DATABASE_URL="",
               PREFECT_API_URL=str(get_current_settings().api.url))
    cmd = [str(Path(sys.executable).parent / "vpetl"), "demo", "--db", f"sqlite:///{tmp_path / 'd.sqlite'}",
           "--data-dir", str(tmp_path / "data")]
    outputs = []
    for _ in range(2):
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        outputs.append([line for line in run.stdout.splitlines() if "│" in line])
    assert outputs[0] == outputs[1]
    from vpetl.extractors import ocr

    expected = "108" if ocr.available() else "105"  # the scanned annex is read where Tesseract is installed
    assert any("beneficiaries" in line and expected in line for line in outputs[0])
    out = subprocess.run([cmd[0], "export", "--format", "csv", "--out", str(tmp_path / "x"), "--db", cmd[3]],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and (tmp_path / "x" / "table_cells.csv").exists()
    # every question has its asker's id and, the mirror having every asker's member record, a party
    with (tmp_path / "x" / "questions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 15 and all(r["asker_id"] and r["minister_id"] for r in rows)
    assert all(r["asker_party_id"] and r["asker_party_name"] and r["asker_party_status"] == "member" for r in rows)
    assert {r["asker_party_name"] for r in rows if r["asker"] == "Hannes Anaf"} == {"sp·a"}
    assert any("Vooruit (then sp·a)" in line for line in outputs[0])  # the demo's table by party


def test_single_documents_by_url_and_by_file(tmp_path, mirror_base, prefect):
    db = f"sqlite:///{tmp_path / 'one.sqlite'}"
    runner = CliRunner()
    by_url = runner.invoke(app, ["ingest", "--url", "http://www.vlaamsparlement.be/link?id=9682", "--api-base",
                                 mirror_base, "--db", db, "--data-dir", str(tmp_path / "data"), "--rate", "100"])
    assert by_url.exit_code == 0, by_url.output
    assert "read by vpetl.annex: 1 table, 56 beneficiaries" in by_url.output
    # the store and the blob folder named by the environment only
    by_file = runner.invoke(app, ["ingest", "--file", str(FILES / "1402290.pdf")],
                            env={"VPETL_DATABASE_URL": db, "VPETL_DATA_DIR": str(tmp_path / "env-data")})
    assert by_file.exit_code == 0, by_file.output
    assert "read by vpetl.answer: 1 table" in by_file.output
    from sqlalchemy import select

    from vpetl.schema import models as m
    from vpetl.schema.blobs import BlobStore
    from vpetl.schema.db import open_store

    with open_store(db)() as s:
        docs = {d.source_url: d for d in s.scalars(select(m.Document))}
    local = (FILES / "1402290.pdf").resolve().as_uri()
    assert local in docs and docs[local].size == (FILES / "1402290.pdf").stat().st_size
    sha = docs[local].sha256
    assert BlobStore(tmp_path / "env-data" / "blobs").path(sha).exists()
    assert "http://www.vlaamsparlement.be/link?id=9682" in docs


def test_a_document_loaded_on_its_own_is_in_the_export_and_the_views(tmp_path):
    from sqlalchemy import text

    from vpetl.schema.db import open_store

    db = f"sqlite:///{tmp_path / 'one.sqlite'}"
    loaded = CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402519.pdf"), "--db", db, "--data-dir",
                                      str(tmp_path / "d")])
    assert loaded.exit_code == 0, loaded.output
    out = CliRunner().invoke(app, ["export", "--out", str(tmp_path / "x"), "--db", db])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in (tmp_path / "x" / "beneficiaries.jsonl").read_text().splitlines()]
    assert len(rows) == 56 and {r["question_id"] for r in rows} == {None}
    assert rows[0]["provenance"]["source_url"] == (FILES / "1402519.pdf").resolve().as_uri()
    with open_store(db)() as s:
        assert s.scalar(text("SELECT count(*) FROM v_beneficiaries WHERE question_id IS NULL")) == 56


def test_status_shows_whole_values_and_why_a_run_failed(tmp_path):
    from datetime import UTC, datetime

    from vpetl.schema import models as m
    from vpetl.schema.db import open_store

    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    with open_store(db)() as s, s.begin():
        s.add(m.IngestRun(started_at=datetime(2026, 11, 27, 6, 0, tzinfo=UTC), status="failed", api_base="x",
                          query={"session_year": "2019-2020"}, error="LockLost: the run lock is no longer held"))
    shown = CliRunner().invoke(app, ["status", "--db", db])  # piped, as a script reads it
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "run\tstarted\tstatus\tquery\tfound\tloaded\tunchanged\tfailed\tretries"
    assert lines[1].split("\t")[:4] == ["1", "2026-11-27 06:00", "failed", "2019-2020"]
    assert "run 1 failed: LockLost: the run lock is no longer held" in lines
