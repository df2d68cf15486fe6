"""Word documents (.docx): the same records as a PDF, from the document's own structure.

A Word file needs no geometry: its paragraphs come in reading order, its tables are exact
grids (merged cells, rows marked as repeating headers) and its hyperlinks are named. So an
answer's header, numbered questions and answers and annex list are read from the paragraphs
by the same rules as a PDF's lines, and each table is labelled by the same rules as a PDF's.
Word has no pages: `page` and `bbox` are None; a value's place is its table, row and column."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from vpetl.errors import UnreadableDocument

from .answer import Hyperlink, TextLine, parse_answer_lines
from .records import Cell, DocumentExtraction, PageIssue, Table
from .sniff import check_archive
from .tables import label_grid
from .tables.labels import names_table


class WordError(UnreadableDocument, ValueError):
    """A Word file python-docx cannot read; the message says why."""


def open_docx(data: bytes) -> WordDocument:
    """A .docx, opened once its archive is known not to be a zip bomb."""
    check_archive(data)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors for damaged files
        raise WordError(f"unreadable Word file: {type(exc).__name__}: {exc}") from exc


def body(document: WordDocument) -> Iterator[Paragraph | WordTable]:
    """Paragraphs and tables of the main text, in reading order."""
    yield from document.iter_inner_content()


def word_tables(document: WordDocument) -> list[Table]:
    """Every table of the document (nested tables are read as their cell's text)."""
    tables: list[Table] = []
    above: str | None = None  # the paragraph just above a table: its caption when it names it or its unit
    for item in body(document):
        if isinstance(item, WordTable):
            tables.append(word_table(item, len(tables), above if above and names_table(above) else None))
            above = None
        elif item.text.strip():
            above = item.text.strip()
    return tables


def word_table(table: WordTable, index: int, caption: str | None = None) -> Table:
    """A Word table as a grid: a merged cell is one cell with its spans; rows Word repeats on
    each page (`tblHeader`) are the header rows (else the labelling rules decide)."""
    trs = table._tbl.tr_lst
    boxes = merged_boxes(table)
    cells = [Cell(row=r0, col=c0, text=" ".join(str(text).split()), page=None, bbox=None,
                  row_span=r1 - r0 + 1, col_span=c1 - c0 + 1) for r0, c0, r1, c1, text in boxes]
    n_cols = max((c.col + c.col_span for c in cells), default=0)
    repeated = 0
    for tr in trs:
        if tr.trPr is None or tr.trPr.find(qn("w:tblHeader")) is None:
            break
        repeated += 1
    return label_grid([c for c in cells if c.text], len(trs), n_cols, index, "word", None, None,
                      caption=caption, header_rows=repeated or None)


def merged_boxes(table: WordTable) -> list[list[Any]]:
    """Each cell of the table once, as [row0, col0, row1, col1, text], read in one pass.

    A vertical merge is a `<w:tc>` marked `vMerge="continue"` under the cell it continues;
    python-docx's `row.cells` finds that cell by walking up from every continuing cell, so a
    column merged over n rows costs n^2 steps (and recursion deep enough to fail at ~3,000
    rows). Here the cell covering each grid column in the row above is kept, so a continuing
    cell extends it at once: linear in the number of cells."""
    boxes: list[list[Any]] = []
    above: dict[int, list[Any]] = {}  # grid column -> the box covering it in the row above
    for r, tr in enumerate(table._tbl.tr_lst):
        col = tr.grid_before
        here: dict[int, list[Any]] = {}
        for tc in tr.tc_lst:
            span = max(tc.grid_span, 1)
            box = above.get(col) if tc.vMerge == "continue" else None
            if box is not None:
                box[2], box[3] = r, max(box[3], col + span - 1)
            else:
                box = [r, col, r, col + span - 1, _Cell(tc, table).text]
                boxes.append(box)
            for k in range(col, col + span):
                here[k] = box
            col += span
        above = here
    return boxes


def lines_and_links(document: WordDocument) -> tuple[list[TextLine], list[Hyperlink]]:
    """The paragraphs outside tables as lines, and the hyperlinks among them."""
    lines: list[TextLine] = []
    links: list[Hyperlink] = []
    for item in body(document):
        if not isinstance(item, Paragraph):
            continue
        for part in item.text.splitlines():  # a soft line break starts a new line, as in a PDF
            if part.strip():
                lines.append(TextLine(part.strip(), None, None, continues=False))
        links += [Hyperlink(h.address, None, None, len(lines) - 1) for h in item.hyperlinks if h.address]
    return lines, links


def extract_word_answer(data: bytes, extractor: str, version: str) -> DocumentExtraction:
    """A Word answer: header, numbered questions and answers, tables, annex links."""
    document = open_docx(data)
    out = DocumentExtraction(extractor, version, 0)
    out.tables = word_tables(document)
    lines, links = lines_and_links(document)
    out.header, out.questions, out.answers, out.annexes = parse_answer_lines(lines, links)
    out.issues += [PageIssue(None, reason) for reason in out.header.unreadable]
    out.title = out.header.title
    return out


def extract_word_tables(data: bytes) -> list[Table]:
    return word_tables(open_docx(data))
