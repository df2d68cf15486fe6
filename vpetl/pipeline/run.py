"""One run: what its steps share, and what came of it (per question, and in all)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from vpetl import extractors
from vpetl.errors import Step
from vpetl.extractors import Extraction, Role
from vpetl.schema import store_info
from vpetl.schema.blobs import BlobStore
from vpetl.schema.db import open_store
from vpetl.schema.load import begin_ingest_run, finish_ingest_run, log_exchanges, mark_interrupted
from vpetl.schema.lock import Lease, run_lock
from vpetl.settings import Settings, redact
from vpetl.vlpar.client import Client, Exchange

from .pool import ExtractionPool, Extractor
from .progress import Progress, Quiet


class FetchLog:
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
    """What every step of one run shares."""

    settings: Settings
    client: Client
    blobs: BlobStore
    store: sessionmaker[Session]
    log: FetchLog
    extractor: Extractor
    lease: Lease = field(default_factory=Lease)  # check() before each load
    incremental: bool = False
    ingest_run_id: int | None = None
    flow_run_id: str | None = None
    discovery_error: str | None = None  # why discovery stopped early, when it did
    dropped: dict[str, int] = field(default_factory=dict)  # search hits of other kinds, by kind
    people_seen: set[int] = field(default_factory=set)  # member records asked for this run (once each)
    people_lock: threading.Lock = field(default_factory=threading.Lock)
    found: int = 0  # questions discovered, and what became of those done so far: an interrupted run's counts
    outcomes: list[QuestionOutcome] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)  # set on Ctrl-C: no new question starts
    progress: Progress = field(default_factory=Quiet)  # advanced as each question ends (not each batch)

    @cached_property
    def extractor_identity(self) -> str:
        """The extractors as the run's workers run them: a document without a run of this
        identity is read again."""
        return extractors.identity(self.settings.ocr)

    def extract(self, kind: Role, sha256: str, published: date | None = None, title: str | None = None) -> Extraction:
        """Extract a stored document under the run's budgets."""
        return self.extractor.extract(kind, self.blobs.path(sha256), published, title)

    def flush_log(self) -> None:
        with self.store() as session:
            log_exchanges(session, self.ingest_run_id, self.log.drain())


class Status(StrEnum):
    loaded = "loaded"
    unchanged = "unchanged"
    failed = "failed"


@dataclass(frozen=True)
class Failure:
    """A part of a question that failed, and in which step: the next run tries it again."""

    question_id: int
    url: str
    reason: str
    step: Step = "fetch"


@dataclass
class QuestionOutcome:
    """What became of one question in a run."""

    question_id: int
    status: Status = Status.loaded
    new_documents: set[str] = field(default_factory=set)  # sha256 of new bytes: two routes to them count once
    changed_documents: list[str] = field(default_factory=list)  # republished: same URL, new bytes
    extractions: int = 0
    failures: list[Failure] = field(default_factory=list)
    step: Step = "fetch"  # the step the question is in, which a failure records
    documents: set[str] = field(default_factory=set)  # sha256 of every document the question has now
    not_stored: bool = False  # failed because its bytes vanished from the blob store during the run

    def failed(self, url: str, reason: str) -> None:
        self.failures.append(Failure(self.question_id, url, reason, self.step))


@dataclass
class RunSummary:
    """What one run did, and what the store holds after it."""

    ingest_run_id: int
    discovered: int
    loaded: int
    unchanged: int
    failed: int
    new_documents: int
    changed_documents: list[str]
    extractions: int
    retries: int
    extraction_cpu_s: float
    extraction_peak_mb: float
    failures: list[Failure]
    discovery_error: str | None = None  # the search stopped early: some questions may be missing
    dropped: dict[str, int] = field(default_factory=dict)  # search hits of another kind than a written question
    not_stored: list[str] = field(default_factory=list)  # bytes the blob store lost during the run
    store: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)  # member records read, unchanged, failed
    people_failures: list[Failure] = field(default_factory=list)  # questions whose asker's record was not read

    @classmethod
    def of(cls, run: Run, found: int, outcomes: list[QuestionOutcome]) -> RunSummary:
        assert run.ingest_run_id is not None
        by_status = {s: sum(o.status == s for o in outcomes) for s in Status}
        return cls(run.ingest_run_id, found, by_status[Status.loaded], by_status[Status.unchanged],
                   by_status[Status.failed], new_documents=sum(len(o.new_documents) for o in outcomes),
                   changed_documents=[u for o in outcomes for u in o.changed_documents],
                   extractions=sum(o.extractions for o in outcomes), retries=run.client.budget.used,
                   extraction_cpu_s=round(run.extractor.cpu_seconds, 1),
                   extraction_peak_mb=round(run.extractor.peak_mb),
                   failures=[f for o in outcomes for f in o.failures], discovery_error=run.discovery_error,
                   dropped=dict(sorted(run.dropped.items())), not_stored=not_stored(run.blobs, outcomes))

    @property
    def complete(self) -> bool:
        """Whether everything found is accounted for: discovery ended, and every byte fetched is kept."""
        return self.discovery_error is None and not self.not_stored

    def counts(self) -> dict[str, object]:
        """As stored with the run (JSON)."""
        out = asdict(self)
        out.pop("store")
        return out


def not_stored(blobs: BlobStore, outcomes: list[QuestionOutcome]) -> list[str]:
    """Lines saying what the run could not keep: questions whose bytes vanished as they were read,
    and documents whose bytes were gone from the blob store at the run's end (the data dir removed
    while it ran). The store knows what it has, so the next ingest or sync fetches them again. (A
    write that fails, disk full or folder refused, stops the run at once: `vpetl.filesystem`.)"""
    lines = [f"question {o.question_id}: {f.reason}" for o in outcomes if o.not_stored for f in o.failures[-1:]]
    gone = sorted({sha for o in outcomes if o.status != Status.failed for sha in o.documents if sha not in blobs})
    if gone:
        whose = "documents'" if len(gone) > 1 else "document's"
        lines.append(f"{len(gone)} {whose} bytes missing from {blobs.root} at the "
                     f"end of the run (removed while it ran?): {', '.join(s[:12] for s in gone[:5])}"
                     + (", ..." if len(gone) > 5 else ""))
    return lines


@contextmanager
def open_run(settings: Settings, query: dict[str, object], incremental: bool = False,
             flow_run_id: str | None = None, extractor: Extractor | None = None) -> Iterator[Run]:
    """A run under the store's run lock, recorded as an ingest run; a run that raises is
    recorded as failed with its reason, and its fetch log is kept."""
    log = FetchLog()
    client = Client(settings, on_exchange=log)
    store = open_store(settings.database_url, connections=settings.store_connections)
    with run_lock(store.kw["bind"], wait=settings.lock_wait) as lease:
        with store() as session:
            run_id = begin_ingest_run(session, redact(client.api_base), {**query, "incremental": incremental},
                                      flow_run_id)
        with store() as session:
            mark_interrupted(session, run_id)
        with store() as session:  # a store first written from Python records its data dir too
            store_info.record_once(session, store_info.DATA_DIR, str(Path(settings.data_dir).resolve()))
        run = Run(settings, client, BlobStore(Path(settings.blob_dir)), store, log,
                  extractor or ExtractionPool(settings), lease, incremental, run_id, flow_run_id)
        try:
            yield run
        except KeyboardInterrupt:  # Ctrl-C: what was loaded is kept, and the run says how far it came
            run.stopping.set()
            getattr(run.extractor, "abort", run.extractor.close)()
            run.flush_log()
            with store() as session:
                finish_ingest_run(session, run_id, "interrupted", RunSummary.of(run, run.found, run.outcomes).counts(),
                                  "interrupted (Ctrl-C)")
            raise
        except BaseException as exc:
            run.flush_log()
            with store() as session:
                finish_ingest_run(session, run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            run.extractor.close()
