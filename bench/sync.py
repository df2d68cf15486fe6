"""Sync benchmark: a synthetic session on the mirror, synced twice.

    python bench/sync.py [--questions 200] [--rate 0]

Builds a session of N synthetic questions (fixtures/synthetic.py), serves it from the mirror
on 127.0.0.1, and runs `vpetl sync` twice in this process (Prefect's start-up is paid once,
before timing, by a warm-up flow). Prints each sync's wall time, the second as a share of the
first (target: at most 10%), the requests the mirror received and the PDF bodies downloaded
(target: 0 on the second run). `--rate 0` lifts the rate limit (the mirror is local)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "fixtures"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--rate", type=float, default=0.0, help="requests per second per host (0: no limit)")
    args = ap.parse_args()
    from flows.settings import prefect_offline

    prefect_offline(ROOT / ".prefect")
    import synthetic
    from prefect import flow
    from sqlalchemy import func, select

    from flows.ingest import sync
    from schema import models as m
    from schema.db import open_store
    from vlpar import mirror

    @flow
    def warm_up() -> None:
        pass

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stats = synthetic.generate(tmp / "site", args.questions, seed=1)
        print(f"synthetic session: {stats.questions} questions, {stats.answers} answers, {stats.annexes} annexes, "
              f"{stats.pages} pages")
        server, base = mirror.start(tmp / "site")
        requests = server.RequestHandlerClass.corpus.requests
        db = f"sqlite:///{tmp / 'bench.sqlite'}"
        warm_up()
        times, served = [], []
        for label in ("first", "second"):
            before = len(requests)
            started = time.perf_counter()
            (result,) = sync(sessions=["2019-2020"], api_base=base, database_url=db, data_dir=str(tmp / "data"),
                             rate=args.rate)
            times.append(time.perf_counter() - started)
            served.append(len(requests) - before)
            with open_store(db)() as s:
                bodies = s.scalar(select(func.count()).select_from(m.FetchLog).where(
                    m.FetchLog.ingest_run_id == result["ingest_run_id"], m.FetchLog.status == 200,
                    m.FetchLog.requested_url.contains("pfile")))
            print(f"{label} sync: {times[-1]:.1f} s, {served[-1]} requests, {bodies} PDF bodies downloaded, "
                  f"{result['loaded']} loaded, {result['unchanged']} unchanged, {result['extractions']} extractions")
        server.shutdown()
        print(f"second sync / first sync: {times[1] / times[0]:.1%} (target: at most 10%)")


if __name__ == "__main__":
    main()
