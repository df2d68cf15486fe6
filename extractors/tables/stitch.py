"""A table that ends a page and one that starts the next in the same columns are one table;
the header the second page repeats is dropped, and a row broken across the page is one row."""

from __future__ import annotations

from ..layout import join_texts
from .piece import Piece, box, column_at, text_reach
from .settings import DEFAULT, TableSettings
from .wrap import broken_row


def stitch(pieces: list[Piece], s: TableSettings = DEFAULT) -> list[Piece]:
    """Join each table that ends a page with one that starts the next page in the same columns; a
    fragment (`Piece.fragment`) that continues none is no table."""
    out: list[Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        continued = bool(prev and piece.page == (prev.cells[-1].page or 0) + 1 and piece.first_on_page
                         and prev.last_on_page and piece.lines_above <= s.stitch_lines_above)
        if prev is None or not continued:
            if not piece.fragment:
                out.append(piece)
            continue
        if piece.n_cols < prev.n_cols:  # the continuation leaves some columns empty
            remap_columns(piece, prev, s)
        if piece.n_cols == prev.n_cols and same_columns(prev, piece, s):
            _append(prev, piece, s)
        elif not piece.fragment:
            out.append(piece)
    return out


def _append(prev: Piece, piece: Piece, s: TableSettings = DEFAULT) -> None:
    """`piece`'s rows after `prev`'s: without the header it repeats, and its first row joined to
    `prev`'s last when that row broke across the page (`wrap.broken_row`)."""
    repeated = repeated_header(prev, piece, s)
    cells = [c for c in piece.cells if c.row >= repeated]
    offset = prev.n_rows - repeated
    first = min((c.row for c in cells), default=0)
    above = [c for c in prev.cells if c.row + c.row_span == prev.n_rows]
    broken = broken_row(prev.cells, above, [c for c in cells if c.row == first], s)
    for head, rest in broken or []:
        head.text = join_texts([head.text, rest.text])
    if broken:
        cells = [c for c in cells if c.row != first]
        offset -= 1
    for c in cells:
        c.row += offset
    prev.cells.extend(cells)
    prev.n_rows = max(c.row + c.row_span for c in prev.cells)
    prev.footnotes.update(piece.footnotes)
    prev.last_on_page = piece.last_on_page


def remap_columns(piece: Piece, prev: Piece, s: TableSettings = DEFAULT) -> None:
    """Give a continuation's cells the columns of the table it continues, by position, when each
    of its columns falls in a different one of those (it may leave some empty)."""
    if abs(piece.bbox[0] - prev.bbox[0]) > s.stitch_column_tolerance:
        return
    edges = prev.col_edges
    target: dict[int, int] = {}
    for c in piece.cells:
        centre = (box(c)[0] + box(c)[2]) / 2
        target.setdefault(c.col, column_at(edges, centre))
    if len(set(target.values())) != len(target):
        return
    for c in piece.cells:
        c.col = target[c.col]
    piece.n_cols, piece.col_edges = prev.n_cols, prev.col_edges


def same_columns(a: Piece, b: Piece, s: TableSettings = DEFAULT) -> bool:
    """Same outer edges, and the same inner edges, the same header row, every cell of the
    continuation inside the column of the same number above, or the columns of both still apart
    when read as one, the right edges aside (a few short rows set their columns' edges elsewhere
    than many long ones do; a longer label on the next page moves the edge its text sets; a
    header wider than its column, on the first page only, moves the table's right edge)."""
    tolerance = s.stitch_column_tolerance
    left = abs(a.bbox[0] - b.bbox[0]) <= tolerance
    outer = left and abs(a.bbox[2] - b.bbox[2]) <= tolerance
    narrower = left and b.bbox[2] <= a.bbox[2] + tolerance  # a wider table on the next page is another
    inner = all(abs(x - y) <= tolerance for x, y in zip(a.col_edges, b.col_edges))
    fits = all(column_at(a.col_edges, box(c)[0] + 1) == c.col == column_at(a.col_edges, box(c)[2] - 1)
               for c in b.cells if c.col_span == 1)
    # a wide header over the last column sets the right edge of the page that has it only
    return (outer and (inner or fits or row_texts(a, 0) == row_texts(b, 0))) or (narrower and apart(a, b))


def apart(a: Piece, b: Piece) -> bool:
    """The texts of each column of `a` and `b` together end before the next column's texts
    begin: the columns of one table, each page's edges set halfway between its own texts."""
    spans = text_reach([*a.cells, *b.cells])
    ordered = [spans[k] for k in sorted(spans)]
    return len(ordered) == a.n_cols and all(left[1] < right[0] for left, right in zip(ordered, ordered[1:]))


def repeated_header(prev: Piece, piece: Piece, s: TableSettings = DEFAULT) -> int:
    """How many of `piece`'s first rows repeat `prev`'s first rows (its header, one row or a
    group header over its sub-headers), read as words in column order: a group header set over
    two columns may fall in either on a page with fewer rows to set the columns by."""
    n = 0
    while n < min(s.max_header_rows, piece.n_rows - 1, prev.n_rows) and (texts := row_texts(piece, n)) and (
            texts == row_texts(prev, n)):
        n += 1
    return n


def row_texts(piece: Piece, row: int) -> list[str]:
    """A row's texts in column order, spaces and case aside."""
    return [" ".join(c.text.split()).lower() for c in sorted(piece.cells, key=lambda c: c.col) if c.row == row]
