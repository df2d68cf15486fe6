"""Unruled tables: aligned text only. Rows from baselines, columns from vertical gaps, accepted
only where a block of lines has a column of numbers (prose in two chunks has none)."""

from __future__ import annotations

from pdfplumber.utils import merge_bboxes

from .._typing import Page, Word
from ..layout import Line, group_lines, inside
from ..numbers import looks_numeric
from ..records import BBox
from .grid import build_grid
from .piece import Piece
from .settings import DEFAULT, TableSettings


def unruled_tables(page: Page, words: list[Word], taken: list[BBox], s: TableSettings = DEFAULT) -> list[Piece]:
    """The page's tables of aligned text, outside the boxes already `taken`."""
    free = [w for w in words if not any(inside(w, t, 2) for t in taken)]
    blocks: list[list[Line]] = []
    pending: list[Line] = []  # lines of a label alone (its values empty), kept if the block goes on
    for line in group_lines(free):
        last = (pending or blocks[-1])[-1] if blocks and blocks[-1] else None
        near = last is not None and line.top - last.bottom < s.block_gap * line.height
        if len(line.chunks()) >= 2:
            if near:
                blocks[-1] += [*pending, line]
            else:
                blocks.append([line])
        elif near and last is not None and label_alone(line, blocks[-1], s):
            pending.append(line)
            continue
        else:
            blocks.append([])
        pending = []
    pieces = []
    for block in blocks:
        if len(block) < s.unruled_min_lines:
            continue
        bbox = merge_bboxes([ln.bbox for ln in block])
        piece = build_grid(page.page_number, "unruled", [[ln] for ln in block], bbox, (), s)
        if piece and has_number_column(piece, s):
            pieces.append(piece)
    return pieces


def label_alone(line: Line, block: list[Line], s: TableSettings = DEFAULT) -> bool:
    """A row whose values are all empty: one short chunk where the block's labels start."""
    width = max(ln.x1 for ln in block) - min(ln.x0 for ln in block)
    return abs(line.x0 - block[-1].x0) <= s.aligned_edge and line.x1 - line.x0 < s.wide_chunk_share * width


def has_number_column(piece: Piece, s: TableSettings = DEFAULT) -> bool:
    """Prose laid out in two chunks (a list, a signature) has no column of numbers."""
    for col in range(1, piece.n_cols):
        texts = [c.text for c in piece.cells if c.col == col and c.row > 0]
        if len(texts) >= 2 and sum(looks_numeric(t) for t in texts) >= s.number_column_share * len(texts):
            return True
    return False
