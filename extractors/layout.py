"""Words, lines and chunks of a page: the geometry every extractor builds on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from pdfplumber.utils import extract_words

from ._typing import Obj, Page, Word
from .records import BBox
from .thresholds import DEFAULT, TableSettings


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

    def chunks(self, s: TableSettings = DEFAULT) -> list[Line]:
        """Split where the gap between words is wide enough to separate columns."""
        out = [[self.words[0]]]
        for prev, word in zip(self.words, self.words[1:]):
            height = max(prev["bottom"] - prev["top"], 4.0)
            if word["x0"] - prev["x1"] > s.chunk_gap * height:
                out.append([word])
            else:
                out[-1].append(word)
        return [Line(ws) for ws in out]


def page_words(page: Page, s: TableSettings = DEFAULT) -> list[Word]:
    """Upright words of a page (rotated text is left to other readers), with footnote marks
    set small and raised written as superscripts: '76' before '5.356,1' is '⁷⁶5.356,1', never
    the number 765.356,1."""
    return words_of(page.chars, s)


def words_of(chars: list[Obj], s: TableSettings = DEFAULT) -> list[Word]:
    """`page_words` of a page's characters (pdfplumber's, or `pdfpage.page_objects`')."""
    sizes = {c["size"] for c in chars}
    x, y = s.word_x_tolerance, s.word_y_tolerance
    if len(sizes) > 1:  # a change of size ends a word (pdfplumber groups the characters by size first)
        words = cast(list[Word], extract_words(chars, x_tolerance=x, y_tolerance=y, extra_attrs=["size"]))
    else:  # one size: the same words without a pass grouping the characters by it, given their size
        words = cast(list[Word], extract_words(chars, x_tolerance=x, y_tolerance=y))
        for w in words:
            w["size"] = next(iter(sizes))
    return glue_marks([w for w in words if w.get("upright", True)], s)


MARK = re.compile(r"^(\d{1,3}|\*{1,3}|[a-z†‡]|\(\d{1,3}\))$")  # what a footnote mark can be
SUPERSCRIPTS = str.maketrans("0123456789()+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻")


def glue_marks(words: list[Word], s: TableSettings = DEFAULT) -> list[Word]:
    """Footnote marks (small, raised) written as superscripts and joined to the word they touch:
    'budget' + '39' is 'budget³⁹'; '76' + '5.356,1' is '⁷⁶5.356,1'. A mark that touches nothing
    (the one that opens a footnote at the page's foot) stays a word of its own, marked."""
    by_x1: dict[int, list[int]] = {}
    by_x0: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        by_x1.setdefault(int(w["x1"]), []).append(i)
        by_x0.setdefault(int(w["x0"]), []).append(i)
    out: list[Word | None] = list(words)
    touch, near = s.mark_touching, s.mark_near
    for i, word in enumerate(words):
        if not MARK.match(word["text"]) or "size" not in word:
            continue
        left = [j for x in range(int(word["x0"] - near) - 1, int(word["x0"]) + 2) for j in by_x1.get(x, [])
                if j != i and _same_line(words[j], word) and -touch <= word["x0"] - words[j]["x1"] <= near]
        right = [j for x in range(int(word["x1"]) - 1, int(word["x1"] + near) + 2) for j in by_x0.get(x, [])
                 if j != i and _same_line(words[j], word) and -touch <= words[j]["x0"] - word["x1"] <= near]
        if not any(raised_over(word, words[j], s) for j in left + right):
            continue
        mark = word.copy()
        mark["text"], mark["mark"] = word["text"].translate(SUPERSCRIPTS), True
        touching = [j for j in left if word["x0"] - words[j]["x1"] <= touch and out[j] is not None] or [
            j for j in right if words[j]["x0"] - word["x1"] <= touch and out[j] is not None]
        if not touching:
            out[i] = mark
            continue
        j = touching[0]
        target = cast(Word, out[j])
        before = j in left
        glued = target.copy()
        glued["x0"], glued["x1"] = min(target["x0"], mark["x0"]), max(target["x1"], mark["x1"])
        glued["text"] = target["text"] + mark["text"] if before else mark["text"] + target["text"]
        out[j] = glued
        out[i] = None
    return [w for w in out if w is not None]


def _same_line(a: Word, b: Word) -> bool:
    """Two words whose boxes overlap vertically by half the smaller one's height."""
    shared = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return shared >= 0.5 * min(a["bottom"] - a["top"], b["bottom"] - b["top"])


def raised_over(mark: Word, text: Word, s: TableSettings = DEFAULT) -> bool:
    """The mark is set clearly smaller than the text beside it, its baseline raised above it."""
    return (mark["size"] <= s.superscript_size * text.get("size", 0)
            and text["bottom"] - mark["bottom"] >= s.superscript_raise)


def group_lines(words: list[Word], s: TableSettings = DEFAULT) -> list[Line]:
    """Cluster words into lines by their tops, top to bottom."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= s.line_tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [Line(sorted(ws, key=lambda w: w["x0"])) for ws in lines]

def join_lines(lines: list[Line]) -> str:
    """Text of stacked lines as one string (`join_texts`)."""
    return join_texts([line.text for line in lines])


def join_texts(texts: list[str]) -> str:
    """Texts set one under the other as one string. A word broken by a hyphen at the line's end is
    mended ('overheids-' + 'gebouwen'); a compound's own hyphen stays ('Mechelen-' + 'Kempen')."""
    out = ""
    for text in texts:
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
