"""Extraction in worker processes, each document under a time, memory and page budget.

pdfplumber is pure Python and CPU-bound: threads would share one core, processes use them all.
A worker reads the document from the blob store itself (no bytes are pickled across), runs the
extractor under an address-space limit, and sends back the typed records. A document that
runs over its time budget has its worker killed and the pool renewed; one over its memory or
page budget fails with the reason. Either way the run goes on and the failure is recorded."""

from __future__ import annotations

import multiprocessing
import os
import resource
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from vpetl import extractors
from vpetl.errors import VpetlError
from vpetl.extractors import Extraction, Role, leash, ocr

if TYPE_CHECKING:  # the forkserver imports this module for its workers: only what they run
    from vpetl.extractors.records import Table
    from vpetl.settings import Settings

Measured = tuple[Extraction, float, float]
"""An extraction with the CPU seconds it took and the peak memory (MB) of the process that ran it."""


T = TypeVar("T")
KILLED_WAIT = 5.0  # seconds to wait for a killed worker to be gone before its leftovers are swept


class Interrupted(VpetlError):
    """The pool was aborted (Ctrl-C) while a document waited for it: nothing is stored of it."""


class OverBudget(VpetlError):
    """A document's extraction ran out of time, or its worker died (out of memory)."""


class Extractor(Protocol):
    """Where a run's documents are extracted: this machine's processes, or a cluster."""

    cpu_seconds: float  # extraction CPU, summed over documents
    peak_mb: float  # the largest worker's peak resident memory

    def extract(self, kind: Role, path: Path, published: date | None = None,
                title: str | None = None) -> Extraction: ...

    def close(self) -> None: ...


def extract_measured(kind: Role, data: bytes, published: date | None, title: str | None,
                     max_pages: int) -> Measured:
    """Extract in this process, measuring what it cost (the worker's side of a pool or cluster)."""
    cpu = time.process_time()
    out = extractors.extract(kind, data, published, title, max_pages)
    return out, time.process_time() - cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def extract_file(kind: Role, path: str, published: date | None, title: str | None, max_pages: int) -> Measured:
    return extract_measured(kind, Path(path).read_bytes(), published, title, max_pages)


def tables_of_file(path: str, max_pages: int) -> list[Table]:
    """The tables of any document on disk (PDF within the page budget, Word, a spreadsheet,
    CSV): for `vpetl tables`, in a worker."""
    data = Path(path).read_bytes()
    if extractors.is_pdf(data):
        extractors.check_pages(data, max_pages)
    return extractors.extract_tables_of(data)


def failure(kind: Role, started: datetime, reason: str, use_ocr: bool) -> Extraction:
    """An extraction that produced nothing, with the reason (by the extractors the workers run)."""
    return Extraction(extractors.NAMES[kind], extractors.identity(use_ocr), started, datetime.now(UTC), None, reason)


def _ready() -> bool:
    return bool(extractors.identity())  # the worker has imported the extractors and hashed their source


def _start_worker(memory_mb: int, use_ocr: bool, run_pid: int) -> None:
    """A worker under its memory limit, reading scans by OCR or not, as the settings say, that
    ends when the run's process does."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle: it ends the workers
    threading.Thread(target=_exit_with, args=(run_pid,), daemon=True, name="vpetl-watchdog").start()
    ocr.enable(use_ocr)


def _exit_with(pid: int) -> None:
    """Wait for process `pid` to end, then end this one. A worker's parent is the forkserver,
    which outlives a run killed with SIGKILL for as long as its workers do: without this, such
    a run's workers would wait for work for ever."""
    try:
        fd = os.pidfd_open(pid)  # Linux: readable once the process has ended
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    else:
        while leash.alive(pid):
            time.sleep(1.0)
    os._exit(1)


# multiprocessing's resource tracker outlives the command and removes the semaphores its workers'
# queues leave. A Ctrl-C that lands while one is being released (after its removal, before it is
# signed off) leaves it listed: at exit the tracker then writes two Python warnings to the terminal,
# after the command's last line, about removing what is already gone (about one Ctrl-C in 25).
# The tracker takes its warning options from this process when it starts (once a process).
QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def _start_quiet_resource_tracker() -> None:
    from multiprocessing import resource_tracker

    sys.warnoptions.append(QUIET_TRACKER)
    try:
        resource_tracker.ensure_running()
    finally:
        sys.warnoptions.remove(QUIET_TRACKER)


class ExtractionPool:
    """A pool of extraction workers shared by the threads of one run."""

    def __init__(self, settings: Settings) -> None:
        self.processes = settings.processes or os.cpu_count() or 1
        self.settings = settings
        self.lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None  # started by the first document to extract
        self.closed = False  # aborted: no pool is started again
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    @property
    def pool(self) -> ProcessPoolExecutor:
        """The workers, started when first needed: a run with nothing to extract (an unchanged
        question) does not wait for processes to start and import the extractors."""
        with self.lock:
            if self.closed:
                raise Interrupted("the run was interrupted: its extraction workers are ended")
            if self._pool is None:
                self._pool = self._new()
            return self._pool

    def _new(self) -> ProcessPoolExecutor:
        """Workers started and ready, so that a time budget counts extraction, not start-up."""
        _start_quiet_resource_tracker()
        # forkserver: workers do not inherit the threads (and their locks) of the flow's process.
        # The forkserver imports this module (so the extractors) once, before its first worker:
        # each worker (and each pool a process starts later: a run, a test) is then a fork, not a
        # second of imports. `__main__` too (the `vpetl` command's script, which imports only the
        # CLI): a worker whose forkserver has not imported it runs it again itself.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", __name__])
        pool = ProcessPoolExecutor(self.processes, mp_context=context,
                                   initializer=_start_worker,
                                   initargs=(self.settings.extract_memory_mb, self.settings.ocr, os.getpid()))
        for ready in [pool.submit(_ready) for _ in range(self.processes)]:
            ready.result()
        return pool

    def _renew(self, broken: ProcessPoolExecutor) -> None:
        with self.lock:
            if self._pool is not broken or self.closed:
                return  # another thread renewed it already, or the run was interrupted
            workers = list((getattr(broken, "_processes", None) or {}).values())
            for process in workers:
                process.kill()
            broken.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.join(KILLED_WAIT)  # bounded: SIGKILL cannot be ignored
            leash.sweep()  # a killed worker's LibreOffice died with it (pdeathsig); its folder goes here
            self._pool = self._new()

    def call(self, fn: Callable[..., T], *args: Any, attempts: int = 2) -> T:
        """`fn(*args)` in a worker, under the time and memory budgets; raises OverBudget when
        it runs out of time or its worker dies (the pool is renewed either way)."""
        timeout = self.settings.extract_timeout
        for _ in range(attempts):
            pool = self.pool
            try:
                return pool.submit(fn, *args).result(timeout=timeout)
            except FutureTimeout:
                self._renew(pool)
                raise OverBudget(f"took more than the budget of {timeout:g} s; stopped") from None
            except BrokenProcessPool:  # a worker died (killed, or out of memory): renew, try once more
                self._renew(pool)
        raise OverBudget("its worker process died twice (out of memory?)")

    def extract(self, kind: Role, path: Path, published: date | None = None, title: str | None = None) -> Extraction:
        started = datetime.now(UTC)
        try:
            out, cpu, peak = self.call(extract_file, kind, str(path), published, title, self.settings.max_pages)
        except OverBudget as exc:
            return failure(kind, started, str(exc), self.settings.ocr)
        with self.lock:
            self.cpu_seconds += cpu
            self.peak_mb = max(self.peak_mb, peak)
        return out

    def close(self) -> None:
        with self.lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        leash.sweep()

    def abort(self) -> None:
        """End the workers now, mid-document (Ctrl-C): nothing of theirs is stored, nothing is waited for."""
        with self.lock:
            pool, self._pool = self._pool, None
            self.closed = True  # a thread still waiting on a killed worker gets no new pool
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
        leash.sweep()


class InProcess:
    """Extraction in the calling process, without time or memory budgets: for trusted documents
    and for tests that patch the extractors."""

    def __init__(self, settings: Settings) -> None:
        self.max_pages = settings.max_pages
        ocr.enable(settings.ocr)
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    def extract(self, kind: Role, path: Path, published: date | None = None, title: str | None = None) -> Extraction:
        out, cpu, peak = extract_measured(kind, path.read_bytes(), published, title, self.max_pages)
        self.cpu_seconds += cpu
        self.peak_mb = max(self.peak_mb, peak)
        return out

    def close(self) -> None:
        pass
