"""Malformed search pages met by the real command, as a user meets them (issue 20).

    python bench/search_faults.py [--case count-never-ends ...]

For each malformed search page of the hostile suite (`tests/test_hostile.py`, SEARCH_CASES),
serves it from the hostile imitation of the service and runs `vpetl ingest --session` in a
fresh process (which starts its temporary Prefect server, as at a terminal), then prints the
wall time, the requests the imitation answered, the exit code and the lines printed, against
the issue's bounds: one line, a non-zero exit, within 90 s and 120 requests. The tests assert
the requests and the line, never a time; this prints the time."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402
from tests.test_hostile import MARKUP, SEARCH_CASES  # noqa: E402

VPETL = str(Path(sys.executable).parent / "vpetl")
MAX_SECONDS, MAX_REQUESTS = 90.0, 120  # the bounds


def run_case(name: str, tmp: Path) -> tuple[float, int, int, list[str]]:
    """One case through the real command: seconds, requests, exit code, lines printed."""
    page, _ = SEARCH_CASES[name]
    site = hostile.HostileSite(search=page)
    site.replies["/pagina/onderhoud"] = hostile.Reply(body=MARKUP, headers={"Content-Type": "text/html"})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VPETL_", "PREFECT_API_URL"))}
    env.update(PREFECT_HOME=str(tmp / ".prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", VPETL_RETRIES="1",
               VPETL_DATABASE_URL=f"sqlite:///{tmp / f'{name}.sqlite'}", VPETL_DATA_DIR=str(tmp / "data"))
    started = time.perf_counter()
    try:
        done = subprocess.run([VPETL, "ingest", "--session", hostile.SESSION, "--api-base", site.base, "--rate", "0",
                               "--timeout", "5"], env=env, cwd=tmp, capture_output=True, text=True, timeout=600)
    finally:
        seconds = time.perf_counter() - started
        site.close()
    return seconds, len(site.requests), done.returncode, (done.stdout + done.stderr).splitlines()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", action="append", choices=sorted(SEARCH_CASES), help="Only this case (repeatable).")
    args = ap.parse_args()
    print(f"{'case':22s} {'seconds':>8s} {'requests':>9s} {'exit':>5s} {'lines':>6s}  first line")
    held = 0
    cases = args.case or list(SEARCH_CASES)
    with tempfile.TemporaryDirectory(prefix="vpetl-search-faults-") as tmp:
        for name in cases:
            seconds, requests, code, lines = run_case(name, Path(tmp))
            ok = seconds <= MAX_SECONDS and requests <= MAX_REQUESTS and code != 0 and len(lines) == 1
            held += ok
            print(f"{name:22s} {seconds:8.1f} {requests:9d} {code:5d} {len(lines):6d}  "
                  f"{(lines[0] if lines else '')[:90]}{'' if ok else '  OVER'}")
    print(f"{held} of {len(cases)} cases within {MAX_SECONDS:.0f} s and {MAX_REQUESTS} requests, in one line")


if __name__ == "__main__":
    main()
