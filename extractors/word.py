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
    # a merged cell is one <w:tc> element that row.cells repeats; the dict keeps each element
    # alive, so lxml hands out the same object for it every time
    extent: dict[Any, list[Any]] = {}  # tc -> [row0, col0, row1, col1, text]
    rows = table.rows
    for r, row in enumerate(rows):
        for c, cell in enumerate(row.cells):
            key = cell._tc
            if key in extent:
                box = extent[key]
                box[2], box[3] = max(box[2], r), max(box[3], c)
            else:
                extent[key] = [r, c, r, c, cell.text]
    cells = [Cell(row=r0, col=c0, text=" ".join(str(text).split()), page=None, bbox=None,
                  row_span=r1 - r0 + 1, col_span=c1 - c0 + 1) for r0, c0, r1, c1, text in extent.values()]
    n_cols = max((c.col + c.col_span for c in cells), default=0)
    repeated = 0
    for row in rows:
        if row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None:
            break
        repeated += 1
    return label_grid([c for c in cells if c.text], len(rows), n_cols, index, "word", None, None,
                      caption=caption, header_rows=repeated or None)


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
