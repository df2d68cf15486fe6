"""Unruled tables: aligned text only. Rows from baselines, columns from vertical gaps, accepted
only where a block of lines has a column of numbers (prose in two chunks has none)."""

from __future__ import annotations

from pdfplumber.utils import merge_bboxes

from .._typing import Word
from ..layout import Line, group_lines, inside
from ..numbers import looks_numeric
from ..pdfpage import ReadPage
from ..records import BBox
from .grid import build_grid, has_value
from .piece import Piece
from .settings import DEFAULT, TableSettings
from .wrap import Block


def unruled_tables(page: ReadPage, words: list[Word], taken: list[BBox], s: TableSettings = DEFAULT) -> list[Piece]:
    """The page's tables of aligned text, outside the boxes already `taken`. Fewer lines than a
    table needs, at the top of the page, are kept as a fragment: the rows a table of the page
    before carried over (its subtotal and total), which `stitch.py` joins or drops."""
    free = [w for w in words if not any(inside(w, t, 2) for t in taken)]
    lines = group_lines(free)
    blocks: list[list[Line]] = []
    pending: list[Line] = []  # lines of a label alone (its values empty), kept if the block goes on
    for line in lines:
        last = (pending or blocks[-1])[-1] if blocks and blocks[-1] else None
        near = last is not None and line.top - last.bottom < s.block_gap * line.height
        if len(line.chunks()) >= 2:
            if near or (last is not None and heads(last, line, blocks[-1], s)):
                blocks[-1] += [*pending, line]
            else:
                blocks.append([line])
        elif near and last is not None and (label_alone(line, blocks[-1], s) or continues_header(line, blocks[-1], s)
                                            or wrapped_tail(blocks, [*pending, line], s)):
            pending.append(line)
            continue
        else:
            blocks.append([])
        pending = []
    if (blocks and pending and all(continues(ln) for ln in pending)) or wrapped_tail(blocks, pending, s):
        blocks[-1] += pending  # the last row's label, wrapped
    pieces = []
    for block in blocks:
        top = bool(block) and block[0] is lines[0]  # the page's first lines: perhaps a table's rest
        if (len(block) < s.unruled_min_lines and not top) or not any(
                looks_numeric(ch.text) for ln in block for ch in ln.chunks()):
            continue  # no number anywhere: prose in two columns (a bilingual text), no column of numbers to find
        bbox = merge_bboxes([ln.bbox for ln in block])
        piece = build_grid(page.page_number, "unruled", block_rows(block, s), bbox, (), s, 1 if top else 2)
        if piece and (has_number_column(piece, s) or top):
            # too few rows to show a column of numbers (a last row under the header repeated): a fragment
            piece.fragment = len(block) < s.unruled_min_lines or not has_number_column(piece, s)
            pieces.append(piece)
    return pieces


def continues(line: Line, above: Line | None = None) -> bool:
    """A cell's next line, not a row: it goes on in lower case or opens a bracket ('(%)',
    '(in euro)'), or the line above broke off at a hyphen or a comma."""
    return line.text[:1].islower() or line.text.startswith("(") or (
        above is not None and above.chunks()[0].text.endswith(("-", ",")))


def wrapped_tail(blocks: list[list[Line]], pending: list[Line], s: TableSettings = DEFAULT) -> bool:
    """Lines left after a block's last row that are its cells wrapped (`wrap.py`)."""
    if not blocks or not blocks[-1] or not pending:
        return False
    geometry = Block([*blocks[-1], *pending], s)
    row = [blocks[-1][-1]]
    for line in pending:
        if not geometry.wraps(line, row):
            return False
        row.append(line)
    return True


def block_rows(block: list[Line], s: TableSettings = DEFAULT) -> list[list[Line]]:
    """A block's lines as rows: a line of one chunk that continues the one above (a label
    wrapped in its cell, a header's second line), or that is a cell's text wrapped under a
    row of data (`wrap.py`), is part of its row."""
    rows: list[list[Line]] = []
    geometry = Block(block, s)
    for line in block:
        if rows and (len(line.chunks()) == 1 and continues(line, rows[-1][-1]) or geometry.wraps(line, rows[-1])):
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def heads(last: Line, line: Line, block: list[Line], s: TableSettings = DEFAULT) -> bool:
    """A header line set further above the first row than rows are apart (a row of group
    headers is often padded, and so is a header repeated at a page's top): each of its chunks
    stands over one of the row's. The block so far is header lines only (no row of data)."""
    if (len(block) > s.max_header_rows or any(has_value([ln], []) for ln in block)  # a year heads a column
            or line.top - last.bottom >= s.header_row_gap * line.height):
        return False
    over, under = last.chunks(), line.chunks()
    if over[0].x1 < under[0].x0:  # the label column's header, over an empty cell
        over = over[1:]
    return len(over) >= 1 and (heads_in_order(over, under) or all(
        any(abs(a.x0 - b.x0) <= s.aligned_edge or abs(a.x1 - b.x1) <= s.aligned_edge
            or abs((a.x0 + a.x1) / 2 - (b.x0 + b.x1) / 2) <= s.aligned_tolerance for b in under) for a in over))


def heads_in_order(over: list[Line], under: list[Line]) -> bool:
    """One header a value column, in order (the label column's header left out or not): each
    starts after the value left of its own ends and before its own value ends (a header set
    left over numbers set right overlaps them little or not at all)."""
    values = under[len(under) - len(over):]
    if len(over) < 2 or len(values) != len(over) or len(under) - len(over) > 1:
        return False
    before = [under[0].x1 if len(under) > len(over) else float("-inf"), *(v.x1 for v in values[:-1])]
    return all(left < a.x0 < v.x1 for a, v, left in zip(over, values, before))


def continues_header(line: Line, block: list[Line], s: TableSettings = DEFAULT) -> bool:
    """The next line of a header cell ('Aantal' / 'aanvragen'): one chunk under one of the
    header line's chunks, the block's only line so far."""
    return len(block) == 1 and any(abs(line.x0 - ch.x0) <= s.aligned_edge or abs(line.x1 - ch.x1) <= s.aligned_edge
                                   for ch in block[0].chunks()[1:])


def label_alone(line: Line, block: list[Line], s: TableSettings = DEFAULT) -> bool:
    """A row whose values are all empty: one chunk where the block's labels start, ending
    before any value does (a sentence under the table runs on into the columns), set in the
    size of the row above (a short sentence that introduces the next table is body text)."""
    values = min(ln.chunks()[1].x0 for ln in block if len(ln.chunks()) > 1)
    return (abs(line.x0 - block[-1].x0) <= s.aligned_edge and line.x1 < values
            and abs(line.height - block[-1].height) <= s.row_size_slack)


def has_number_column(piece: Piece, s: TableSettings = DEFAULT) -> bool:
    """Prose laid out in two chunks (a list, a signature) has no column of numbers."""
    for col in range(1, piece.n_cols):
        texts = [c.text for c in piece.cells if c.col == col and c.row > 0]
        if len(texts) >= 2 and sum(looks_numeric(t) for t in texts) >= s.number_column_share * len(texts):
            return True
    return False
