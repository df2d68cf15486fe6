"""One temporary Prefect server for a whole test run, shared by its xdist workers.

`prefect_test_harness` starts a server in each worker that asks for one, each migrating a new
database (about 8 CPU-s and 8 s before the first flow can run). This starts one server, the way
the harness does (the same uvicorn app, without its UI), in the process that starts the workers,
before they import and collect, so its start overlaps theirs. It is a whole server, as `prefect
server start` runs one (its scheduler too, not the services no test uses): `vpetl serve`'s test
needs one, and no other is made. Every test that reads from the server filters by its own flow
run or deployment, so workers sharing it see only theirs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Where the workers find the server (inherited from the process that starts them). Not a
# PREFECT_ or VPETL_ variable: a test that leaves PREFECT_API_URL unset sees no server, and vpetl
# warns of a VPETL_ variable it does not know.
URL_VARIABLE = "PYTEST_VPETL_PREFECT_API_URL"
START_WAIT = 120.0  # seconds: a start takes about 8 s idle; a loaded 2-core machine, several times that
DRAIN_WAIT = 10.0  # seconds for what a flow logged to reach the server
# Services of the server that no test uses (no work pools, pauses, cancellations, concurrency
# leases or automations; a late run is not waited for): off, they cost neither their start
# (2-3 CPU-s of the server's 13) nor their loops, most every 5 s. The scheduler, the task run
# recorder and the event persister stay: `vpetl serve`'s test needs them.
UNUSED_SERVICES = ("FOREMAN", "LATE_RUNS", "PAUSE_EXPIRATIONS", "CANCELLATION_CLEANUP", "REPOSSESSOR",
                   "CLEANUP_RECONCILER", "TRIGGERS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start() -> tuple[subprocess.Popen[bytes], str, Path]:
    """The server's process (not waited for: `wait_until_up`), its API URL and its folder."""
    # where Prefect is, found without importing it (1.3 CPU-s before the workers can start)
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise RuntimeError("the tests need Prefect: pip install -e '.[test]'")
    folder = Path(tempfile.mkdtemp(prefix="vpetl-tests-prefect-"))
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(folder), "PREFECT_UI_ENABLED": "0",
           "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{folder / 'prefect.db'}",
           **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in UNUSED_SERVICES}}
    env.pop("PREFECT_API_URL", None)
    # dies with the test run, however it ends (setpriv: the kernel kills it when its parent dies)
    leash = ("setpriv", "--pdeathsig", "TERM", "--") if shutil.which("setpriv") else ()
    with (folder / "server.log").open("wb") as log:  # the server writes to its own copy of the file
        process = subprocess.Popen(
            [*leash, sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.origin).parent.parent),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=subprocess.DEVNULL, stderr=log)
    return process, f"http://127.0.0.1:{port}/api", folder


def wait_until_up(url: str, seconds: float = START_WAIT) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the tests' Prefect server at {url} did not answer within {seconds:g} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Killed, not stopped: a graceful stop took a second at the end of every run, to shut down
    services and close a database that is deleted next. The server starts nothing of its own."""
    process.kill()
    process.wait()
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def used(url: str) -> Iterator[None]:
    """Flows in this process run on the server at `url` (as under the harness), and what they
    logged or emitted has reached it when the block ends."""
    import prefect.settings
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    wait_until_up(url)
    with prefect.settings.temporary_settings(updates={prefect.settings.PREFECT_API_URL: url}):
        yield
        APILogWorker.drain_all(timeout=DRAIN_WAIT)
        EventsWorker.drain_all()
