"""Read queries shared by export, re-extraction and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
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
