"""Read queries shared by export, re-extraction and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m


@dataclass
class QuestionDocument:
    """A fetched PDF of a question: its answer (label None) or one of its annexes."""

    question: m.Question
    label: str | None
    title: str | None
    document: m.Document


def question_documents(session: Session, question_ids: list[int] | None = None) -> Iterator[QuestionDocument]:
    stmt = select(m.Question).order_by(m.Question.id)
    if question_ids:
        stmt = stmt.where(m.Question.id.in_(question_ids))
    for q in session.scalars(stmt):
        if q.answer_document is not None:
            yield QuestionDocument(q, None, None, q.answer_document)
        for annex in q.annexes:
            if annex.document_id is not None:
                yield QuestionDocument(q, annex.label, annex.title, session.get_one(m.Document, annex.document_id))
