"""One-off commands, timed as a user at a terminal meets them (each a fresh `vpetl` process).

    python bench/cli.py [--repeat 3]

Makes a store with the demo's mirror, then times `status`, `export`, `trace`, `diff`,
`review`, `reextract --all` with nothing to do, `tables` and `ingest --file` on the same PDF,
and prints the median wall time of each next to its target (issue 13): under 2 s for the
reading commands, under 3 s for a re-extraction with nothing to do, and `ingest --file` within
20% of `tables` on the same PDF."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VPETL = str(Path(sys.executable).parent / "vpetl")
PDF = Path(__file__).resolve().parent.parent / "fixtures" / "mirror" / "files" / "1402341.pdf"


def timed(args: list[str], env: dict[str, str], cwd: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run = subprocess.run([VPETL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - started)
        if run.returncode not in (0, 1):
            sys.exit(f"vpetl {' '.join(args)} failed: {run.stderr or run.stdout}")
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vpetl-bench-") as tmp:
        cwd = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VPETL_")}
        env.update(PREFECT_HOME=str(cwd / ".prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   VPETL_DATABASE_URL=f"sqlite:///{cwd / 'b.sqlite'}", VPETL_DATA_DIR=str(cwd / "data"))
        subprocess.run([VPETL, "demo"], env=env, cwd=cwd, capture_output=True, check=True, timeout=600)
        import sqlite3

        with sqlite3.connect(cwd / "b.sqlite") as db:
            fact = db.execute("SELECT fact_id FROM table_cells WHERE value IS NOT NULL LIMIT 1").fetchone()[0]
            run_a, run_b = (r[0] for r in db.execute("SELECT id FROM extraction_runs ORDER BY id LIMIT 2"))
        rows = [
            ("status", ["status"], 2.0),
            ("export (jsonl)", ["export", "--out", str(cwd / "out")], 2.0),
            ("trace", ["trace", fact], 2.0),
            ("diff", ["diff", str(run_a), str(run_b)], 2.0),
            ("review", ["review", fact, "--action", "verify", "--by", "bench"], 2.0),
            ("reextract --all (nothing to do)", ["reextract", "--all"], 3.0),
        ]
        print(f"{'command':34s} {'median s':>9s} {'target s':>9s}")
        for name, argv, target in rows:
            seconds = timed(argv, env, cwd, args.repeat)
            print(f"{name:34s} {seconds:9.2f} {target:9.1f}{'' if seconds <= target else '  OVER'}")
        tables = timed(["tables", str(PDF)], env, cwd, args.repeat)
        shutil.rmtree(cwd / "data", ignore_errors=True)
        by_file = timed(["ingest", "--file", str(PDF)], env, cwd, args.repeat)
        print(f"{'tables ' + PDF.name:34s} {tables:9.2f}")
        print(f"{'ingest --file ' + PDF.name:34s} {by_file:9.2f} {tables * 1.2:9.2f}"
              f"{'' if by_file <= tables * 1.2 else '  OVER'}  (within 20% of tables)")


if __name__ == "__main__":
    main()
