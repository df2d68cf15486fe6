"""The shapes of pdfplumber's objects as the extractors use them (pdfplumber returns dicts)."""

from __future__ import annotations

from typing import Any, TypedDict

from pdfplumber.page import Page
from pdfplumber.pdf import PDF

__all__ = ["PDF", "Obj", "Page", "Word"]


class Word(TypedDict, total=False):
    """A word from `page.extract_words()` (or one made by OCR): its text and box in PDF points."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    upright: bool
    fontname: str
    doctop: float
    ocr: bool  # read by OCR from a page image
    confidence: float  # OCR confidence, 0-100
    mark: bool  # a footnote mark (small, raised), written as superscript characters


Obj = dict[str, Any]
"""Any other pdfplumber object: a char, rect, line, curve or edge (keys as pdfplumber names them)."""
