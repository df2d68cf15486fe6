"""What a person reads off a table besides its grid: which rows head it, each cell's row and
column label, its number and unit, the total rows, the caption and the method's confidence."""

from __future__ import annotations

import math
import re

from ..layout import Line, inside
from ..numbers import FROM_SUPERSCRIPT, looks_numeric, parse_number, split_markers
from ..records import BBox, Cell, Footnote, Table
from .piece import Piece, text_reach
from .settings import DEFAULT, TableSettings
from .units import FACTOR, SCALE, unit_in, unit_of

TOTAL_LABEL = re.compile(r"^(algemeen\s+|eind)?(totaal|total|som|subtotaal)\b", re.IGNORECASE)
YEARISH = re.compile(r"^(19|20)\d\d([-/](19|20)?\d\d)?$")
CAPTION = re.compile(r"^(table|tabel|tableau|tabelle|figure|figuur|grafiek)\s+[A-Z]?[-.]?\d", re.IGNORECASE)
# A raised mark inside a label ('HRF¹⁸ sleutel 1'); not a unit's power ('m²', 'km³').
INNER_MARK = re.compile(r"(?<![mM])([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
UNIT_NOTE = re.compile(r"\(in\s[^)]+\)")  # '(in voltijdse equivalenten)' on the line above a table
# How sure each method is of its grid: Word and spreadsheet tables are exact structures.


def unmarked(text: str) -> str:
    """A label without its footnote marks: 'Totaal budget³⁹', 'HRF¹⁸ sleutel 1' and 'Uitgaven (2)'
    are searched for as 'Totaal budget', 'HRF sleutel 1' and 'Uitgaven'; the marks become the
    cell's footnotes."""
    return INNER_MARK.sub("", split_markers(text)[0])


def label_marks(text: str) -> tuple[str, ...]:
    """The footnote marks of a label, inner ones too."""
    inner = tuple(m[1].translate(FROM_SUPERSCRIPT) for m in INNER_MARK.finditer(split_markers(text)[0]))
    return split_markers(text)[1] + inner


def is_number(text: str) -> bool:
    """A number that is a value: a year heads a column, it is not one."""
    return looks_numeric(text) and not YEARISH.match(unmarked(text))


def header_rows(grid: dict[tuple[int, int], Cell], n_rows: int, s: TableSettings = DEFAULT) -> int:
    """Row 0 heads the table unless it holds numbers (a list without a header); later rows head
    it too while they hold only labels or years."""
    if any(is_number(c.text) for (r, col), c in grid.items() if r == 0 and col > 0):
        return 0
    count = 1
    for r in range(1, min(n_rows - 1, s.max_header_rows)):
        row = [c for (rr, _), c in grid.items() if rr == r]
        texts = [c.text for c in row if c.col > 0]
        first = [c for c in row if c.col == 0]
        labels = texts and not any(is_number(t) for t in texts) and any(
            is_number(c.text) for (rr, _), c in grid.items() if rr > r)  # words over numbers
        if texts and not first and (all(YEARISH.match(unmarked(t)) for t in texts) or labels):
            count += 1
        else:
            break
    return count


def find_caption(piece: Piece, lines: list[Line], others: list[Piece], s: TableSettings = DEFAULT) -> str | None:
    """The line just above a table, when it names it ('Tabel 6 - ...') or its unit ('(in euro)')."""
    above = [ln for ln in lines if ln.bottom <= piece.bbox[1] + 1
             and piece.bbox[1] - ln.bottom < s.caption_distance * ln.height
             and not any(o is not piece and inside(ln.words[0], o.bbox, 1) for o in others)]
    if not above:
        return None
    line = max(above, key=lambda ln: ln.bottom)
    return line.text if names_table(line.text) else None


def names_table(text: str) -> bool:
    """A line above a table that is its caption: it names the table ('Tabel 6 - ...') or its
    unit ('(in euro)', '(x 1.000 euro)', '(in voltijdse equivalenten)')."""
    unit_note = UNIT_NOTE.search(text)
    return bool(CAPTION.match(text) or SCALE.search(text) or FACTOR.search(text)
                or (unit_note and unit_in(unit_note[0])))


def label_grid(cells: list[Cell], n_rows: int, n_cols: int, index: int, method: str, page: int | None,
               bbox: BBox | None, caption: str | None = None, header_rows: int | None = None) -> Table:
    """A table from a grid another reader found exactly (Word, a spreadsheet), labelled by the
    same rules as a PDF's: header rows (unless the format says how many), row and column
    labels, numbers (a cell's `value` already set by a typed reader is kept), units, totals."""
    piece = Piece(page or 0, method, bbox or (0.0, 0.0, 0.0, 0.0), cells, n_rows, n_cols, [], caption=caption)
    table = label(piece, index, header_rows)
    table.page, table.bbox = page, bbox
    table.pages = [page] if page is not None else []
    return table


def _whole_columns(cells: list[Cell]) -> dict[int, bool]:
    """Columns whose every value is printed without decimals ('1.534', not '418,0')."""
    out: dict[int, bool] = {}
    for c in cells:
        if c.value is not None and not c.is_header:
            out[c.col] = out.get(c.col, True) and c.value == c.value.to_integral_value() and "," not in c.text
    return out


def group_spans(piece: Piece, n_header: int, label_col: int, s: TableSettings = DEFAULT) -> None:
    """A group header ('2023' over 'Aantal' and 'Bedrag') heads every column under it: of the
    runs of columns around its own that the header row leaves free and the row under it heads,
    the one it is set over (flush left, centred or flush right; the widest of those that fit
    about as well as the closest: a header centred over two columns may end, by chance, flush
    with the first one's header). Only a PDF's cells need this: Word and sheets state their spans."""
    edges = piece.col_edges
    if n_header < 2 or len(edges) != piece.n_cols + 1:
        return
    for r in range(n_header - 1):
        row = sorted((c for c in piece.cells if c.row == r and c.bbox), key=lambda c: c.col)
        lower = {c.col: c for c in piece.cells if r < c.row < n_header and c.col_span == 1 and c.bbox}
        # a column is set as wide as its text and padding: a header centred over columns is centred
        # over their text (the headers under it and the body), wherever their rules are
        reach = text_reach(c for c in piece.cells if c.row > r)
        for i, c in enumerate(row):
            lo = max(label_col + 1, row[i - 1].col + row[i - 1].col_span if i else 0)
            hi = row[i + 1].col - 1 if i + 1 < len(row) else piece.n_cols - 1
            if c.col <= label_col or c.col_span > 1 or not (lo <= c.col <= hi) or c.col not in lower:
                continue
            a0 = c.col
            while a0 - 1 >= lo and a0 - 1 in lower:
                a0 -= 1
            b1 = c.col
            while b1 + 1 <= hi and b1 + 1 in lower:
                b1 += 1
            fits = [(_fit(c, lower, edges, reach, a, b), a, b) for a in range(a0, c.col + 1)
                    for b in range(c.col, b1 + 1)]
            closest = min(f for f, _, _ in fits)
            fit, a, b = min(fits, key=lambda f: (f[0] > closest + s.group_slack, f[1] - f[2], f[0]))
            if fit <= s.group_fit and b > a:
                c.col, c.col_span = a, b - a + 1


def _fit(c: Cell, lower: dict[int, Cell], edges: list[float], reach: dict[int, tuple[float, float]],
         a: int, b: int) -> float:
    """How far a header is from being set over columns a..b: flush left with the first column's
    header, flush right with the last one's, or centred between their edges, their headers or
    their text (points)."""
    x0, _, x1, _ = c.bbox or (0.0, 0.0, 0.0, 0.0)
    left, right = (lower[a].bbox or (0.0,) * 4)[0], (lower[b].bbox or (0.0,) * 4)[2]
    centre = (x0 + x1) / 2
    text = abs(centre - (reach[a][0] + reach[b][1]) / 2) if a in reach and b in reach else math.inf
    return min(abs(x0 - left), abs(x1 - right), abs(centre - (edges[a] + edges[b + 1]) / 2),
               abs(centre - (left + right) / 2), text)


def label(piece: Piece, index: int, n_header: int | None = None) -> Table:
    """Header rows, row and column labels, numbers, units and footnotes of a table."""
    grid = {(c.row, c.col): c for c in piece.cells}
    n_header = header_rows(grid, piece.n_rows) if n_header is None else n_header
    body = [c for c in piece.cells if c.row >= n_header]
    label_col = next((col for col in range(piece.n_cols)
                      if (texts := [c.text for c in body if c.col == col])
                      and sum(not is_number(t) for t in texts) >= 0.5 * len(texts)), 0)
    group_spans(piece, n_header, label_col)
    col_labels: dict[int, str] = {}
    for c in sorted(piece.cells, key=lambda c: (c.row, c.col)):
        if c.row < n_header:
            c.is_header = True
            for k in range(c.col, c.col + c.col_span):
                col_labels[k] = " ".join(filter(None, [col_labels.get(k), unmarked(c.text)]))
    row_labels = {c.row: unmarked(c.text) for c in body if c.col == label_col}
    totals = sorted({c.row for c in body if TOTAL_LABEL.match(unmarked(c.text)) and not is_number(c.text)})
    own: dict[int, str | None] = {}  # the unit each cell's own text states (€, %)
    for c in piece.cells:
        c.column_label = " ".join(col_labels.get(c.col, "").split()) or None
        parsed = parse_number(c.text)
        own[id(c)] = parsed.unit or c.unit  # a sheet's number format may print the unit ('1.234,00 €')
        marks = parsed.markers if parsed.value is not None else label_marks(c.text)  # labels have marks too
        c.footnotes = [Footnote(m, piece.footnotes.get(m)) for m in marks]
        if c.is_header:
            continue
        c.row_label = " ".join(row_labels.get(c.row, "").split()) or None
        if c.col == label_col:
            continue
        value = c.value if c.value is not None else parsed.value  # a typed reader's value is kept
        if value is not None:
            c.value = value
    whole = _whole_columns(piece.cells)
    values = [c for c in piece.cells if c.value is not None and not c.is_header]

    def unit(c: Cell, amounts: str | None = None) -> str | None:
        return unit_of(own[id(c)], c.column_label, piece.caption, c.row_label, whole.get(c.col, False), amounts)

    amounts = next((u for c in values if (u := unit(c)) and u.startswith("EUR")), None)
    for c in values:  # with the table's amounts known: an average per project beside a column of euros
        c.unit = unit(c, amounts)
    filled = len(piece.cells) / max(1, piece.n_rows * piece.n_cols)
    confidence = round(DEFAULT.confidence(piece.method) * (0.6 + 0.4 * min(1.0, filled)), 3)
    pages = sorted({c.page for c in piece.cells if c.page is not None})
    return Table(index=index, page=piece.page, bbox=piece.bbox, method=piece.method,
                 confidence=confidence, n_rows=piece.n_rows, n_cols=piece.n_cols,
                 cells=sorted(piece.cells, key=lambda c: (c.row, c.col)), header_rows=n_header,
                 total_rows=totals, pages=pages, caption=piece.caption)
