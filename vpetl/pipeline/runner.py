"""The pipeline as plain function calls: discover the questions a query finds, then ingest each.

The Prefect flows (`vpetl.flows`) call the very same `execute` with their own `Steps` (tasks
instead of calls), so orchestration adds observability and distribution, never behaviour."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date

from vpetl.extractors.dates import session_year
from vpetl.schema.export import summary as store_summary
from vpetl.schema.load import finish_ingest_run
from vpetl.settings import Settings
from vpetl.vlpar import api

from . import people, progress
from .pool import Extractor
from .question import Found, discover, ingest_batch
from .run import QuestionOutcome, Run, RunSummary, open_run

Batches = Sequence[list[Found]]


@dataclass(frozen=True)
class Steps:
    """How a run's stages are carried out: plain calls here, Prefect tasks in `vpetl.flows`."""

    discover: Callable[[Run, api.Query], list[Found]]
    ingest_batches: Callable[[Run, Batches], Iterator[list[QuestionOutcome]]]
    enrich_people: Callable[[Run, list[int]], people.PeopleOutcome] = people.enrich  # who asked, their party


def batches(found: list[Found], size: int, workers: int = 1) -> list[list[Found]]:
    """Batches of at most `size` questions, smaller where that leaves no thread without work:
    a batch's questions go one after another, so the demo's 15 questions on 4 threads are 4 batches
    of 3-4, not one of 15 on one thread (and one core) while the others wait."""
    size = max(1, min(size, -(-len(found) // workers)))
    return [found[i:i + size] for i in range(0, len(found), size)]


def on_threads(work: Callable[[Run, list[Found]], list[QuestionOutcome]]
               ) -> Callable[[Run, Batches], Iterator[list[QuestionOutcome]]]:
    """Batches on a few local threads (fetching and loading wait on I/O), in order; each thread
    keeps the caller's context (a flow run's, where there is one)."""
    def run_all(run: Run, todo: Batches) -> Iterator[list[QuestionOutcome]]:
        threads = ThreadPoolExecutor(run.settings.workers)
        try:
            futures = [threads.submit(contextvars.copy_context().run, work, run, batch) for batch in todo]
            for future in futures:
                yield future.result()
        except KeyboardInterrupt:  # Ctrl-C: batches not started never start, none is waited for
            run.stopping.set()
            threads.shutdown(wait=False, cancel_futures=True)
            raise
        except BaseException:
            # An error that ends the run (a full disk, a lost lock): no batch starts, and those
            # under way end their question, loading nothing more, before the run is recorded
            # (bounded: each question's requests and extraction have their budgets).
            run.stopping.set()
            threads.shutdown(wait=True, cancel_futures=True)
            raise
        threads.shutdown()
    return run_all


def execute(query: api.Query, settings: Settings, incremental: bool = False, steps: Steps | None = None,
            flow_run_id: str | None = None, extractor: Extractor | None = None) -> RunSummary:
    """Discover the questions a query finds, then ingest each; the run's summary."""
    steps = steps or Steps(discover, on_threads(ingest_batch))
    params = {k: (str(v) if isinstance(v, date) else v) for k, v in asdict(query).items()}
    reporter = progress.current()
    with open_run(settings, params, incremental, flow_run_id, extractor) as run:
        try:
            found = steps.discover(run, query)
            run.found = len(found)
            reporter.start(len(found))
            run.progress = reporter  # advanced by each question as it ends
            for done in steps.ingest_batches(run, batches(found, settings.batch, settings.workers)):
                run.outcomes += done
        finally:
            reporter.close()
        who = steps.enrich_people(run, [f.question_id for f in found])
        result = RunSummary.of(run, len(found), run.outcomes)
        result.people, result.people_failures = who.counts(), who.failures
        with run.store() as session:
            finish_ingest_run(session, result.ingest_run_id, "failed" if result.discovery_error else "ok",
                              result.counts(), result.discovery_error)
            result.store = store_summary(session)
    return result


def current_session_years(today: date | None = None) -> list[str]:
    """The current session year and the one before (whose answers still come in)."""
    now = session_year(today or date.today())
    start = int(now[:4])
    return [f"{start - 1}-{start}", now]


def ingest(session_year: str | None = None, question: int | None = None, since: date | None = None,
           until: date | None = None, term: str | None = None, settings: Settings | None = None) -> RunSummary:
    """What `vpetl ingest` does, without Prefect: the questions of a session year, a date range
    (of publication), a question number or search words."""
    return execute(api.Query(session_year, since, until, question, term), settings or Settings())


def sync(session_years: list[str] | None = None, settings: Settings | None = None) -> list[RunSummary]:
    """What `vpetl sync` does, without Prefect: only what is new or changed, per session year."""
    settings = settings or Settings()
    return [execute(api.Query(session_year=y), settings, incremental=True)
            for y in session_years or current_session_years()]
