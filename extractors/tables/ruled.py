"""Ruled tables: every cell drawn. pdfplumber's line-based finder gives the cells and their spans;
where the rules frame column groups or only the header, the text decides the rows."""

from __future__ import annotations

from collections.abc import Callable

from .._typing import Word
from ..layout import group_lines, inside, join_lines
from ..numbers import looks_numeric
from ..pdfpage import ReadPage
from ..records import BBox, Cell
from .grid import bands, build_grid, data_line
from .opensided import join_collinear
from .piece import Piece, cluster, nearest, rounded
from .settings import DEFAULT, TableSettings


def ruled_tables(page: ReadPage, words: list[Word], s: TableSettings = DEFAULT) -> list[Piece]:
    """The page's ruled tables."""
    pieces = []
    for table in page.find_tables(s.ruled()):
        boxes = [c for c in table.cells if c]
        xs = cluster(sorted({b[0] for b in boxes} | {b[2] for b in boxes}), s.cluster)
        ys = cluster(sorted({b[1] for b in boxes} | {b[3] for b in boxes}), s.cluster)
        bbox = table.bbox
        outer = rules_extent(page, bbox, xs, ys, s)
        # inner rules only round three columns: the cells closed on four sides are the middle one
        n_cols, n_rows = len(cluster(sorted({*xs, outer[0], outer[2]}), s.cluster)) - 1, len(ys) - 1
        if n_cols < 2 or n_rows < 1:
            continue
        if outer != bbox:  # inner rules only: the outer rows and columns have rules on one side
            bbox, ys = outer, cluster(sorted({*ys, outer[1], outer[3]}), s.cluster)
        region = [w for w in words if inside(w, bbox)]
        if (outer != table.bbox or under_ruled(region, xs, ys, s) or unsplit_rows(region, boxes, xs, s)
                or outside_cells(region, boxes, s)):
            # the text makes the rows or the columns; only rules that reach the body part columns
            rules = body_rules(region, boxes, xs, s)
            piece = build_grid(page.page_number, "ruled", bands(region, ys, rules, s), bbox, rules, s)
            if piece:
                pieces.append(spans_from_boxes(piece, boxes))
            continue
        if n_rows < 2:
            continue
        cells = _cells(page.page_number, region, boxes, xs, ys)
        if len(cells) >= 3 and len(cells) >= s.min_fill * n_rows * n_cols:  # else a chart's grid, a form
            pieces.append(Piece(page.page_number, "ruled", rounded(table.bbox), cells, n_rows, n_cols, xs))
    return pieces


def rules_extent(page: ReadPage, bbox: BBox, xs: list[float], ys: list[float], s: TableSettings = DEFAULT) -> BBox:
    """The table's box as far as its rules reach. A grid drawn with inner rules only has no
    border: the line-based finder sees only the cells closed on four sides, while the
    horizontal rules run on over the first and last columns and the vertical ones up through
    the header row and down through the last row. At least two of the grid's own rules must
    reach as far (a chart's axis crossing a box is one line). A fully ruled grid: its own box."""
    tol = s.snap_tolerance
    rules = join_collinear(page.horizontal_edges, s)
    across = [e for e in rules
              if any(abs(e["top"] - y) <= tol for y in ys) and e["x0"] <= bbox[2] + tol and e["x1"] >= bbox[0] - tol]
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    down = [e for e in verticals
            if any(abs(e["x0"] - x) <= tol for x in xs) and e["top"] <= bbox[3] + tol and e["bottom"] >= bbox[1] - tol]
    x0 = agreed([e["x0"] for e in across], tol, min)
    x1 = agreed([e["x1"] for e in across], tol, max)
    top = agreed([e["top"] for e in down], tol, min)
    bottom = agreed([e["bottom"] for e in down], tol, max)

    def closed(x: float | None = None, y: float | None = None) -> bool:  # a border drawn there: not inner rules only
        if x is not None:
            return any(abs(e["x0"] - x) <= tol and e["top"] <= bbox[3] and e["bottom"] >= bbox[1]
                       for e in verticals)
        return any(abs(e["top"] - (y or 0.0)) <= tol and e["x0"] <= bbox[2] and e["x1"] >= bbox[0] for e in rules)

    grown = (x0 if x0 < bbox[0] - s.cluster and not closed(x=x0) else bbox[0],
             top if top < bbox[1] - s.cluster and not closed(y=top) else bbox[1],
             x1 if x1 > bbox[2] + s.cluster and not closed(x=x1) else bbox[2],
             bottom if bottom > bbox[3] + s.cluster and not closed(y=bottom) else bbox[3])
    return bbox if grown == tuple(bbox) else rounded(grown)


def agreed(values: list[float], tolerance: float, pick: Callable[[list[float]], float]) -> float:
    """The furthest (`pick`: min or max) of the values that another one lies within `tolerance`
    of (two rules reach there); infinitely far the other way when none does."""
    shared = [v for i, v in enumerate(values) if any(abs(v - u) <= tolerance for j, u in enumerate(values) if j != i)]
    if shared:
        return pick(shared)
    return float("inf") if pick is min else float("-inf")


def _cells(page: int, region: list[Word], boxes: list[BBox], xs: list[float], ys: list[float]) -> list[Cell]:
    """A cell a drawn box, with the words inside it; a word belongs to the smallest box around it
    (boxes may nest)."""
    cells = []
    held: dict[BBox, list[Word]] = {}  # a box's words, in the region's order (each word looked at once)
    for w in region:
        around = [b for b in boxes if inside(w, b)]
        if around:
            held.setdefault(min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1])), []).append(w)
    for b in boxes:
        c0, c1 = nearest(xs, b[0]), nearest(xs, b[2])
        r0, r1 = nearest(ys, b[1]), nearest(ys, b[3])
        text = join_lines(group_lines(held.get(b, [])))
        if text and c1 > c0 and r1 > r0:
            cells.append(Cell(row=r0, col=c0, row_span=r1 - r0, col_span=c1 - c0, text=text, page=page,
                              bbox=rounded(b)))
    return cells


def spans_from_boxes(piece: Piece, boxes: list[BBox]) -> Piece:
    """A cell whose text sits in a drawn box spans the columns under that box: a group header
    ('Europese steun') centred over two columns spans both, however narrow its words."""
    edges = piece.col_edges
    centres = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    taken = {(c.row, k) for c in piece.cells for k in range(c.col, c.col + c.col_span)}
    for c in piece.cells:
        around = [b for b in boxes if c.bbox and b[0] - 1 <= c.bbox[0] and c.bbox[2] <= b[2] + 1
                  and b[1] - 1 <= c.bbox[1] and c.bbox[3] <= b[3] + 1]
        if not around:
            continue
        b = min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        under = [k for k, x in enumerate(centres) if b[0] <= x <= b[2]]
        wider = [k for k in under if k not in range(c.col, c.col + c.col_span)]
        if under and wider and not any((c.row, k) in taken for k in wider) and under == list(
                range(under[0], under[-1] + 1)) and under[0] <= c.col:
            c.col, c.col_span = under[0], len(under)
            taken.update((c.row, k) for k in under)
    return piece


def body_rules(region: list[Word], boxes: list[BBox], xs: list[float], s: TableSettings = DEFAULT) -> list[float]:
    """The vertical rules that run down into the rows of data. Rules that part only the header's
    cells (under a group header such as 'Europese steun') must not split the group header or
    the data under it."""
    data = [ln.top for ln in group_lines(region) if data_line(ln, [], s)]
    if not data:
        return xs
    reaching = [b for b in boxes if b[3] > min(data) + 1]
    return cluster(sorted({b[0] for b in reaching} | {b[2] for b in reaching}), s.cluster) if reaching else xs


def outside_cells(region: list[Word], boxes: list[BBox], s: TableSettings = DEFAULT) -> bool:
    """Text in the table's area that no drawn cell holds: numbers (only the header, or the label
    column, is drawn as cells, the body under it set in text between horizontal rules), or words
    on several lines (a grid without its outer border: the first and last columns' cells are
    open on one side, so the line-based finder draws no cell around their text)."""
    loose = [w for w in region if not any(inside(w, b) for b in boxes)]
    return (sum(1 for w in loose if looks_numeric(w["text"])) >= 2
            or len(group_lines(loose)) >= s.split_band_lines)


def under_ruled(region: list[Word], xs: list[float], ys: list[float], s: TableSettings = DEFAULT) -> bool:
    """True when a band between two rules holds several lines of numbers across ruled columns:
    the rules frame column groups but do not separate the rows. (Several lines of words in a
    band are multi-line cells, which a fully ruled table keeps as they are.)"""
    for top, bottom in zip(ys, ys[1:]):
        lines = group_lines([w for w in region if top <= (w["top"] + w["bottom"]) / 2 <= bottom])
        if sum(1 for ln in lines if data_line(ln, xs, s)) >= s.split_band_lines:
            return True
    return False


def unsplit_rows(region: list[Word], boxes: list[BBox], xs: list[float], s: TableSettings = DEFAULT) -> bool:
    """Several cells that span the grid's columns hold a row of data each: the vertical rules
    stop at the header, and the body's columns are set by the text alone."""
    spanning = 0
    for b in boxes:
        if nearest(xs, b[2]) - nearest(xs, b[0]) < 2:
            continue
        lines = group_lines([w for w in region if inside(w, b)])
        spanning += sum(1 for ln in lines if len(ln.chunks()) >= 3 and data_line(ln, [], s))
    return spanning >= s.split_band_lines
