"""Used as a person would, round 3: through the real `vpetl` command, each thing a user met,
with the one line it now prints and its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from vpetl.cli import app
from vpetl.schema import models as m
from vpetl.schema.db import open_store

VPETL = str(Path(sys.executable).parent / "vpetl")


def vpetl(args: list[str], tmp: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed command, in `tmp`, with no Prefect server named and Prefect's home in `tmp`."""
    environ = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL" and not k.startswith("VPETL_")}
    environ.update(PREFECT_HOME=str(tmp / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   VPETL_BACKOFF="0.05", COLUMNS="200", **env)
    return subprocess.run([VPETL, *args], capture_output=True, text=True, cwd=tmp, env=environ, timeout=timeout)


def test_a_one_off_ingest_runs_without_prefect(tmp_path, mirror_base):
    """No PREFECT_API_URL and no --prefect: the core runs at once; no temporary Prefect server is
    started (it would make its database under PREFECT_HOME) and the run has no flow run."""
    args = ["ingest", "--session", "2019-2020", "--question", "289", "--api-base", mirror_base, "--db",
            f"sqlite:///{tmp_path / 's.sqlite'}", "--data-dir", str(tmp_path / "data")]
    first = vpetl([*args, "--rate", "0"], tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "vpetl: 1 question loaded, 0 unchanged, 0 failed, of 1 found" in first.stdout
    started = time.monotonic()
    again = vpetl(args, tmp_path)  # the question unchanged: the README's one-off timing
    print(f"unchanged question, without Prefect: {time.monotonic() - started:.1f} s")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 questions loaded, 1 unchanged" in again.stdout and "0 new documents" in again.stdout
    assert "Prefect" not in again.stdout + again.stderr
    assert not (tmp_path / "prefect-home").exists() or not list((tmp_path / "prefect-home").glob("*.db"))
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}")() as s:
        assert s.scalars(select(m.IngestRun.flow_run_id)).all() == [None, None]


def test_prefect_is_used_when_asked_for(tmp_path, mirror_base, prefect):
    """--prefect runs the flow (here on the tests' Prefect server): the run has a flow run."""
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(app, ["ingest", "--session", "2019-2020", "--question", "289", "--api-base",
                                      mirror_base, "--db", db, "--data-dir", str(tmp_path / "d"), "--rate", "0",
                                      "--prefect"])
    assert result.exit_code == 0, result.output
    with open_store(db)() as s:
        assert s.scalars(select(m.IngestRun.flow_run_id)).one() is not None

