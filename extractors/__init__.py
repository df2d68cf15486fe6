"""vpetl's extractors: pure functions from PDF bytes to typed records.

No network, no database, no orchestration: give them bytes (and what is known of the
document, such as its date), get records back. Every record carries its page and bbox."""

from __future__ import annotations

from datetime import date

from . import ocr
from .answer import parse_answer
from .beneficiaries import call_year, read_list
from .layout import group_lines, page_words
from .pdf import PdfError, is_pdf, open_pdf, reading, textless_pages
from .records import DocumentExtraction, Table
from .tables import extract_tables

__all__ = ["ANNEX_EXTRACTOR", "ANSWER_EXTRACTOR", "VERSION", "PdfError", "extract_annex",
           "extract_answer", "extract_pdf_tables", "is_pdf"]

ANSWER_EXTRACTOR = "vpetl.answer"
ANNEX_EXTRACTOR = "vpetl.annex"
NAMES = {"answer": ANSWER_EXTRACTOR, "annex": ANNEX_EXTRACTOR}  # a document's role -> its extractor
VERSION = "0.1.0"


def count_pages(data: bytes) -> int:
    """Pages of a PDF, read from its page tree only (for budgets, before any extraction)."""
    with open_pdf(data) as pdf:
        return len(pdf.pages)


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
