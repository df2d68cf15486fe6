"""Pipeline benchmark: a whole synthetic session through discovery, fetch, extraction and load.

    python bench/pipeline.py [--questions 8000] [--no-plain]

Generates N questions (fixtures/synthetic.py) on the mirror (127.0.0.1, rate limit lifted) and
ingests them into a fresh SQLite store with the Prefect flow; then (unless --no-plain) runs the
very same steps as plain function calls without Prefect into another store. Prints questions
per minute, pages per second, CPU seconds by process (the flow's process: discovery, fetching,
loading and orchestration; the extraction workers), peak resident memory of each, and the
orchestration overhead as the ratio of the two wall times."""

from __future__ import annotations

import argparse
import resource
import time

from _site import synthetic_site


def usage() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime, me.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=8000)
    ap.add_argument("--no-plain", action="store_true", help="skip the run without Prefect")
    args = ap.parse_args()
    with synthetic_site(args.questions) as site:
        from vpetl import pipeline
        from vpetl.flows.ingest import ingest
        from vpetl.settings import Settings

        walls = {}
        for label in ("prefect", "plain") if not args.no_plain else ("prefect",):
            cpu0, _ = usage()
            started = time.perf_counter()
            settings = Settings(api_base=site.base, database_url=f"sqlite:///{site.tmp / label}.sqlite",
                                data_dir=site.tmp / f"data-{label}", rate=0)
            query = pipeline.Query(session_year="2019-2020")
            # the same core, through the Prefect flow, or called directly
            result = ingest(query, settings) if label == "prefect" else pipeline.execute(query, settings)
            wall = walls[label] = time.perf_counter() - started
            cpu1, rss = usage()
            print(f"[{label}] {result.loaded}/{result.discovered} questions in {wall:.0f} s: "
                  f"{result.loaded / wall * 60:.0f} questions/min, {site.stats.pages / wall:.1f} pages/s; "
                  f"CPU {cpu1 - cpu0:.0f} s in the flow's process (mirror, fetch, load, orchestration), "
                  f"{result.extraction_cpu_s:.0f} s extracting in workers; peak RSS {rss:.0f} MB (flow's "
                  f"process), {result.extraction_peak_mb} MB (largest worker); {result.store['cells']} cells, "
                  f"{result.store['beneficiaries']} beneficiaries, {result.failed} failed")
        if "plain" in walls:
            print(f"orchestration overhead: Prefect run {walls['prefect']:.0f} s vs plain {walls['plain']:.0f} s = "
                  f"{walls['prefect'] / walls['plain'] - 1:+.1%}")


if __name__ == "__main__":
    main()
