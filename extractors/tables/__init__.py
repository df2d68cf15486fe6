"""Tables of a PDF as cells with spans, labels, values and footnotes.

Three layouts, tried in this order on each page, each on what the previous left:
- ruled (`ruled.py`): every cell drawn (pdfplumber's line-based finder gives the cells and spans);
- open-sided (`opensided.py`): horizontal rules only, Word's common style; rows from the rules,
  columns from where the text leaves a vertical gap;
- unruled (`unruled.py`): aligned text only; rows from baselines, columns from vertical gaps,
  accepted only where a block of lines has a column of numbers (prose does not).
Each builds its cells with `grid.py`. A page's tables (`page.py`) drop what is not a table
(`filters.py`) and find their captions and footnotes (`footnotes.py`); a table that ends a page
and one that starts the next with the same columns are one table (`stitch.py`). Labels, numbers
and units are read last, per table (`labels.py`). Every threshold is in `TableSettings`.
"""

from __future__ import annotations

from typing import Any

from .._typing import PDF
from ..pdfpage import ReadPage, read_pages
from ..records import Table
from .labels import label, label_grid
from .page import page_tables, running_lines
from .piece import Piece
from .settings import DEFAULT, TableSettings
from .stitch import stitch

__all__ = ["DEFAULT", "Piece", "TableSettings", "extract_tables", "label_grid", "page_tables",
           "per_page_json"]


def extract_tables(pdf: PDF | list[ReadPage], s: TableSettings = DEFAULT) -> list[Table]:
    """Every table of an open pdfplumber PDF, or of its pages already read (`read_pages`: a
    caller that reads the pages' text too reads them once), stitched across pages and labelled."""
    pages = pdf if isinstance(pdf, list) else read_pages(pdf)
    running = running_lines(pages, s)
    pieces: list[Piece] = []
    for page in pages:
        pieces.extend(page_tables(page, None, running, s))
    return [label(piece, i) for i, piece in enumerate(stitch(pieces, s))]


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
