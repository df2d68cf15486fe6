"""Things that look like tables and are not: charts and maps, tables of contents."""

from __future__ import annotations

import re

from .._typing import Obj
from ..numbers import looks_numeric
from ..pdfpage import ReadPage
from ..records import Cell
from .piece import Piece, compact_rows
from .settings import DEFAULT, TableSettings

DOT_LEADER = re.compile(r"(\.\s?){4,}\s*\d+\s*$")  # 'Documenten ........ 10'
FIGURE_CAPTION = re.compile(r"^(figure|figuur|grafiek|chart|graph|kaart|map)\s*\d", re.IGNORECASE)


def is_figure(page: ReadPage, piece: Piece, s: TableSettings = DEFAULT) -> bool:
    """A chart or a map that looks like a table: its plot is drawn with curves, slanted lines or
    a great many rectangles, or its text has a figure's caption."""
    x0, top, x1, bottom = piece.bbox

    def within(o: Obj) -> bool:
        return bool(o["x0"] >= x0 - 1 and o["x1"] <= x1 + 1 and o["top"] >= top - 1 and o["bottom"] <= bottom + 1)

    plotted = sum(1 for c in page.curves if within(c)) + sum(
        1 for ln in page.lines if within(ln) and abs(ln["x1"] - ln["x0"]) > 1 and abs(ln["bottom"] - ln["top"]) > 1)
    rects = sum(1 for r in page.rects if within(r))
    return (plotted >= s.figure_strokes
            or (rects >= s.figure_rects and rects > s.figure_rects_per_cell * len(piece.cells))
            or any(FIGURE_CAPTION.match(c.text) for c in piece.cells))


def is_contents(piece: Piece, s: TableSettings = DEFAULT) -> bool:
    """A table of contents: entries with dot leaders to a page number, or titles beside page
    numbers that go up (one out of order is forgiven: the page's own number, caught in it). A
    number larger than any document's page count is an amount, not a page; a table with a
    column of numbers before its last (a count beside an amount) is no table of contents."""
    if sum(1 for c in piece.cells if DOT_LEADER.search(c.text)) >= s.contents_min_numbers:
        return True
    if piece.n_cols > s.contents_max_cols or any(_number_column(piece, k, s) for k in range(1, piece.n_cols - 1)):
        return False  # a column of numbers between the titles and the pages: a table of counts and amounts
    last = [c.text for c in sorted(piece.cells, key=lambda c: c.row) if c.col + c.col_span == piece.n_cols]
    numbers = [int(t) for t in last if t.isdigit() and int(t) <= s.contents_max_page]
    rising = sum(1 for a, b in zip(numbers, numbers[1:]) if b >= a)
    return (len(numbers) >= s.contents_min_numbers and len(numbers) >= s.contents_share * len(last)
            and rising >= len(numbers) - 2)


def _number_column(piece: Piece, col: int, s: TableSettings = DEFAULT) -> bool:
    texts = [c.text for c in piece.cells if c.col == col and c.col_span == 1]
    return bool(texts) and sum(looks_numeric(t) for t in texts) >= s.number_column_share * len(texts)


def is_prose(piece: Piece, s: TableSettings = DEFAULT) -> bool:
    """Running text in a box or laid out with wide gaps: most rows are one long line of words
    across the table, and almost nothing is a number."""
    rows: dict[int, list[str]] = {}
    for c in piece.cells:
        rows.setdefault(c.row, []).append(c.text)
    sentences = sum(1 for texts in rows.values() if len(texts) == 1 and len(texts[0]) >= s.prose_line)
    numbers = sum(1 for c in piece.cells if looks_numeric(c.text))
    return sentences >= s.prose_share * len(rows) and numbers <= s.prose_share * len(rows) / 2


TITLE_ROW = re.compile(r"^(table|tabel|exhibit|figure|figuur)\s+[A-Z]?[-.]?\d", re.IGNORECASE)
NOTE_ROW = re.compile(r"^(source|sources|bron|bronnen|note|notes|noot|nota)\s*:", re.IGNORECASE)


def title_and_source_rows(piece: Piece) -> Piece:
    """A table's title ('Exhibit 9 ...') or source ('Source: ...') drawn inside its frame, as a
    row across all its columns, is its caption or its note, not a row of it."""
    def across(row: int, pattern: re.Pattern[str]) -> Cell | None:
        cells = [c for c in piece.cells if c.row == row]
        if len(cells) == 1 and cells[0].col_span == piece.n_cols and pattern.match(cells[0].text):
            return cells[0]
        return None

    if piece.n_rows > 2 and (title := across(0, TITLE_ROW)):
        piece.cells.remove(title)
        piece.caption = piece.caption or title.text
    last = max((c.row for c in piece.cells), default=0)
    if piece.n_rows > 2 and (note := across(last, NOTE_ROW)):
        piece.cells.remove(note)
    return compact_rows(piece)
