"""vpetl's extractors: pure functions from a document's bytes (PDF, Word, a spreadsheet, CSV;
old Office formats through LibreOffice) to typed records.

No network, no database, no orchestration: give them bytes (and what is known of the
document, such as its date), get records back. A record read from a PDF carries its page and
bbox; one read from a Word table or a worksheet its table, row and column (and cell)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from itertools import islice
from typing import Literal

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from vpetl.errors import UnreadableDocument

from . import ocr, sniff
from .answer import parse_answer
from .beneficiaries import call_year, read_list
from .layout import group_lines
from .libreoffice import CONVERTED, NeedsConversion, convert
from .pdf import PdfError, open_pdf, reading, require_pdf, textless_pages, unreadable
from .pdfpage import read_pages
from .records import DocumentExtraction, Extraction, PageIssue, Table
from .sheets import sheet_tables
from .sniff import is_pdf
from .tables import extract_tables
from .version import RELEASE, identity, inputs
from .word import extract_word_answer, extract_word_tables, lines_and_links, open_docx, word_tables

__all__ = ["ANNEX_EXTRACTOR", "ANSWER_EXTRACTOR", "RELEASE", "Extraction", "PdfError", "Role", "count_pages",
           "extract", "extract_annex", "extract_answer", "extract_pdf_tables", "extract_tables_of", "identity",
           "inputs", "is_pdf"]

ANSWER_EXTRACTOR = "vpetl.answer"
ANNEX_EXTRACTOR = "vpetl.annex"
Role = Literal["answer", "annex"]
NAMES: dict[Role, str] = {"answer": ANSWER_EXTRACTOR, "annex": ANNEX_EXTRACTOR}  # a document's role -> its extractor


def count_pages(data: bytes, stop: int | None = None) -> int:
    """Pages of a PDF, counted as the readers will meet them: the leaves of its page tree, not
    the /Count it claims (a 60-page file may say `/Count 1`). No page's content is read, and
    counting ends at `stop` + 1, so a budget check costs little even for an enormous file."""
    require_pdf(data)
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        pages = PDFPage.create_pages(doc)  # pdfplumber's own walk of the tree
        return sum(1 for _ in (pages if stop is None else islice(pages, stop + 1)))
    except RecursionError as exc:
        raise TooDeep(TOO_DEEP) from exc
    except Exception as exc:  # pdfminer raises many types for damaged files
        raise PdfError(unreadable(exc)) from exc


class TooDeep(UnreadableDocument):
    """A document nested deeper than a reader can follow (tables in tables, a page tree, merges)."""


TOO_DEEP = "unreadable document: nested too deep to read (a reader ran out of recursion depth)"


def check_pages(data: bytes, max_pages: int) -> None:
    """Raise PdfError when a PDF has more pages than the budget (the leaves of its page tree)."""
    if count_pages(data, stop=max_pages) > max_pages:
        raise PdfError(f"more pages than the budget of {max_pages} per document")


def extract(kind: Role, data: bytes, published: date | None = None, title: str | None = None,
            max_pages: int | None = None) -> Extraction:
    """Run the extractor a document's role calls for, as a record of that run; the reader is
    chosen by what the bytes are (PDF, Word, a spreadsheet, CSV), whatever the URL or server said.

    A document it cannot read, one with more pages than `max_pages`, or one that exhausts the
    process's memory limit is a failed Extraction with the reason: a property of the document
    to record, not an exception."""
    started = datetime.now(UTC)
    result: DocumentExtraction | None = None
    error: str | None = None
    try:
        result = _read(kind, data, published, title, max_pages)
    except RecursionError:  # a reader's, on a document nested past Python's stack: the document's doing
        error = TOO_DEEP
    except UnreadableDocument as exc:  # every reader's error of the document itself
        error = str(exc)
    except MemoryError:
        error = "ran out of its memory budget (a decompression bomb, or an enormous page)"
    return Extraction(NAMES[kind], identity(), started, datetime.now(UTC), result, error)


def _read(kind: Role, data: bytes, published: date | None, title: str | None,
          max_pages: int | None) -> DocumentExtraction:
    media = sniff.media_type(data)
    if media in CONVERTED:
        data, media = convert(data, media)
    if media == sniff.PDF:
        if max_pages is not None:
            check_pages(data, max_pages)
        return extract_answer(data) if kind == "answer" else extract_annex(data, published or date.today(), title)
    if media == sniff.DOCX:
        if kind == "answer":
            return extract_word_answer(data, ANSWER_EXTRACTOR, identity())
        document = open_docx(data)
        lines, _ = lines_and_links(document)
        out = DocumentExtraction(ANNEX_EXTRACTOR, identity(), 0, tables=word_tables(document))
        return _with_lists(out, lines[0].text if lines else None, published or date.today(), title)
    if media in sniff.SPREADSHEETS:
        tables, issues, _ = sheet_tables(data, media)
        out = DocumentExtraction(NAMES[kind], identity(), 0, tables=tables, issues=issues)
        return _with_lists(out, None, published or date.today(), title)
    if media == sniff.PROTECTED:
        raise NeedsConversion("a password-protected Office file: it cannot be read without its password")
    raise NeedsConversion(f"not a document vpetl reads ({media})")


def _with_lists(out: DocumentExtraction, title_line: str | None, published: date,
                title: str | None) -> DocumentExtraction:
    """An annex's beneficiary lists: one per table that is one, each with its call year (from
    the table's own title lines or sheet, else the annex's title)."""
    out.title = title_line or title
    year = call_year(out.title) or call_year(title)
    for table in out.tables:
        sheet = next((c.sheet for c in table.cells if c.sheet), None)
        blist = read_list(table, published, call_year(table.caption) or call_year(sheet) or year)
        if blist:
            out.beneficiary_lists.append(blist)
    return out


def extract_pdf_tables(data: bytes) -> list[Table]:
    """The tables of any PDF."""
    with open_pdf(data) as pdf, reading():
        return extract_tables(pdf)


def extract_answer(data: bytes) -> DocumentExtraction:
    """An answer PDF: header, numbered questions and answers, tables, annex links."""
    with open_pdf(data) as pdf, reading():
        pages = read_pages(pdf)  # each page read once, for the tables and the text
        out = DocumentExtraction(ANSWER_EXTRACTOR, identity(), len(pages), issues=textless_pages(pages))
        out.tables = extract_tables(pages)
        out.header, out.questions, out.answers, out.annexes = parse_answer(pages, out.tables)
        out.issues += [PageIssue(out.header.page, reason) for reason in out.header.unreadable]
        out.title = out.header.title
        return out


def extract_annex(data: bytes, published: date, title: str | None = None) -> DocumentExtraction:
    """An annex PDF: its tables and the beneficiary lists among them.

    `published` is the date the annex was published (for NIS codes valid then); `title` is the
    annex's title as the answer lists it, used when the annex itself has no title line."""
    with open_pdf(data) as pdf, reading():
        pages = read_pages(pdf)
        out = DocumentExtraction(ANNEX_EXTRACTOR, identity(), len(pages), issues=textless_pages(pages))
        out.tables = extract_tables(pages)
        first = pages[0].text_lines or (group_lines(ocr.page_words(pages[0].source)) if ocr.available() else [])
        return _with_lists(out, first[0].text if first else None, published, title)


def extract_tables_of(data: bytes) -> list[Table]:
    """The tables of any document vpetl reads (PDF, Word, spreadsheet, CSV): `vpetl tables`."""
    try:
        return _tables_of(data)
    except RecursionError as exc:
        raise TooDeep(TOO_DEEP) from exc


def _tables_of(data: bytes) -> list[Table]:
    media = sniff.media_type(data)
    if media in CONVERTED:
        data, media = convert(data, media)
    if media == sniff.DOCX:
        return extract_word_tables(data)
    if media in sniff.SPREADSHEETS:
        return sheet_tables(data, media)[0]
    return extract_pdf_tables(data)
