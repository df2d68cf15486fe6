"""A PDF page read once: its words and drawn objects taken out of pdfplumber, and pdfplumber's
parse of the page released at once.

Every reader of a page (the table finder, the answer's text, the check for pages without text)
needs the same words and rules. Asking pdfplumber for them page by page, reader by reader,
re-parsed or kept each page's layout: a long document's parsed pages (every character an
object of its own) no longer fit the memory budget. A `ReadPage` holds only what the readers
use, and answers the few questions they ask of a pdfplumber page under the same names
(`page_number`, `height`, `rects`, `find_tables`, ...), so the readers work on either."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar, LTComponent, LTContainer
from pdfplumber.table import Table, TableFinder
from pdfplumber.table import TableSettings as PlumberTableSettings
from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

from ._typing import PDF, Obj, Page, Word
from .layout import Line, group_lines, words_of
from .thresholds import DEFAULT, TableSettings


@dataclass
class ReadPage:
    """What the extractors read of one page. `source` is the pdfplumber page with its parse
    released: only OCR uses it (it renders the page again, from the file)."""

    source: Page
    page_number: int
    width: float
    height: float
    bbox: tuple[float, float, float, float]
    words: list[Word]  # upright words, footnote marks glued (layout.page_words)
    has_chars: bool  # the page has a text layer
    n_images: int
    rects: list[Obj] = field(default_factory=list)
    lines: list[Obj] = field(default_factory=list)  # drawn lines (pdfplumber's name), not lines of text
    curves: list[Obj] = field(default_factory=list)
    edges: list[Obj] = field(default_factory=list)  # rules: lines, and the sides of rects and curves
    hyperlinks: list[Obj] = field(default_factory=list)

    @cached_property
    def text_lines(self) -> list[Line]:
        """The page's words grouped into lines (computed once, for every reader)."""
        return group_lines(self.words)

    @property
    def horizontal_edges(self) -> list[Obj]:
        return [e for e in self.edges if e["orientation"] == "h"]

    def find_tables(self, settings: dict[str, Any]) -> list[Table]:
        """pdfplumber's table finder on the kept rules (its line strategies read nothing else)."""
        resolved = PlumberTableSettings.resolve(settings)
        if "lines" not in resolved.vertical_strategy or "lines" not in resolved.horizontal_strategy:
            raise ValueError("a read page keeps its rules only: find_tables needs the 'lines' strategies")
        return TableFinder(self, resolved).tables  # type: ignore[arg-type]  # it reads .edges and .bbox


def read_page(page: Page, s: TableSettings = DEFAULT) -> ReadPage:
    """Read a page's words (with the tolerances of `s`) and drawn objects, then release
    pdfplumber's parse of it."""
    try:
        objects = page_objects(page)
        chars, rects, lines, curves = (objects.get(kind, []) for kind in ("char", "rect", "line", "curve"))
        edges = ([line_to_edge(ln) for ln in lines] + [e for r in rects for e in rect_to_edges(r)]
                 + [e for c in curves for e in curve_to_edges(c)])  # as pdfplumber's `page.edges`
        return ReadPage(source=page, page_number=page.page_number, width=float(page.width),
                        height=float(page.height), bbox=page.bbox, words=words_of(chars, s), has_chars=bool(chars),
                        n_images=len(objects.get("image", [])), rects=rects, lines=lines, curves=curves,
                        edges=edges, hyperlinks=page.hyperlinks)
    finally:
        page.close()  # the parsed layout and anything pdfplumber cached: what a long document cannot keep


CHAR_KEYS = "text, x0, x1, top, bottom, doctop, width, height, upright, size"
"""The keys of a character the extractors read (pdfplumber's word finder, the font-size split)."""


def page_objects(page: Page) -> dict[str, list[Obj]]:
    """pdfplumber's objects of a page (`page.objects`), each character with the keys in
    CHAR_KEYS only, computed as pdfplumber computes them. Why: pdfplumber resolves every one of
    some twenty attributes of each character (colours, graphic state, marked content), which cost
    more than half of reading a page, and the extractors read none of them. Rules, rectangles,
    curves and images are pdfplumber's own objects, all attributes kept."""
    objects: dict[str, list[Obj]] = {}
    chars: list[Obj] = []
    height, doctop = page.height, page.initial_doctop
    mb_x0, mb_top = page.mediabox[0], page.mediabox[1]
    norm = page.pdf.unicode_norm

    def walk(items: list[LTComponent]) -> None:
        for obj in items:
            if isinstance(obj, LTChar):
                text = obj.get_text()
                top = (height - obj.y1) + mb_top
                x0, x1 = (obj.x0 + mb_x0, obj.x1 + mb_x0) if mb_x0 != 0 else (obj.x0, obj.x1)
                chars.append({"text": normalize_unicode(norm, text) if norm is not None else text, "x0": x0,
                              "x1": x1, "top": top, "bottom": (height - obj.y0) + mb_top, "doctop": doctop + top,
                              "width": obj.width, "height": obj.height, "upright": obj.upright, "size": obj.size,
                              "object_type": "char", "page_number": page.page_number})
            elif isinstance(obj, LTContainer):  # a form (LTFigure): its children (no layout analysis)
                walk(obj._objs)
            else:
                item = page.process_object(obj)
                if item["object_type"] != "anno":
                    objects.setdefault(item["object_type"], []).append(item)

    walk(page.layout._objs)
    if chars:
        objects["char"] = chars
    return objects


def read_pages(pdf: PDF, s: TableSettings = DEFAULT) -> list[ReadPage]:
    """Every page of a PDF, read once, each page's parse released before the next is read."""
    return [read_page(page, s) for page in pdf.pages]
