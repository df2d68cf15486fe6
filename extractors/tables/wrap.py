"""A cell's text wrapped onto a next line, told from a row of its own by geometry alone.

A table with no rules between its rows (Word's 'header rule only' or no rules, converted to PDF)
sets a long name that does not fit its cell on two lines: the first beside the row's other
values, the second alone under it ('Autonoom Gemeentebedrijf' / 'Zonnebeke'). That second line
looks like a row whose values are empty, or a group heading ('Limburg'). What only a wrap has:
- it stands under a cell of a row of data with every cell most rows have (a subtotal's place is
  empty), flush with that cell's left edge;
- its first word would not have fitted on the line above: that line's end plus a space plus the
  word reach past the widest text of the column anywhere in the table (so past the cell's edge);
- it follows the line above at the table's usual spacing of rows, not further (a heading set
  apart by padding is a row), and as close as a paragraph's lines are set (a table whose rows
  stand further apart pads them: a line of its own there is a row);
- it holds no number (a row of figures is a row).
A row broken across a page (Word lets a row break there) is the same wrap, read from the cells of
the table's two pages (`broken_row`).
A group heading mostly follows a subtotal (a row with an empty cell) or a name that leaves room
for its first word.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_high

from ..layout import Line
from ..numbers import looks_numeric
from ..records import Cell
from .piece import box
from .settings import DEFAULT, TableSettings


def _median(values: list[float]) -> float:
    return median_high(values) if values else 0.0


def _usual(counts: list[int]) -> int:
    """The count most rows have (0 for none)."""
    return max(set(counts), key=counts.count) if counts else 0


def _data(line: Line) -> bool:
    """A row of data: a number among two chunks or more."""
    return _data_chunks(line.chunks())


def _data_chunks(parts: list[Line]) -> bool:
    return len(parts) >= 2 and any(looks_numeric(ch.text) for ch in parts)


@dataclass
class Block:
    """The lines of one table (top down) and the measures of them a wrap is judged by."""

    lines: list[Line]
    s: TableSettings = DEFAULT

    def __post_init__(self) -> None:
        parts = [ln.chunks() for ln in self.lines]  # each line split once
        data = [(ln, p) for ln, p in zip(self.lines, parts) if _data_chunks(p)]  # rows of data (headings may be padded)
        self.gap = _median([b.top - a.bottom for (a, _), (b, _) in zip(data, data[1:])])
        self.full = _usual([len(p) for _, p in data])  # the cells of most rows
        self.chunks = [ch for p in parts for ch in p]
        self.space = _median([w["x0"] - v["x1"] for ch in self.chunks for v, w in zip(ch.words, ch.words[1:])])

    def right_limit(self, x0: float) -> float:
        """How far the text of the column whose cells start at x0 reaches, at the widest: the
        cell's right edge is no nearer."""
        return max(ch.x1 for ch in self.chunks if abs(ch.x0 - x0) <= self.s.aligned_edge)

    def wraps(self, line: Line, row: list[Line]) -> bool:
        """`line` continues the cells of `row`, the row of data above it."""
        first, above = row[0], row[-1]
        if not _data(first) or len(first.chunks()) < self.full:
            return False  # a full row of data only: the grid joins a header's lines; a subtotal leaves a cell empty
        gap = line.top - above.bottom
        if gap > self.gap + self.s.wrap_gap_slack * line.height or gap > self.s.wrap_line_gap * line.height:
            return False
        return all(self._wrapped(part, above) for part in line.chunks())

    def _wrapped(self, part: Line, above: Line) -> bool:
        """`part` is the next line of the cell of `above` it stands under, flush left."""
        if looks_numeric(part.text):
            return False
        cell = next((c for c in above.chunks() if abs(c.x0 - part.x0) <= self.s.aligned_edge), None)
        if cell is None:
            return False
        word = part.words[0]
        return cell.x1 + self.space + (word["x1"] - word["x0"]) > self.right_limit(cell.x0)


def broken_row(table: list[Cell], above: list[Cell], below: list[Cell],
               s: TableSettings = DEFAULT) -> list[tuple[Cell, Cell]] | None:
    """`below`, the first row of a table's next page (under its repeated header), as the rest of
    `above`, the last row of the page before: the pairs (cell above, its rest below), or None when
    `below` is a row of its own. A wrap's marks, read from cells: `above` is a full row of data;
    each cell of `below` is text flush under a cell of `above`, whose text its first word would not
    have followed within the column's widest text (`table`'s cells)."""
    rows: dict[int, list[Cell]] = {}
    for c in table:
        rows.setdefault(c.row, []).append(c)
    full = _usual([len(r) for r in rows.values() if any(looks_numeric(c.text) for c in r)])
    if not below or not any(looks_numeric(c.text) for c in above) or len(above) < full:
        return None
    pairs = []
    for c in below:
        cell = next((a for a in above if a.col == c.col and abs(box(a)[0] - box(c)[0]) <= s.aligned_edge), None)
        if cell is None or looks_numeric(c.text) or not c.text.strip():
            return None
        limit = max(box(x)[2] for x in table if x.col == c.col and abs(box(x)[0] - box(cell)[0]) <= s.aligned_edge)
        word = (box(c)[2] - box(c)[0]) * len(c.text.split()[0]) / len(c.text)  # its first word, letters set evenly
        if box(cell)[2] + word <= limit:
            return None
        pairs.append((cell, c))
    return pairs
