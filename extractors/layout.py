"""Words, lines and chunks of a page: the geometry every extractor builds on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ._typing import Page, Word
from .records import BBox

LINE_TOLERANCE = 2.5  # words whose tops differ less than this (pt) share a line
CHUNK_GAP = 0.75  # a gap wider than this many font heights separates two chunks (columns)

@dataclass
class Line:
    """Words that share a baseline, left to right."""

    words: list[Word]

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0]["x0"]

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)

    def chunks(self) -> list[Line]:
        """Split where the gap between words is wide enough to separate columns."""
        out = [[self.words[0]]]
        for prev, word in zip(self.words, self.words[1:]):
            height = max(prev["bottom"] - prev["top"], 4.0)
            if word["x0"] - prev["x1"] > CHUNK_GAP * height:
                out.append([word])
            else:
                out[-1].append(word)
        return [Line(ws) for ws in out]

def page_words(page: Page) -> list[Word]:
    """Upright words of a page (rotated text is left to other readers)."""
    words = cast(list[Word], page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False))
    return [w for w in words if w.get("upright", True)]

def group_lines(words: list[Word]) -> list[Line]:
    """Cluster words into lines by their tops, top to bottom."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [Line(sorted(ws, key=lambda w: w["x0"])) for ws in lines]

def join_lines(lines: list[Line]) -> str:
    """Text of stacked lines as one string. A word broken by a hyphen at the line's end is
    mended ('overheids-' + 'gebouwen'); a compound's own hyphen stays ('Mechelen-' + 'Kempen')."""
    out = ""
    for line in lines:
        text = line.text
        if not out:
            out = text
        elif out.endswith("-") and not out.endswith(" -"):
            out = out[:-1] + text if text[:1].islower() else out + text
        else:
            out += " " + text
    return out

def inside(word: Word, bbox: BBox, tolerance: float = 1.0) -> bool:
    """True when the word's centre lies within bbox."""
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    x0, top, x1, bottom = bbox
    return x0 - tolerance <= cx <= x1 + tolerance and top - tolerance <= cy <= bottom + tolerance

def union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))

def overlaps(a: BBox, b: BBox, tolerance: float = 0.0) -> bool:
    return not (a[2] < b[0] - tolerance or b[2] < a[0] - tolerance
                or a[3] < b[1] - tolerance or b[3] < a[1] - tolerance)
