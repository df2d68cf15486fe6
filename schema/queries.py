"""Read queries shared by export, re-extraction and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import column, select, table, text
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
    page: int | None
    bbox: list[float] | None
    title: str
    cells: list[tuple[int, int, str]]  # (row, col, text) of the fact's table, where it has no page
    mark: tuple[int, int]

    @property
    def on_page(self) -> bool:
        """A PDF fact, drawn on its page; else its table is drawn."""
        return self.page is not None and self.bbox is not None


CURRENT_RUNS = table("v_current_runs", column("id"), column("document_id"))
"""The one definition of the current facts (migration 0011): the latest successful extraction
run of each document a question holds (or loaded on its own). Export, trace, pictures and the
views all read it."""


def current_run_ids(session: Session, document_id: int | None = None) -> set[int]:
    """The ids of the current runs (of one document, when given), as the view says."""
    stmt = select(CURRENT_RUNS.c.id)
    if document_id is not None:
        stmt = stmt.where(CURRENT_RUNS.c.document_id == document_id)
    return set(session.scalars(stmt))


def current_run(session: Session, document_id: int) -> m.ExtractionRun | None:
    """A document's current run (None: no run of it succeeded)."""
    return session.scalars(select(m.ExtractionRun).where(
        m.ExtractionRun.id.in_(select(CURRENT_RUNS.c.id).where(CURRENT_RUNS.c.document_id == document_id)))).first()


def placed_facts(session: Session, fact_id: str | None = None) -> Iterator[Placed]:
    """Every current fact (or the one asked for), run by run, so that a caller renders each
    document once."""
    runs = (select(m.ExtractionRun, m.Document).join(m.Document, m.Document.id == m.ExtractionRun.document_id)
            .where(m.ExtractionRun.id.in_(select(CURRENT_RUNS.c.id))).order_by(m.Document.id, m.ExtractionRun.id))
    if fact_id is not None:
        runs = runs.where(m.ExtractionRun.id.in_(
            select(m.TableCell.extraction_run_id).where(m.TableCell.fact_id == fact_id).union(
                select(m.Beneficiary.extraction_run_id).where(m.Beneficiary.fact_id == fact_id))))
    for run, doc in session.execute(runs):
        yield from _placed_cells(session, run.id, doc.sha256, fact_id)
        yield from _placed_beneficiaries(session, run.id, doc.sha256, fact_id)


def _placed_cells(session: Session, run_id: int, sha256: str, fact_id: str | None) -> Iterator[Placed]:
    stmt = select(m.TableCell).where(m.TableCell.extraction_run_id == run_id).order_by(m.TableCell.id)
    if fact_id is not None:
        stmt = stmt.where(m.TableCell.fact_id == fact_id)
    grids: dict[int, list[tuple[int, int, str]]] = {}  # a table's cells, read once for all its facts
    for cell in session.scalars(stmt):
        if cell.page is None and cell.table_id not in grids:
            grids[cell.table_id] = [(c.row, c.col, c.raw_text) for c in session.scalars(
                select(m.TableCell).where(m.TableCell.table_id == cell.table_id))]
        where = f"sheet {cell.sheet}, cell {cell.cell_ref}" if cell.sheet else f"row {cell.row}, column {cell.col}"
        yield Placed(cell.fact_id, run_id, sha256, cell.page, cell.bbox, f"{cell.fact_id}: {cell.raw_text} ({where})",
                     grids.get(cell.table_id, []) if cell.page is None else [], (cell.row, cell.col))


def _placed_beneficiaries(session: Session, run_id: int, sha256: str, fact_id: str | None) -> Iterator[Placed]:
    stmt = select(m.Beneficiary).where(m.Beneficiary.extraction_run_id == run_id).order_by(m.Beneficiary.id)
    if fact_id is not None:
        stmt = stmt.where(m.Beneficiary.fact_id == fact_id)
    lists: dict[int, list[m.Beneficiary]] = {}  # a list's rows, read once for all its facts
    for person in session.scalars(stmt):
        rows: list[m.Beneficiary] = []
        if person.page is None:
            if person.table_index not in lists:
                lists[person.table_index] = list(session.scalars(select(m.Beneficiary).where(
                    m.Beneficiary.extraction_run_id == run_id, m.Beneficiary.table_index == person.table_index)
                    .order_by(m.Beneficiary.row)))
            rows = lists[person.table_index]
        grid = [(i, col, text or "") for i, b in enumerate(rows)
                for col, text in enumerate((b.name, b.municipality, b.amount_eur, b.cell_ref))]
        mark = next((i for i, b in enumerate(rows) if b.id == person.id), 0)
        yield Placed(person.fact_id, run_id, sha256, person.page, person.bbox,
                     f"{person.fact_id}: {person.name}, {person.amount_eur} EUR", grid, (mark, 0))


@dataclass(frozen=True)
class PartyYear:
    """Questions and grants of one party (the askers' on the days they asked) in a session year."""

    party_id: int | None  # None: questions whose asker's party is not known (see their status)
    party_name: str | None  # its newest name
    names_then: str | None  # the names it had on the days the questions were asked, comma-separated
    session_year: str | None
    questions: int
    askers: int
    grants: int
    total_eur: str | None


def by_party(session: Session) -> list[PartyYear]:
    """`v_party_session_years`, most questions first."""
    rows = session.execute(text("SELECT party_id, party_name, names_then, session_year, questions, askers, grants, "
                                "total_eur FROM v_party_session_years "
                                "ORDER BY session_year, questions DESC, party_name"))
    return [PartyYear(*row) for row in rows]
