"""Unruled tables: aligned text only. Rows from baselines, columns from vertical gaps, accepted
only where a block of lines has a column of numbers (prose in two chunks has none)."""

from __future__ import annotations

from pdfplumber.utils import merge_bboxes

from .._typing import Word
from ..layout import Line, group_lines, inside
from ..numbers import looks_numeric
from ..pdfpage import ReadPage
from ..records import BBox
from .grid import build_grid
from .piece import Piece
from .settings import DEFAULT, TableSettings


def unruled_tables(page: ReadPage, words: list[Word], taken: list[BBox], s: TableSettings = DEFAULT) -> list[Piece]:
    """The page's tables of aligned text, outside the boxes already `taken`."""
    free = [w for w in words if not any(inside(w, t, 2) for t in taken)]
    blocks: list[list[Line]] = []
    for line in group_lines(free):
        if len(line.chunks()) < 2:
            blocks.append([])
            continue
        if blocks and blocks[-1] and line.top - blocks[-1][-1].bottom < s.block_gap * line.height:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    pieces = []
    for block in blocks:
        if len(block) < s.unruled_min_lines:
            continue
        bbox = merge_bboxes([ln.bbox for ln in block])
        piece = build_grid(page.page_number, "unruled", [[ln] for ln in block], bbox, (), s)
        if piece and has_number_column(piece, s):
            pieces.append(piece)
    return pieces


def has_number_column(piece: Piece, s: TableSettings = DEFAULT) -> bool:
    """Prose laid out in two chunks (a list, a signature) has no column of numbers."""
    for col in range(1, piece.n_cols):
        texts = [c.text for c in piece.cells if c.col == col and c.row > 0]
        if len(texts) >= 2 and sum(looks_numeric(t) for t in texts) >= s.number_column_share * len(texts):
            return True
    return False
