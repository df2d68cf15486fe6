"""The ingestion flow: discover questions, fetch each record, answer and annexes, extract, load.

Each step is a task that calls into `vlpar` (HTTP), `extractors` (PDF bytes to records) or
`schema` (the store); this module only wires them together. One question is one unit of
work: its facts are loaded in one transaction, and a failure stays with that question.

Every request that can be conditional is (ETag, Last-Modified), so bytes that did not change
are not downloaded again; bytes already extracted by the current extractor versions are not
extracted again. A sync (`incremental`) also skips, without any request, questions whose
`last_modified` in the search results is the one stored, unless they were still unanswered
or incomplete (a part failed to fetch) last time."""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy.orm import Session, sessionmaker

import extractors
from extractors.checks import Validation, annex_total, annex_vs_answer_table
from extractors.records import AnnexLink, DocumentExtraction
from schema.blobs import BlobStore
from schema.db import open_store
from schema.export import summary
from schema.load import (
    AnnexIn,
    DocumentIn,
    ExtractionIn,
    QuestionIn,
    begin_ingest_run,
    extracted,
    finish_ingest_run,
    latest_document,
    load_document,
    load_question,
    log_exchanges,
    stored_question,
)
from schema.lock import run_lock
from vlpar import api
from vlpar.client import Client, Exchange, FetchError, Response

from .pool import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    Budget,
    ExtractionPool,
    TaskRunnerExtraction,
    extract_kind,
)
from .progress import current as current_progress


class FetchLogBuffer:
    """Collects the client's exchanges across threads until they are written."""

    def __init__(self) -> None:
        self.rows: list[Exchange] = []
        self.lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        with self.lock:
            self.rows.append(exchange)

    def drain(self) -> list[Exchange]:
        with self.lock:
            rows, self.rows = self.rows, []
        return rows


@dataclass
class Run:
    """What every task of one run shares. Built inside the flow, never a flow parameter."""

    client: Client
    blobs: BlobStore
    sessions: sessionmaker[Session]
    log: FetchLogBuffer
    incremental: bool
    ingest_run_id: int | None = None
    pool: ExtractionPool | None = None

    @property
    def flow_run_id(self) -> str | None:
        return str(flow_run.id) if flow_run.id else None

    def extract(self, kind: str, sha256: str, published: date | None = None, title: str | None = None) -> ExtractionIn:
        """Extract a stored document in a worker process, under the run's budgets."""
        return self.pool.extract(kind, self.blobs.path(sha256), published, title)

    def flush_log(self) -> None:
        with self.sessions() as session:
            log_exchanges(session, self.ingest_run_id, self.log.drain())


@dataclass
class Outcome:
    question_id: int
    status: str  # loaded, unchanged, failed
    new_documents: int = 0
    changed_documents: list[str] = field(default_factory=list)
    extractions: int = 0
    failures: list[dict] = field(default_factory=list)


def document_in(resp: Response) -> DocumentIn:
    return DocumentIn(source_url=resp.source_url, final_url=resp.final_url, sha256=resp.sha256, size=resp.size,
                      content_type=resp.content_type, is_pdf=resp.is_pdf, fetched_at=resp.fetched_at,
                      http_status=resp.status, etag=resp.headers.get("etag"),
                      last_modified=resp.headers.get("last-modified"))


def fetch_document(run: Run, url: str, outcome: Outcome) -> DocumentIn:
    """A document, streamed to the blob store; conditional on the stored version of its URL."""
    canonical = run.client.canonical(run.client.map_url(url))
    with run.sessions() as session:
        prev = latest_document(session, canonical)
        prev_in = DocumentIn(**{k: getattr(prev, k) for k in DocumentIn.__dataclass_fields__}) if prev else None
    have = prev_in if prev_in and prev_in.sha256 in run.blobs else None
    resp = run.client.get(url, etag=have.etag if have else None, last_modified=have.last_modified if have else None,
                          sink=run.blobs, expect_pdf=True)
    if resp.not_modified:
        return have
    doc = document_in(resp)
    if prev_in is None:
        outcome.new_documents += 1
    elif prev_in.sha256 != doc.sha256:  # republished: same URL, new bytes; the old version is kept
        outcome.changed_documents.append(doc.source_url)
    return doc


def validate(answer: DocumentExtraction | None, annexes: list[AnnexIn]) -> list[Validation]:
    out: list[Validation] = []
    for annex in annexes:
        result = annex.extraction.result if annex.extraction else None
        for blist in result.beneficiary_lists if result else []:
            out += annex_total(annex.label, blist)
            out += annex_vs_answer_table(annex.label, blist, answer.tables if answer else [])
    return out


def annex_targets(client: Client, record: api.Record, listed: list[AnnexLink]) -> list[AnnexLink]:
    """Annexes as the answer lists them, then any further files the record names."""
    links = list(listed)
    seen = {client.canonical(client.map_url(a.url)) for a in links}
    for url in record.files[1:]:
        key = client.canonical(client.map_url(url))
        if key not in seen:
            seen.add(key)
            links.append(AnnexLink(f"Bijlage {len(links) + 1}", None, url, 0, None, "record"))
    return links


@task(cache_policy=NO_CACHE)
def discover(run: Run, query: api.Query) -> list[tuple[int, str | None]]:
    """(question id, last_modified) of every hit, without repeats; raw pages kept as blobs."""
    found: dict[int, str | None] = {}
    for hit in api.search(run.client, query, on_response=lambda resp: run.blobs.put(resp.body)):
        if hit.id is not None and hit.id not in found:
            if query.number is None or str(hit.metatags.get("nummer")) == str(query.number):
                found[hit.id] = hit.metatags.get("last_modified")
    run.flush_log()
    return list(found.items())


@task(cache_policy=NO_CACHE, task_run_name="ingest-batch")
def ingest_batch(run: Run, hits: list[tuple[int, str | None]]) -> list[Outcome]:
    """A batch of questions, one after the other: a task per batch keeps Prefect's cost per
    question small (a task per question costs about as much as a small question's work)."""
    return [ingest_question(run, qid, lm) for qid, lm in hits]


def ingest_question(run: Run, question_id: int, last_modified: str | None) -> Outcome:
    """Fetch what changed of one question, extract what is new, load it; failures are recorded."""
    outcome = Outcome(question_id, "loaded")
    try:
        return _ingest_question(run, question_id, last_modified, outcome)
    except FetchError as exc:  # the record itself: nothing of this question is loaded; the next run retries
        outcome.status = "failed"
        outcome.failures.append({"url": exc.url, "reason": exc.reason})
        return outcome
    finally:
        run.flush_log()


def _fresh(session: Session, doc: DocumentIn | None, extractor: str) -> bool:
    """A PDF whose bytes the current version of the extractor has not read yet."""
    return (doc is not None and doc.is_pdf
            and not extracted(session, doc.source_url, doc.sha256, extractor, extractors.VERSION))


def _ingest_question(run: Run, question_id: int, last_modified: str | None, outcome: Outcome) -> Outcome:
    client = run.client
    with run.sessions() as session:
        stored = stored_question(session, question_id)
    if (run.incremental and stored and stored.complete and stored.answered and last_modified
            and stored.last_modified == last_modified):
        outcome.status = "unchanged"
        return outcome
    record_url = api.record_url(client, question_id)
    resp = client.get(record_url, accept="application/json", etag=stored.record_etag if stored else None,
                      last_modified=stored.record_last_modified if stored else None)
    if resp.not_modified and stored and stored.complete:
        outcome.status = "unchanged"
        return outcome
    if resp.not_modified:
        record = api.parse_record(stored.record)
    else:
        run.blobs.put(resp.body)
        record = api.parse_record(resp.body)
    q = QuestionIn(id=record.id, session_year=record.session_year, number=record.number, title=record.title,
                   date_asked=record.date_asked, date_answered=record.date_answered, asker=record.asker,
                   minister=record.minister, themes=record.themes, status=record.status,
                   answer_url=client.canonical(client.map_url(record.files[0])) if record.files else None,
                   record=record.raw, record_url=client.canonical(record_url), record_fetched_at=resp.fetched_at,
                   record_etag=resp.headers.get("etag"), record_last_modified=resp.headers.get("last-modified"),
                   last_modified=last_modified or record.raw.get("last_modified"))
    published = record.date_answered or record.date_asked or date.today()

    # Fetch: the answer, then the annexes it lists (or that the store listed, if it did not change).
    answer_doc, listed = None, []
    if record.files:
        try:
            answer_doc = fetch_document(run, record.files[0], outcome)
        except FetchError as exc:
            outcome.failures.append({"url": exc.url, "reason": exc.reason})
    annex_docs: list[tuple[AnnexLink, DocumentIn | None, str | None]] = []

    # Extract only where bytes are new to the current extractor versions.
    with run.sessions() as session:
        answer_new = _fresh(session, answer_doc, extractors.ANSWER_EXTRACTOR)
    answer_ex = None
    if answer_doc and answer_doc.is_pdf and (answer_new or not stored):
        answer_ex = run.extract("answer", answer_doc.sha256)
        listed = list(answer_ex.result.annexes) if answer_ex.result else []
    elif stored:
        listed = [AnnexLink(label, title, url, 0, None, "store") for label, title, url in stored.annexes]
    for link in annex_targets(client, record, listed):
        try:
            annex_docs.append((link, fetch_document(run, link.url, outcome), None))
        except FetchError as exc:
            annex_docs.append((link, None, exc.reason))
            outcome.failures.append({"url": exc.url, "reason": exc.reason})
    with run.sessions() as session:
        any_new = answer_new or any(_fresh(session, d, extractors.ANNEX_EXTRACTOR) for _, d, _ in annex_docs)
    if any_new and answer_doc and answer_doc.is_pdf and answer_ex is None:
        answer_ex = run.extract("answer", answer_doc.sha256)  # the checks need the answer's tables

    q.answer, q.answer_extraction = answer_doc, answer_ex
    for i, (link, doc, error) in enumerate(annex_docs, start=1):
        annex = AnnexIn(position=i, label=link.label, title=link.title, url=client.canonical(client.map_url(link.url)),
                        status="ok", document=doc)
        if error:
            annex.status, annex.detail = "fetch_failed", error
        elif not doc.is_pdf:
            annex.status = "not_pdf"
            annex.detail = f"expected a PDF, got {doc.content_type} at {doc.final_url}"
        elif any_new:
            annex.extraction = run.extract("annex", doc.sha256, published, link.title)
            if annex.extraction.result is None:
                annex.status, annex.detail = "unreadable", annex.extraction.error
            elif annex.extraction.result.issues:
                annex.detail = "; ".join(f"page {i.page}: {i.reason}" for i in annex.extraction.result.issues)
        q.annexes.append(annex)
    q.validations = (validate(answer_ex.result if answer_ex else None, q.annexes) if any_new else None)
    q.complete = not outcome.failures
    with run.sessions() as session:
        counts = load_question(session, q, run.ingest_run_id, run.flow_run_id)
    outcome.extractions = counts.extractions_new
    return outcome


@dataclass
class Options:
    """How a run fetches and extracts (the flows' parameters, gathered)."""

    api_base: str | None = None
    database_url: str | None = None
    data_dir: str = "vpetl-data"
    rate: float = 1.0
    allowed_hosts: list[str] | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    lock_wait: float = 0.0
    workers: int = 4  # batches in flight at once (threads: fetching and loading wait on I/O)
    batch: int = 10  # questions a task
    processes: int = 0  # extraction processes; 0: one per core
    runner: str = "processes"  # or "dask": extraction tasks go to the flow's task runner (a Dask cluster)
    budget: Budget = field(default_factory=Budget)


def execute(query: api.Query, opts: Options, incremental: bool, plain: bool = False) -> dict:
    """One run: discovery, then every question; under the database's run lock.

    `plain` runs the very same steps as plain function calls in a thread pool, without Prefect:
    the benchmark's baseline for measuring what orchestration costs."""
    log = FetchLogBuffer()
    client = Client(api_base=opts.api_base, allowed_hosts=set(opts.allowed_hosts or []) or None, rate=opts.rate,
                    timeout=opts.timeout, retries=opts.retries, backoff=opts.backoff, on_exchange=log)
    sessions = open_store(opts.database_url)
    run = Run(client, BlobStore(Path(opts.data_dir) / "blobs"), sessions, log, incremental)
    params = {k: (str(v) if isinstance(v, date) else v) for k, v in query.__dict__.items()}
    with run_lock(sessions.kw["bind"], wait=opts.lock_wait):
        with sessions() as session:
            run.ingest_run_id = begin_ingest_run(session, client.api_base, {**params, "incremental": incremental},
                                                 run.flow_run_id)
        run.pool = (TaskRunnerExtraction(opts.budget) if opts.runner == "dask"
                    else ExtractionPool(opts.processes or None, opts.budget))
        progress = current_progress()
        try:
            hits = discover.fn(run, query) if plain else discover(run, query)
            progress.start(len(hits))
            outcomes = []
            batches = [hits[i:i + opts.batch] for i in range(0, len(hits), opts.batch)]
            if plain or opts.runner == "dask":  # batches on local threads; each keeps the flow's context
                with ThreadPoolExecutor(opts.workers) as threads:
                    futures = [threads.submit(contextvars.copy_context().run, ingest_batch.fn, run, batch)
                               for batch in batches]
                    for future in futures:
                        outcomes.extend(future.result())
                        progress.advance(len(outcomes) - progress.done)
            else:
                for future in [ingest_batch.submit(run, batch) for batch in batches]:
                    outcomes.extend(future.result())
                    progress.advance(len(outcomes) - progress.done)
        except Exception as exc:
            run.flush_log()
            with sessions() as session:
                finish_ingest_run(session, run.ingest_run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            progress.close()
            run.pool.close()
        counts = {"discovered": len(hits), "loaded": sum(o.status == "loaded" for o in outcomes),
                  "unchanged": sum(o.status == "unchanged" for o in outcomes),
                  "failed": sum(o.status == "failed" for o in outcomes),
                  "new_documents": sum(o.new_documents for o in outcomes),
                  "changed_documents": [u for o in outcomes for u in o.changed_documents],
                  "extractions": sum(o.extractions for o in outcomes),
                  "retries": client.budget.used,
                  "extraction_cpu_s": round(run.pool.cpu_seconds, 1), "extraction_peak_mb": round(run.pool.peak_mb),
                  "failures": [dict(f, question_id=o.question_id) for o in outcomes for f in o.failures]}
        with sessions() as session:
            finish_ingest_run(session, run.ingest_run_id, "ok", counts)
            result = {"ingest_run_id": run.ingest_run_id, **counts, **summary(session)}
    if not plain:
        _publish(result)
    return result


def _publish(result: dict) -> None:
    """The run's summary as a Prefect artifact (visible in the UI next to the flow run)."""
    rows = [{"what": k, "count": len(v) if isinstance(v, list) else v} for k, v in result.items()]
    create_table_artifact(key="vpetl-run-summary", table=rows, description="vpetl: what this run did")


RUNNER = ThreadPoolTaskRunner(max_workers=Options.workers)


@flow(name="vpetl-ingest", log_prints=True, task_runner=RUNNER)
def ingest(session_year: str | None = None, question: int | None = None, since: date | None = None,
           until: date | None = None, term: str | None = None, api_base: str | None = None,
           database_url: str | None = None, data_dir: str = "vpetl-data", rate: float = 1.0,
           allowed_hosts: list[str] | None = None, incremental: bool = False, timeout: float = 30.0,
           retries: int = 4, lock_wait: float = 0.0, backoff: float = 1.0, processes: int = 0,
           extract_timeout: float = DEFAULT_TIMEOUT, extract_memory_mb: int = DEFAULT_MEMORY_MB,
           max_pages: int = DEFAULT_MAX_PAGES, runner: str = "processes") -> dict:
    """Ingest the written questions a query finds (a session year, a date range, a number, words)."""
    opts = Options(api_base, database_url, data_dir, rate, allowed_hosts, timeout, retries, backoff, lock_wait,
                   processes=processes, runner=runner, budget=Budget(extract_timeout, extract_memory_mb, max_pages))
    return execute(api.Query(session_year, since, until, question, term), opts, incremental)


@flow(name="vpetl-sync", log_prints=True, task_runner=RUNNER)
def sync(sessions: list[str] | None = None, api_base: str | None = None, database_url: str | None = None,
         data_dir: str = "vpetl-data", rate: float = 1.0, allowed_hosts: list[str] | None = None,
         timeout: float = 30.0, retries: int = 4, lock_wait: float = 0.0, backoff: float = 1.0,
         processes: int = 0) -> list[dict]:
    """Pick up what is new or changed since the last run, session year by session year
    (default: the current one and the one before, whose answers still come in)."""
    opts = Options(api_base, database_url, data_dir, rate, allowed_hosts, timeout, retries, backoff, lock_wait,
                   processes=processes)
    return [execute(api.Query(session_year=y), opts, True) for y in sessions or current_session_years()]


def current_session_years(today: date | None = None) -> list[str]:
    from extractors.dates import session_year

    now = session_year(today or date.today())
    start = int(now[:4])
    return [f"{start - 1}-{start}", now]


@flow(name="vpetl-ingest-document")
def ingest_document(url: str | None = None, path: str | None = None, api_base: str | None = None,
                    database_url: str | None = None, data_dir: str = "vpetl-data", rate: float = 1.0) -> dict:
    """One document a user has: a short link or pfile URL, or a PDF on disk (its path and sha256
    are its provenance). Read as an answer when it has an answer's header, else as an annex."""
    blobs = BlobStore(Path(data_dir) / "blobs")
    sessions = open_store(database_url)
    if path:
        data = Path(path).read_bytes()
        sha = blobs.put(data)
        source = Path(path).resolve().as_uri()
        doc = DocumentIn(source, source, sha, len(data), "application/pdf" if extractors.is_pdf(data) else None,
                         extractors.is_pdf(data), datetime.now(UTC))
    else:
        log = FetchLogBuffer()
        client = Client(api_base=api_base, rate=rate, on_exchange=log)
        doc = document_in(client.get(url, sink=blobs, expect_pdf=True))
        data = blobs.get(doc.sha256)
        with sessions() as session:
            log_exchanges(session, None, log.drain())
    ex = None
    if doc.is_pdf:
        ex = extract_kind("answer", data)
        if ex.result is not None and ex.result.header.number is None:  # no answer header: an annex
            ex = extract_kind("annex", data)
    with sessions() as session:
        counts = load_document(session, doc, ex, flow_run_id=str(flow_run.id) if flow_run.id else None)
    result = ex.result if ex else None
    return {"source_url": doc.source_url, "sha256": doc.sha256, "is_pdf": doc.is_pdf,
            "extractor": ex.extractor if ex else None, "error": ex.error if ex else None,
            "tables": len(result.tables) if result else 0,
            "beneficiaries": sum(len(b.rows) for b in result.beneficiary_lists) if result else 0,
            "new_extraction": bool(counts.extractions_new)}
