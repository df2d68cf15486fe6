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
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

import extractors
from schema.load import ExtractionIn

DEFAULT_TIMEOUT = 120.0  # seconds for one document
DEFAULT_MEMORY_MB = 1024  # address space of one worker
DEFAULT_MAX_PAGES = 2000  # a written question's answer or annex is far shorter


@dataclass(frozen=True)
class Budget:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    max_pages: int = DEFAULT_MAX_PAGES


def _ready() -> bool:
    return extractors.VERSION is not None  # the worker has imported the extractors


def _limit_memory(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def extract_file(kind: str, path: str, published: date | None, title: str | None,
                 max_pages: int) -> tuple[ExtractionIn, float, float]:
    """Extract one stored document (in a worker), returning the records with the worker's CPU
    seconds for it and its peak memory (MB). Budget overruns become recorded failures."""
    return extract_bytes(kind, Path(path).read_bytes(), published, title, max_pages)


def extract_bytes(kind: str, data: bytes, published: date | None, title: str | None,
                  max_pages: int) -> tuple[ExtractionIn, float, float]:
    cpu = time.process_time()
    out = _extract(kind, data, published, title, max_pages)
    return out, time.process_time() - cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def failure(kind: str, started: datetime, reason: str) -> ExtractionIn:
    """An extraction that produced nothing, with the reason."""
    return ExtractionIn(extractors.NAMES[kind], extractors.VERSION, started, datetime.now(UTC), None, reason)


def run_extractor(name: str, fn, *args) -> ExtractionIn:
    """Run an extractor; a PDF it cannot read becomes a recorded failure, not an exception."""
    started = datetime.now(UTC)
    try:
        result, error = fn(*args), None
    except extractors.PdfError as exc:
        result, error = None, str(exc)
    return ExtractionIn(name, extractors.VERSION, started, datetime.now(UTC), result, error)


def extract_kind(kind: str, data: bytes, published: date | None = None, title: str | None = None) -> ExtractionIn:
    """The extractor a document's role calls for ("answer" or "annex"), in this process."""
    if kind == "answer":
        return run_extractor(extractors.NAMES[kind], extractors.extract_answer, data)
    return run_extractor(extractors.NAMES[kind], extractors.extract_annex, data, published or date.today(), title)


def _extract(kind: str, data: bytes, published: date | None, title: str | None, max_pages: int) -> ExtractionIn:
    started = datetime.now(UTC)
    try:
        pages = extractors.count_pages(data)
        if pages > max_pages:
            return failure(kind, started, f"{pages} pages: more than the budget of {max_pages} pages per document")
        return extract_kind(kind, data, published, title)
    except extractors.PdfError as exc:
        return failure(kind, started, str(exc))
    except MemoryError:
        return failure(kind, started, "ran out of its memory budget (a decompression bomb, or an enormous page)")


class ExtractionPool:
    """A pool of extraction workers shared by the threads of one run."""

    def __init__(self, processes: int | None = None, budget: Budget = Budget()) -> None:
        self.processes = processes or os.cpu_count() or 1
        self.budget = budget
        self.lock = threading.Lock()
        self.pool = self._new()
        self.cpu_seconds = 0.0  # extraction CPU, summed over documents
        self.peak_mb = 0.0  # the largest worker's peak resident memory

    def _new(self) -> ProcessPoolExecutor:
        """Workers started and ready, so that a time budget counts extraction, not start-up."""
        # forkserver: workers do not inherit the threads (and their locks) of the flow's process
        pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=_limit_memory, initargs=(self.budget.memory_mb,))
        for ready in [pool.submit(_ready) for _ in range(self.processes)]:
            ready.result()
        return pool

    def _renew(self, broken: ProcessPoolExecutor) -> None:
        with self.lock:
            if self.pool is not broken:
                return  # another thread renewed it already
            for process in list(getattr(broken, "_processes", {}).values()):
                process.kill()
            broken.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new()

    def extract(self, kind: str, path: Path, published: date | None = None, title: str | None = None,
                attempts: int = 2) -> ExtractionIn:
        started = datetime.now(UTC)
        for _ in range(attempts):
            pool = self.pool
            try:
                future = pool.submit(extract_file, kind, str(path), published, title, self.budget.max_pages)
                out, cpu, peak = future.result(timeout=self.budget.timeout)
                with self.lock:
                    self.cpu_seconds += cpu
                    self.peak_mb = max(self.peak_mb, peak)
                return out
            except FutureTimeout:
                self._renew(pool)
                return failure(kind, started, f"took more than the budget of {self.budget.timeout:g} s; stopped")
            except BrokenProcessPool:  # a worker died (killed, or out of memory): renew, try once more
                self._renew(pool)
        return failure(kind, started, "its worker process died twice (out of memory?)")

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@task(cache_policy=NO_CACHE, task_run_name="extract-{kind}")
def extract_task(kind: str, data: bytes, published: date | None, title: str | None,
                 max_pages: int) -> tuple[ExtractionIn, float, float]:
    """One document's extraction as a Prefect task: where the flow's task runner is a Dask
    cluster (prefect-dask), it runs on the cluster's workers. The bytes travel with it, so
    workers need no access to the blob store."""
    return extract_bytes(kind, data, published, title, max_pages)


class TaskRunnerExtraction:
    """Extraction submitted to the flow's task runner (a Dask cluster), with the same interface
    as the process pool. The cluster's workers set their own memory limits."""

    def __init__(self, budget: Budget = Budget()) -> None:
        self.budget = budget
        self.lock = threading.Lock()
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    def extract(self, kind: str, path: Path, published: date | None = None, title: str | None = None) -> ExtractionIn:
        started = datetime.now(UTC)
        future = extract_task.submit(kind, Path(path).read_bytes(), published, title, self.budget.max_pages)
        try:
            out, cpu, peak = future.result(timeout=self.budget.timeout)
        except TimeoutError:
            future.cancel()
            return failure(kind, started, f"took more than the budget of {self.budget.timeout:g} s; stopped")
        with self.lock:
            self.cpu_seconds += cpu
            self.peak_mb = max(self.peak_mb, peak)
        return out

    def close(self) -> None:
        pass
