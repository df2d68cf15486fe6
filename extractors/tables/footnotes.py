"""Footnotes of a table: the notes printed under it ('(*) cijfer 2019 nog niet definitief'),
which the markers in its cells point to."""

from __future__ import annotations

import re

from ..layout import MARK, Line, inside, raised_over
from ..numbers import FROM_SUPERSCRIPT
from .piece import Piece
from .settings import DEFAULT, TableSettings

FOOTNOTE_LINE = re.compile(r"^\(?(\*{1,3}|\d{1,2}|[a-z])\)\s+(.+)$")  # '(*) cijfer 2019 voorlopig', '1) ...'
RAISED_LINE = re.compile(r"^⁽?([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾?\s*(.+)$")  # '⁷⁶ Ten opzichte van ...', a mark set raised


def attach_footnotes(piece: Piece, lines: list[Line], others: list[Piece], s: TableSettings = DEFAULT) -> None:
    """The footnote texts printed under a table, by marker, into `piece.footnotes`: notes in the
    first lines under it, and notes at the foot of its page that open with a raised mark."""
    below = [ln for ln in lines if ln.top > piece.bbox[3] - 1
             and not any(o is not piece and inside(ln.words[0], o.bbox, 1) for o in others)]
    near = [ln for ln in below if ln.top < piece.bbox[3] + s.footnote_reach][:s.footnote_lines]
    current: str | None = None  # the marker of the note the previous line belongs to
    previous: Line | None = None
    for line in below:
        note = footnote(line) if line in near else raised_footnote(line)
        if note:
            current = note[0] if note[0] not in piece.footnotes else None
            piece.footnotes.setdefault(*note)
        elif (current and previous is not None and line.top - previous.bottom < s.note_gap * line.height
              and _size(line) <= _size(previous) + s.note_size_slack):
            piece.footnotes[current] = _continued(piece.footnotes[current], line.text)
        else:
            current = None
        previous = line


def _size(line: Line) -> float:
    """The line's largest font size (pdfplumber's words carry it; OCR's do not: 0)."""
    return max((w.get("size", 0.0) for w in line.words), default=0.0)


def _continued(text: str, more: str) -> str:
    """A note and its next line: a word broken by a hyphen at the line's end is mended."""
    if text.endswith("-") and more[:1].islower():
        return text[:-1] + more
    return f"{text} {more}"


def footnote(line: Line) -> tuple[str, str] | None:
    """(marker, text) of a footnote line: '(*) text', '1) text', or one opening with a raised mark."""
    m = FOOTNOTE_LINE.match(line.text)
    return (m[1], m[2].strip()) if m else raised_footnote(line)


def raised_footnote(line: Line) -> tuple[str, str] | None:
    """(marker, text) of a note that opens with a small raised mark, as at the foot of a page:
    the mark glued as a superscript, or set apart by an indent ('76   Ten opzichte van ...')."""
    words = line.words
    if len(words) >= 2 and MARK.match(words[0]["text"]) and "size" in words[0] and raised_over(words[0], words[1]):
        return words[0]["text"], " ".join(w["text"] for w in words[1:])
    m = RAISED_LINE.match(line.text)
    return (m[1].translate(FROM_SUPERSCRIPT), m[2].strip()) if m else None
