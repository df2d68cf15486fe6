"""Re-extraction: run the current extractors over documents already stored. No HTTP at all.

A question whose documents all have a run of the current extractor versions is skipped
without extracting anything (the cache is keyed on the document's sha256 and the version).
Otherwise every document of the question is extracted again (the checks compare answer and
annexes), under the same budgets as an ingest, and only the documents without a current run
get a new run. Each new run is compared with the run it superseded."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from vpetl import extractors
from vpetl.extractors import Extraction, Role
from vpetl.extractors.checks import check_question
from vpetl.filesystem import is_filesystem
from vpetl.schema.blobs import BlobStore
from vpetl.schema.db import open_store
from vpetl.schema.diff import diff_runs, previous_run
from vpetl.schema.load import DocumentIn, load_reextraction, needs_extraction
from vpetl.schema.lock import Lease, LockLost, run_lock
from vpetl.schema.queries import QuestionDocument, question_documents
from vpetl.settings import Settings

from .pool import ExtractionPool, Extractor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reextraction:
    """A new extraction run and what changed against the run it superseded (None: a first
    run); or, with `error`, a question whose re-extraction raised (nothing of it was stored,
    so the next `reextract` tries it again)."""

    question_id: int
    run_id: int | None
    previous_run_id: int | None
    added: int | None
    changed: int | None
    removed: int | None
    error: str | None = None


def role(qd: QuestionDocument) -> Role:
    return "answer" if qd.label is None else "annex"


def stale(session: Session, qd: QuestionDocument, only: str | None, identity: str) -> bool:
    """A document with no run of its extractor (of `only`, when given) as it is now (`identity`)."""
    name = extractors.NAMES[role(qd)]
    return (only is None or name == only) and needs_extraction(session, DocumentIn.of(qd.document), name, identity)


def reextract(settings: Settings, questions: list[int] | None = None, only: str | None = None,
              flow_run_id: str | None = None, extractor: Extractor | None = None) -> list[Reextraction]:
    """Re-run the current extractors over stored documents; one summary per new run, and one
    per question whose re-extraction failed. Worker processes (the default extractor) start
    only when some document needs them."""
    store = open_store(settings.database_url)
    current = extractors.identity(settings.ocr)
    blobs = BlobStore(settings.blob_dir)
    with store() as session:
        documents = [qd for qd in question_documents(session, questions) if DocumentIn.of(qd.document).readable]
        todo = sorted({qd.question.id for qd in documents if stale(session, qd, only, current)})
    lost = _lost(blobs, documents)
    todo = [qid for qid in todo if qid not in lost]
    if not todo:
        return list(lost.values())
    extractor = extractor or ExtractionPool(settings)
    try:
        with run_lock(store.kw["bind"], wait=settings.lock_wait) as lease:
            return [*lost.values(), *(row for qid in todo for row in
                                      _one_question(store, blobs, extractor, qid, only, current, flow_run_id, lease))]
    finally:
        extractor.close()


def _lost(blobs: BlobStore, documents: list[QuestionDocument]) -> dict[int, Reextraction]:
    """The questions some of whose documents' bytes are not in the blob store (the data dir lost,
    or another --data-dir), each as a failed row that says so: there is nothing to read them from."""
    missing: dict[int, int] = {}
    for qd in documents:
        if qd.document.sha256 not in blobs:
            missing[qd.question.id] = missing.get(qd.question.id, 0) + 1
    return {qid: Reextraction(qid, None, None, None, None, None, f"the bytes of {n} of its documents are not in "
                              f"{blobs.root}; the next ingest or sync fetches them again")
            for qid, n in sorted(missing.items())}


def _one_question(store: sessionmaker[Session], blobs: BlobStore, extractor: Extractor, question_id: int,
                  only: str | None, current: str, flow_run_id: str | None, lease: Lease) -> list[Reextraction]:
    """A question's re-extraction; whatever it raises stays with it (a bug in vpetl, said as
    such, with the traceback in the log) and the others go on."""
    try:
        return reextract_question(store, blobs, extractor, question_id, only, current, flow_run_id, lease)
    except LockLost:
        raise  # another run may be loading: nothing more may be written
    except Exception as exc:
        if is_filesystem(exc):
            raise  # the machine's disk (bytes missing, a folder refused), not this question: said once
        log.exception("re-extracting question %s", question_id)
        return [Reextraction(question_id, None, None, None, None, None, f"bug in vpetl: {type(exc).__name__}: {exc}")]


def reextract_question(store: sessionmaker[Session], blobs: BlobStore, extractor: Extractor, question_id: int,
                       only: str | None, current: str, flow_run_id: str | None = None, lease: Lease | None = None
                       ) -> list[Reextraction]:
    """One question's documents read again, its stale ones stored as new runs, its checks renewed."""
    with store() as session:
        docs = [qd for qd in question_documents(session, [question_id]) if DocumentIn.of(qd.document).readable]
        wanted = {qd.document.id for qd in docs if stale(session, qd, only, current)}
        if not wanted:
            return []
        q = docs[0].question
        published = q.date_answered or q.date_asked or date.today()
    runs: dict[int, Extraction] = {}
    annexes = []
    for qd in docs:
        ex = extractor.extract(role(qd), blobs.path(qd.document.sha256), published, qd.title)
        runs[qd.document.id] = ex
        if qd.label is not None:
            annexes.append((qd.label, ex.result))
    answer = next((runs[qd.document.id].result for qd in docs if qd.label is None), None)
    if lease:
        lease.check()
    with store() as session:
        counts = load_reextraction(session, question_id, [(d, ex) for d, ex in runs.items() if d in wanted],
                                   check_question(answer, annexes), flow_run_id)
        return [_compared(session, question_id, run_id) for run_id in counts.new_runs]


def _compared(session: Session, question_id: int, run_id: int) -> Reextraction:
    before = previous_run(session, run_id)
    if before is None:
        return Reextraction(question_id, run_id, None, None, None, None)
    diff = diff_runs(session, before, run_id)
    return Reextraction(question_id, run_id, before, len(diff.added), len(diff.changed), len(diff.removed))
