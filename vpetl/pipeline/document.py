"""One document a user has, outside any question: a short link or pfile URL, or a file on disk.

It is read as an answer when it has an answer's header, else as an annex; its facts are
stored with the document's provenance (for a file, its path and sha256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vpetl.extractors import Extraction, sniff
from vpetl.schema.blobs import BlobStore
from vpetl.schema.db import open_store
from vpetl.schema.load import DocumentIn, held_copy, load_document, log_exchanges
from vpetl.schema.lock import run_lock
from vpetl.settings import Settings
from vpetl.vlpar.client import Client

from .pool import ExtractionPool, Extractor
from .question import document_in
from .run import FetchLog


@dataclass(frozen=True)
class DocumentOutcome:
    """What was stored of one document, and what was read from it."""

    source_url: str
    sha256: str
    media_type: str
    extractor: str | None
    error: str | None
    tables: int
    beneficiaries: int
    new_extraction: bool
    held_by: tuple[str, int] | None = None  # the same bytes, already a question's: (its URL, the question)


def ingest_document(settings: Settings, url: str | None = None, path: Path | None = None,
                    flow_run_id: str | None = None, extractor: Extractor | None = None) -> DocumentOutcome:
    """Fetch (or read) one document, keep its bytes, extract it under the run budgets and load
    its facts, holding the store's run lock like any other writer."""
    blobs = BlobStore(settings.blob_dir)
    store = open_store(settings.database_url)
    with run_lock(store.kw["bind"], wait=settings.lock_wait) as lease:
        if path is not None:
            doc = _from_file(blobs, path)
        elif url is not None:
            log = FetchLog()
            resp = Client(settings, on_exchange=log).get(url, sink=blobs, expect_document=True)
            doc = document_in(resp, blobs.get(resp.sha256 or ""))
            with store() as session:
                log_exchanges(session, None, log.drain())
        else:
            raise ValueError("give a url or a path")
        with store() as session:
            held = held_copy(session, doc.sha256)
            if held is not None:  # nothing to load: its facts are in the store, counted with the question
                return DocumentOutcome(doc.source_url, doc.sha256, doc.media_type or sniff.OTHER, None, None, 0, 0,
                                       False, (held[0].source_url, held[1]))
        ex = None
        if doc.readable:
            extractor = extractor or ExtractionPool(settings.with_(processes=1))  # one document: one worker
            try:
                ex = read_document(extractor, blobs.path(doc.sha256))
            finally:
                extractor.close()
        lease.check()
        with store() as session:
            counts = load_document(session, doc, ex, flow_run_id=flow_run_id)
    result = ex.result if ex else None
    return DocumentOutcome(doc.source_url, doc.sha256, doc.media_type or sniff.OTHER, ex.extractor if ex else None,
                           ex.error if ex else None, len(result.tables) if result else 0,
                           sum(len(b.rows) for b in result.beneficiary_lists) if result else 0,
                           bool(counts.extractions_new))


def read_document(extractor: Extractor, path: Path) -> Extraction:
    """An answer when the document has an answer's header, else an annex."""
    ex = extractor.extract("answer", path)
    if ex.result is not None and (ex.result.header is None or ex.result.header.number is None):
        ex = extractor.extract("annex", path)
    return ex


def _from_file(blobs: BlobStore, path: Path) -> DocumentIn:
    data = path.read_bytes()
    sha = blobs.put(data)
    source = path.resolve().as_uri()
    media = sniff.media_type(data)
    return DocumentIn(source, source, sha, len(data), media, media == sniff.PDF, datetime.now(UTC), media_type=media)
