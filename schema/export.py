"""The export contract (`docs/export.md`): one file per record kind.

Facts come from each document's current run (`queries.current_run`, the view
`v_current_runs`); older runs stay in the store. Every fact carries its provenance."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from . import models as m
from .queries import current_run, question_documents, standalone_documents
from .review import current as current_reviews

KINDS = ("questions", "table_cells", "beneficiaries", "validations", "people", "parties")


def iso(value) -> str | None:
    """ISO 8601; times are UTC (SQLite returns them without their zone)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat() if value is not None else None


def _provenance(doc: m.Document, run: m.ExtractionRun | None, page=None, bbox=None,
                other_urls: list[str] | None = None, sheet: str | None = None, cell: str | None = None) -> dict:
    return {"source_url": doc.source_url, "other_source_urls": sorted(set(other_urls or []) - {doc.source_url}),
            "final_url": doc.final_url, "document_sha256": doc.sha256,
            "document_media_type": media_type(doc), "fetched_at": iso(doc.fetched_at), "page": page, "bbox": bbox,
            "sheet": sheet, "cell": cell,
            "extractor": run.extractor if run else None, "extractor_version": run.extractor_version if run else None,
            "run_id": run.id if run else None, "flow_run_id": run.flow_run_id if run else None}


def media_type(doc: m.Document) -> str | None:
    """What the bytes are, as sniffed (for a document stored before sniffing: a PDF by its
    header, else what the server said, without parameters)."""
    if doc.media_type or doc.is_pdf:
        return doc.media_type or "application/pdf"
    return doc.content_type.split(";")[0].strip().lower() if doc.content_type else None


def questions(session: Session) -> Iterator[dict]:
    """One record per question. Beyond the contract's fields, appended so CSV columns keep their
    places: `title_raw` (the title as the source spells it; `title` is its whitespace-normalised
    form), `sources` (field -> where on the live service its value came from, e.g.
    `"date_asked": "search metatag themadatum"`) and `search_metatags` (what the question's
    search hits said of it), so a reader can check each value against its source."""
    for q in session.scalars(select(m.Question).order_by(m.Question.id)):
        doc = q.answer_document
        run = current_run(session, doc.id) if doc else None
        yield {"id": q.id, "session_year": q.session_year, "number": q.number, "title": q.title,
               "date_asked": iso(q.date_asked), "date_answered": iso(q.date_answered), "asker": q.asker,
               "minister": q.minister, "asker_id": q.asker_id, "minister_id": q.minister_id,
               "asker_party_id": q.asker_party_id, "asker_party_name": q.asker_party_name,
               "asker_party_status": q.asker_party_status,
               "asker_party_source": (q.sources or {}).get("asker_party"), "themes": q.themes, "status": q.status,
               "answer_url": q.answer_url,
               "answer_identified_by": q.answer_identified_by,
               "annexes": [{"label": a.label, "title": a.title, "url": a.url, "status": a.status}
                           for a in q.annexes],
               "provenance": _provenance(doc, run, other_urls=q.answer_other_urls) if doc else None,
               "title_raw": q.title_raw, "sources": q.sources, "search_metatags": q.search_metatags}


def _questions_by_document(sources: list[FactSource]) -> dict[str, list[int]]:
    """The questions each document (by sha256) belongs to: one list attached to two answers is
    a fact of each, and the export says so (`also_in_questions`)."""
    out: dict[str, list[int]] = {}
    for src in sources:
        if src.question_id is not None:
            out.setdefault(src.document.sha256, []).append(src.question_id)
    return out


@dataclass(frozen=True)
class FactSource:
    """A document whose current facts are exported, and the question it belongs to (None for a
    document loaded on its own with `vpetl ingest --file/--url`)."""

    question_id: int | None
    annex_label: str | None
    document: m.Document
    other_urls: list[str]
    lists: bool  # its beneficiary lists count (an annex, or a document on its own)


def fact_sources(session: Session) -> Iterator[FactSource]:
    """Every document with facts: each question's documents once, then those loaded on their own."""
    for qd in question_documents(session):
        yield FactSource(qd.question.id, qd.label, qd.document, qd.other_urls, qd.label is not None)
    for doc in standalone_documents(session):
        yield FactSource(None, None, doc, [], True)


def _review(reviews: dict, fact_id: str) -> dict:
    """Both values stay visible: `value` as extracted, `corrected_value` as reviewed."""
    r = reviews.get(fact_id)
    if r is None:
        return {"corrected_value": None, "review": None}
    status = {"verify": "verified", "dispute": "disputed", "correct": "corrected"}[r.action]
    return {"corrected_value": r.value, "review": {"status": status, "reviewer": r.reviewer, "reason": r.reason,
                                                   "reviewed_at": iso(r.reviewed_at)}}


def table_cells(session: Session) -> Iterator[dict]:
    reviews = current_reviews(session)
    sources = list(fact_sources(session))
    sharing = _questions_by_document(sources)
    for src in sources:
        question_id, doc = src.question_id, src.document
        run = current_run(session, doc.id)
        if run is None:
            continue
        rows = session.execute(select(m.TableCell, m.ExtractedTable).join(m.ExtractedTable)
                               .where(m.TableCell.extraction_run_id == run.id)
                               .order_by(m.ExtractedTable.table_index, m.TableCell.row, m.TableCell.col))
        for cell, table in rows:
            if not cell.raw_text.strip():
                continue
            yield {"id": cell.fact_id, "question_id": question_id, "table_id": f"{doc.sha256[:12]}-{table.table_index}",
                   "table_index": table.table_index, "row": cell.row, "col": cell.col, "row_span": cell.row_span,
                   "col_span": cell.col_span, "is_header": cell.is_header, "raw_text": cell.raw_text,
                   "row_label": cell.row_label, "column_label": cell.column_label, "value": cell.value,
                   "unit": cell.unit, "footnotes": cell.footnotes, "table_method": table.method,
                   "table_confidence": table.confidence, "table_caption": table.caption,
                   **_review(reviews, cell.fact_id),
                   "also_in_questions": [i for i in sharing.get(doc.sha256, []) if i != question_id],
                   "provenance": _provenance(doc, run, cell.page, cell.bbox, src.other_urls, cell.sheet,
                                             cell.cell_ref)}


def beneficiaries(session: Session) -> Iterator[dict]:
    reviews = current_reviews(session)
    sources = list(fact_sources(session))
    sharing = _questions_by_document(sources)
    for src in sources:
        question_id, label, doc = src.question_id, src.annex_label, src.document
        run = current_run(session, doc.id) if src.lists else None
        if run is None:
            continue
        for b in session.scalars(select(m.Beneficiary).where(m.Beneficiary.extraction_run_id == run.id)
                                 .order_by(m.Beneficiary.table_index, m.Beneficiary.row)):
            yield {"id": b.fact_id, "question_id": question_id, "annex_label": label, "call_year": b.call_year,
                   "name": b.name, "normalised_name": b.normalised_name, "kind": b.kind,
                   "municipality": b.municipality, "nis_code": b.nis_code, "nis_code_at_time": b.nis_code_at_time,
                   "sessions": b.sessions, "amount_eur": b.amount_eur, **_review(reviews, b.fact_id),
                   "also_in_questions": [i for i in sharing.get(doc.sha256, []) if i != question_id],
                   "provenance": _provenance(doc, run, b.page, b.bbox, src.other_urls, b.sheet, b.cell_ref)}


def validations(session: Session) -> Iterator[dict]:
    for v in session.scalars(select(m.ValidationResult).order_by(m.ValidationResult.question_id,
                                                                 m.ValidationResult.id)):
        yield {"check": v.check, "question_id": v.question_id, "subject": v.subject, "expected": v.expected,
               "actual": v.actual, "status": v.status, "detail": v.detail, "rule": v.rule}


def people(session: Session) -> Iterator[dict]:
    """Members and ministers by the service's id, each member's party periods as their record
    writes them, and where the names came from (a member record, or a question's record)."""
    for p in session.scalars(select(m.Person).order_by(m.Person.id)):
        periods = session.scalars(select(m.Membership).where(m.Membership.person_id == p.id)
                                  .order_by(m.Membership.position))
        yield {"id": p.id, "first_name": p.first_name, "last_name": p.last_name, "name": p.name,
               "names_from": p.names_from, "current_party_id": p.current_party_id,
               "memberships": [{"party_id": x.party_id, "party_name": x.party_name, "since": x.since_raw,
                                "until": x.until_raw, "first_day": iso(x.since_day), "last_day": iso(x.until_day)}
                               for x in periods],
               "provenance": {"record_url": p.record_url, "record_sha256": p.record_sha256,
                              "fetched_at": iso(p.record_fetched_at)} if p.record is not None else None}


def _day(value: object) -> str | None:
    """A view's date as ISO text (SQLite hands it over as text already, PostgreSQL as a date)."""
    return None if value is None else str(value)


def parties(session: Session) -> Iterator[dict]:
    """Party groups by the service's id, with their names over time (from the members' periods)."""
    names = session.execute(text("SELECT party_id, name, first_day, last_day FROM v_party_names "
                                 "ORDER BY party_id, first_day, name")).all()
    for p in session.scalars(select(m.Party).order_by(m.Party.id)):
        yield {"id": p.id, "name": p.name, "colour": p.colour, "logo": p.logo, "seats": p.seats,
               "names": [{"name": n, "first_day": _day(a), "last_day": _day(b)} for i, n, a, b in names if i == p.id],
               "seen_in": p.seen_in}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula (OWASP)
PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")  # a negative amount stays a number
# C0 controls but tab and newlines, DEL, C1 controls, and the bidirectional overrides and isolates
# that make a cell read differently from what it holds.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that opens in a spreadsheet as the text it is: control characters removed, and
    a leading quote before text a spreadsheet would read as a formula."""
    if not isinstance(value, str):
        return value
    value = UNSAFE_CHARS.sub("", value)
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def export(session: Session, out: Path | str, fmt: str = "jsonl", raw: bool = False) -> dict[str, int]:
    """Write every record kind to OUT as .jsonl or .csv; returns the record count per kind.

    CSV cells are made safe to open in a spreadsheet (`spreadsheet_safe`) unless `raw`; JSONL
    is always exact."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in KINDS:
        records = list(globals()[kind](session))
        path = out / f"{kind}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            if fmt == "jsonl":
                for rec in records:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            else:
                columns = list(records[0]) if records else []
                writer = csv.DictWriter(fh, fieldnames=columns)
                writer.writeheader()
                cell = (lambda v: v) if raw else spreadsheet_safe
                for rec in records:
                    writer.writerow({k: cell(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
                                     for k, v in rec.items()})
        tmp.replace(path)
        counts[kind] = len(records)
    return counts


FORMATS = ("jsonl", "csv")


def existing(out: Path | str) -> list[Path]:
    """The files of an export already in OUT (either format): writing another beside them would
    leave a mix of two exports (old CSV files beside new JSONL ones)."""
    return [p for kind in KINDS for fmt in FORMATS if (p := Path(out) / f"{kind}.{fmt}").exists()]


def clear(out: Path | str) -> None:
    """Remove an earlier export's files from OUT (and nothing else)."""
    for path in existing(out):
        path.unlink()


def summary(session: Session) -> dict[str, int]:
    """Counts a user wants after a run: facts are the current ones (the views' definition, which
    is the export's: each document's latest successful extraction), not every run's rows."""
    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def current(sql: str) -> int:
        return session.scalar(text(sql)) or 0
    return {"questions": count(m.Question), "documents": count(m.Document),
            "tables": current("SELECT count(*) FROM (SELECT DISTINCT question_id, run_id, table_index "
                              "FROM v_table_cells) AS t"),
            "cells": current("SELECT count(*) FROM v_table_cells"),
            "beneficiaries": current("SELECT count(*) FROM v_beneficiaries"),
            "validations_passed": count(m.ValidationResult, m.ValidationResult.status == "pass"),
            "validations_failed": count(m.ValidationResult, m.ValidationResult.status == "fail"),
            "extraction_issues": count(m.ExtractionIssue)}
