"""Footnotes of a table: the notes printed under it ('(*) cijfer 2019 nog niet definitief'),
which the markers in its cells point to."""

from __future__ import annotations

import re

from ..layout import Line, inside
from .piece import Piece
from .settings import DEFAULT, TableSettings

FOOTNOTE_LINE = re.compile(r"^\(?(\*{1,3}|\d{1,2}|[a-z])\)\s+(.+)$")


def attach_footnotes(piece: Piece, lines: list[Line], others: list[Piece], s: TableSettings = DEFAULT) -> None:
    """The footnote texts printed under a table, by marker, into `piece.footnotes`."""
    below = [ln for ln in lines if ln.top > piece.bbox[3] - 1 and ln.top < piece.bbox[3] + s.footnote_reach
             and not any(o is not piece and inside(ln.words[0], o.bbox, 1) for o in others)]
    for line in below[:s.footnote_lines]:
        m = FOOTNOTE_LINE.match(line.text)
        if m:
            piece.footnotes[m[1]] = m[2].strip()
