"""Rows of text lines into a grid of cells: the step every layout shares once it knows its rows.

Columns come from where the text leaves vertical gaps (never across a vertical rule); each
chunk of a line goes to the columns it overlaps; leading header lines that stand at the same
places are merged into one header row of multi-line cells."""

from __future__ import annotations

from pdfplumber.utils import merge_bboxes

from .._typing import Word
from ..dates import NUMERIC_DATE
from ..layout import Line, group_lines, join_lines
from ..numbers import looks_numeric, split_markers
from ..records import BBox, Cell
from .labels import YEARISH
from .piece import Piece, rounded
from .settings import DEFAULT, TableSettings


def chunks(line: Line, v_rules: list[float]) -> list[Line]:
    """A line's chunks (words close together), also split where a vertical rule runs between two words."""
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


def data_line(line: Line, xs: list[float], s: TableSettings = DEFAULT) -> bool:
    """A line of mostly numbers, in at least two columns (ruled ones, or chunks where there are
    no vertical rules): a row of data, not a wrapped text or a header."""
    parts = [ch for ch in chunks(line, xs) if any(c.isalnum() for c in ch.text) or looks_numeric(ch.text)]
    numbers = [ch for ch in parts if looks_numeric(ch.text)]
    columns = {slot(xs, ch.words[0]) for ch in numbers} if xs else set(map(id, numbers))
    return len(columns) >= 2 and len(numbers) >= s.data_line_share * len(parts)


def closing_row(line: Line, s: TableSettings = DEFAULT) -> bool:
    """A row under a table's last rule: a line of data, or a label with a number or a date at its
    end (a shaded 'Saldo ... -52,4' row, a 'Totaal' row with no rule under it, a last row whose
    count is empty beside its amount and the date of its decision)."""
    parts = line.chunks()
    last = parts[-1].text.strip()
    return data_line(line, [], s) or (len(parts) >= 2 and not looks_numeric(parts[0].text)
                                       and (looks_numeric(last) or bool(NUMERIC_DATE.fullmatch(last))))


def rows_under(lines: list[Line], bottom: float, previous: Line | None = None,
               s: TableSettings = DEFAULT) -> list[Line]:
    """The lines under a table's bottom that are rows of it, top down, until a gap or a line that
    is no row: data, a label with a number, or (given the table's last line) words in its columns."""
    rows: list[Line] = []
    for line in sorted((ln for ln in lines if ln.top >= bottom - 1), key=lambda ln: ln.top):
        words_row = previous is not None and aligned(previous, line, [], s) and len(line.chunks()) == len(
            previous.chunks())
        if line.top - bottom > s.outside_row_gap * line.height or not (closing_row(line, s) or words_row):
            break
        rows.append(line)
        bottom = line.bottom + 1
        if previous is not None:  # the next row of words aligns with this one
            previous = line
    return rows


def slot(edges: list[float], word: Word) -> int:
    """Which of the spaces between `edges` the word's centre is in."""
    centre = (word["x0"] + word["x1"]) / 2
    return sum(1 for x in edges if x < centre)


def bands(region: list[Word], ys: list[float], v_rules: list[float], s: TableSettings = DEFAULT) -> list[list[Line]]:
    """Rows between horizontal rules. A band with several lines of data, or below the first band
    several lines in columns, is one row a line; otherwise the band is one row of multi-line
    cells (as the header under the top rule usually is)."""
    rows: list[list[Line]] = []
    for top, bottom in zip(ys, ys[1:]):
        band = group_lines([w for w in region if top <= (w["top"] + w["bottom"]) / 2 <= bottom])
        if not band:
            continue
        data = sum(data_line(ln, v_rules, s) for ln in band)
        columns = sum(len(chunks(ln, v_rules)) >= 2 for ln in band)
        if len(band) >= 2 and data == len(band):
            rows.extend([ln] for ln in band)
        elif data >= 2:
            rows.extend(split_band(band, v_rules, s))
        elif rows and columns >= s.split_band_lines:
            rows.extend([ln] for ln in band)
        else:
            rows.extend(group_rows(band, v_rules))
    return rows


def group_rows(band: list[Line], v_rules: list[float]) -> list[list[Line]]:
    """A band of words as rows: one row of multi-line cells, split above a line in more
    columns than the line over it (a group header, '2023  2024', over its sub-headers)."""
    rows = [[band[0]]]
    for above, line in zip(band, band[1:]):
        if len(chunks(line, v_rules)) > len(chunks(above, v_rules)) >= 2:
            rows.append([line])
        else:
            rows[-1].append(line)
    return rows


def split_band(band: list[Line], v_rules: list[float], s: TableSettings = DEFAULT) -> list[list[Line]]:
    """A band with two or more lines of data holds a row for each, whatever rule is missing
    between them. A line of words joins the data line under it when that line has no label of
    its own (a label on two lines, its numbers set between them), or the row above when it
    continues its label ('index)', a word broken by a hyphen); else it is a row of its own (a
    heading inside the table)."""
    data = [i for i, ln in enumerate(band) if data_line(ln, v_rules, s)]
    if len(data) < 2:
        return [band]
    labelled = {i: not looks_numeric(chunks(band[i], v_rules)[0].text) for i in data}
    data_lines = [band[i] for i in data if not labelled[i]]  # numbers only: no part of a label
    rows: list[list[Line]] = []
    pending: list[Line] = []  # words waiting for the unlabelled data line under them
    for i, line in enumerate(band):
        if i in labelled:
            rows.append([*pending, line] if pending and not labelled[i] else [line])
            if pending and labelled[i]:
                rows.insert(len(rows) - 1, pending)
            pending = []
            continue
        label = next((ln.text for ln in reversed(band[:i]) if ln not in data_lines), "")
        continues = i > 0 and (label.endswith(("-", ",")) or label.count("(") > label.count(")")
                               or line.text[:1].islower() or line.text.startswith("("))
        below = next((j for j in data if j > i), None)
        if continues and (pending or rows):
            (pending if pending else rows[-1]).append(line)
        elif below is not None and not labelled[below]:
            pending.append(line)
        else:
            rows.append([line])
    if pending:
        rows.append(pending)
    return [sorted(row, key=lambda ln: ln.top) for row in rows]


def columns(rows: list[list[Line]], width: float, v_rules: list[float],
            s: TableSettings = DEFAULT) -> list[tuple[float, float]]:
    """Column extents: the x-intervals that chunks cover, merged where they overlap but never
    across a vertical rule. Rows of data (with numbers) decide when there are enough of them:
    header cells that span several columns would bridge the gaps between them."""
    data = [row for i, row in enumerate(rows) if any(looks_numeric(ch.text) for line in row
                                                    for ch in chunks(line, v_rules)[1:])
            and not (i < 2 and years_only(row, v_rules))]  # a header of years is no row of data
    body = data if len(data) >= s.min_data_rows else rows[1:] if len(rows) >= s.min_data_rows else rows
    spans = sorted((ch.x0, ch.x1) for row in body for line in row for ch in chunks(line, v_rules)
                   if ch.x1 - ch.x0 < s.wide_chunk_share * width)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        ruled_off = cols and any(cols[-1][1] - 1 <= x <= x0 + 1 or cols[-1][0] < x < x0 for x in v_rules)
        if cols and x0 <= cols[-1][1] + s.column_gap and not ruled_off:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def years_only(row: list[Line], v_rules: list[float]) -> bool:
    """A row whose numbers are all years ('2023 2024'): a header, set where headers are set
    (left or centred), not where the numbers under it are (right)."""
    numbers = [ch.text for line in row for ch in chunks(line, v_rules)[1:] if looks_numeric(ch.text)]
    return bool(numbers) and all(YEARISH.match(split_markers(t)[0]) for t in numbers)


def merge_header(rows: list[list[Line]], v_rules: list[float], s: TableSettings = DEFAULT) -> list[list[Line]]:
    """Leading rows of words whose chunks stand at the same places are one header row of
    multi-line cells ('Totaal / budget / initieel'); a spanning group header stays its own row.
    A row with a value in it (a first row whose other values are empty) is no header line."""
    first_data = next((i for i, row in enumerate(rows) if has_data(row, v_rules, s) or has_value(row, v_rules)), 0)
    out: list[list[Line]] = []
    for i, row in enumerate(rows):
        if 0 < i < first_data and aligned(out[-1][-1], row[0], v_rules, s):
            out[-1].extend(row)
        else:
            out.append(list(row))
    return out


def has_value(row: list[Line], v_rules: list[float]) -> bool:
    """A value right of the row's label that is no year ('EUR 1 890 114,54' beside empty cells):
    a header's cells name columns, they hold no amounts."""
    return any(looks_numeric(ch.text) and not YEARISH.match(split_markers(ch.text)[0])
               for line in row for ch in chunks(line, v_rules)[1:])


def has_data(row: list[Line], v_rules: list[float], s: TableSettings = DEFAULT) -> bool:
    return any(data_line(ln, v_rules, s) for ln in row)


def aligned(a: Line, b: Line, v_rules: list[float], s: TableSettings = DEFAULT) -> bool:
    """Every chunk of line b stands under a chunk of line a (b may leave some columns empty)."""
    ca, cb = chunks(a, v_rules), chunks(b, v_rules)

    def under(y: Line) -> bool:
        return any(abs((x.x0 + x.x1) / 2 - (y.x0 + y.x1) / 2) <= s.aligned_tolerance
                   or abs(x.x1 - y.x1) <= s.aligned_edge or abs(x.x0 - y.x0) <= s.aligned_edge for x in ca)

    return len(cb) >= 2 and len(cb) <= len(ca) and all(under(y) for y in cb)


def header_columns(parts: list[Line], cols: list[tuple[float, float]]) -> list[int] | None:
    """The columns of a header line's chunks, in order, when there is one chunk a column (or one
    a column right of the labels): a header set left or centred over numbers set right may
    overlap none of them, or the wrong one. None when the count does not say."""
    if len(parts) == len(cols):
        return list(range(len(cols)))
    if len(parts) == len(cols) - 1 and parts[0].x0 > cols[0][1]:
        return list(range(1, len(cols)))
    return None


def _row_cells(page: int, r: int, row: list[Line], cols: list[tuple[float, float]], edges: list[float],
               v_rules: list[float], header: bool, s: TableSettings = DEFAULT) -> list[Cell]:
    """One row's cells: each chunk in the columns it overlaps (a header's chunks in order, when
    there is one a column; a chunk between two vertical rules in the column they bound; a
    header's next line under the chunk of the line above it that it aligns with)."""
    slots: dict[int, list[tuple[int, Line]]] = {}
    placed: list[tuple[Line, int]] = []  # a header's chunks so far, with their column
    for line in row:
        parts = chunks(line, v_rules)
        in_order = header_columns(parts, cols) if header else None
        for k, ch in enumerate(parts):
            covered = [i for i, (a, b) in enumerate(cols) if ch.x0 <= b and ch.x1 >= a]
            ruled = ruled_column(ch, edges, v_rules)
            above = next((col for prev, col in placed if _under(prev, ch, s)), None) if header else None
            if in_order is not None:
                covered = [in_order[k]]
            elif ruled is not None:
                covered = [ruled]
            elif above is not None and len(covered) <= 1:
                covered = [above]
            elif not covered and header:  # set left over numbers set right: the column it ends before
                centre = (ch.x0 + ch.x1) / 2
                covered = [next((i for i, (_, b) in enumerate(cols) if b >= centre), len(cols) - 1)]
            elif not covered:
                covered = [min(range(len(cols)), key=lambda i: abs(cols[i][0] - ch.x0))]
            slots.setdefault(covered[0], []).append((covered[-1], ch))
            placed.append((ch, covered[0]))
    cells = []
    for col, in_slot in sorted(slots.items()):
        last = max(p[0] for p in in_slot)
        lines = [p[1] for p in in_slot]
        cells.append(Cell(row=r, col=col, col_span=last - col + 1, text=join_lines(lines), page=page,
                          bbox=rounded(merge_bboxes([ln.bbox for ln in lines]))))
    return cells


def _under(upper: Line, lower: Line, s: TableSettings = DEFAULT) -> bool:
    """A header cell's next line: set under the line above it, flush left or right or centred."""
    return (abs(upper.x0 - lower.x0) <= s.aligned_edge or abs(upper.x1 - lower.x1) <= s.aligned_edge
            or abs((upper.x0 + upper.x1) / 2 - (lower.x0 + lower.x1) / 2) <= s.aligned_edge)


def ruled_column(ch: Line, edges: list[float], v_rules: list[float]) -> int | None:
    """The column a chunk stands in when vertical rules bound it on both sides (the table's outer
    edges count as bounds): a header set left over numbers set right overlaps no number, but it
    is inside its cell's rules. None without rules, or for a chunk that crosses one."""
    if not v_rules:
        return None
    bounds = [edges[0], *v_rules, edges[-1]]
    left = max((x for x in bounds if x <= ch.x0 + 1), default=None)
    right = min((x for x in bounds if x >= ch.x1 - 1), default=None)
    if left is None or right is None or any(left < x < right for x in bounds):
        return None
    inside = [i for i in range(len(edges) - 1) if left - 1 <= edges[i] and edges[i + 1] <= right + 1]
    return inside[0] if len(inside) == 1 else None


def column_edges(cols: list[tuple[float, float]], bbox: BBox, v_rules: list[float]) -> list[float]:
    """Where one column ends and the next begins: at the vertical rule between them, else
    halfway between their texts."""
    edges = [bbox[0]]
    for a, b in zip(cols, cols[1:]):
        between = [x for x in v_rules if a[1] - 1 <= x <= b[0] + 1]
        edges.append(sum(between) / len(between) if between else (a[1] + b[0]) / 2)
    return [*edges, bbox[2]]


def build_grid(page: int, method: str, rows: list[list[Line]], bbox: BBox,
               v_rules: tuple[float, ...] | list[float] = (), s: TableSettings = DEFAULT,
               min_rows: int = 2) -> Piece | None:
    """Cells from rows of lines: each chunk goes to the columns it overlaps. None when the rows
    make no grid (fewer than `min_rows` rows or two columns, or prose in chunks). A fragment (the
    last row of a table carried alone to the next page) is one row: it stands only if `stitch.py`
    joins it to the table it continues."""
    v_rules = list(v_rules)
    rows = merge_header(rows, v_rules, s)
    if len(rows) < min_rows:
        return None
    cols = columns(rows, bbox[2] - bbox[0], v_rules, s)
    if len(cols) < 2:
        return None
    edges = column_edges(cols, bbox, v_rules)
    first_data = next((i for i, row in enumerate(rows) if has_data(row, v_rules, s) and not years_only(row, v_rules)),
                      len(rows))
    cells = [cell for r, row in enumerate(rows)
             for cell in _row_cells(page, r, row, cols, edges, v_rules, r < first_data, s)]
    if sum(1 for c in cells if c.col_span == 1) < s.min_single_cells:
        return None
    top = min(ln.top for row in rows for ln in row)
    bottom = max(ln.bottom for row in rows for ln in row)
    outer = (bbox[0], min(bbox[1], top), bbox[2], max(bbox[3], bottom))
    return Piece(page, method, rounded(outer), cells, len(rows), len(cols), edges)
