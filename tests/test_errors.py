"""Whose doing a failure was: the source's, the document's, or vpetl's (a bug). Every error
vpetl raises on purpose has one root; a document that says something impossible is an
unreadable value, recorded with the document, not a bug; each recorded failure says its step."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pdfplumber
import pytest

from vpetl.errors import OcrError, SourceError, UnreadableDocument, UnreadableValue, VpetlError
from vpetl.extractors import ocr
from vpetl.extractors.answer import TextLine, parse_answer_lines
from vpetl.extractors.dates import parse_dutch_date
from vpetl.extractors.libreoffice import NeedsConversion
from vpetl.extractors.pdf import PdfError
from vpetl.extractors.sheets import SheetError
from vpetl.extractors.sniff import UnsafeArchive
from vpetl.extractors.word import WordError
from vpetl.pipeline.pool import OverBudget
from vpetl.pipeline.run import QuestionOutcome
from vpetl.schema.db import StoreError
from vpetl.schema.lock import LockBusy, LockLost
from vpetl.schema.review import ReviewError
from vpetl.vlpar.api import InconsistentSearch, RecordError, SearchError
from vpetl.vlpar.client import FetchError

from .conftest import pdf


def test_one_root_and_two_families():
    assert all(issubclass(e, SourceError) for e in (FetchError, SearchError, InconsistentSearch, RecordError))
    assert all(issubclass(e, UnreadableDocument)
               for e in (PdfError, WordError, SheetError, UnsafeArchive, NeedsConversion, UnreadableValue, OcrError))
    assert all(issubclass(e, VpetlError) for e in (StoreError, LockBusy, LockLost, ReviewError, OverBudget,
                                                   SourceError, UnreadableDocument))
    assert not issubclass(SourceError, UnreadableDocument) and not issubclass(UnreadableDocument, SourceError)


@pytest.mark.parametrize("text", ["op 31 februari 2020", "31/04/2020"])
def test_an_impossible_date_is_an_unreadable_value(text):
    with pytest.raises(UnreadableValue, match="is not a date"):
        parse_dutch_date(text)
    assert parse_dutch_date("29 februari 2020") == date(2020, 2, 29) and parse_dutch_date("geen datum") is None


def test_an_answer_with_an_impossible_date_keeps_the_rest_and_says_why():
    lines = [TextLine(t, 1, None, False) for t in (
        "SCHRIFTELIJKE VRAAG", "nr. 289", "van MAURITS VANDE REYDE", "datum: 31 februari 2020",
        "aan HILDE CREVITS", "Subsidies voor gemeenten", "ANTWOORD op vraag nr. 289 van 31 februari 2020 van "
        "MAURITS VANDE REYDE", "1. Zie bijlage.")]
    header, _, answers, _ = parse_answer_lines(lines, [])
    assert header.number == 289 and header.date_asked is None and header.title == "Subsidies voor gemeenten"
    assert header.unreadable and all("'31 februari 2020' is not a date" in u for u in header.unreadable)
    assert [a.text for a in answers] == ["Zie bijlage."]


def _page_words_with(monkeypatch, fails: BaseException) -> None:
    def tesseract(*args, **kwargs):
        raise fails
    monkeypatch.setattr(ocr.subprocess, "run", tesseract)
    with pdfplumber.open(io.BytesIO(pdf(1402290))) as doc:
        ocr.page_words(doc.pages[0])


def test_a_tesseract_failure_is_an_ocr_error_not_a_bug(monkeypatch):
    with pytest.raises(OcrError, match="tesseract exited 1: out of memory"):
        _page_words_with(monkeypatch, subprocess.CalledProcessError(1, ["tesseract"], b"", b"out of memory"))
    with pytest.raises(OcrError, match="over 120 s"):
        _page_words_with(monkeypatch, subprocess.TimeoutExpired(["tesseract"], 120))


def test_a_failure_records_its_step():
    outcome = QuestionOutcome(1)
    outcome.failed("https://a", "503")
    outcome.step = "load"
    outcome.failed("https://b", "bug in vpetl: KeyError")
    assert [(f.url, f.step) for f in outcome.failures] == [("https://a", "fetch"), ("https://b", "load")]
