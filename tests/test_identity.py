"""The extractor's identity tells the truth, and only the parser's errors make a file unreadable."""

from __future__ import annotations

import shutil

import pdfplumber
import pytest
from pdfminer.pdfinterp import PDFPageInterpreter

from vpetl import extractors
from vpetl.extractors import tables, version
from vpetl.pipeline.pool import InProcess
from vpetl.pipeline.reextraction import reextract
from vpetl.settings import Settings

from .conftest import FILES, pdf


def test_the_identity_is_the_release_and_a_hash_of_what_decides_the_output():
    current = extractors.identity()
    release, digest = current.split("+")
    assert release == version.RELEASE and len(digest) == version.HASH_CHARS
    assert extractors.identity() == current  # the same code on the same libraries: the same identity
    names = set(extractors.inputs())
    assert {"source", "pdfplumber", "pdfminer.six", "python-docx", "openpyxl", "ocr", "libreoffice"} <= names


def test_a_changed_threshold_changes_the_source_hash(tmp_path, monkeypatch):
    copy = tmp_path / "extractors"
    shutil.copytree(version.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(version, "PACKAGE", copy)
    version.source_hash.cache_clear()
    try:
        before = version.source_hash()
        layout = copy / "layout.py"
        layout.write_text(layout.read_text() + "\n# a threshold moved\n")
        version.source_hash.cache_clear()
        assert version.source_hash() != before
    finally:
        version.source_hash.cache_clear()


def test_a_library_upgrade_and_ocr_change_the_identity(monkeypatch):
    base = extractors.identity(use_ocr=False)
    if shutil.which("tesseract"):
        assert extractors.identity(use_ocr=True) != base  # scans are read: other facts
    real = version.metadata.version
    monkeypatch.setattr(version.metadata, "version", lambda name: "99.0" if name == "pdfminer.six" else real(name))
    version._library_versions.cache_clear()
    try:
        assert extractors.identity(use_ocr=False) != base
    finally:
        version._library_versions.cache_clear()


def test_a_damaged_pdf_is_unreadable_but_a_bug_in_vpetl_is_not(monkeypatch):
    broken = extractors.extract("answer", pdf(1402443))
    assert broken.result is None and broken.error and broken.error.startswith("unreadable PDF")

    def buggy(pdf_, *args, **kwargs):
        return 1 / 0  # a bug in vpetl's own table code

    monkeypatch.setattr(extractors, "extract_tables", buggy)
    with pytest.raises(ZeroDivisionError):  # never "unreadable PDF", never cached with the document
        extractors.extract("answer", pdf(1402290))


def test_reextract_retries_a_question_its_bug_failed_and_stores_nothing_of_it(tmp_path, monkeypatch, mirror_base):
    from vpetl.pipeline import ingest

    settings = Settings(api_base=mirror_base, database_url=f"sqlite:///{tmp_path / 's.sqlite'}",
                        data_dir=tmp_path / "d", rate=100)
    assert ingest("2019-2020", 289, settings=settings).loaded == 1
    monkeypatch.setattr(version, "source_hash", lambda: "an upgrade with a bug")
    real = tables.extract_tables
    monkeypatch.setattr(extractors, "extract_tables", lambda p: [][0])  # IndexError, as a bug would raise
    (failed,) = reextract(settings, extractor=InProcess(settings))
    assert failed.run_id is None and failed.error and failed.error.startswith("bug in vpetl: IndexError")
    monkeypatch.setattr(extractors, "extract_tables", real)  # the bug fixed: the next reextract does the work
    rows = reextract(settings, extractor=InProcess(settings))
    assert len(rows) == 3 and all(r.run_id and r.error is None for r in rows)  # the answer and two annexes
    assert rows and reextract(settings, extractor=InProcess(settings)) == []


def test_count_pages_reads_the_page_tree_only(monkeypatch):
    """The page tree's leaves, counted without opening the document for reading (no page's
    content is parsed), and no further than the budget needs."""
    def opened(*args, **kwargs):
        raise AssertionError("the document was opened for reading")

    monkeypatch.setattr(pdfplumber, "open", opened)
    monkeypatch.setattr(PDFPageInterpreter, "process_page", opened)  # how any page's content is read
    data = (FILES / "1402290.pdf").read_bytes()
    assert extractors.count_pages(data) == 3 and extractors.count_pages(data, stop=1) == 2


def test_a_worker_stamps_the_identity_its_parent_checks_against():
    """The parent decides a document is stale with `identity(settings.ocr)`; the worker process
    stamps each run with its own `identity()`. They must agree, or every run re-extracts."""
    from vpetl.pipeline.pool import ExtractionPool

    for ocr in (False, True):
        settings = Settings(processes=1, ocr=ocr)
        pool = ExtractionPool(settings)
        try:
            assert pool.call(extractors.identity) == extractors.identity(settings.ocr)
        finally:
            pool.close()
