"""The typed records extractors produce: plain dataclasses, no I/O, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

BBox = tuple[float, float, float, float]
"""[x0, top, x1, bottom] in PDF points, origin at the top left of the page."""


@dataclass(frozen=True)
class Footnote:
    marker: str
    text: str | None = None


@dataclass
class Cell:
    row: int
    col: int
    text: str
    page: int | None  # None: a format without pages (Word, a spreadsheet)
    bbox: BBox | None
    row_span: int = 1
    col_span: int = 1
    is_header: bool = False
    row_label: str | None = None
    column_label: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    footnotes: list[Footnote] = field(default_factory=list)
    sheet: str | None = None  # a spreadsheet's worksheet
    ref: str | None = None  # and the cell's A1 reference there


@dataclass
class Table:
    index: int
    page: int | None
    bbox: BBox | None
    method: str  # "ruled", "open" (horizontal rules only) or "unruled" (text alignment)
    confidence: float
    n_rows: int
    n_cols: int
    cells: list[Cell]
    header_rows: int = 1
    total_rows: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    caption: str | None = None  # the line above that names the table or its unit

    def grid(self) -> list[list[str | None]]:
        """The table as rows of cell texts (None where a cell is covered by a span or empty)."""
        rows: list[list[str | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            rows[c.row][c.col] = c.text
        return rows


@dataclass(frozen=True)
class NumberedItem:
    number: str
    text: str
    page: int | None


@dataclass(frozen=True)
class AnnexLink:
    label: str  # "Bijlage 1"
    title: str | None
    url: str
    page: int | None
    bbox: BBox | None
    source: str  # "text" or "annotation"


@dataclass
class QuestionHeader:
    number: int | None = None
    date_asked: date | None = None
    session_year: str | None = None
    asker: str | None = None
    minister: str | None = None
    minister_title: str | None = None
    title: str | None = None
    page: int | None = None
    bbox: BBox | None = None
    unreadable: list[str] = field(default_factory=list)  # values stated that cannot be (an impossible date)


@dataclass(frozen=True)
class PageIssue:
    page: int | None
    reason: str


@dataclass
class Beneficiary:
    row: int
    name: str
    normalised_name: str
    kind: str  # "municipality" or "organisation"
    page: int | None
    bbox: BBox | None
    municipality: str | None = None
    nis_code: str | None = None
    nis_code_at_time: str | None = None
    sessions: int | None = None
    amount_eur: Decimal | None = None
    sheet: str | None = None
    ref: str | None = None  # the A1 reference of its name's cell


@dataclass
class BeneficiaryList:
    table_index: int
    call_year: int | None
    rows: list[Beneficiary]
    total_sessions: int | None = None
    total_amount_eur: Decimal | None = None
    total_count: int | None = None


@dataclass
class DocumentExtraction:
    """Everything read from one PDF. `issues` lists what could not be read, and why."""

    extractor: str
    version: str
    n_pages: int
    tables: list[Table] = field(default_factory=list)
    issues: list[PageIssue] = field(default_factory=list)
    header: QuestionHeader | None = None
    questions: list[NumberedItem] = field(default_factory=list)
    answers: list[NumberedItem] = field(default_factory=list)
    annexes: list[AnnexLink] = field(default_factory=list)
    beneficiary_lists: list[BeneficiaryList] = field(default_factory=list)
    title: str | None = None


@dataclass
class Extraction:
    """One run of an extractor over one document: its records, or why there are none."""

    extractor: str
    version: str
    started_at: datetime
    finished_at: datetime
    result: DocumentExtraction | None  # None when extraction failed
    error: str | None = None
