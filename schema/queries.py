"""Read queries shared by export, re-extraction and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from . import models as m


@dataclass
class QuestionDocument:
    """A fetched document of a question: its answer (label None) or one of its annexes."""

    question: m.Question
    label: str | None
    title: str | None
    document: m.Document
    other_urls: list[str] = field(default_factory=list)  # other routes to the same bytes


def question_documents(session: Session, question_ids: list[int] | None = None) -> Iterator[QuestionDocument]:
    """Each question's documents, each once: bytes reached by two routes (an annex also listed
    as a file, an annex that is the answer again) are one document, whatever the store holds."""
    stmt = select(m.Question).order_by(m.Question.id)
    if question_ids:
        stmt = stmt.where(m.Question.id.in_(question_ids))
    for q in session.scalars(stmt):
        seen: dict[str, QuestionDocument] = {}
        if q.answer_document is not None:
            seen[q.answer_document.sha256] = QuestionDocument(q, None, None, q.answer_document,
                                                              list(q.answer_other_urls or []))
        for annex in q.annexes:
            if annex.document_id is None:
                continue
            doc = session.get_one(m.Document, annex.document_id)
            if doc.sha256 in seen:
                seen[doc.sha256].other_urls.append(annex.url)
                continue
            seen[doc.sha256] = QuestionDocument(q, annex.label, annex.title, doc, list(annex.other_urls or []))
        yield from seen.values()


def standalone_documents(session: Session) -> Iterator[m.Document]:
    """Documents loaded on their own (`vpetl ingest --file/--url`) that no question holds."""
    held = select(m.Question.answer_document_id).where(m.Question.answer_document_id.is_not(None)).union(
        select(m.Annex.document_id).where(m.Annex.document_id.is_not(None)))
    yield from session.scalars(select(m.Document).where(m.Document.standalone, m.Document.id.not_in(held))
                               .order_by(m.Document.id))


@dataclass
class Placed:
    """A current fact and what is needed to show it: the document it came from and, for a PDF,
    its page and box; for a Word table or a worksheet, its table's cells and its place in them."""

    fact_id: str
    run_id: int
    sha256: str
    media_type: str | None
    page: int | None
    bbox: list[float] | None
    title: str
    cells: list[tuple[int, int, str]]  # (row, col, text) of the fact's table, where it has no page
    mark: tuple[int, int]


def _current_runs() -> Select[int]:
    """Each document's latest successful extraction run (as the view v_current_runs)."""
    return (select(func.max(m.ExtractionRun.id)).where(m.ExtractionRun.status == "ok")
            .group_by(m.ExtractionRun.document_id))


def placed_facts(session: Session, fact_id: str | None = None) -> Iterator[Placed]:
    """Every current fact (or the one asked for), grouped by document so that a caller renders
    each document once."""
    current = _current_runs()
    cells = (select(m.TableCell, m.ExtractionRun, m.Document)
             .join(m.ExtractionRun, m.ExtractionRun.id == m.TableCell.extraction_run_id)
             .join(m.Document, m.Document.id == m.ExtractionRun.document_id)
             .where(m.TableCell.extraction_run_id.in_(current))
             .order_by(m.Document.id, m.TableCell.id))
    people = (select(m.Beneficiary, m.ExtractionRun, m.Document)
              .join(m.ExtractionRun, m.ExtractionRun.id == m.Beneficiary.extraction_run_id)
              .join(m.Document, m.Document.id == m.ExtractionRun.document_id)
              .where(m.Beneficiary.extraction_run_id.in_(current))
              .order_by(m.Document.id, m.Beneficiary.id))
    if fact_id is not None:
        cells = cells.where(m.TableCell.fact_id == fact_id)
        people = people.where(m.Beneficiary.fact_id == fact_id)
    for cell, run, doc in session.execute(cells):
        grid = [] if cell.page is not None else [
            (c.row, c.col, c.raw_text) for c in session.scalars(select(m.TableCell).where(
                m.TableCell.table_id == cell.table_id))]
        where = f"sheet {cell.sheet}, cell {cell.cell_ref}" if cell.sheet else f"row {cell.row}, column {cell.col}"
        yield Placed(cell.fact_id, run.id, doc.sha256, doc.media_type, cell.page, cell.bbox,
                     f"{cell.fact_id}: {cell.raw_text} ({where})", grid, (cell.row, cell.col))
    for person, run, doc in session.execute(people):
        rows = [] if person.page is not None else list(session.scalars(select(m.Beneficiary).where(
            m.Beneficiary.extraction_run_id == run.id, m.Beneficiary.table_index == person.table_index)
            .order_by(m.Beneficiary.row)))
        grid = [(i, col, text or "") for i, b in enumerate(rows)
                for col, text in enumerate((b.name, b.municipality, b.amount_eur, b.cell_ref))]
        mark = next((i for i, b in enumerate(rows) if b.id == person.id), 0)
        yield Placed(person.fact_id, run.id, doc.sha256, doc.media_type, person.page, person.bbox,
                     f"{person.fact_id}: {person.name}, {person.amount_eur} EUR", grid, (mark, 0))
