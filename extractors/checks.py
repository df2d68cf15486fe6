"""Consistency checks between an annex's lines, its total row and the answer's table.

Checks are data: each gives expected and actual values and passes or fails; a mismatch is
a finding to store and show, never an exception."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .records import BeneficiaryList, DocumentExtraction, Table

COUNT_LABEL = re.compile(r"goedgekeurd|begunstigden\b.*aantal|aantal\s+begunstigden|toegekende\s+aanvragen",
                         re.IGNORECASE)
SESSIONS_LABEL = re.compile(r"sessie", re.IGNORECASE)


@dataclass(frozen=True)
class Validation:
    check: str
    subject: str
    expected: str | None
    actual: str | None
    status: str  # "pass" or "fail"
    detail: str


def _compare(check: str, subject: str, expected: object, actual: object, source: str) -> Validation:
    ok = expected == actual
    detail = (f"{subject}: {source} gives {expected}, the annex's lines give {actual}" if not ok
              else f"{subject}: {actual}, as {source}")
    return Validation(check, subject, None if expected is None else str(expected),
                      None if actual is None else str(actual), "pass" if ok else "fail", detail)


def _sums(blist: BeneficiaryList) -> tuple[int, int | None, Decimal | None]:
    sessions = [b.sessions for b in blist.rows if b.sessions is not None]
    amounts = [b.amount_eur for b in blist.rows if b.amount_eur is not None]
    n = len(blist.rows)
    return (n, sum(sessions) if len(sessions) == n else None,
            sum(amounts, Decimal("0")) if len(amounts) == n else None)


def annex_total(label: str, blist: BeneficiaryList) -> list[Validation]:
    """The annex's lines against its own total row."""
    _, sessions, amount = _sums(blist)
    out = []
    if blist.total_sessions is not None:
        out.append(_compare("annex_total", f"{label} sessions", blist.total_sessions, sessions, "the total row"))
    if blist.total_amount_eur is not None:
        out.append(_compare("annex_total", f"{label} amount_eur", blist.total_amount_eur, amount, "the total row"))
    return out


def annex_vs_answer_table(label: str, blist: BeneficiaryList, tables: list[Table]) -> list[Validation]:
    """The annex's lines against the answer table column that points to the annex."""
    ref = re.compile(rf"^{re.escape(label)}\b", re.IGNORECASE)
    count, sessions, amount = _sums(blist)
    for table in tables:
        pointer = next((c for c in table.cells if ref.match(c.text.strip())), None)
        if pointer is None:
            continue
        out = []
        for cell in table.cells:
            if cell.col != pointer.col or cell.value is None or cell.is_header:
                continue
            where = f"{label} vs table {table.index} '{cell.row_label}' / '{cell.column_label}'"
            if cell.unit == "EUR":
                out.append(_compare("annex_vs_answer_table", f"{where} amount_eur", cell.value, amount,
                                    "the answer's table"))
            elif cell.row_label and SESSIONS_LABEL.search(cell.row_label):
                out.append(_compare("annex_vs_answer_table", f"{where} sessions", int(cell.value), sessions,
                                    "the answer's table"))
            elif cell.row_label and COUNT_LABEL.search(cell.row_label):
                out.append(_compare("annex_vs_answer_table", f"{where} beneficiaries", int(cell.value), count,
                                    "the answer's table"))
        return out
    return []


def check_question(answer: DocumentExtraction | None,
                   annexes: list[tuple[str, DocumentExtraction | None]]) -> list[Validation]:
    """Every check of one question: each annex's lists against their total rows and against
    the answer's tables. `annexes` pairs each annex's label with what was read from it."""
    out: list[Validation] = []
    for label, result in annexes:
        for blist in result.beneficiary_lists if result else []:
            out += annex_total(label, blist)
            out += annex_vs_answer_table(label, blist, answer.tables if answer else [])
    return out
