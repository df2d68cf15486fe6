"""A page's tables: each layout tried on what the previous left, things that are not tables
dropped, pieces of one table joined, and each table's caption and footnotes found."""

from __future__ import annotations

import re

from pdfplumber.utils import merge_bboxes

from .. import ocr
from .._typing import Word
from ..layout import Line, group_lines, inside, join_lines
from ..pdfpage import ReadPage
from ..records import Cell
from .filters import is_contents, is_figure, is_prose, title_and_source_rows
from .footnotes import FOOTNOTE_LINE, attach_footnotes
from .grid import bands, build_grid, chunks, rows_under
from .labels import find_caption, is_number
from .opensided import open_tables, parting
from .piece import Piece, area, box, column_at, compact_rows, rounded, shared_area
from .ruled import ruled_tables
from .settings import DEFAULT, TableSettings
from .unruled import unruled_tables


def running_key(text: str) -> str:
    """A margin line with its numbers blanked: 'Pagina 3 van 12' recurs as 'Pagina # van #'."""
    return re.sub(r"\d+", "#", " ".join(text.split()))


def running_lines(pages: list[ReadPage], s: TableSettings = DEFAULT) -> set[str]:
    """Page headers and footers: lines in the top or bottom margin that recur on many pages
    (page numbers aside). They are neither tables nor text between a table and the page's end."""
    seen: dict[str, int] = {}
    in_body: set[str] = set()  # rows in columns met inside a page's body: a table's header, not a running line
    for page in pages:
        lines = page.text_lines
        keys = set()
        for i, ln in enumerate(lines):
            if ln.bottom < s.margin_share * page.height or ln.top > (1 - s.margin_share) * page.height:
                if not _heads_rows(ln, lines[i + 1:i + 2], s):
                    keys.add(running_key(ln.text))
            elif len(ln.chunks()) >= 2:
                in_body.add(running_key(ln.text))
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n >= max(2, s.running_share * len(pages)) and k not in in_body}


def _heads_rows(line: Line, after: list[Line], s: TableSettings = DEFAULT) -> bool:
    """A table's header repeated at the top of each page: the line right under it is a row in
    columns too (as many, or more under a group header such as '2023  2024'). A running header
    stands apart from what follows."""
    return bool(after) and len(line.chunks()) >= 2 and len(after[0].chunks()) >= len(line.chunks()) and (
        after[0].top - line.bottom < s.header_row_gap * line.height)


def page_tables(page: ReadPage, words: list[Word] | None = None, running: frozenset[str] | set[str] = frozenset(),
                s: TableSettings = DEFAULT) -> list[Piece]:
    """The tables of one page, top to bottom (a page without text is read by OCR, if there is OCR).
    `words`: the page's words, if not all of `page.words`."""
    lines = page.text_lines if words is None else group_lines(words)
    if running:
        lines = [ln for ln in lines if running_key(ln.text) not in running]
        words = [w for ln in lines for w in ln.words]
    elif words is None:
        words = page.words
    scanned = not words and not page.has_chars and ocr.available()
    if scanned:  # a picture has no rules to read: its tables are found by alignment only
        words = ocr.page_words(page.source)
    if not words:
        return []
    found = _found(page, words, scanned, s)
    found = [title_and_source_rows(compact_rows(p)) for p in found
             if not is_figure(page, p, s) and not is_contents(p, s) and not is_prose(p, s)]
    found = join_sideways(page.page_number, words, found, s)
    found = join_stacked(found, s)
    found = drop_overlaps(found, s)
    found = join_split(found, words, s)
    found = [extend_down(p, words, found, s) for p in found]
    found.sort(key=lambda p: p.bbox[1])
    lines = group_lines(words) if scanned else lines  # the lines of `words`, grouped once
    for piece in found:
        attach_footnotes(piece, lines, found, s)
        piece.lines_above = sum(1 for ln in lines if ln.bottom < piece.bbox[1])
        piece.caption = find_caption(piece, lines, found, s)
    if found:
        found[0].first_on_page = True
        found[-1].last_on_page = _ends_page(page, found[-1], lines, s)
    return found


def _found(page: ReadPage, words: list[Word], scanned: bool, s: TableSettings) -> list[Piece]:
    """Each layout on what the ones before it left: ruled, open-sided, unruled (a scan: unruled only)."""
    if scanned:
        found = unruled_tables(page, words, [], s)
        for piece in found:
            piece.method = "ocr"
        return found
    found = ruled_tables(page, words, s)
    found += open_tables(page, words, [p.bbox for p in found], s)
    found += unruled_tables(page, words, [p.bbox for p in found], s)
    return found


def _ends_page(page: ReadPage, last: Piece, lines: list[Line], s: TableSettings) -> bool:
    """No body text follows the page's last table (footnotes, stray marks and the footer aside)."""
    return not any(ln.top > last.bbox[3] + 1 and not FOOTNOTE_LINE.match(ln.text)
                   and len(ln.text) > 3  # a stray mark or number is not text
                   for ln in lines if ln.bottom < page.height * s.footer_share)


def join_sideways(page: int, words: list[Word], pieces: list[Piece], s: TableSettings = DEFAULT) -> list[Piece]:
    """A ruled grid with its label column left outside the rules comes out as two tables side
    by side, row for row: rebuild them as one, the grid's rules still bounding its columns."""
    out = list(pieces)
    for a in pieces:
        for b in pieces:
            if a is b or a.method != "ruled" or b.method == "ruled" or a not in out or b not in out:
                continue
            overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
            gap = max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2])
            if (overlap < s.sideways_overlap * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])
                    or gap > s.sideways_gap):
                continue
            outer = merge_bboxes([a.bbox, b.bbox])
            region = [w for w in words if inside(w, outer)]
            rows = [[ln] for ln in group_lines(region)]
            joined = build_grid(page, "ruled", rows, outer, [x for x in a.col_edges if outer[0] + 2 < x < outer[2] - 2],
                                s)
            if joined and joined.n_cols >= a.n_cols:
                out = [p for p in out if p is not a and p is not b] + [joined]
    return out


def join_stacked(pieces: list[Piece], s: TableSettings = DEFAULT) -> list[Piece]:
    """A header drawn as its own grid (coloured cells) right above the body it heads is one table
    with it: the header's cells take the body's columns."""
    out = sorted(pieces, key=lambda p: p.bbox[1])
    i = 0
    while i < len(out) - 1:
        upper, lower = _above(out[i], out[i + 1]), out[i + 1]
        width = min(upper.bbox[2] - upper.bbox[0], lower.bbox[2] - lower.bbox[0])
        shared = min(upper.bbox[2], lower.bbox[2]) - max(upper.bbox[0], lower.bbox[0])
        if (-s.cluster <= lower.bbox[1] - upper.bbox[3] < s.stacked_gap and shared >= s.stacked_shared * width
                and upper.n_rows <= s.stacked_header_rows and not any(is_number(c.text) for c in upper.cells)):
            out[i] = _stacked(upper, lower, s)
            del out[i + 1]
        else:
            i += 1
    return out


def _above(upper: Piece, lower: Piece) -> Piece:
    """`upper` without the rows the body under it found too (a header row claimed by both)."""
    if upper.bbox[3] <= lower.bbox[1]:
        return upper
    kept = [c for c in upper.cells if (box(c)[1] + box(c)[3]) / 2 < lower.bbox[1]]
    if not kept or len(kept) == len(upper.cells):
        return upper
    bottom = max(box(c)[3] for c in kept)
    return compact_rows(Piece(upper.page, upper.method, (upper.bbox[0], upper.bbox[1], upper.bbox[2], bottom),
                              kept, upper.n_rows, upper.n_cols, upper.col_edges, upper.footnotes,
                              caption=upper.caption))


def _stacked(upper: Piece, lower: Piece, s: TableSettings) -> Piece:
    edges = lower.col_edges
    centres = _column_centres(lower)
    cells: dict[tuple[int, int], Cell] = {}
    for c in upper.cells:
        b = box(c)
        quarter = (b[2] - b[0]) / 4  # a cell's box is wider than its text's column
        under = [k for k, x in centres.items() if b[0] <= x <= b[2]]  # the body's columns inside the drawn box
        c0 = min(under) if under else column_at(edges, b[0] + quarter)
        c1 = max(under) if under else max(c0, column_at(edges, b[2] - quarter))
        key = (c.row, c0)
        if key in cells:
            cells[key].text = f"{cells[key].text} {c.text}"
        else:
            cells[key] = Cell(row=c.row, col=c0, col_span=c1 - c0 + 1, text=c.text, page=c.page, bbox=c.bbox)
    for row in {c.row for c in cells.values()}:
        alone = [c for c in cells.values() if c.row == row]
        if len(alone) == 1 and alone[0].col > 0 and _centred(box(alone[0]), edges[1], edges[-1], s):
            alone[0].col, alone[0].col_span = 1, len(edges) - 2  # 'Year' over all the years
    for c in lower.cells:
        c.row += upper.n_rows
    return Piece(lower.page, lower.method, merge_bboxes([upper.bbox, lower.bbox]),
                 list(cells.values()) + lower.cells, upper.n_rows + lower.n_rows, lower.n_cols, edges,
                 lower.footnotes, caption=upper.caption or lower.caption)


def _column_centres(piece: Piece) -> dict[int, float]:
    """Each column's middle, as its one-column cells stand (the median of their centres)."""
    xs: dict[int, list[float]] = {}
    for c in piece.cells:
        if c.col_span == 1:
            xs.setdefault(c.col, []).append((box(c)[0] + box(c)[2]) / 2)
    return {k: sorted(v)[len(v) // 2] for k, v in xs.items()}


def _centred(b: tuple[float, float, float, float], x0: float, x1: float, s: TableSettings) -> bool:
    """A box centred over x0..x1: set over the whole span, not over one column."""
    return abs((b[0] + b[2]) / 2 - (x0 + x1) / 2) <= s.centred_share * (x1 - x0)


def join_split(pieces: list[Piece], words: list[Word], s: TableSettings = DEFAULT) -> list[Piece]:
    """One table found as two, one above the other (its upper rows between rules, its lower rows
    shaded): same width, same number of columns, at most a row apart, no note or sentence
    between them. They are one table again, with the rows between them."""
    out = sorted(pieces, key=lambda p: p.bbox[1])
    i = 0
    while i < len(out) - 1:
        upper, lower = out[i], out[i + 1]
        gap = lower.bbox[1] - upper.bbox[3]
        between = group_lines([w for w in words if upper.bbox[3] < (w["top"] + w["bottom"]) / 2 < lower.bbox[1]])
        if (upper.n_cols == lower.n_cols and -s.cluster <= gap <= s.split_gap and not any(parting(ln) for ln in between)
                and abs(upper.bbox[0] - lower.bbox[0]) <= s.stitch_column_tolerance
                and abs(upper.bbox[2] - lower.bbox[2]) <= s.stitch_column_tolerance):
            out[i] = _joined(upper, lower, words, s)
            del out[i + 1]
        else:
            i += 1
    return out


def _joined(upper: Piece, lower: Piece, words: list[Word], s: TableSettings) -> Piece:
    """`upper`, the rows between, then `lower`, all in `upper`'s columns."""
    x0, x1 = min(upper.bbox[0], lower.bbox[0]), max(upper.bbox[2], lower.bbox[2])
    between = [w for w in words if upper.bbox[3] < (w["top"] + w["bottom"]) / 2 < lower.bbox[1]
               and x0 - 1 <= w["x0"] and w["x1"] <= x1 + 1]
    rows = bands(between, [upper.bbox[3], lower.bbox[1]], [], s)
    edges = upper.col_edges

    cells = list(upper.cells)
    for r, row in enumerate(rows, start=upper.n_rows):
        parts: dict[int, list[Line]] = {}
        for line in row:
            for ch in chunks(line, []):
                parts.setdefault(column_at(edges, (ch.x0 + ch.x1) / 2), []).append(ch)
        cells += [Cell(row=r, col=col, text=join_lines(lines), page=upper.page,
                       bbox=rounded(merge_bboxes([ln.bbox for ln in lines]))) for col, lines in sorted(parts.items())]
    offset = upper.n_rows + len(rows)
    for c in lower.cells:
        c.row, c.col = c.row + offset, column_at(edges, (box(c)[0] + box(c)[2]) / 2)
    return Piece(upper.page, upper.method, rounded(merge_bboxes([upper.bbox, lower.bbox])), cells + lower.cells,
                 offset + lower.n_rows, upper.n_cols, edges, {**upper.footnotes, **lower.footnotes},
                 caption=upper.caption or lower.caption)


def extend_down(piece: Piece, words: list[Word], others: list[Piece], s: TableSettings = DEFAULT) -> Piece:
    """The rows right under a table that no rule closes and no other table holds: a table drawn
    with inner rules only has none under its total row, which must not be lost."""
    x0, x1 = piece.bbox[0], piece.bbox[2]
    lines = group_lines([w for w in words if x0 - 2 <= w["x0"] and w["x1"] <= x1 + 2 and w["top"] > piece.bbox[3] - 1
                         and not any(o is not piece and inside(w, o.bbox, 1) for o in others)])
    added = rows_under(lines, piece.bbox[3], None, s)
    if not added:
        return piece
    edges = piece.col_edges
    for r, line in enumerate(added, start=piece.n_rows):
        for ch in chunks(line, []):
            piece.cells.append(Cell(row=r, col=column_at(edges, (ch.x0 + ch.x1) / 2), text=ch.text, page=piece.page,
                                    bbox=rounded(ch.bbox)))
    piece.n_rows += len(added)
    piece.bbox = rounded((x0, piece.bbox[1], x1, added[-1].bottom + 1))
    return piece


def drop_overlaps(pieces: list[Piece], s: TableSettings = DEFAULT) -> list[Piece]:
    """Of two tables found over the same text (two rule groups around one table), keep the fuller."""
    out: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: -len(p.cells)):
        if not any(shared_area(piece.bbox, kept.bbox) > s.overlap_share * area(piece.bbox) for kept in out):
            out.append(piece)
    return out
