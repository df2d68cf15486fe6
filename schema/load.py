"""Writing one question, its documents and their facts: all of it in one transaction.

A document already extracted by the same extractor and version is not extracted again: its
facts, or its recorded failure, stay as they are (extraction is deterministic). Annexes and
validations of a question are replaced as a whole, so loading it twice leaves the same rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from extractors.checks import Validation
from extractors.records import DocumentExtraction

from . import models as m


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


@dataclass
class ExtractionIn:
    extractor: str
    version: str
    started_at: datetime
    finished_at: datetime
    result: DocumentExtraction | None  # None when extraction failed
    error: str | None = None


@dataclass
class AnnexIn:
    position: int
    label: str
    title: str | None
    url: str
    status: str
    detail: str | None = None
    document: DocumentIn | None = None
    extraction: ExtractionIn | None = None


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
    answer: DocumentIn | None = None
    answer_extraction: ExtractionIn | None = None
    annexes: list[AnnexIn] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)


@dataclass
class LoadCounts:
    documents_new: int = 0
    extractions_new: int = 0
    extractions_skipped: int = 0


def fact_id(*parts: object) -> str:
    """A stable id for a fact: the same document lineage and position give the same id."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def begin_ingest_run(session: Session, api_base: str, query: dict, flow_run_id: str | None) -> int:
    with session.begin():
        run = m.IngestRun(started_at=datetime.now(UTC), status="running", api_base=api_base, query=query,
                          flow_run_id=flow_run_id)
        session.add(run)
    return run.id


def finish_ingest_run(session: Session, run_id: int, status: str, counts: dict, error: str | None = None) -> None:
    with session.begin():
        run = session.get(m.IngestRun, run_id)
        run.finished_at, run.status, run.counts, run.error = datetime.now(UTC), status, counts, error


def load_question(session: Session, q: QuestionIn, ingest_run_id: int | None = None,
                  flow_run_id: str | None = None) -> LoadCounts:
    """Upsert a question with its answer, annexes, facts and validations, atomically."""
    counts = LoadCounts()
    with session.begin():
        answer_doc = _document(session, q.answer, counts) if q.answer else None
        row = session.get(m.Question, q.id) or m.Question(id=q.id)
        row.session_year, row.number, row.title = q.session_year, q.number, q.title
        row.date_asked, row.date_answered = q.date_asked, q.date_answered
        row.asker, row.minister, row.themes, row.status = q.asker, q.minister, q.themes, q.status
        row.answer_url, row.record, row.record_url = q.answer_url, q.record, q.record_url
        row.record_fetched_at = q.record_fetched_at
        row.answer_document_id = answer_doc.id if answer_doc else None
        session.add(row)
        session.flush()
        if answer_doc and q.answer_extraction:
            _extraction(session, answer_doc, q.answer_extraction, q.id, None, counts, ingest_run_id, flow_run_id)
        session.execute(delete(m.Annex).where(m.Annex.question_id == q.id))
        for annex in q.annexes:
            doc = _document(session, annex.document, counts) if annex.document else None
            session.add(m.Annex(question_id=q.id, position=annex.position, label=annex.label, title=annex.title,
                                url=annex.url, document_id=doc.id if doc else None, status=annex.status,
                                detail=annex.detail))
            if doc and annex.extraction:
                _extraction(session, doc, annex.extraction, q.id, annex.label, counts, ingest_run_id, flow_run_id)
        session.execute(delete(m.ValidationResult).where(m.ValidationResult.question_id == q.id))
        now = datetime.now(UTC)
        session.add_all(m.ValidationResult(question_id=q.id, check=v.check, subject=v.subject, expected=v.expected,
                                           actual=v.actual, status=v.status, detail=v.detail, checked_at=now)
                        for v in q.validations)
    return counts


def _document(session: Session, doc: DocumentIn, counts: LoadCounts) -> m.Document:
    row = session.scalars(select(m.Document).where(m.Document.source_url == doc.source_url,
                                                   m.Document.sha256 == doc.sha256)).first()
    if row is None:
        row = m.Document(**doc.__dict__)
        session.add(row)
        session.flush()
        counts.documents_new += 1
    return row


def _extraction(session: Session, doc: m.Document, ex: ExtractionIn, question_id: int, annex_label: str | None,
                counts: LoadCounts, ingest_run_id: int | None, flow_run_id: str | None) -> None:
    done = session.scalars(select(m.ExtractionRun.id).where(
        m.ExtractionRun.document_id == doc.id, m.ExtractionRun.extractor == ex.extractor,
        m.ExtractionRun.extractor_version == ex.version)).first()
    if done is not None:
        counts.extractions_skipped += 1
        return
    result = ex.result
    run = m.ExtractionRun(document_id=doc.id, extractor=ex.extractor, extractor_version=ex.version,
                          started_at=ex.started_at, finished_at=ex.finished_at,
                          status="ok" if result else "failed", error=ex.error,
                          n_pages=result.n_pages if result else None, flow_run_id=flow_run_id,
                          ingest_run_id=ingest_run_id)
    session.add(run)
    session.flush()
    counts.extractions_new += 1
    if result is None:
        session.add(m.ExtractionIssue(extraction_run_id=run.id, page=None, reason=ex.error or "failed"))
        return
    session.add_all(m.ExtractionIssue(extraction_run_id=run.id, page=i.page, reason=i.reason) for i in result.issues)
    for part, items in (("question", result.questions), ("answer", result.answers)):
        session.add_all(m.QuestionItem(extraction_run_id=run.id, question_id=question_id, part=part,
                                       number=i.number, text=i.text, page=i.page) for i in items)
    for table in result.tables:
        t = m.ExtractedTable(extraction_run_id=run.id, document_id=doc.id, table_index=table.index, page=table.page,
                             pages=table.pages, bbox=list(table.bbox), method=table.method,
                             confidence=table.confidence, n_rows=table.n_rows, n_cols=table.n_cols,
                             header_rows=table.header_rows)
        session.add(t)
        session.flush()
        session.add_all(m.TableCell(
            fact_id=fact_id("cell", doc.source_url, table.index, c.row, c.col), table_id=t.id,
            extraction_run_id=run.id, row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span,
            is_header=c.is_header, raw_text=c.text, row_label=c.row_label, column_label=c.column_label,
            value=None if c.value is None else str(c.value), unit=c.unit,
            footnotes=[{"marker": f.marker, "text": f.text} for f in c.footnotes], page=c.page, bbox=list(c.bbox))
            for c in table.cells)
    for blist in result.beneficiary_lists:
        session.add_all(m.Beneficiary(
            fact_id=fact_id("beneficiary", doc.source_url, blist.table_index, b.row),
            extraction_run_id=run.id, table_index=blist.table_index, row=b.row, call_year=blist.call_year,
            name=b.name, normalised_name=b.normalised_name, kind=b.kind, municipality=b.municipality,
            nis_code=b.nis_code, nis_code_at_time=b.nis_code_at_time, sessions=b.sessions,
            amount_eur=None if b.amount_eur is None else str(b.amount_eur),
            amount_cents=None if b.amount_eur is None else int(b.amount_eur * Decimal(100)),
            page=b.page, bbox=list(b.bbox)) for b in blist.rows)
