"""Table layouts on the fixture PDFs (made from Word like the parliament's) and on real PDFs."""

import shutil
from decimal import Decimal

import pytest

from vpetl.extractors import extract_answer, extract_pdf_tables, ocr

from .conftest import SHARED, pdf, real_pdf_tables


def grid(pfile: int, index: int = 0):
    return extract_pdf_tables(pdf(pfile))[index]


def test_ruled_with_row_and_column_spans():
    t = grid(1402302)
    assert (t.method, t.n_rows, t.n_cols, t.header_rows) == ("ruled", 8, 4, 2)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in t.cells}
    assert spans[(0, 0)] == (2, 1)  # "Provincie" spans both header rows
    assert spans[(0, 1)] == (1, 3)  # "Schooljaar" spans three columns
    cell = next(c for c in t.cells if c.row_label == "Limburg" and c.col == 2)
    assert (cell.column_label, cell.value, cell.unit) == ("Schooljaar 2017-2018", Decimal("6433"), "count")
    assert t.total_rows == [7]


def test_open_sided_table_horizontal_rules_only():
    t = grid(1402313)
    assert (t.method, t.n_rows, t.n_cols) == ("open", 7, 3)
    assert t.grid()[0] == ["Provincie", "2018", "2019"]
    total = [c for c in t.cells if c.row_label == "Totaal" and c.col > 0]
    body = [c for c in t.cells if c.row not in (0, 6) and c.col == 1]
    assert total[0].value == sum(c.value for c in body)
    # the values carry no sign; "(in euro)" in the line just above the table gives their unit
    assert total[0].unit == "EUR" and t.caption.endswith("euro):")


def test_unruled_table_from_alignment():
    t = grid(1402326)
    assert (t.method, t.n_rows, t.n_cols) == ("unruled", 5, 4)
    assert t.grid()[1] == ["Ingediende aanvragen", "78.214", "84.530", "89.117"]
    assert t.grid()[4][0] == "Gemiddelde doorlooptijd (dagen)"


def test_table_across_a_page_break_is_one_table():
    (t,) = extract_pdf_tables(pdf(1402341))
    assert t.pages == [2, 3]
    assert t.n_rows == 58  # header + 57 municipalities, the repeated header dropped
    assert sum(1 for row in t.grid() if row[0] == "Gemeente") == 1
    assert {c.page for c in t.cells if c.row == t.n_rows - 1} == {3}


def test_multi_line_cells_stay_one_cell():
    t = grid(1402357)
    assert t.grid()[1][0] == ("Buddywerking voor nieuwkomers op de arbeidsmarkt in de regio Mechelen en de "
                              "Rupelstreek")
    assert t.grid()[3][1] == "Samenlevingsopbouw Gent vzw"


def test_two_tables_and_numbered_footnotes():
    first, second = extract_pdf_tables(pdf(1402431))
    cell = next(c for c in first.cells if c.text.startswith("8.125.500"))
    assert (cell.value, cell.unit) == (Decimal("8125500.00"), "EUR")
    assert [(f.marker, f.text) for f in cell.footnotes] == [
        ("2", "inclusief een bijkomende schijf voor het zwembad van Lommel")]
    assert second.method == "open" and second.grid()[2] == ["Buiten de oproep", "1", "4"]


def test_prose_is_not_a_table():
    assert extract_pdf_tables(pdf(1402372)) == []  # an answer with no table


def test_scanned_page_without_ocr_is_recorded_not_skipped(monkeypatch):
    from datetime import date

    from vpetl.extractors import extract_annex

    monkeypatch.setattr(ocr, "_enabled", False)
    out = extract_annex(pdf(1402406), date(2020, 3, 26))
    assert out.tables == [] and [(i.page, "needs OCR" in i.reason) for i in out.issues] == [(1, True)]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (apt-get install "
                    "tesseract-ocr tesseract-ocr-nld)")
def test_scanned_page_is_read_by_ocr_and_marked():
    from datetime import date

    from vpetl.extractors import extract_annex

    out = extract_annex(pdf(1402406), date(2020, 3, 26))
    assert [(i.page, "read by OCR" in i.reason) for i in out.issues] == [(1, True)]
    (table,) = out.tables
    assert table.method == "ocr" and table.confidence < 0.6
    (blist,) = out.beneficiary_lists
    assert [(b.name, b.amount_eur) for b in blist.rows] == [
        ("Kerkfabriek Sint-Martinus Aalst", Decimal("125400.00")), ("Stad Brugge", Decimal("98250.00")),
        ("Gemeente Lier", Decimal("41000.00"))]
    assert blist.call_year == 2019  # from the scan's title line, read by OCR too
    assert [b.nis_code for b in blist.rows] == [None, "31005", "12021"]


def test_broken_pdf_raises_a_clear_error():
    from vpetl.extractors import PdfError

    with pytest.raises(PdfError, match="unreadable PDF"):
        extract_answer(pdf(1402443))
    with pytest.raises(PdfError, match="not a PDF"):
        extract_answer(b"<!DOCTYPE html><html></html>")


REAL = sorted((SHARED / "corpus" / "real").glob("*.pdf"))


@pytest.mark.shared
@pytest.mark.parametrize("path", REAL or [None], ids=lambda p: p.name[:30] if p else "none")
def test_real_pdfs_never_crash(path):
    tables = real_pdf_tables(path.name)  # extracted once per run; test_real_tables.py reads the same
    for t in tables:
        assert t.n_rows >= 2 and t.n_cols >= 2
        assert all(1 <= c.page for c in t.cells)
