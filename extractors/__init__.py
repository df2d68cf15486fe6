"""vpetl's extractors: pure functions from PDF bytes to typed records.

No network, no database, no orchestration: give them bytes (and what is known of the
document, such as its date), get records back. Every record carries its page and bbox."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Literal

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from . import ocr
from .answer import parse_answer
from .beneficiaries import call_year, read_list
from .layout import group_lines, page_words
from .pdf import PdfError, is_pdf, open_pdf, reading, require_pdf, textless_pages, unreadable
from .records import DocumentExtraction, Extraction, Table
from .tables import extract_tables

__all__ = ["ANNEX_EXTRACTOR", "ANSWER_EXTRACTOR", "VERSION", "Extraction", "PdfError", "Role", "count_pages", "extract",
           "extract_annex", "extract_answer", "extract_pdf_tables", "is_pdf"]

ANSWER_EXTRACTOR = "vpetl.answer"
ANNEX_EXTRACTOR = "vpetl.annex"
Role = Literal["answer", "annex"]
NAMES: dict[Role, str] = {"answer": ANSWER_EXTRACTOR, "annex": ANNEX_EXTRACTOR}  # a document's role -> its extractor
VERSION = "0.1.0"


def count_pages(data: bytes) -> int:
    """Pages of a PDF from its page tree's /Count, without building a page: a budget check
    must cost milliseconds even for a 20,000-page file. A tree without a usable /Count is
    walked (still without reading any page's content)."""
    require_pdf(data)
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        count = resolve1(resolve1(doc.catalog.get("Pages")).get("Count"))
        if isinstance(count, int) and count > 0:
            return count
        return sum(1 for _ in PDFPage.create_pages(doc))
    except Exception as exc:  # pdfminer raises many types for damaged files
        raise PdfError(unreadable(exc)) from exc


def extract(kind: Role, data: bytes, published: date | None = None, title: str | None = None,
            max_pages: int | None = None) -> Extraction:
    """Run the extractor a document's role calls for, as a record of that run.

    A PDF it cannot read, one with more pages than `max_pages`, or one that exhausts the
    process's memory limit is a failed Extraction with the reason: a property of the document
    to record, not an exception."""
    started = datetime.now(UTC)
    result: DocumentExtraction | None = None
    error: str | None = None
    try:
        pages = count_pages(data) if max_pages is not None else 0
        if max_pages is not None and pages > max_pages:
            error = f"{pages} pages: more than the budget of {max_pages} pages per document"
        elif kind == "answer":
            result = extract_answer(data)
        else:
            result = extract_annex(data, published or date.today(), title)
    except PdfError as exc:
        error = str(exc)
    except MemoryError:
        error = "ran out of its memory budget (a decompression bomb, or an enormous page)"
    return Extraction(NAMES[kind], VERSION, started, datetime.now(UTC), result, error)


def extract_pdf_tables(data: bytes) -> list[Table]:
    """The tables of any PDF."""
    with open_pdf(data) as pdf, reading():
        return extract_tables(pdf)


def extract_answer(data: bytes) -> DocumentExtraction:
    """An answer PDF: header, numbered questions and answers, tables, annex links."""
    with open_pdf(data) as pdf, reading():
        out = DocumentExtraction(ANSWER_EXTRACTOR, VERSION, len(pdf.pages), issues=textless_pages(pdf))
        out.tables = extract_tables(pdf)
        out.header, out.questions, out.answers, out.annexes = parse_answer(pdf, out.tables)
        out.title = out.header.title
        return out


def extract_annex(data: bytes, published: date, title: str | None = None) -> DocumentExtraction:
    """An annex PDF: its tables and the beneficiary lists among them.

    `published` is the date the annex was published (for NIS codes valid then); `title` is the
    annex's title as the answer lists it, used when the annex itself has no title line."""
    with open_pdf(data) as pdf, reading():
        out = DocumentExtraction(ANNEX_EXTRACTOR, VERSION, len(pdf.pages), issues=textless_pages(pdf))
        out.tables = extract_tables(pdf)
        first_page = pdf.pages[0]
        words = page_words(first_page) or (ocr.page_words(first_page) if ocr.available() else [])
        first = group_lines(words)
        out.title = first[0].text if first else title
        year = call_year(out.title) or call_year(title)
        for table in out.tables:
            blist = read_list(table, published, year)
            if blist:
                out.beneficiary_lists.append(blist)
        return out
