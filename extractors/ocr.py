"""Words of an image-only page, read by Tesseract (Dutch), as pdfplumber would give them.

Optional: Tesseract comes from Debian's packages (`tesseract-ocr tesseract-ocr-nld`). Without
it, or switched off (`enable(False)`; the setting VPETL_OCR=false), a page without a text layer
is recorded as needing OCR instead."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

from vpetl.errors import OcrError

from ._typing import Page, Word
from .thresholds import DEFAULT

LANGUAGES = "nld+eng"
TIMEOUT = 120  # seconds for one page
# Tesseract's OpenMP threads spin while they wait for each other: on a page, one thread takes
# half the wall time and half the CPU of the default (0.53 s and 0.53 CPU-s against 1.06 s and
# 1.1 CPU-s, Tesseract 5.3, 2 cores), and a run extracts in as many processes as cores already.
ONE_THREAD = {"OMP_THREAD_LIMIT": "1"}


_enabled = True


def enable(on: bool) -> None:
    """Use OCR where Tesseract is installed (the default), or never (set once per process)."""
    global _enabled
    _enabled = on


def available() -> bool:
    return _enabled and shutil.which("tesseract") is not None


def page_words(page: Page) -> list[Word]:
    """Words with boxes in PDF points (origin top left), each marked `ocr` with its confidence.
    Tesseract failing on the page (an error, or over TIMEOUT) raises OcrError, with what it said."""
    image = page.to_image(resolution=DEFAULT.ocr_dpi).original
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        run = subprocess.run(["tesseract", "stdin", "stdout", "-l", LANGUAGES, "--psm", "6", "tsv"],
                             input=png.getvalue(), capture_output=True, timeout=TIMEOUT, check=True,
                             env={**os.environ, **ONE_THREAD})
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or b"").decode("utf-8", "replace").strip()[:200]
        raise OcrError(f"OCR failed on page {page.page_number}: tesseract exited {exc.returncode}: {said}") from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"OCR failed on page {page.page_number}: over {TIMEOUT} s") from exc
    scale = 72.0 / DEFAULT.ocr_dpi
    words: list[Word] = []
    for row in run.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip() or float(cols[10]) < DEFAULT.ocr_min_confidence:
            continue
        left, top, width, height = (int(v) for v in cols[6:10])
        words.append({"text": cols[11].strip(), "x0": left * scale, "x1": (left + width) * scale,
                      "top": top * scale, "bottom": (top + height) * scale, "upright": True,
                      "ocr": True, "confidence": float(cols[10])})
    return words
