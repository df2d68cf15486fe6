"""Extraction on the flow's task runner: with prefect-dask, on a Dask cluster's workers.

The bytes travel with each task, so workers need neither the blob store nor the database.
The cluster's workers set their own memory limits; the time budget is kept here."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from vpetl.extractors import Extraction, Role
from vpetl.pipeline.pool import Measured, extract_measured, failure
from vpetl.settings import Settings


@task(cache_policy=NO_CACHE, task_run_name="extract-{kind}")
def extract_task(kind: Role, data: bytes, published: date | None, title: str | None, max_pages: int) -> Measured:
    """One document's extraction, wherever the flow's task runner puts it."""
    return extract_measured(kind, data, published, title, max_pages)


class ClusterExtraction:
    """The pipeline's Extractor, submitting to the flow's task runner."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.Lock()
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    def extract(self, kind: Role, path: Path, published: date | None = None, title: str | None = None) -> Extraction:
        started = datetime.now(UTC)
        future = extract_task.submit(kind, path.read_bytes(), published, title, self.settings.max_pages)
        try:
            out, cpu, peak = future.result(timeout=self.settings.extract_timeout)
        except TimeoutError:
            return failure(kind, started, f"took more than the budget of {self.settings.extract_timeout:g} s; stopped",
                           self.settings.ocr)
        with self.lock:
            self.cpu_seconds += cpu
            self.peak_mb = max(self.peak_mb, peak)
        return out

    def close(self) -> None:
        pass
