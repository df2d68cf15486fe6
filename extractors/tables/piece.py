"""A table as found on one page, before stitching and labelling, and the geometry it needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pdfplumber.utils import calculate_area, get_bbox_overlap

from ..records import BBox, Cell


@dataclass
class Piece:
    """A table as found on one page: cells in a grid of `n_rows` x `n_cols`, the x of its column
    edges, the footnote texts printed under it and the caption above it. A `fragment` (a table's
    last rows carried over to the top of a page, fewer than a table alone needs) is kept only
    if it continues the table the page before ends with (`stitch.py`)."""

    page: int
    method: str
    bbox: BBox
    cells: list[Cell]
    n_rows: int
    n_cols: int
    col_edges: list[float]
    footnotes: dict[str, str] = field(default_factory=dict)
    caption: str | None = None
    first_on_page: bool = False
    last_on_page: bool = False
    lines_above: int = 0
    fragment: bool = False  # too short to stand alone: kept only as the rest of the table the page before ends with


def compact_rows(piece: Piece) -> Piece:
    """Without rows that hold no cell (a double rule drawn under a repeated header makes one):
    an empty row is no row a person reads, and would shift every row number after it."""
    used = sorted({r for c in piece.cells for r in range(c.row, c.row + c.row_span)})
    if len(used) == piece.n_rows:
        return piece
    new = {r: i for i, r in enumerate(used)}
    for c in piece.cells:
        last = new[c.row + c.row_span - 1]
        c.row = new[c.row]
        c.row_span = last - c.row + 1
    piece.n_rows = len(used)
    return piece


def box(cell: Cell) -> BBox:
    """A PDF cell's box (cells of a PDF page always have one)."""
    assert cell.bbox is not None, "a PDF cell without a box"
    return cell.bbox


def text_reach(cells: Iterable[Cell]) -> dict[int, tuple[float, float]]:
    """Each column's text from its leftmost to its rightmost point, over the cells of one column
    that have a box: where a column's text lies, whatever edges its page set for it."""
    reach: dict[int, tuple[float, float]] = {}
    for c in cells:
        if c.col_span == 1 and c.bbox:
            x0, x1 = reach.get(c.col, (c.bbox[0], c.bbox[2]))
            reach[c.col] = (min(x0, c.bbox[0]), max(x1, c.bbox[2]))
    return reach


def shared_area(a: BBox, b: BBox) -> float:
    """The area two boxes have in common (0 when they do not overlap)."""
    overlap = get_bbox_overlap(a, b)
    return 0.0 if overlap is None else float(calculate_area(overlap))


def area(b: BBox) -> float:
    return float(calculate_area(b))


def cluster(values: list[float], tolerance: float) -> list[float]:
    """Sorted values with those within `tolerance` of a kept one dropped (cell edges drawn twice).
    Not pdfplumber's `cluster_list`, which chains: edges 1.5 pt apart, one after another, would
    all become one."""
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def column_at(edges: list[float], x: float) -> int:
    """The column of a table with these column edges that x lies in (the outer ones if beyond)."""
    return max(0, min(len(edges) - 2, sum(1 for e in edges[1:-1] if e < x)))


def nearest(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def rounded(b: Sequence[float]) -> BBox:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))
