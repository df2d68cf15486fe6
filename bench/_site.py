"""What the benchmarks share: Prefect offline and warmed up, a synthetic session on the mirror."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Site:
    tmp: Path
    base: str
    stats: object  # fixtures.synthetic.Stats
    requests: list[str]  # every path the mirror was asked for


@contextmanager
def synthetic_site(questions: int, seed: int = 1) -> Iterator[Site]:
    """A temporary synthetic session served by the mirror on 127.0.0.1, with Prefect's start-up
    paid before anything is timed."""
    from vpetl.settings import prefect_offline

    prefect_offline(ROOT / ".prefect")
    from prefect import flow

    from vpetl.fixtures import synthetic
    from vpetl.vlpar import mirror

    @flow
    def warm_up() -> None:
        pass

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        stats = synthetic.generate(Path(tmp) / "site", questions, seed=seed)
        print(f"synthetic session: {stats.questions} questions, {stats.answers} answers, {stats.annexes} annexes, "
              f"{stats.pages} pages, {stats.bytes / 1e6:.0f} MB, generated in {time.perf_counter() - started:.1f} s")
        server, base = mirror.start(Path(tmp) / "site")
        warm_up()
        try:
            yield Site(Path(tmp), base, stats, server.RequestHandlerClass.corpus.requests)
        finally:
            server.shutdown()


def prefect_server_cpu() -> float:
    """CPU seconds used so far by the temporary Prefect server this process started (a uvicorn
    child; 0.0 when there is none): its work for a run (recording task runs, events) is done in
    that other process, and on a busy machine it takes cores from the extraction workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == os.getpid() and b"uvicorn" in cmdline:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
