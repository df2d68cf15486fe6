"""Opening PDF bytes safely, and telling which pages have no text to read."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfexceptions import PDFException, PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from vpetl.errors import UnreadableDocument

from . import ocr
from ._typing import PDF
from .pdfpage import ReadPage
from .records import PageIssue
from .sniff import is_pdf


class PdfError(UnreadableDocument):
    """The bytes are not a PDF pdfplumber can read; the message says why."""


PARSER_ERRORS = (PSException, PDFException, PdfminerException, MalformedPDFException, zlib.error)
"""What pdfminer and pdfplumber raise for a file they cannot parse."""
READERS = ("pdfminer.", "pdfplumber.")  # the modules that parse the file; an error raised in them is the file's


@contextmanager
def reading() -> Iterator[None]:
    """Errors of the PDF parser while reading pages become PdfError (the document is unreadable,
    with the reason); running out of memory stays MemoryError. Anything else, a bug in vpetl's
    own code above all, goes on as it is: it must never be cached as a property of the file."""
    try:
        yield
    except (PdfError, MemoryError):
        raise
    except Exception as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__cause__
        if isinstance(cause, MemoryError) or "allocate" in str(exc):
            raise MemoryError(str(exc)) from exc
        if not from_parser(exc):
            raise
        raise PdfError(unreadable(exc)) from exc


def from_parser(exc: BaseException) -> bool:
    """True when the PDF parser raised `exc`: one of its own exception types, or a built-in one
    (a KeyError, a TypeError on a damaged object) raised by its code, which is where the
    innermost frame outside the standard library is."""
    if isinstance(exc, PARSER_ERRORS):
        return True
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_globals.get("__name__", ""))
        tb = tb.tb_next
    ours_or_theirs = [name for name in frames if name.startswith((*READERS, "vpetl."))]
    return bool(ours_or_theirs) and ours_or_theirs[-1].startswith(READERS)


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


def textless_pages(pages: list[ReadPage]) -> list[PageIssue]:
    """Pages without a text layer (a scan, a picture): read by OCR where it is installed, and
    recorded either way, so a reader knows which values came from OCR or were not read."""
    issues = []
    for page in pages:
        if not page.has_chars:
            what = "an image-only (scanned) page" if page.n_images else "a page without text"
            how = (f"read by OCR (tesseract, {ocr.LANGUAGES}): check its values" if ocr.available()
                   else "needs OCR (install tesseract-ocr and tesseract-ocr-nld)")
            issues.append(PageIssue(page.page_number, f"{what}: no text layer, {how}"))
    return issues
