"""Open-sided tables: horizontal rules only (Word's common style, booktabs). Rows come from the
rules, columns from where the text leaves a vertical gap."""

from __future__ import annotations

import re

from .._typing import Obj, Word
from ..layout import Line, group_lines, inside, overlaps
from ..numbers import looks_numeric
from ..pdfpage import ReadPage
from ..records import BBox
from .footnotes import FOOTNOTE_LINE
from .grid import bands, build_grid, rows_under
from .labels import CAPTION
from .piece import Piece
from .settings import DEFAULT, TableSettings

SENTENCE = re.compile(r"^\S+(\s+\S+){3,}[.:]$")  # four words or more, ending as a sentence does


def open_tables(page: ReadPage, words: list[Word], taken: list[BBox], s: TableSettings = DEFAULT) -> list[Piece]:
    """The page's tables drawn with horizontal rules only, outside the boxes already `taken`."""
    rules = [e for e in join_collinear(page.horizontal_edges, s)
             if e["x1"] - e["x0"] >= s.min_rule_width
             and not any(overlaps((e["x0"], e["top"], e["x1"], e["top"]), t, 2) for t in taken)]
    pieces = []
    for group in _rule_groups(words, rules, s):
        if len(group) < 2:
            continue
        ys = [r["top"] for r in group]
        x0, x1 = min(r["x0"] for r in group), max(r["x1"] for r in group)
        if any(overlaps((x0, ys[0], x1, ys[-1]), t, -2) for t in taken):  # rules around a ruled table
            continue
        ys = outside_rows(words, x0, x1, ys, s)
        bbox = (x0, ys[0], x1, ys[-1])
        region = [w for w in words if inside(w, bbox, 0.5)]
        piece = build_grid(page.page_number, "open", bands(region, ys, [], s), bbox, (), s)
        if piece:
            pieces.append(piece)
    return pieces


def _rule_groups(words: list[Word], rules: list[Obj], s: TableSettings) -> list[list[Obj]]:
    """Rules of the same extent, one under the other, close or with data between: one table each."""
    groups: list[list[Obj]] = []
    for rule in sorted(rules, key=lambda e: (round(e["x0"]), round(e["x1"]), e["top"])):
        for group in groups:
            ref = group[-1]
            if (abs(ref["x0"] - rule["x0"]) < s.rule_align and abs(ref["x1"] - rule["x1"]) < s.rule_align
                    and rule["top"] >= ref["top"]
                    and (rule["top"] - ref["top"] < s.rule_group_gap or tabular(words, ref, rule, s))
                    and not captioned(words, ref, rule) and not parted(words, ref, rule)):
                if rule["top"] - ref["top"] > 1:
                    group.append(rule)
                break
        else:
            groups.append([rule])
    return groups


def join_collinear(edges: list[Obj], s: TableSettings = DEFAULT) -> list[Obj]:
    """One rule from the pieces a PDF draws it in (a segment per column, touching end to end)."""
    out: list[Obj] = []
    for e in sorted(edges, key=lambda e: (round(e["top"]), e["x0"])):
        last = out[-1] if out else None
        if last and abs(last["top"] - e["top"]) <= s.collinear_level and e["x0"] <= last["x1"] + s.collinear_gap:
            last["x1"] = max(last["x1"], e["x1"])
        else:
            out.append({"x0": e["x0"], "x1": e["x1"], "top": e["top"]})
    return out


def outside_rows(words: list[Word], x0: float, x1: float, ys: list[float], s: TableSettings = DEFAULT) -> list[float]:
    """Rule positions widened to rows that stand just outside them: a header row above the first
    rule (a header underlined only), rows of data below the last one (no closing rule)."""
    lines = group_lines([w for w in words if x0 - 2 <= w["x0"] and w["x1"] <= x1 + 2])
    above = [ln for ln in lines if ln.bottom <= ys[0] + 1]
    if above:
        line = max(above, key=lambda ln: ln.bottom)
        if (ys[0] - line.bottom < s.outside_row_gap * line.height and len(line.chunks()) >= 2
                and not CAPTION.match(line.text)):
            ys = [line.top - 1, *ys]
    inside_rules = [ln for ln in lines if ys[0] - 1 <= ln.top and ln.bottom <= ys[-1] + 1]
    below = rows_under(lines, ys[-1], inside_rules[-1] if inside_rules else None, s)
    return ys + [below[-1].bottom + 1] if below else ys


def lines_between(words: list[Word], upper: Obj, lower: Obj) -> list[Line]:
    """The lines between two rules, within the upper rule's width: by their words' middles (a
    larger line, a caption, may reach up over the rule under the row above it)."""
    return group_lines([w for w in words if upper["top"] < (w["top"] + w["bottom"]) / 2 < lower["top"]
                        and upper["x0"] - 2 <= w["x0"] and w["x1"] <= upper["x1"] + 2])


def captioned(words: list[Word], upper: Obj, lower: Obj) -> bool:
    """A caption ('Table 2.', 'Tabel 3', 'Figuur 1') between two rules: they belong to two tables."""
    return any(CAPTION.match(ln.text) for ln in lines_between(words, upper, lower))


def parted(words: list[Word], upper: Obj, lower: Obj) -> bool:
    """A note or a sentence between two rules: the upper rule closes one table and the lower
    one opens the next."""
    return any(parting(ln) for ln in lines_between(words, upper, lower))


def parting(line: Line) -> bool:
    """A note ('(2) Toestand op 31 december.') or a sentence alone on its line: no row of a
    table, but text between two tables."""
    return bool(FOOTNOTE_LINE.match(line.text) or (len(line.chunks()) == 1 and SENTENCE.match(line.text)))


def tabular(words: list[Word], upper: Obj, lower: Obj, s: TableSettings = DEFAULT) -> bool:
    """Between two rules of the same width, most lines are rows of data (a label, then numbers):
    one table's body, as in a booktabs table (rules above, under the header and below only).
    Two columns of prose also have two chunks a line, but no numbers in the second."""
    lines = lines_between(words, upper, lower)
    data = [ln for ln in lines if any(looks_numeric(ch.text) for ch in ln.chunks()[1:])]
    if len(lines) >= 2 and len(data) >= s.data_line_share * len(lines):
        return True
    # long row labels wrapped over two or three lines, their numbers on a line of their own
    width = upper["x1"] - upper["x0"]
    labels = [ln for ln in lines if ln not in data and len(ln.chunks()) == 1  # in the label column, not prose
              and abs(ln.x0 - upper["x0"]) <= s.stitch_column_tolerance and ln.x1 - ln.x0 < s.wide_chunk_share * width]
    return len(data) >= s.split_band_lines and len(data) + len(labels) == len(lines)
