"""Tables of a PDF as cells with spans, labels, values and footnotes.

Three layouts, tried in this order on each page, each on what the previous left:
- ruled: every cell drawn (pdfplumber's line-based finder gives the cells and spans);
- open: horizontal rules only, Word's common style; rows from the rules, columns from where
  the text leaves a vertical gap;
- unruled: aligned text only; rows from baselines, columns from vertical gaps, accepted only
  where a block of lines has a column of numbers (prose does not).
A table that ends a page and one that starts the next with the same columns are one table;
a repeated header row is dropped. Labels, numbers and footnotes are read last, per table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ocr
from ._typing import PDF, Obj, Page, Word
from .layout import Line, group_lines, inside, join_lines, overlaps, page_words, union
from .numbers import looks_numeric, parse_number
from .records import BBox, Cell, Footnote, Table

RULED_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}
MIN_RULE_WIDTH = 30.0  # shorter horizontal strokes are underlines, not table rules
RULE_GROUP_GAP = 90.0  # rules further apart (pt) hold a table body between them only if its lines are data
SPLIT_BAND_LINES = 3  # a band between rules with this many multi-column lines holds several rows
UNRULED_MIN_LINES = 3
MIN_FILL = 0.15  # a ruled grid with fewer cells filled is a chart or a form, not a table
STITCH_COLUMN_TOLERANCE = 12.0
MARGIN_SHARE = 0.12  # page headers and footers stand in this top and bottom share of the page
TOTAL_LABEL = re.compile(r"^(algemeen\s+|eind)?(totaal|total|som|subtotaal)\b", re.IGNORECASE)
YEARISH = re.compile(r"^(19|20)\d\d([-/](19|20)?\d\d)?$")
MONEY_LABEL = re.compile(r"€|\beuro\b|\beur\b|bedrag|budget|premie|subsidie|kost", re.IGNORECASE)
FOOTNOTE_LINE = re.compile(r"^\(?(\*{1,3}|\d{1,2}|[a-z])\)\s+(.+)$")
CAPTION = re.compile(r"^(table|tabel|tableau|tabelle|figure|figuur|grafiek)\s+[A-Z]?[-.]?\d", re.IGNORECASE)
FIGURE_CAPTION = re.compile(r"^(figure|figuur|grafiek|chart|graph|kaart|map)\s*\d", re.IGNORECASE)
FIGURE_STROKES = 15  # curves or slanted lines in a region: a plot, not a table
SCALE = re.compile(r"\b(in\s+)?(?:(miljard|miljoen|mio|duizend)\s+)?(euro|EUR)\b", re.IGNORECASE)
SCALE_UNITS = {"miljard": "EUR billion", "miljoen": "EUR million", "mio": "EUR million", "duizend": "EUR thousand"}
# How sure each method is of its grid: Word and spreadsheet tables are exact structures.
CONFIDENCE = {"ruled": 0.95, "open": 0.85, "unruled": 0.7, "ocr": 0.5, "word": 1.0, "sheet": 1.0}


@dataclass
class _Piece:
    """A table as found on one page, before stitching and labelling."""

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


def extract_tables(pdf: PDF) -> list[Table]:
    """Every table of an open pdfplumber PDF, stitched across pages and labelled."""
    words = [page_words(page) for page in pdf.pages]
    running = _running_lines(pdf.pages, words)
    pieces: list[_Piece] = []
    for page, page_words_ in zip(pdf.pages, words):
        pieces.extend(page_tables(page, page_words_, running))
    tables = [_label(piece, i) for i, piece in enumerate(_stitch(pieces))]
    return tables


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def _running_lines(pages: list[Page], words: list[list[Word]]) -> set[str]:
    """Page headers and footers: lines in the top or bottom margin that recur on many pages
    (page numbers aside). They are neither tables nor text between a table and the page's end."""
    seen: dict[str, int] = {}
    for page, ws in zip(pages, words):
        keys = {_running_key(ln.text) for ln in group_lines(ws)
                if ln.bottom < MARGIN_SHARE * page.height or ln.top > (1 - MARGIN_SHARE) * page.height}
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n >= max(2, 0.3 * len(pages))}


def page_tables(page: Page, words: list[Word] | None = None, running: frozenset[str] | set[str] = frozenset()
                ) -> list[_Piece]:
    """The tables of one page, top to bottom (a page without text is read by OCR, if there is OCR)."""
    words = page_words(page) if words is None else words
    if running:
        words = [w for ln in group_lines(words) if _running_key(ln.text) not in running for w in ln.words]
    scanned = not words and not page.chars and ocr.available()
    if scanned:  # a picture has no rules to read: its tables are found by alignment only
        words = ocr.page_words(page)
    if not words:
        return []
    if scanned:
        found = _unruled(page, words, [])
        for piece in found:
            piece.method = "ocr"
    else:
        found = _ruled(page, words)
        found += _open(page, words, [p.bbox for p in found])
        found += _unruled(page, words, [p.bbox for p in found])
    found = [p for p in found if not _figure(page, p) and not _contents(p)]
    found = _join_sideways(page.page_number, words, found)
    found = _join_stacked(found)
    found = _drop_overlaps(found)
    found.sort(key=lambda p: p.bbox[1])
    lines = group_lines(words)
    for piece in found:
        _attach_footnotes(piece, lines, found)
        piece.lines_above = sum(1 for ln in lines if ln.bottom < piece.bbox[1])
        piece.caption = _caption(piece, lines, found)
    if found:
        found[0].first_on_page = True
        last = found[-1]
        last.last_on_page = not any(ln.top > last.bbox[3] + 1 and not FOOTNOTE_LINE.match(ln.text)
                                    and len(ln.text) > 3  # a stray mark or number is not text
                                    for ln in lines if ln.bottom < page.height * 0.92)
    return found


def _join_sideways(page: int, words: list[Word], pieces: list[_Piece]) -> list[_Piece]:
    """A ruled grid with its label column left outside the rules comes out as two tables side
    by side, row for row: rebuild them as one, the grid's rules still bounding its columns."""
    out = list(pieces)
    for a in pieces:
        for b in pieces:
            if a is b or a.method != "ruled" or b.method == "ruled" or a not in out or b not in out:
                continue
            overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
            gap = max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2])
            if overlap < 0.7 * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]) or gap > 30:
                continue
            box = union([a.bbox, b.bbox])
            region = [w for w in words if inside(w, box)]
            rows = [[ln] for ln in group_lines(region)]
            joined = _grid(page, "ruled", rows, box, [x for x in a.col_edges if box[0] + 2 < x < box[2] - 2])
            if joined and joined.n_cols >= a.n_cols:
                out = [p for p in out if p is not a and p is not b] + [joined]
    return out


def _join_stacked(pieces: list[_Piece]) -> list[_Piece]:
    """A header drawn as its own grid (coloured cells) right above the body it heads is one table
    with it: the header's cells take the body's columns."""
    out = sorted(pieces, key=lambda p: p.bbox[1])
    i = 0
    while i < len(out) - 1:
        upper, lower = out[i], out[i + 1]
        width = min(upper.bbox[2] - upper.bbox[0], lower.bbox[2] - lower.bbox[0])
        shared = min(upper.bbox[2], lower.bbox[2]) - max(upper.bbox[0], lower.bbox[0])
        if (0 <= lower.bbox[1] - upper.bbox[3] < 15 and shared >= 0.8 * width and upper.n_rows <= 3
                and not any(_is_number(c.text) for c in upper.cells)):
            edges = lower.col_edges
            cells: dict[tuple[int, int], Cell] = {}
            for c in upper.cells:
                box = _box(c)
                quarter = (box[2] - box[0]) / 4  # a cell's box is wider than its text's column
                c0 = max(0, min(len(edges) - 2, sum(1 for x in edges[1:-1] if x < box[0] + quarter)))
                c1 = max(c0, min(len(edges) - 2, sum(1 for x in edges[1:-1] if x < box[2] - quarter)))
                key = (c.row, c0)
                if key in cells:
                    cells[key].text = f"{cells[key].text} {c.text}"
                else:
                    cells[key] = Cell(row=c.row, col=c0, col_span=c1 - c0 + 1, text=c.text, page=c.page,
                                      bbox=c.bbox)
            for c in lower.cells:
                c.row += upper.n_rows
            out[i] = _Piece(lower.page, lower.method, union([upper.bbox, lower.bbox]),
                            list(cells.values()) + lower.cells, upper.n_rows + lower.n_rows, lower.n_cols, edges,
                            lower.footnotes, caption=upper.caption or lower.caption)
            del out[i + 1]
        else:
            i += 1
    return out


def _contents(piece: _Piece) -> bool:
    """A table of contents: titles and page numbers that only go up."""
    if piece.n_cols > 3:
        return False
    last = [c.text for c in sorted(piece.cells, key=lambda c: c.row) if c.col + c.col_span == piece.n_cols]
    numbers = [int(t) for t in last if t.isdigit()]
    return len(numbers) >= 5 and len(numbers) >= 0.8 * len(last) and numbers == sorted(numbers)


def _drop_overlaps(pieces: list[_Piece]) -> list[_Piece]:
    """Of two tables found over the same text (two rule groups around one table), keep the fuller."""
    out: list[_Piece] = []
    for piece in sorted(pieces, key=lambda p: -len(p.cells)):
        if not any(_area(_intersection(piece.bbox, kept.bbox)) > 0.5 * _area(piece.bbox) for kept in out):
            out.append(piece)
    return out


def _area(b: BBox | None) -> float:
    return 0.0 if b is None else max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _intersection(a: BBox, b: BBox) -> BBox | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def _figure(page: Page, piece: _Piece) -> bool:
    """A chart or a map that looks like a table: its plot is drawn with curves, slanted lines or
    a great many rectangles, or its text has a figure's caption."""
    x0, top, x1, bottom = piece.bbox

    def within(o: Obj) -> bool:
        return bool(o["x0"] >= x0 - 1 and o["x1"] <= x1 + 1 and o["top"] >= top - 1 and o["bottom"] <= bottom + 1)

    plotted = sum(1 for c in page.curves if within(c)) + sum(
        1 for ln in page.lines if within(ln) and abs(ln["x1"] - ln["x0"]) > 1 and abs(ln["bottom"] - ln["top"]) > 1)
    rects = sum(1 for r in page.rects if within(r))
    return (plotted >= FIGURE_STROKES or (rects >= 50 and rects > 20 * len(piece.cells))
            or any(FIGURE_CAPTION.match(c.text) for c in piece.cells))


# --- ruled -----------------------------------------------------------------------------

def _ruled(page: Page, words: list[Word]) -> list[_Piece]:
    pieces = []
    for table in page.find_tables(RULED_SETTINGS):
        boxes = [c for c in table.cells if c]
        xs = _cluster(sorted({b[0] for b in boxes} | {b[2] for b in boxes}))
        ys = _cluster(sorted({b[1] for b in boxes} | {b[3] for b in boxes}))
        n_cols, n_rows = len(xs) - 1, len(ys) - 1
        if n_cols < 2 or n_rows < 1:
            continue
        region = [w for w in words if inside(w, table.bbox)]
        if _under_ruled(region, xs, ys) or _unsplit_rows(region, boxes, xs):  # text makes rows or columns
            piece = _grid(page.page_number, "ruled", _bands(region, ys, xs), table.bbox, xs)
            if piece:
                pieces.append(piece)
            continue
        if n_rows < 2:
            continue
        cells = []
        owner: dict[int, BBox] = {}  # a word belongs to the smallest cell around it (cells may nest)
        for w in region:
            around = [b for b in boxes if inside(w, b)]
            if around:
                owner[id(w)] = min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        for b in boxes:
            c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
            r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
            text = join_lines(group_lines([w for w in region if owner.get(id(w)) == b]))
            if text and c1 > c0 and r1 > r0:
                cells.append(Cell(row=r0, col=c0, row_span=r1 - r0, col_span=c1 - c0, text=text,
                                  page=page.page_number, bbox=_round(b)))
        if len(cells) >= 3 and len(cells) >= MIN_FILL * n_rows * n_cols:  # else a chart's grid, a form
            pieces.append(_Piece(page.page_number, "ruled", _round(table.bbox), cells, n_rows, n_cols, xs))
    return pieces


def _under_ruled(region: list[Word], xs: list[float], ys: list[float]) -> bool:
    """True when a band between two rules holds several lines of numbers across ruled columns:
    the rules frame column groups but do not separate the rows. (Several lines of words in a
    band are multi-line cells, which a fully ruled table keeps as they are.)"""
    for top, bottom in zip(ys, ys[1:]):
        lines = group_lines([w for w in region if top <= (w["top"] + w["bottom"]) / 2 <= bottom])
        data = [ln for ln in lines if _data_line(ln, xs)]
        if len(data) >= SPLIT_BAND_LINES:
            return True
    return False


def _unsplit_rows(region: list[Word], boxes: list[BBox], xs: list[float]) -> bool:
    """Several cells that span the grid's columns hold a row of data each: the vertical rules
    stop at the header, and the body's columns are set by the text alone."""
    spanning = 0
    for b in boxes:
        if _nearest(xs, b[2]) - _nearest(xs, b[0]) < 2:
            continue
        lines = group_lines([w for w in region if inside(w, b)])
        spanning += sum(1 for ln in lines if len(ln.chunks()) >= 3 and _data_line(ln, []))
    return spanning >= SPLIT_BAND_LINES


def _data_line(line: Line, xs: list[float]) -> bool:
    """A line of mostly numbers, in at least two columns (ruled ones, or chunks where there are
    no vertical rules): a row of data, not a wrapped text or a header."""
    chunks = [ch for ch in _chunks(line, xs) if any(c.isalnum() for c in ch.text) or looks_numeric(ch.text)]
    numbers = [ch for ch in chunks if looks_numeric(ch.text)]
    columns = {_slot(xs, ch.words[0]) for ch in numbers} if xs else set(map(id, numbers))
    return len(columns) >= 2 and len(numbers) >= 0.5 * len(chunks)


def _slot(edges: list[float], word: Word) -> int:
    centre = (word["x0"] + word["x1"]) / 2
    return sum(1 for x in edges if x < centre)


def _bands(region: list[Word], ys: list[float], v_rules: list[float]) -> list[list[Line]]:
    """Rows between horizontal rules. A band with several lines of data, or below the first band
    several lines in columns, is one row a line; otherwise the band is one row of multi-line
    cells (as the header under the top rule usually is)."""
    rows: list[list[Line]] = []
    for top, bottom in zip(ys, ys[1:]):
        band = group_lines([w for w in region if top <= (w["top"] + w["bottom"]) / 2 <= bottom])
        if not band:
            continue
        data = sum(_data_line(ln, v_rules) for ln in band)
        columns = sum(len(_chunks(ln, v_rules)) >= 2 for ln in band)
        if (data >= SPLIT_BAND_LINES or (len(band) >= 2 and data == len(band))
                or (rows and columns >= SPLIT_BAND_LINES)):
            rows.extend([ln] for ln in band)
        else:
            rows.append(band)
    return rows


def _chunks(line: Line, v_rules: list[float]) -> list[Line]:
    """A line's chunks, also split where a vertical rule runs between two words."""
    out = []
    for chunk in line.chunks():
        current = [chunk.words[0]]
        for prev, word in zip(chunk.words, chunk.words[1:]):
            if any(prev["x1"] - 1 <= x <= word["x0"] + 1 for x in v_rules):
                out.append(Line(current))
                current = []
            current.append(word)
        out.append(Line(current))
    return out


# --- open-sided (horizontal rules only) ----------------------------------------------

def _open(page: Page, words: list[Word], taken: list[BBox]) -> list[_Piece]:
    rules = [e for e in _join_collinear(page.horizontal_edges)
             if e["x1"] - e["x0"] >= MIN_RULE_WIDTH
             and not any(overlaps((e["x0"], e["top"], e["x1"], e["top"]), t, 2) for t in taken)]
    groups: list[list[Obj]] = []
    for rule in sorted(rules, key=lambda e: (round(e["x0"]), round(e["x1"]), e["top"])):
        for group in groups:
            ref = group[-1]
            if (abs(ref["x0"] - rule["x0"]) < 3 and abs(ref["x1"] - rule["x1"]) < 3 and rule["top"] >= ref["top"]
                    and (rule["top"] - ref["top"] < RULE_GROUP_GAP or _tabular(words, ref, rule))
                    and not _captioned(words, ref, rule)):
                if rule["top"] - ref["top"] > 1:
                    group.append(rule)
                break
        else:
            groups.append([rule])
    pieces = []
    for group in groups:
        if len(group) < 2:
            continue
        ys = [r["top"] for r in group]
        x0, x1 = min(r["x0"] for r in group), max(r["x1"] for r in group)
        if any(overlaps((x0, ys[0], x1, ys[-1]), t, -2) for t in taken):  # rules around a ruled table
            continue
        ys = _outside_rows(words, x0, x1, ys)
        bbox = (x0, ys[0], x1, ys[-1])
        region = [w for w in words if inside(w, bbox, 0.5)]
        piece = _grid(page.page_number, "open", _bands(region, ys, []), bbox)
        if piece:
            pieces.append(piece)
    return pieces


def _join_collinear(edges: list[Obj], tolerance: float = 2.0) -> list[Obj]:
    """One rule from the pieces a PDF draws it in (a segment per column, touching end to end)."""
    out: list[Obj] = []
    for e in sorted(edges, key=lambda e: (round(e["top"]), e["x0"])):
        last = out[-1] if out else None
        if last and abs(last["top"] - e["top"]) <= 1.5 and e["x0"] <= last["x1"] + tolerance:
            last["x1"] = max(last["x1"], e["x1"])
        else:
            out.append({"x0": e["x0"], "x1": e["x1"], "top": e["top"]})
    return out


def _outside_rows(words: list[Word], x0: float, x1: float, ys: list[float]) -> list[float]:
    """Rule positions widened to rows that stand just outside them: a header row above the first
    rule (a header underlined only), rows of data below the last one (no closing rule)."""
    lines = group_lines([w for w in words if x0 - 2 <= w["x0"] and w["x1"] <= x1 + 2])
    above = [ln for ln in lines if ln.bottom <= ys[0] + 1]
    if above:
        line = max(above, key=lambda ln: ln.bottom)
        if ys[0] - line.bottom < 0.8 * line.height and len(line.chunks()) >= 2 and not CAPTION.match(line.text):
            ys = [line.top - 1, *ys]
    bottom = ys[-1]
    for line in sorted((ln for ln in lines if ln.top >= ys[-1] - 1), key=lambda ln: ln.top):
        if line.top - bottom > 0.8 * line.height or not _data_line(line, []):
            break
        bottom = line.bottom + 1
    return ys + [bottom] if bottom > ys[-1] else ys


def _lines_between(words: list[Word], upper: Obj, lower: Obj) -> list[Line]:
    """The lines between two rules, within the upper rule's width."""
    return group_lines([w for w in words if upper["top"] < w["top"] < lower["top"]
                        and upper["x0"] - 2 <= w["x0"] and w["x1"] <= upper["x1"] + 2])


def _captioned(words: list[Word], upper: Obj, lower: Obj) -> bool:
    """A caption ('Table 2.', 'Tabel 3', 'Figuur 1') between two rules: they belong to two tables."""
    return any(CAPTION.match(ln.text) for ln in _lines_between(words, upper, lower))


def _tabular(words: list[Word], upper: Obj, lower: Obj) -> bool:
    """Between two rules of the same width, most lines are rows of data (a label, then numbers):
    one table's body, as in a booktabs table (rules above, under the header and below only).
    Two columns of prose also have two chunks a line, but no numbers in the second."""
    lines = _lines_between(words, upper, lower)
    data = [ln for ln in lines if any(looks_numeric(ch.text) for ch in ln.chunks()[1:])]
    return len(lines) >= 2 and len(data) >= 0.5 * len(lines)


# --- unruled (text alignment) --------------------------------------------------------

def _unruled(page: Page, words: list[Word], taken: list[BBox]) -> list[_Piece]:
    free = [w for w in words if not any(inside(w, t, 2) for t in taken)]
    lines = group_lines(free)
    blocks: list[list[Line]] = []
    for line in lines:
        if len(line.chunks()) < 2:
            blocks.append([])
            continue
        if blocks and blocks[-1] and line.top - blocks[-1][-1].bottom < 1.5 * line.height:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    pieces = []
    for block in blocks:
        if len(block) < UNRULED_MIN_LINES:
            continue
        bbox = union([ln.bbox for ln in block])
        piece = _grid(page.page_number, "unruled", [[ln] for ln in block], bbox)
        if piece and _has_number_column(piece):
            pieces.append(piece)
    return pieces


def _has_number_column(piece: _Piece) -> bool:
    """Prose laid out in two chunks (a list, a signature) has no column of numbers."""
    for col in range(1, piece.n_cols):
        texts = [c.text for c in piece.cells if c.col == col and c.row > 0]
        if len(texts) >= 2 and sum(looks_numeric(t) for t in texts) >= 0.6 * len(texts):
            return True
    return False


# --- shared grid building ------------------------------------------------------------

def _columns(rows: list[list[Line]], width: float, v_rules: list[float]) -> list[tuple[float, float]]:
    """Column extents: the x-intervals that chunks cover, merged where they overlap but never
    across a vertical rule. Rows of data (with numbers) decide when there are enough of them:
    header cells that span several columns would bridge the gaps between them."""
    data = [row for row in rows if any(looks_numeric(ch.text) for line in row for ch in _chunks(line, v_rules)[1:])]
    body = data if len(data) >= 3 else rows[1:] if len(rows) >= 3 else rows
    spans = sorted((ch.x0, ch.x1) for row in body for line in row for ch in _chunks(line, v_rules)
                   if ch.x1 - ch.x0 < 0.6 * width)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        ruled_off = cols and any(cols[-1][1] - 1 <= x <= x0 + 1 or cols[-1][0] < x < x0 for x in v_rules)
        if cols and x0 <= cols[-1][1] + 1.0 and not ruled_off:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _merge_header(rows: list[list[Line]], v_rules: list[float]) -> list[list[Line]]:
    """Leading rows of words whose chunks stand at the same places are one header row of
    multi-line cells ('Totaal / budget / initieel'); a spanning group header stays its own row."""
    first_data = next((i for i, row in enumerate(rows) if _has_data(row, v_rules)), 0)
    out: list[list[Line]] = []
    for i, row in enumerate(rows):
        if 0 < i < first_data and _aligned(out[-1][-1], row[0], v_rules):
            out[-1].extend(row)
        else:
            out.append(list(row))
    return out


def _has_data(row: list[Line], v_rules: list[float]) -> bool:
    return any(_data_line(ln, v_rules) for ln in row)


def _aligned(a: Line, b: Line, v_rules: list[float], tolerance: float = 12.0) -> bool:
    """Every chunk of line b stands under a chunk of line a (b may leave some columns empty)."""
    ca, cb = _chunks(a, v_rules), _chunks(b, v_rules)

    def under(y: Line) -> bool:
        return any(abs((x.x0 + x.x1) / 2 - (y.x0 + y.x1) / 2) <= tolerance or abs(x.x1 - y.x1) <= 3
                   or abs(x.x0 - y.x0) <= 3 for x in ca)

    return len(cb) >= 2 and len(cb) <= len(ca) and all(under(y) for y in cb)


def _grid(page: int, method: str, rows: list[list[Line]], bbox: BBox, v_rules: tuple[float, ...] | list[float] = ()
          ) -> _Piece | None:
    """Cells from rows of lines: each chunk goes to the columns it overlaps."""
    v_rules = list(v_rules)
    rows = _merge_header(rows, v_rules)
    if len(rows) < 2:
        return None
    cols = _columns(rows, bbox[2] - bbox[0], v_rules)
    if len(cols) < 2:
        return None
    edges = [bbox[0]] + [(a[1] + b[0]) / 2 for a, b in zip(cols, cols[1:])] + [bbox[2]]
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        slots: dict[int, list[tuple[int, Line]]] = {}
        for line in row:
            for ch in _chunks(line, v_rules):
                covered = [i for i, (a, b) in enumerate(cols) if ch.x0 <= b and ch.x1 >= a]
                if not covered:
                    covered = [min(range(len(cols)), key=lambda i: abs(cols[i][0] - ch.x0))]
                slots.setdefault(covered[0], []).append((covered[-1], ch))
        for col, parts in sorted(slots.items()):
            last = max(p[0] for p in parts)
            chunk_lines = [p[1] for p in parts]
            cells.append(Cell(row=r, col=col, col_span=last - col + 1, text=join_lines(chunk_lines),
                              page=page, bbox=_round(union([ln.bbox for ln in chunk_lines]))))
    if sum(1 for c in cells if c.col_span == 1) < 3:
        return None
    top = min(ln.top for row in rows for ln in row)
    bottom = max(ln.bottom for row in rows for ln in row)
    box = (bbox[0], min(bbox[1], top), bbox[2], max(bbox[3], bottom))
    return _Piece(page, method, _round(box), cells, len(rows), len(cols), edges)


def _caption(piece: _Piece, lines: list[Line], others: list[_Piece]) -> str | None:
    """The line just above a table, when it names it ('Tabel 6 - ...') or its unit ('(in euro)')."""
    above = [ln for ln in lines if ln.bottom <= piece.bbox[1] + 1 and piece.bbox[1] - ln.bottom < 3 * ln.height
             and not any(o is not piece and inside(ln.words[0], o.bbox, 1) for o in others)]
    if not above:
        return None
    line = max(above, key=lambda ln: ln.bottom)
    return line.text if CAPTION.match(line.text) or SCALE.search(line.text) else None


def _attach_footnotes(piece: _Piece, lines: list[Line], others: list[_Piece]) -> None:
    """Footnote texts printed under a table: '(*) cijfer 2019 nog niet definitief'."""
    below = [ln for ln in lines if ln.top > piece.bbox[3] - 1 and ln.top < piece.bbox[3] + 120
             and not any(o is not piece and inside(ln.words[0], o.bbox, 1) for o in others)]
    for line in below[:8]:
        m = FOOTNOTE_LINE.match(line.text)
        if m:
            piece.footnotes[m[1]] = m[2].strip()


# --- stitching and labelling ---------------------------------------------------------

def _stitch(pieces: list[_Piece]) -> list[_Piece]:
    """Join a table that ends a page with one that starts the next page in the same columns."""
    out: list[_Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        continued = bool(prev and piece.page == (prev.cells[-1].page or 0) + 1 and piece.first_on_page
                     and prev.last_on_page and piece.lines_above <= 3)
        if prev is None or not continued:
            out.append(piece)
            continue
        if piece.n_cols < prev.n_cols:  # the continuation leaves some columns empty
            _remap_columns(piece, prev)
        if piece.n_cols == prev.n_cols and _same_columns(prev, piece):
            cells = piece.cells
            if _row_texts(piece, 0) == _row_texts(prev, 0):  # the header, repeated
                cells = [c for c in cells if c.row > 0]
                offset = prev.n_rows - 1
            else:
                offset = prev.n_rows
            for c in cells:
                c.row += offset
            prev.cells.extend(cells)
            prev.n_rows = max(c.row + c.row_span for c in prev.cells)
            prev.footnotes.update(piece.footnotes)
            prev.last_on_page = piece.last_on_page
        else:
            out.append(piece)
    return out


def _remap_columns(piece: _Piece, prev: _Piece) -> None:
    """Give a continuation's cells the columns of the table it continues, by position, when each
    of its columns falls in a different one of those (it may leave some empty)."""
    if abs(piece.bbox[0] - prev.bbox[0]) > STITCH_COLUMN_TOLERANCE:
        return
    edges = prev.col_edges
    target: dict[int, int] = {}
    for c in piece.cells:
        centre = (_box(c)[0] + _box(c)[2]) / 2
        target.setdefault(c.col, max(0, min(len(edges) - 2, sum(1 for x in edges[1:-1] if x < centre))))
    if len(set(target.values())) != len(target):
        return
    for c in piece.cells:
        c.col = target[c.col]
    piece.n_cols, piece.col_edges = prev.n_cols, prev.col_edges


def _same_columns(a: _Piece, b: _Piece) -> bool:
    """Same outer edges, and the same inner edges or the same header row."""
    outer = all(abs(x - y) <= STITCH_COLUMN_TOLERANCE for x, y in
                ((a.bbox[0], b.bbox[0]), (a.bbox[2], b.bbox[2])))
    inner = all(abs(x - y) <= STITCH_COLUMN_TOLERANCE for x, y in zip(a.col_edges, b.col_edges))
    return outer and (inner or _row_texts(a, 0) == _row_texts(b, 0))


def _row_texts(piece: _Piece, row: int) -> list[tuple[int, str]]:
    return sorted((c.col, " ".join(c.text.split()).lower()) for c in piece.cells if c.row == row)


def _is_number(text: str) -> bool:
    return looks_numeric(text) and not YEARISH.match(text.strip())


def _header_rows(grid: dict[tuple[int, int], Cell], n_rows: int) -> int:
    """Row 0 heads the table unless it holds numbers (a list without a header); later rows head
    it too while they hold only labels or years."""
    if any(_is_number(c.text) for (r, col), c in grid.items() if r == 0 and col > 0):
        return 0
    count = 1
    for r in range(1, min(n_rows - 1, 3)):
        row = [c for (rr, _), c in grid.items() if rr == r]
        texts = [c.text for c in row if c.col > 0]
        first = [c for c in row if c.col == 0]
        labels = texts and not any(_is_number(t) for t in texts) and any(
            _is_number(c.text) for (rr, _), c in grid.items() if rr > r)  # words over numbers
        if texts and not first and (all(YEARISH.match(t.strip()) for t in texts) or labels):
            count += 1
        else:
            break
    return count


def label_grid(cells: list[Cell], n_rows: int, n_cols: int, index: int, method: str, page: int | None,
               bbox: BBox | None, caption: str | None = None, header_rows: int | None = None) -> Table:
    """A table from a grid another reader found exactly (Word, a spreadsheet), labelled by the
    same rules as a PDF's: header rows (unless the format says how many), row and column
    labels, numbers (a cell's `value` already set by a typed reader is kept), units, totals."""
    piece = _Piece(page or 0, method, bbox or (0.0, 0.0, 0.0, 0.0), cells, n_rows, n_cols, [], caption=caption)
    table = _label(piece, index, header_rows)
    table.page, table.bbox = page, bbox
    table.pages = [page] if page is not None else []
    return table


def _label(piece: _Piece, index: int, header_rows: int | None = None) -> Table:
    """Header rows, row and column labels, numbers, units and footnotes of a table."""
    grid = {(c.row, c.col): c for c in piece.cells}
    header_rows = _header_rows(grid, piece.n_rows) if header_rows is None else header_rows
    body = [c for c in piece.cells if c.row >= header_rows]
    label_col = next((col for col in range(piece.n_cols)
                      if (texts := [c.text for c in body if c.col == col])
                      and sum(not _is_number(t) for t in texts) >= 0.5 * len(texts)), 0)
    caption = piece.caption or ""
    scale = SCALE.search(caption)
    scaled = (SCALE_UNITS.get((scale[2] or "").lower(), "EUR") if scale and "%" not in caption
              else "percent" if re.search(r"\bin\s*%|\bprocent\b", caption) and not scale else None)
    col_labels: dict[int, str] = {}
    for c in sorted(piece.cells, key=lambda c: (c.row, c.col)):
        if c.row < header_rows:
            c.is_header = True
            for k in range(c.col, c.col + c.col_span):
                col_labels[k] = " ".join(filter(None, [col_labels.get(k), c.text]))
    row_labels = {c.row: c.text for c in body if c.col == label_col}
    totals = sorted({c.row for c in body if TOTAL_LABEL.match(c.text) and not _is_number(c.text)})
    for c in piece.cells:
        c.column_label = " ".join(col_labels.get(c.col, "").split()) or None
        if c.is_header:
            continue
        c.row_label = " ".join(row_labels.get(c.row, "").split()) or None
        if c.col == label_col:
            continue
        parsed = parse_number(c.text)
        c.footnotes = [Footnote(m, piece.footnotes.get(m)) for m in parsed.markers]
        value = c.value if c.value is not None else parsed.value  # a typed reader's value is kept
        if value is None:
            continue
        c.value = value
        labels = f"{c.column_label or ''} {c.row_label or ''}"
        c.unit = (scaled if scaled and parsed.unit in (None, "EUR") else parsed.unit) or (
            "EUR" if MONEY_LABEL.search(labels) else "count" if value == value.to_integral_value() else None)
    filled = len(piece.cells) / max(1, piece.n_rows * piece.n_cols)
    confidence = round(CONFIDENCE[piece.method] * (0.6 + 0.4 * min(1.0, filled)), 3)
    pages = sorted({c.page for c in piece.cells if c.page is not None})
    return Table(index=index, page=piece.page, bbox=piece.bbox, method=piece.method,
                 confidence=confidence, n_rows=piece.n_rows, n_cols=piece.n_cols,
                 cells=sorted(piece.cells, key=lambda c: (c.row, c.col)), header_rows=header_rows,
                 total_rows=totals, pages=pages, caption=piece.caption)


def per_page_json(tables: list[Table]) -> dict[str, Any]:
    """The tables as `vpetl tables --json` prints them (the format score_tables.py reads):
    one entry per table and page, rows counted from 0 on each page."""
    out = []
    for t in tables:
        pages: list[int | None] = [*t.pages] or [None]  # a Word or spreadsheet table has no page: one entry
        for page in pages:
            cells = [c for c in t.cells if c.page == page]
            base = min((c.row for c in cells), default=0)
            entry: dict[str, Any] = {"page": page, "bbox": list(t.bbox) if page == t.page and t.bbox else None,
                                     "method": t.method, "confidence": t.confidence,
                                     "cells": [{"row": c.row - base, "col": c.col, "row_span": c.row_span,
                                                "col_span": c.col_span, "text": c.text}
                                               | ({"cell": c.ref} if c.ref else {}) for c in cells]}
            if sheet := next((c.sheet for c in cells if c.sheet), None):
                entry["sheet"] = sheet
            out.append(entry)
    return {"tables": out}


# --- helpers -------------------------------------------------------------------------

def _box(cell: Cell) -> BBox:
    """A PDF cell's box (cells of a PDF page always have one)."""
    assert cell.bbox is not None, "a PDF cell without a box"
    return cell.bbox


def _cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _nearest(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _round(b: Sequence[float]) -> BBox:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))
