"""What the benchmarks share: Prefect offline and warmed up, a synthetic session on the mirror."""

from __future__ import annotations

import os
import tempfile
import threading
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


def warm_extraction() -> None:
    """The extraction pool's forkserver started, as in any process after its first run: it
    imports the extractors once, and every later pool's workers fork from it."""
    from vpetl.pipeline.pool import ExtractionPool
    from vpetl.settings import Settings

    pool = ExtractionPool(Settings())
    pool.pool  # noqa: B018 - started and ready
    pool.close()


@contextmanager
def synthetic_site(questions: int, seed: int = 1) -> Iterator[Site]:
    """A temporary synthetic session served by the mirror on 127.0.0.1, with Prefect's start-up
    and the extraction forkserver's paid before anything is timed."""
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
        warm_extraction()
        try:
            yield Site(Path(tmp), base, stats, server.RequestHandlerClass.corpus.requests)
        finally:
            server.shutdown()


@dataclass
class Helper:
    """A process this one started that outlives a run: Prefect's temporary server, the
    extraction pool's forkserver, multiprocessing's resource tracker."""

    name: str
    cpu_s: float  # CPU seconds so far
    peak_mb: float  # peak resident memory (VmHWM)


HELPERS = {b"uvicorn": "Prefect's server", b"forkserver": "forkserver", b"resource_tracker": "resource tracker"}


def _stats() -> dict[int, list[str]]:
    """Every live process's /proc/PID/stat fields after its name (field 1 is its parent)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            found[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
    return found


def _kb(pid: int, field: str, name: str) -> int:
    """A size in kB from /proc/PID/`name` (0 when the process has ended)."""
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith(field)), 0)


def helpers() -> list[Helper]:
    """This process's children other than the extraction workers (whose CPU and memory the run
    measures itself). The server's work for a run (recording task runs and events) is done in
    that other process, and on a busy machine it takes a core's share from the workers."""
    tick = os.sysconf("SC_CLK_TCK")
    found = []
    for pid, fields in _stats().items():
        if int(fields[1]) != os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        name = next((n for key, n in HELPERS.items() if key in cmdline), None)
        if name:  # CPU: utime + stime
            found.append(Helper(name, (int(fields[11]) + int(fields[12])) / tick, _kb(pid, "VmHWM:", "status") / 1024))
    return found


def server_cpu() -> float:
    """CPU seconds used so far by the temporary Prefect server (0.0 when there is none)."""
    return sum(h.cpu_s for h in helpers() if h.name == "Prefect's server")


def _tree(root: int) -> list[int]:
    """`root` and every process under it (the workers are the forkserver's children)."""
    children: dict[int, list[int]] = {}
    for pid, fields in _stats().items():
        children.setdefault(int(fields[1]), []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


class Memory(threading.Thread):
    """The memory of this process and all it started, together, sampled every second: the peak
    of the proportional set sizes (PSS: a page shared by several processes, such as the
    extractors' code the workers share with their forkserver, is counted once in all) and of the
    plain resident sizes added up (which counts it in each)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_pss_mb = self.peak_rss_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            pids = _tree(os.getpid())
            self.peak_pss_mb = max(self.peak_pss_mb, sum(_kb(p, "Pss:", "smaps_rollup") for p in pids) / 1024)
            self.peak_rss_mb = max(self.peak_rss_mb, sum(_kb(p, "VmRSS:", "status") for p in pids) / 1024)

    def stop(self) -> None:
        self.done.set()
        self.join()
