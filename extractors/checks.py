"""Consistency checks between an annex's lines, its total row and the answer's table.

Checks are data: each gives expected and actual values and passes or fails; a mismatch is
a finding to store and show, never an exception."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .records import BeneficiaryList, Cell, DocumentExtraction, Table
from .thresholds import DEFAULT

# What an answer-table value says about an annex's list, by meaning, in the order tried: an
# amount (its unit, or a word for money), a number of sessions, a number of beneficiaries
# (approved, granted, receiving: never 'aanvragen', the applications, which include the refused).
MEASURES: list[tuple[str, re.Pattern[str]]] = [
    ("amount_eur", re.compile(r"bedrag|budget|subsidie|toelage|premie|steun|middelen|\beuro\b|€", re.IGNORECASE)),
    ("sessions", re.compile(r"sessie", re.IGNORECASE)),
    ("beneficiaries", re.compile(r"goedgekeurd|toegekend|begunstigd|ontvanger|gehonoreerd|geselecteerd|"
                                 r"aantal\s+(gemeenten|organisaties|verenigingen|projecten|dossiers|aanvragers)",
                                 re.IGNORECASE)),
]
WORD = re.compile(r"[a-zà-ÿ0-9]{3,}", re.IGNORECASE)


@dataclass(frozen=True)
class Validation:
    check: str
    subject: str
    expected: str | None
    actual: str | None
    status: str  # "pass" or "fail"
    detail: str
    rule: str | None = None  # how the answer's value was tied to the annex, and what it was read to mean


def _compare(check: str, subject: str, expected: object, actual: object, source: str) -> Validation:
    ok = expected == actual
    detail = (f"{subject}: {source} gives {expected}, the annex's lines give {actual}" if not ok
              else f"{subject}: {actual}, as {source}")
    return Validation(check, subject, None if expected is None else str(expected),
                      None if actual is None else str(actual), "pass" if ok else "fail", detail,
                      "the total row" if check == "annex_total" else None)


def _sums(blist: BeneficiaryList) -> tuple[int, int | None, Decimal | None]:
    sessions = [b.sessions for b in blist.rows if b.sessions is not None]
    amounts = [b.amount_eur for b in blist.rows if b.amount_eur is not None]
    n = len(blist.rows)
    return (n, sum(sessions) if len(sessions) == n else None,
            sum(amounts, Decimal("0")) if len(amounts) == n else None)


def list_label(label: str, blist: BeneficiaryList) -> str:
    """How a check names a list: the annex's label, with the workbook's sheet when it has one
    (each sheet's list is checked on its own)."""
    return f"{label} sheet '{blist.sheet}'" if blist.sheet else label


def annex_total(label: str, blist: BeneficiaryList) -> list[Validation]:
    """The list's lines against its own total row (on the granted column, which it names), and
    each subtotal against the grantees of its group."""
    _, sessions, amount = _sums(blist)
    label = list_label(label, blist)
    column = f" (the column '{blist.amount_column}')" if blist.amount_column else ""
    out = []
    if blist.total_sessions is not None:
        out.append(_compare("annex_total", f"{label} sessions", blist.total_sessions, sessions, "the total row"))
    if blist.total_amount_eur is not None:
        out.append(_compare("annex_total", f"{label} amount_eur", blist.total_amount_eur, amount,
                            f"the total row{column}"))
    for sub in blist.subtotals:
        v = _compare("annex_subtotal", f"{label} subtotal '{sub.label}' amount_eur", sub.amount_eur,
                     sub.rows_sum_eur, f"the subtotal row{column}")
        out.append(Validation(v.check, v.subject, v.expected, v.actual, v.status,
                              f"{v.detail} ({sub.n_rows} grantees of group {sub.group!r}; recognised by {sub.by})",
                              f"a subtotal row, recognised by {sub.by}"))
    return out


def annex_vs_answer_table(label: str, blist: BeneficiaryList, tables: list[Table],
                          title: str | None = None) -> list[Validation]:
    """The annex's lines against the answer's values that refer to the annex: the column (or
    row) that names it ('Bijlage 2'), names its title, or is headed by its call year; each
    value there is compared by what its labels say it counts."""
    count, sessions, amount = _sums(blist)
    actual = {"beneficiaries": count, "sessions": sessions, "amount_eur": amount}
    for table in tables:
        found = _pointer(table, label, title, blist.call_year)
        if found is None:
            continue
        axis, index, rule = found
        out = []
        for cell in table.cells:
            if (cell.col if axis == "col" else cell.row) != index or cell.value is None or cell.is_header:
                continue
            meaning = _measure(cell)
            if meaning is None:
                continue
            name, why = meaning
            expected = cell.value if name == "amount_eur" else int(cell.value)
            where = f"{list_label(label, blist)} vs table {table.index} '{cell.row_label}' / '{cell.column_label}'"
            v = _compare("annex_vs_answer_table", f"{where} {name}", expected, actual[name], "the answer's table")
            out.append(Validation(v.check, v.subject, v.expected, v.actual, v.status,
                                  f"{v.detail} (the {axis} {rule}; {why})", f"{rule}; {why}"))
        if out:
            return out
    return []


def _pointer(table: Table, label: str, title: str | None, year: int | None) -> tuple[str, int, str] | None:
    """(axis, index, rule) of the column or row of `table` that refers to the annex: one that
    names its label, else its title, else is headed by its call year."""
    mention = re.compile(rf"\b{re.escape(label)}\b", re.IGNORECASE)
    rules: list[tuple[Callable[[str], bool], str]] = [
        (lambda text: bool(mention.search(text)), f"names '{label}'"),
        (lambda text: _names_title(text, title), f"names the annex's title '{title}'"),
        (lambda text: year is not None and text.strip() == str(year), f"is headed by the list's call year {year}")]
    label_col = min((c.col for c in table.cells if not c.is_header), default=0)
    for test, rule in rules:
        for cell in table.cells:
            if test(cell.text):
                on_row = cell.col == label_col and not cell.is_header
                return ("row", cell.row, rule) if on_row else ("col", cell.col, rule)
    return None


def _names_title(text: str, title: str | None) -> bool:
    """The text shares at least `title_words` (TableSettings) words with the title, and every number of the title
    ('Begunstigden oproep 2019' is not the annex 'Begunstigden oproep 2018')."""
    if not title:
        return False
    have, want = {w.lower() for w in WORD.findall(text)}, {w.lower() for w in WORD.findall(title)}
    return len(have & want) >= DEFAULT.title_words and all(w in have for w in want if w.isdigit())


def _measure(cell: Cell) -> tuple[str, str] | None:
    """What an answer's value counts, by its unit and labels: (measure, why)."""
    if cell.unit and cell.unit.startswith("EUR"):
        return "amount_eur", f"unit {cell.unit}"
    labels = f"{cell.row_label or ''} / {cell.column_label or ''}"
    for name, pattern in MEASURES:
        if m := pattern.search(labels):
            return name, f"labelled '{m[0]}'"
    return None


def check_question(answer: DocumentExtraction | None,
                   annexes: list[tuple[str, DocumentExtraction | None]]) -> list[Validation]:
    """Every check of one question: each annex's lists against their total rows and against
    the answer's tables. `annexes` pairs each annex's label with what was read from it."""
    out: list[Validation] = []
    titles = {a.label: a.title for a in answer.annexes} if answer else {}
    for label, result in annexes:
        for blist in result.beneficiary_lists if result else []:
            out += annex_total(label, blist)
            out += annex_vs_answer_table(label, blist, answer.tables if answer else [], titles.get(label))
    for blist in answer.beneficiary_lists if answer else []:  # a list in the answer's own tables
        out += annex_total(f"answer table {blist.table_index}", blist)
    return out
