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

from pdfplumber.table import Table, TableFinder
from pdfplumber.table import TableSettings as PlumberTableSettings

from ._typing import PDF, Obj, Page, Word
from .layout import Line, group_lines, page_words


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


def read_page(page: Page) -> ReadPage:
    """Read a page's words and drawn objects, then release pdfplumber's parse of it."""
    try:
        return ReadPage(source=page, page_number=page.page_number, width=float(page.width),
                        height=float(page.height), bbox=page.bbox, words=page_words(page),
                        has_chars=bool(page.chars), n_images=len(page.images), rects=page.rects,
                        lines=page.lines, curves=page.curves, edges=page.edges, hyperlinks=page.hyperlinks)
    finally:
        page.close()  # the parsed layout, objects and edges: what a long document cannot keep


def read_pages(pdf: PDF) -> list[ReadPage]:
    """Every page of a PDF, read once, each page's parse released before the next is read."""
    return [read_page(page) for page in pdf.pages]
