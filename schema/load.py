"""Writing one question, its documents and their facts: all of it in one transaction.

A document already extracted by the same extractor and version is not extracted again: its
facts, or its recorded failure, stay as they are (extraction is deterministic). A new version
writes a new run, which becomes the document's current run (`queries.current_run`); the
older runs and their facts stay. Annexes and validations of a question are replaced as a whole, so loading
it twice leaves the same rows. Facts are inserted in bulk (executemany), not a row at a time."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import JSON, Table, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpetl.extractors import sniff
from vpetl.extractors.checks import Validation
from vpetl.extractors.records import Extraction

from . import models as m
from .people import NO_ASKER_ID, PersonName, note_names


@dataclass
class DocumentIn:
    source_url: str
    final_url: str
    sha256: str
    size: int
    content_type: str | None
    is_pdf: bool
    fetched_at: datetime
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    media_type: str | None = None  # sniffed from the bytes (extractors.sniff), not the server's word

    @property
    def readable(self) -> bool:
        """A document the extractors read (PDF, Word, a spreadsheet, CSV)."""
        return self.media_type in sniff.READABLE if self.media_type else self.is_pdf

    @classmethod
    def of(cls, row: m.Document) -> DocumentIn:
        """A stored document as it was taken in."""
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass
class AnnexIn:
    position: int
    label: str
    title: str | None
    url: str
    status: str
    detail: str | None = None
    document: DocumentIn | None = None
    extraction: Extraction | None = None
    other_urls: list[str] = field(default_factory=list)  # other routes to the same bytes


@dataclass
class QuestionIn:
    id: int
    session_year: str | None
    number: int | None
    title: str | None
    date_asked: date | None
    date_answered: date | None
    asker: str | None
    minister: str | None
    themes: list[str]
    status: str | None
    answer_url: str | None
    record: dict
    record_url: str | None = None
    record_fetched_at: datetime | None = None
    record_etag: str | None = None
    record_last_modified: str | None = None
    last_modified: str | None = None
    complete: bool = True
    answer: DocumentIn | None = None
    answer_extraction: Extraction | None = None
    answer_identified_by: str | None = None  # the evidence that told the answer apart
    answer_other_urls: list[str] = field(default_factory=list)
    annexes: list[AnnexIn] = field(default_factory=list)
    validations: list[Validation] | None = field(default_factory=list)  # None: keep the stored ones
    title_raw: str | None = None  # as the record spells it (`title` is its display form)
    search_metatags: dict | None = None  # what the question's search hits said of it
    sources: dict[str, str] | None = None  # field -> where its value came from ("search metatag themadatum")
    asker_id: int | None = None  # the service's ids of the people (`vraagsteller.id`, `minister.id`)
    minister_id: int | None = None
    people: list[PersonName] = field(default_factory=list)  # their names as the record gives them


@dataclass
class LoadCounts:
    extractions_new: int = 0
    new_runs: list[int] = field(default_factory=list)


def fact_id(*parts: object) -> str:
    """A stable id for a fact from what it denotes (document lineage, table, labels)."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def cell_fact_ids(lineage: str, table_index: int, cells) -> list[str]:
    """Ids of a table's cells by their row and column labels, not their positions, so a fact
    keeps its id when rows move; cells whose labels repeat are told apart by occurrence."""
    seen: Counter = Counter()
    out = []
    for c in cells:
        key = (("header", c.row, c.col) if c.is_header
               else (c.row_label or f"#row{c.row}", c.column_label or f"#col{c.col}"))
        seen[key] += 1
        out.append(fact_id("cell", lineage, table_index, *key, seen[key]))
    return out


def beneficiary_fact_ids(lineage: str, list_index: int, rows) -> list[str]:
    """Ids of a list's beneficiaries by the name as printed (not as interpreted: a better
    reading of the name must not change the fact's id)."""
    seen: Counter = Counter()
    out = []
    for b in rows:
        key = " ".join(b.name.split()).lower()
        seen[key] += 1
        out.append(fact_id("beneficiary", lineage, list_index, key, seen[key]))
    return out


def bulk_insert(session: Session, model: type[m.Base], rows: list[dict]) -> None:
    """Insert many rows by the database's fast path, inside the caller's transaction: COPY on
    PostgreSQL, the driver's own executemany on SQLite (SQLAlchemy's per-value processing
    costs more than the insert itself), SQLAlchemy's executemany elsewhere."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    conn = session.connection()
    driver: Any = conn.connection.driver_connection  # psycopg's or sqlite3's own connection
    columns = list(rows[0])
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    text_cols = {c.name for c in table.columns if isinstance(c.type, m.SourceText)}  # as the ORM would clean them
    values = ([json.dumps(row[c]) if c in json_cols else m.without_controls(row[c]) if c in text_cols
               else _sqlite_time(row[c]) if isinstance(row[c], datetime) else row[c] for c in columns]
              for row in rows)
    if conn.dialect.name == "postgresql":
        with driver.cursor().copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    elif conn.dialect.name == "sqlite":
        driver.cursor().executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values)
    else:
        conn.execute(table.insert(), rows)


def _sqlite_time(value: datetime) -> datetime | str:
    """Datetimes as SQLAlchemy stores them in SQLite (naive UTC text); others pass through."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if value.tzinfo else value.isoformat(" ")


def begin_ingest_run(session: Session, api_base: str, query: dict, flow_run_id: str | None) -> int:
    with session.begin():
        run = m.IngestRun(started_at=datetime.now(UTC), status="running", api_base=api_base, query=query,
                          flow_run_id=flow_run_id)
        session.add(run)
    return run.id


def mark_interrupted(session: Session, by_run_id: int) -> int:
    """Runs left `running` by a process that died (killed, or its machine lost): called by the
    next run once it holds the lock, so no live run can be among them. Returns how many."""
    with session.begin():
        stale = session.scalars(select(m.IngestRun).where(m.IngestRun.status == "running",
                                                          m.IngestRun.id != by_run_id)).all()
        for run in stale:
            run.status, run.error = "interrupted", f"ended without finishing (killed?); found by run {by_run_id}"
    return len(stale)


def finish_ingest_run(session: Session, run_id: int, status: str, counts: dict, error: str | None = None) -> None:
    with session.begin():
        run = session.get_one(m.IngestRun, run_id)
        run.finished_at, run.status, run.counts, run.error = datetime.now(UTC), status, counts, error


def load_question(session: Session, q: QuestionIn, ingest_run_id: int | None = None,
                  flow_run_id: str | None = None) -> LoadCounts:
    """Upsert a question with its answer, annexes, facts and validations, atomically.

    Two questions that share a document (one annex attached to two answers) may be loaded at
    once by two threads; on PostgreSQL the second insert of that document then violates its
    unique key. The transaction is rolled back and tried once more, when the other's row is
    committed and found."""
    try:
        return _load_question(session, q, ingest_run_id, flow_run_id)
    except IntegrityError:
        return _load_question(session, q, ingest_run_id, flow_run_id)


def _load_question(session: Session, q: QuestionIn, ingest_run_id: int | None,
                   flow_run_id: str | None) -> LoadCounts:
    counts = LoadCounts()
    with session.begin():
        answer_doc = _document(session, q.answer) if q.answer else None
        row = session.get(m.Question, q.id) or m.Question(id=q.id)
        row.session_year, row.number, row.title = q.session_year, q.number, q.title
        row.date_asked, row.date_answered = q.date_asked, q.date_answered
        row.asker, row.minister, row.themes, row.status = q.asker, q.minister, q.themes, q.status
        row.answer_url, row.record, row.record_url = q.answer_url, q.record, q.record_url
        row.record_fetched_at, row.record_etag = q.record_fetched_at, q.record_etag
        row.record_last_modified, row.last_modified, row.complete = q.record_last_modified, q.last_modified, q.complete
        row.answer_document_id = answer_doc.id if answer_doc else None
        row.answer_identified_by, row.answer_other_urls = q.answer_identified_by, q.answer_other_urls
        row.title_raw, row.search_metatags, row.sources = q.title_raw, q.search_metatags, q.sources
        _people(session, row, q)
        session.add(row)
        session.flush()
        if answer_doc and q.answer_extraction:
            record_extraction(session, answer_doc, q.answer_extraction, q.id, counts, ingest_run_id, flow_run_id)
        session.execute(delete(m.Annex).where(m.Annex.question_id == q.id))
        for annex in q.annexes:
            doc = _document(session, annex.document) if annex.document else None
            session.add(m.Annex(question_id=q.id, position=annex.position, label=annex.label, title=annex.title,
                                url=annex.url, document_id=doc.id if doc else None, status=annex.status,
                                detail=annex.detail, other_urls=annex.other_urls))
            if doc and annex.extraction:
                record_extraction(session, doc, annex.extraction, q.id, counts, ingest_run_id, flow_run_id)
        if q.validations is not None:
            replace_validations(session, q.id, q.validations)
    return counts


def _people(session: Session, row: m.Question, q: QuestionIn) -> None:
    """The question's people by id, their names noted where no member record gave them; the
    asker's party is decided later, from their member record (`schema.people.resolve`): a
    question whose asker changed loses the old one's party until then."""
    if row.asker_id != q.asker_id:
        row.asker_party_id, row.asker_party_name = None, None
        row.asker_party_status = None if q.asker_id is not None else NO_ASKER_ID
    elif q.asker_id is None:
        row.asker_party_status = NO_ASKER_ID
    row.asker_id, row.minister_id = q.asker_id, q.minister_id
    for person in q.people:
        note_names(session, person, q.id)


def held_copy(session: Session, sha256: str) -> tuple[m.Document, int] | None:
    """A stored document with exactly these bytes that a question holds (as its answer or an
    annex), and that question's id: a document a user loads on its own joins it, so that its
    facts (a grant) count once whatever route brought the bytes."""
    as_answer = (select(m.Document, m.Question.id).join(m.Question, m.Question.answer_document_id == m.Document.id)
                 .where(m.Document.sha256 == sha256))
    as_annex = (select(m.Document, m.Annex.question_id).join(m.Annex, m.Annex.document_id == m.Document.id)
                .where(m.Document.sha256 == sha256))
    for query in (as_answer, as_annex):
        row = session.execute(query.order_by(m.Document.id).limit(1)).first()
        if row is not None:
            return row[0], row[1]
    return None


def load_document(session: Session, doc: DocumentIn, ex: Extraction | None, ingest_run_id: int | None = None,
                  flow_run_id: str | None = None) -> LoadCounts:
    """A single document with no question (`vpetl ingest --url/--file`), atomically. (One whose
    bytes a question holds is not loaded again: see `held_copy`.)"""
    counts = LoadCounts()
    with session.begin():
        row = _document(session, doc)
        row.standalone = True  # its facts belong to no question: the export and views show them so
        if ex:
            record_extraction(session, row, ex, None, counts, ingest_run_id, flow_run_id)
    return counts


def log_exchanges(session: Session, ingest_run_id: int | None, exchanges) -> None:
    """Append rows to the fetch log (its own transaction: the log is kept even when a load fails)."""
    if not exchanges:
        return
    with session.begin():
        bulk_insert(session, m.FetchLog, [
            {"ingest_run_id": ingest_run_id, "url": e.url, "requested_url": e.requested_url, "method": e.method,
             "status": e.status, "bytes": e.bytes, "elapsed_ms": e.elapsed_ms, "attempt": e.attempt,
             "error": e.error, "sha256": e.sha256, "at": e.at} for e in exchanges])


def latest_document(session: Session, source_url: str) -> m.Document | None:
    """The newest stored version of a URL: its validators make the next request conditional."""
    return session.scalars(select(m.Document).where(m.Document.source_url == source_url)
                           .order_by(m.Document.id.desc())).first()


def replace_validations(session: Session, question_id: int, validations: list[Validation]) -> None:
    """The question's checks, as of now (inside the caller's transaction)."""
    session.execute(delete(m.ValidationResult).where(m.ValidationResult.question_id == question_id))
    now = datetime.now(UTC)
    session.add_all(m.ValidationResult(question_id=question_id, check=v.check, subject=v.subject,
                                       expected=v.expected, actual=v.actual, status=v.status, detail=v.detail,
                                       rule=v.rule, checked_at=now) for v in validations)


def _document(session: Session, doc: DocumentIn) -> m.Document:
    row = session.scalars(select(m.Document).where(m.Document.source_url == doc.source_url,
                                                   m.Document.sha256 == doc.sha256)).first()
    if row is None:
        row = m.Document(**doc.__dict__)
        session.add(row)
        session.flush()
    return row


def has_run(session: Session, document_id: int, extractor: str, version: str) -> bool:
    return session.scalars(select(m.ExtractionRun.id).where(
        m.ExtractionRun.document_id == document_id, m.ExtractionRun.extractor == extractor,
        m.ExtractionRun.extractor_version == version)).first() is not None


def record_extraction(session: Session, doc: m.Document, ex: Extraction, question_id: int | None,
                      counts: LoadCounts, ingest_run_id: int | None = None, flow_run_id: str | None = None) -> None:
    """One extraction run and its facts (inside the caller's transaction); skipped when the
    document already has a run of this extractor and version."""
    if has_run(session, doc.id, ex.extractor, ex.version):
        return
    result = ex.result
    run = m.ExtractionRun(document_id=doc.id, extractor=ex.extractor, extractor_version=ex.version,
                          started_at=ex.started_at, finished_at=ex.finished_at,
                          status="ok" if result else "failed", error=ex.error,
                          n_pages=result.n_pages if result else None, flow_run_id=flow_run_id,
                          ingest_run_id=ingest_run_id, n_facts=0)
    session.add(run)
    session.flush()
    counts.extractions_new += 1
    counts.new_runs.append(run.id)
    if result is None:
        session.add(m.ExtractionIssue(extraction_run_id=run.id, page=None, reason=ex.error or "failed"))
        return
    session.add_all(m.ExtractionIssue(extraction_run_id=run.id, page=i.page, reason=i.reason) for i in result.issues)
    if question_id is not None:
        for part, items in (("question", result.questions), ("answer", result.answers)):
            session.add_all(m.QuestionItem(extraction_run_id=run.id, question_id=question_id, part=part,
                                           number=i.number, text=i.text, page=i.page) for i in items)
    n_facts = 0
    for table in result.tables:
        t = m.ExtractedTable(extraction_run_id=run.id, document_id=doc.id, table_index=table.index, page=table.page,
                             pages=table.pages, bbox=list(table.bbox) if table.bbox else None, method=table.method,
                             confidence=table.confidence, n_rows=table.n_rows, n_cols=table.n_cols,
                             header_rows=table.header_rows, caption=table.caption)
        session.add(t)
        session.flush()
        ids = cell_fact_ids(doc.source_url, table.index, table.cells)
        rows = [dict(fact_id=fid, table_id=t.id, extraction_run_id=run.id, row=c.row, col=c.col,
                     row_span=c.row_span, col_span=c.col_span, is_header=c.is_header, raw_text=c.text,
                     row_label=c.row_label, column_label=c.column_label,
                     value=None if c.value is None else str(c.value), unit=c.unit,
                     footnotes=[{"marker": f.marker, "text": f.text} for f in c.footnotes], page=c.page,
                     bbox=list(c.bbox) if c.bbox else None, sheet=c.sheet, cell_ref=c.ref)
                for fid, c in zip(ids, table.cells, strict=True)]
        bulk_insert(session, m.TableCell, rows)
        n_facts += len(rows)
    for i, blist in enumerate(result.beneficiary_lists):
        ids = beneficiary_fact_ids(doc.source_url, i, blist.rows)
        rows = [dict(fact_id=fid, extraction_run_id=run.id, table_index=blist.table_index, row=b.row,
                     call_year=blist.call_year, name=b.name, normalised_name=b.normalised_name, kind=b.kind,
                     municipality=b.municipality, nis_code=b.nis_code, nis_code_at_time=b.nis_code_at_time,
                     sessions=b.sessions, amount_eur=None if b.amount_eur is None else str(b.amount_eur),
                     amount_cents=None if b.amount_eur is None else int(b.amount_eur * Decimal(100)),
                     page=b.page, bbox=list(b.bbox) if b.bbox else None, sheet=b.sheet, cell_ref=b.ref)
                for fid, b in zip(ids, blist.rows, strict=True)]
        bulk_insert(session, m.Beneficiary, rows)
        n_facts += len(rows)
    run.n_facts = n_facts


def load_reextraction(session: Session, question_id: int, extractions: list[tuple[int, Extraction]],
                      validations: list[Validation] | None, flow_run_id: str | None = None) -> LoadCounts:
    """New extraction runs over stored documents, and the question's checks, in one transaction."""
    counts = LoadCounts()
    with session.begin():
        for document_id, ex in extractions:
            record_extraction(session, session.get_one(m.Document, document_id), ex, question_id, counts,
                              flow_run_id=flow_run_id)
        if validations is not None:
            replace_validations(session, question_id, validations)
    return counts


@dataclass
class StoredQuestion:
    """What the store knows of a question, for deciding what a sync must fetch again."""

    last_modified: str | None
    complete: bool
    answered: bool
    record: dict
    record_etag: str | None
    record_last_modified: str | None
    annexes: list[tuple[str, str | None, str]]  # label, title, url
    documents: list[str]  # sha256 of the answer's and the annexes' bytes: each must be in the blob store


def stored_question(session: Session, question_id: int) -> StoredQuestion | None:
    q = session.get(m.Question, question_id)
    if q is None:
        return None
    documents = [d.sha256 for d in [q.answer_document, *(session.get(m.Document, a.document_id) for a in q.annexes
                                                         if a.document_id is not None)] if d is not None]
    return StoredQuestion(q.last_modified, q.complete, q.answer_url is not None, q.record, q.record_etag,
                          q.record_last_modified, [(a.label, a.title, a.url) for a in q.annexes], documents)


def needs_extraction(session: Session, doc: DocumentIn, extractor: str, version: str) -> bool:
    """The one test of whether a document must be read: bytes the extractors read that this
    extractor, as it is now (`version`), has not read from this URL. An ingest, a sync and
    `reextract` all ask it."""
    if not doc.readable:
        return False
    stored = session.scalars(select(m.Document.id).where(m.Document.source_url == doc.source_url,
                                                         m.Document.sha256 == doc.sha256)).first()
    return stored is None or not has_run(session, stored, extractor, version)
