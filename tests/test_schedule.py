"""The nightly schedule for real: a Prefect server, `vpetl serve`, and a run that happens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from vpetl.schema import models as m
from vpetl.schema.db import open_store

from . import prefect_server

BIN = Path(sys.executable).parent
DEPLOYMENT = "vpetl-nightly-test"


def api(url: str, body: dict | None = None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.25)
    pytest.fail(f"no {what} within {seconds:.0f} s")


@pytest.fixture
def scheduler(tmp_path):
    """The test run's Prefect server (a whole one, scheduler included: tests/prefect_server.py), and
    an environment for a command of this test; the deployment it serves is deleted afterwards."""
    url = os.environ[prefect_server.URL_VARIABLE]
    prefect_server.wait_until_up(url)
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    yield url, env
    wait_for(lambda: delete_deployments(url), 30, "deletion of the test's deployment")


def delete_deployments(url: str) -> bool:
    """The test's deployment deleted (and with it its schedule). The run's server is shared by
    the workers: its SQLite database, busy with another worker's flow, may answer 503 a while."""
    for deployment in api(f"{url}/deployments/filter", {"deployments": {"name": {"any_": [DEPLOYMENT]}}}):
        urllib.request.urlopen(urllib.request.Request(f"{url}/deployments/{deployment['id']}", method="DELETE"),
                               timeout=5).close()
    return True


@pytest.mark.slow
def test_a_scheduled_sync_runs_and_publishes_its_summary(scheduler, mirror_base, tmp_path):
    url, env = scheduler
    db = f"sqlite:///{tmp_path / 'nightly.sqlite'}"
    output = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [str(BIN / "vpetl"), "serve", "--interval", "5", "--session", "2019-2020", "--api-base", mirror_base,
         "--db", db, "--data-dir", str(tmp_path / "data"), "--rate", "100", "--name", DEPLOYMENT],
        # the runner asks for due runs each second, not each 10 s (Prefect's default)
        env=dict(env, PREFECT_API_URL=url, PREFECT_RUNNER_POLL_FREQUENCY="1"), stdout=output,
        stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def done_runs():
            with open_store(db)() as s:
                return s.scalars(select(m.IngestRun).where(m.IngestRun.status == "ok")).all()
        (first, *_) = wait_for(done_runs, 150, "scheduled run")
        flow_run = wait_for(lambda: (r := api(f"{url}/flow_runs/{first.flow_run_id}"))["state_type"] == "COMPLETED"
                            and r, 60, "completed flow run")
        artifacts = wait_for(lambda: api(f"{url}/artifacts/filter", {"artifacts": {"key": {"any_": [
            "vpetl-run-summary"]}}}), 30, "the run's summary artifact")  # (a busy server may answer 503 a while)

        def run_logs():  # what the flow run's page shows (its logs reach the server in batches, so a while later)
            found = [r["message"] for r in api(f"{url}/logs/filter", {"logs": {"flow_run_id": {
                "any_": [first.flow_run_id]}}, "limit": 200})]
            return found if any("15 loaded, 0 unchanged" in line for line in found) else None
        logs = wait_for(run_logs, 60, "the flow run's logs")
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)
        output.close()
    assert first.counts["loaded"] == 15 and flow_run["deployment_id"]
    printed = (tmp_path / "serve.log").read_text()  # what the person who started `serve` sees of each run
    assert "15/15 questions" in printed and "15 loaded, 0 unchanged, 0 failed of 15 found" in printed
    assert any("15/15 questions" in line for line in logs), logs
    assert any("15 loaded, 0 unchanged, 0 failed of 15 found" in line for line in logs), logs
    [artifact] = [a for a in artifacts if a["flow_run_id"] == first.flow_run_id]
    rows = {r["what"]: r for r in json.loads(artifact["data"])}
    assert rows["ingest run id"]["unit"] == "id" and rows["extraction cpu s"]["unit"] == "CPU seconds"
    assert (rows["loaded"]["value"], rows["loaded"]["unit"]) == (15, "count")


def test_serve_without_a_server_says_what_to_do(tmp_path):
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "ph"))
    env.pop("PREFECT_API_URL", None)
    run = subprocess.run([str(BIN / "vpetl"), "serve", "--cron", "0 6 * * *"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "prefect server start" in run.stdout
