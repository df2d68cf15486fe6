"""Opening PDF bytes safely, and telling which pages have no text to read."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError

from . import ocr
from ._typing import PDF
from .records import PageIssue
from .sniff import is_pdf


class PdfError(Exception):
    """The bytes are not a PDF pdfplumber can read; the message says why."""


@contextmanager
def reading() -> Iterator[None]:
    """Errors while reading a PDF's pages become PdfError (with the reason), except running out
    of memory, which stays MemoryError (pdfminer wraps zlib's in its own exception)."""
    try:
        yield
    except (PdfError, MemoryError):
        raise
    except Exception as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__cause__
        if isinstance(cause, MemoryError) or "allocate" in str(exc):
            raise MemoryError(str(exc)) from exc
        raise PdfError(unreadable(exc)) from exc


def unreadable(exc: Exception) -> str:
    """Why pdfminer could not read a file, in words (some of its exceptions carry no message)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc  # pdfplumber wraps
    if isinstance(inner, PDFEncryptionError):  # PDFPasswordIncorrect among them
        return f"encrypted PDF: it needs a password to be read ({type(inner).__name__})"
    return f"unreadable PDF: {type(exc).__name__}: {exc or 'no reason given'}"


def require_pdf(data: bytes) -> None:
    """Raise PdfError, saying what the bytes start with, unless they are a PDF."""
    if not is_pdf(data):
        head = data[:40].decode("latin-1", "replace").strip()
        raise PdfError(f"not a PDF (starts with {head!r})")


def open_pdf(data: bytes) -> PDF:
    """Open PDF bytes, reading the page tree now so a broken file fails here, with a reason."""
    require_pdf(data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        if not pdf.pages:
            raise PdfError("PDF has no pages")
        return pdf
    except PdfError:
        raise
    except Exception as exc:  # pdfminer raises many types for damaged files
        raise PdfError(unreadable(exc)) from exc


def textless_pages(pdf: PDF) -> list[PageIssue]:
    """Pages without a text layer (a scan, a picture): read by OCR where it is installed, and
    recorded either way, so a reader knows which values came from OCR or were not read."""
    issues = []
    for page in pdf.pages:
        if not page.chars:
            what = "an image-only (scanned) page" if page.images else "a page without text"
            how = (f"read by OCR (tesseract, {ocr.LANGUAGES}): check its values" if ocr.available()
                   else "needs OCR (install tesseract-ocr and tesseract-ocr-nld)")
            issues.append(PageIssue(page.page_number, f"{what}: no text layer, {how}"))
    return issues
