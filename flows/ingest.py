"""The Prefect flows of vpetl: a table of contents of a run. Each task calls the core
(`vpetl.pipeline`), which runs the same steps without Prefect.

    ingest  discover (task) -> ingest-worker (task, one per worker thread, each taking batches
            from the run's queue) -> who-asked (task)
            -> summary artifact
    sync    ingest, incrementally, for each session year
    reextract, ingest-document: one core call each, observed as a flow run"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

from prefect import Flow, flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from vpetl import pipeline
from vpetl.pipeline import people, progress, question
from vpetl.pipeline.document import DocumentOutcome
from vpetl.pipeline.reextraction import Reextraction
from vpetl.pipeline.run import QuestionOutcome, Run, RunSummary
from vpetl.pipeline.runner import Batches, Steps, on_threads
from vpetl.settings import Settings
from vpetl.vlpar.api import Query

from .cluster import ClusterExtraction

P = ParamSpec("P")
R = TypeVar("R")


@task(cache_policy=NO_CACHE)
def discover(run: Run, query: Query) -> list[question.Found]:
    """Every question the query finds (search pages kept as blobs)."""
    return question.discover(run, query)


@task(cache_policy=NO_CACHE, task_run_name="ingest-worker-{number}")
def ingest_worker(run: Run, todo: deque[list[question.Found]], number: int) -> list[QuestionOutcome]:
    """One of the run's `settings.workers` threads: batches taken from the run's queue, each
    question fetched, extracted, checked and loaded one after the other, until the queue is empty
    or the run is stopping."""
    outcomes: list[QuestionOutcome] = []
    while not run.stopping.is_set():
        try:
            batch = todo.popleft()  # atomic: the workers are threads of this process
        except IndexError:
            break
        outcomes += question.ingest_batch(run, batch)
    return outcomes


@task(cache_policy=NO_CACHE, task_run_name="who-asked")
def who_asked(run: Run, question_ids: list[int]) -> people.PeopleOutcome:
    """The askers' member records (each once, conditionally) and each question's party that day."""
    return people.enrich(run, question_ids)


def as_is(run: Run) -> Run:
    """The run as a task parameter that Prefect passes on without looking inside. Prefect walks
    through every parameter of every task (looking for futures to wait on and record): through a
    run, that is every outcome so far, so each batch cost more than the one before, and a session
    year of 800 batches spent most of the flow's CPU there."""
    return cast(Run, quote(run))


def _discover(run: Run, query: Query) -> list[question.Found]:
    return discover(as_is(run), query)


def _who_asked(run: Run, question_ids: list[int]) -> people.PeopleOutcome:
    return who_asked(as_is(run), question_ids)


def _as_tasks(run: Run, todo: Batches) -> Iterator[list[QuestionOutcome]]:
    """The batches on `settings.workers` tasks, each taking the next batch from one queue until
    none is left: a task per thread, not per batch. Prefect's server records every task run
    (about 30 ms of its CPU each, competing with extraction for the cores), so a session year
    of 300 batches cost more than 4 workers do; and no thread idles while batches remain. The
    queue is shared in memory: the tasks run on the flow's threads (a Dask run extracts on its
    cluster, and keeps its batches on local threads: `_run`)."""
    queue = deque(todo)
    workers = [ingest_worker.submit(as_is(run), cast(deque[list[question.Found]], quote(queue)), number)
               for number in range(1, min(run.settings.workers, len(queue)) + 1)]
    try:
        for worker in workers:
            yield worker.result()
    except KeyboardInterrupt:  # Ctrl-C: no worker takes another batch, none is waited for
        run.stopping.set()
        raise
    except BaseException:
        # An error that ends the run (a full disk, a lost lock): no worker takes another batch,
        # and each ends its question, loading nothing more, before the run is recorded.
        run.stopping.set()
        for worker in workers:
            worker.wait()
        raise


def _flow_run_id() -> str | None:
    return str(flow_run.id) if flow_run.id else None


def _run(query: Query, settings: Settings, incremental: bool) -> RunSummary:
    if settings.runner == "dask":  # batches on local threads, extraction on the cluster
        steps = Steps(_discover, on_threads(question.ingest_batch), _who_asked)
        extractor: ClusterExtraction | None = ClusterExtraction(settings)
    else:
        steps, extractor = Steps(_discover, _as_tasks, _who_asked), None
    log = get_run_logger()  # the flow run's page in the UI shows its progress and its outcome
    with progress.also_to(log.info):
        summary = pipeline.execute(query, settings, incremental, steps, _flow_run_id(), extractor)
    asked = {k: v for k, v in asdict(query).items() if v is not None}
    log.info("%s: %d loaded, %d unchanged, %d failed of %d found (ingest run %d)", asked, summary.loaded,
             summary.unchanged, summary.failed, summary.discovered, summary.ingest_run_id)
    for failure in summary.failures:
        log.warning("not loaded: question %s: %s: %s", failure.question_id, failure.url, failure.reason)
    for failure in summary.people_failures:
        log.warning("no party for question %s: %s: %s", failure.question_id, failure.url, failure.reason)
    if summary.discovery_error:
        log.error("discovery stopped early: %s", summary.discovery_error)
    publish(summary)
    return summary


UNITS = {"ingest_run_id": "id", "extraction_cpu_s": "CPU seconds", "extraction_peak_mb": "MB",
         "discovery_error": "reason"}  # every other value of the summary is a count


def publish(summary: RunSummary) -> None:
    """The run's summary as a Prefect artifact (visible in the UI next to the flow run)."""
    rows = [{"what": k.replace("_", " "), "value": len(v) if isinstance(v, list) else v, "unit": UNITS.get(k, "count")}
            for k, v in {**summary.counts(), **summary.store}.items()]
    create_table_artifact(key="vpetl-run-summary", table=rows, description="vpetl: what this run did")


@flow(name="vpetl-ingest", log_prints=True)
def ingest(query: Query, settings: Settings) -> RunSummary:
    """Ingest the written questions a query finds (a session year, a date range, a number, words)."""
    return _run(query, settings, incremental=False)


@flow(name="vpetl-sync", log_prints=True)
def sync(session_years: list[str] | None = None, settings: Settings | None = None) -> list[RunSummary]:
    """Pick up what is new or changed since the last run, session year by session year
    (default: the current one and the one before, whose answers still come in)."""
    settings = settings or Settings()
    return [_run(Query(session_year=y), settings, incremental=True)
            for y in session_years or pipeline.current_session_years()]


@flow(name="vpetl-reextract")
def reextract(settings: Settings, questions: list[int] | None = None, only: str | None = None) -> list[Reextraction]:
    """Re-run the current extractors over stored documents; one summary per new run."""
    return pipeline.reextract(settings, questions, only, _flow_run_id())


@flow(name="vpetl-ingest-document")
def ingest_document(settings: Settings, url: str | None = None, path: Path | None = None) -> DocumentOutcome:
    """One document a user has: a short link or pfile URL, or a file on disk."""
    return pipeline.ingest_document(settings, url, path, _flow_run_id())


def for_settings(f: Flow[P, R], settings: Settings) -> Flow[P, R]:
    """A flow on the task runner the settings ask for: local threads, or a Dask cluster."""
    if settings.runner == "dask":
        if not settings.dask_address:
            raise ValueError("the dask runner needs a scheduler address (--dask-address or VPETL_DASK_ADDRESS)")
        from prefect_dask import DaskTaskRunner

        runner: Any = DaskTaskRunner(address=settings.dask_address)
    else:
        runner = ThreadPoolTaskRunner(max_workers=settings.workers)
    return f.with_options(task_runner=runner)
