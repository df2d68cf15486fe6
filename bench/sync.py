"""Sync benchmark: a synthetic session on the mirror, synced twice.

    python bench/sync.py [--questions 200] [--rate 0]

Builds a session of N synthetic questions (fixtures/synthetic.py), serves it from the mirror
on 127.0.0.1, and runs `vpetl sync` twice in this process (Prefect's start-up is paid once,
before timing, by a warm-up flow). Prints each sync's wall time, the second as a share of the
first (target: at most 10%), the requests the mirror received and the PDF bodies downloaded
(target: 0 on the second run). `--rate 0` lifts the rate limit (the mirror is local)."""

from __future__ import annotations

import argparse
import time

from _site import synthetic_site


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--rate", type=float, default=0.0, help="requests per second per host (0: no limit)")
    args = ap.parse_args()
    with synthetic_site(args.questions) as site:
        from sqlalchemy import func, select

        from vpetl.flows.ingest import sync
        from vpetl.schema import models as m
        from vpetl.schema.db import open_store
        from vpetl.settings import Settings

        db = f"sqlite:///{site.tmp / 'bench.sqlite'}"
        times = []
        for label in ("first", "second"):
            before = len(site.requests)
            started = time.perf_counter()
            (result,) = sync(["2019-2020"], Settings(api_base=site.base, database_url=db,
                                                     data_dir=site.tmp / "data", rate=args.rate))
            times.append(time.perf_counter() - started)
            with open_store(db)() as s:
                bodies = s.scalar(select(func.count()).select_from(m.FetchLog).where(
                    m.FetchLog.ingest_run_id == result.ingest_run_id, m.FetchLog.status == 200,
                    m.FetchLog.requested_url.contains("pfile")))
            print(f"{label} sync: {times[-1]:.1f} s, {len(site.requests) - before} requests, {bodies} PDF bodies "
                  f"downloaded, {result.loaded} loaded, {result.unchanged} unchanged, "
                  f"{result.extractions} extractions")
        print(f"second sync / first sync: {times[1] / times[0]:.1%} (target: at most 10%)")


if __name__ == "__main__":
    main()
