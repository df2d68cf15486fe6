"""Spreadsheet and CSV annexes (.xlsx, .xls, .csv): every sheet read as the table it holds.

A sheet's header row is found wherever it is (title lines above it are common: they become
the table's caption), its numbers are taken exactly from numeric cells (and from Belgian
text such as `1.234,50 €`), a `Totaal` row is recognised by the same rules as in a PDF, and
each value keeps its sheet and A1 reference. Formulas are never evaluated: a formula's cached
value is used, and one without a cached value is recorded as such."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from vpetl.errors import UnreadableDocument

from .numbers import parse_number
from .records import Cell, PageIssue, Table
from .sniff import CSV, XLS, XLSX, as_text, check_archive, delimiter
from .tables import label_grid
from .thresholds import DEFAULT

MAX_CELLS = 2_000_000  # cells read from one workbook: a real annex has thousands; more is refused, not read


class SheetError(UnreadableDocument, ValueError):
    """A spreadsheet that cannot be read (damaged, encrypted, too large); the message says why."""


Value = str | Decimal | None


@dataclass
class Sheet:
    """A worksheet's values, row by row, and what could not be read of it."""

    name: str | None  # None for a CSV file
    rows: list[list[Value]]
    issues: list[str] = field(default_factory=list)
    units: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> a unit its number format shows


CURRENCY_FORMAT = re.compile(r"€|\bEUR\b|\beuro\b", re.IGNORECASE)  # '#,##0.00 [$€-813]', '"EUR "#,##0'


def format_unit(number_format: str | None) -> str | None:
    """The unit a cell's number format prints with its number: euros ('#,##0.00 €'), or none."""
    return "EUR" if number_format and CURRENCY_FORMAT.search(number_format) else None


def read_sheets(data: bytes, media: str) -> list[Sheet]:
    """Every sheet of a workbook (a CSV file is one sheet)."""
    try:
        if media == XLSX:
            return list(_xlsx(data))
        if media == XLS:
            return list(_xls(data))
        if media == CSV:
            return [_csv(data)]
    except SheetError:
        raise
    except Exception as exc:  # the readers raise many types for damaged or encrypted files
        raise SheetError(f"unreadable spreadsheet: {type(exc).__name__}: {exc or 'no reason given'}") from exc
    raise SheetError(f"not a spreadsheet vpetl reads ({media})")


def _exact(value: object) -> Value:
    """A cell's value: numbers exact (a float as the 15 significant digits Excel shows), text as is."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(format(value, ".15g"))
        except InvalidOperation:
            return None
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    return text or None


def _xlsx(data: bytes) -> Iterator[Sheet]:
    check_archive(data)
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)  # cached values, never evaluated
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    budget = MAX_CELLS
    for ws, wf in zip(values.worksheets, formulas.worksheets, strict=True):
        sheet = Sheet(ws.title, [])
        for r, (cells, frow) in enumerate(zip(ws.iter_rows(), wf.iter_rows(values_only=True)), 1):
            budget -= len(cells)
            if budget < 0:
                raise SheetError(f"more than {MAX_CELLS:,} cells: larger than any annex; not read")
            row = [cell.value for cell in cells]
            sheet.rows.append([_exact(v) for v in row])
            for c, cell in enumerate(cells):
                if isinstance(cell.value, int | float) and (unit := format_unit(getattr(cell, "number_format", None))):
                    sheet.units[(r - 1, c)] = unit
            for c, (v, f) in enumerate(zip(row, frow), 1):
                if v is None and isinstance(f, str) and f.startswith("="):
                    sheet.issues.append(f"{ws.title}!{get_column_letter(c)}{r}: a formula without a cached "
                                        f"value ({f[:60]}); not evaluated")
        yield sheet


def _xls(data: bytes) -> Iterator[Sheet]:
    import xlrd  # Excel 97-2003

    book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=True)
    budget = MAX_CELLS
    for ws in book.sheets():
        budget -= ws.nrows * ws.ncols
        if budget < 0:
            raise SheetError(f"more than {MAX_CELLS:,} cells: larger than any annex; not read")
        sheet = Sheet(ws.name, [[_exact(v) for v in ws.row_values(r)] for r in range(ws.nrows)])
        for r in range(ws.nrows):
            for c in range(ws.ncols):
                if ws.cell_type(r, c) == xlrd.XL_CELL_NUMBER:
                    fmt = book.format_map.get(book.xf_list[ws.cell_xf_index(r, c)].format_key)
                    if unit := format_unit(fmt.format_str if fmt else None):
                        sheet.units[(r, c)] = unit
        yield sheet


def _csv(data: bytes) -> Sheet:
    text = as_text(data)
    if text is None:
        raise SheetError("a CSV file in an unknown encoding")
    delim = delimiter(text)
    if delim is None:
        raise SheetError("a CSV file whose lines split into no common number of fields")
    rows = [[_exact(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delim)]
    if sum(len(r) for r in rows) > MAX_CELLS:
        raise SheetError(f"more than {MAX_CELLS:,} cells: larger than any annex; not read")
    return Sheet(None, rows)


def _is_number(value: Value) -> bool:
    return isinstance(value, Decimal) or (isinstance(value, str) and parse_number(value).value is not None)


def header_row(rows: list[list[Value]]) -> int | None:
    """The header: the first row (near the top) of two or more labels that has a row with a
    number below it. Rows above it are titles."""
    for r, row in enumerate(rows[:DEFAULT.sheet_header_search]):
        labels = [v for v in row if isinstance(v, str) and not _is_number(v)]
        filled = [v for v in row if v is not None]
        if len(labels) >= DEFAULT.sheet_min_columns and len(labels) == len(filled):
            if any(any(_is_number(v) for v in below) for below in rows[r + 1:r + 6]):
                return r
    return None


def sheet_table(sheet: Sheet, index: int) -> Table | None:
    """The table a sheet holds (None for a sheet of notes), with titles above it as its caption."""
    top = header_row(sheet.rows)
    if top is None:
        return None
    width = max((c + 1 for c, v in enumerate(sheet.rows[top]) if v is not None), default=0)
    body = sheet.rows[top:]
    end = next((i for i, row in enumerate(body) if i and all(v is None for v in row[:width])), len(body))
    cells = []
    for i, row in enumerate(body[:end]):
        for c, value in enumerate(row[:width]):
            if value is None:
                continue
            cell = Cell(row=i, col=c, text=str(value), page=None, bbox=None, sheet=sheet.name,
                        ref=f"{get_column_letter(c + 1)}{top + i + 1}")
            cell.value = value if isinstance(value, Decimal) else None
            cell.unit = sheet.units.get((top + i, c))
            cells.append(cell)
    if width < DEFAULT.sheet_min_columns or end < 2:
        return None
    titles = [str(v) for row in sheet.rows[:top] for v in row if v is not None]
    return label_grid(cells, end, width, index, "sheet", None, None, caption=" ".join(titles) or None,
                      header_rows=1)


def sheet_tables(data: bytes, media: str) -> tuple[list[Table], list[PageIssue], list[str | None]]:
    """The tables of every sheet, what could not be read, and each table's sheet title line."""
    tables: list[Table] = []
    issues: list[PageIssue] = []
    titles: list[str | None] = []
    for sheet in read_sheets(data, media):
        issues += [PageIssue(None, issue) for issue in sheet.issues]
        table = sheet_table(sheet, len(tables))
        if table is not None:
            tables.append(table)
            titles.append(table.caption)
    return tables, issues, titles
