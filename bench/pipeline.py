"""Pipeline benchmark: a whole synthetic session through discovery, fetch, extraction and load.

    python bench/pipeline.py [--questions 8000] [--no-plain] [--rounds 3]

Generates N questions (fixtures/synthetic.py) on the mirror (127.0.0.1, rate limit lifted) and
ingests them into a fresh SQLite store with the Prefect flow; then (unless --no-plain) runs the
very same steps as plain function calls without Prefect into another store (with --rounds N,
N runs of each, alternating which goes first). Prints questions per minute, pages per second,
CPU seconds by process (the flow's process: discovery, fetching, loading and orchestration;
the extraction workers; Prefect's temporary server), peak resident memory of each and of all
together (sampled each second), and the orchestration overhead as the ratio of the two (median) wall times."""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from _site import Memory, helpers, server_cpu, synthetic_site

SETTLE = 10.0  # seconds: a temporary server was seen still recording a finished flow's events 10 s later


def usage() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime, me.ru_maxrss / 1024


def order(rounds: int, plain: bool) -> list[str]:
    """The runs, alternating which goes first each round: a later run meets warmer caches (the
    mirror's files, the interpreter's), so a single order would flatter one of the two."""
    if not plain:
        return ["prefect"] * rounds
    return [label for r in range(rounds) for label in (("prefect", "plain") if r % 2 == 0 else ("plain", "prefect"))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=8000)
    ap.add_argument("--no-plain", action="store_true", help="skip the run without Prefect")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each, alternating which goes first")
    args = ap.parse_args()
    with synthetic_site(args.questions) as site:
        from vpetl import pipeline
        from vpetl.flows.ingest import ingest
        from vpetl.settings import Settings

        walls: dict[str, list[float]] = {"prefect": [], "plain": []}
        for n, label in enumerate(order(args.rounds, not args.no_plain)):
            cpu0, _ = usage()
            server0 = server_cpu()
            memory = Memory()
            memory.start()
            started = time.perf_counter()
            settings = Settings(api_base=site.base, database_url=f"sqlite:///{site.tmp / label}-{n}.sqlite",
                                data_dir=site.tmp / f"data-{label}-{n}", rate=0)
            query = pipeline.Query(session_year="2019-2020")
            # the same core, through the Prefect flow, or called directly
            result = ingest(query, settings) if label == "prefect" else pipeline.execute(query, settings)
            wall = time.perf_counter() - started
            walls[label].append(wall)
            cpu1, rss = usage()
            memory.stop()
            time.sleep(SETTLE)  # the server records the last task runs' events after the flow returns
            server = server_cpu() - server0
            print(f"[{label}] {result.loaded}/{result.discovered} questions in {wall:.0f} s: "
                  f"{result.loaded / wall * 60:.0f} questions/min, {site.stats.pages / wall:.1f} pages/s; "
                  f"CPU {cpu1 - cpu0:.0f} s in the flow's process (mirror, fetch, load, orchestration), "
                  f"{result.extraction_cpu_s:.0f} s extracting in workers, {server:.1f} s in Prefect's server; "
                  f"peak RSS {rss:.0f} MB (flow's process), {result.extraction_peak_mb} MB (largest worker); "
                  f"{result.store['cells']} cells, {result.store['beneficiaries']} beneficiaries, "
                  f"{result.failed} failed; all processes together (flow, workers, forkserver, Prefect's server) "
                  f"peak {memory.peak_pss_mb:.0f} MB PSS, {memory.peak_rss_mb:.0f} MB RSS added up", flush=True)
        print("other processes, peak RSS: " + ", ".join(f"{h.name} {h.peak_mb:.0f} MB" for h in helpers()))
        if walls["plain"]:
            prefect, plain = statistics.median(walls["prefect"]), statistics.median(walls["plain"])
            print(f"orchestration overhead: Prefect run {prefect:.1f} s vs plain {plain:.1f} s "
                  f"(median of {len(walls['plain'])}) = {prefect / plain - 1:+.1%}")


if __name__ == "__main__":
    main()
