"""Word, Excel and CSV documents: sniffed from their bytes, read to the same records as a PDF,
exact numbers with their sheet and cell, and bad files recorded with their reason."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from vpetl import extractors
from vpetl.cli import app
from vpetl.extractors import sniff
from vpetl.extractors.word import extract_word_tables

from .conftest import FILES

WORD_ANSWER = FILES / "1402456.docx"  # question 455: a Word answer with a table
WORKBOOK = FILES / "1402469.xlsx"  # question 467's annex: title lines, a header, a total, a sheet of notes


def test_what_a_document_is_comes_from_its_bytes(tmp_path):
    assert sniff.media_type(WORD_ANSWER.read_bytes()) == sniff.DOCX
    assert sniff.media_type(WORKBOOK.read_bytes()) == sniff.XLSX
    assert sniff.media_type((FILES / "1402290.pdf").read_bytes()) == sniff.PDF
    csv_bytes = "\ufeffOverzicht;;\nGemeente;Naam;Bedrag\nGent;vzw X;1.250,50\n".encode()
    assert sniff.media_type(csv_bytes) == sniff.CSV
    assert sniff.media_type(b"<!DOCTYPE html><html><body>Onderhoud</body></html>") == sniff.HTML
    assert sniff.media_type(sniff.OLE2 + "WordDocument".encode("utf-16-le")) == sniff.DOC
    assert sniff.media_type(sniff.OLE2 + "EncryptedPackage".encode("utf-16-le")) == sniff.PROTECTED
    assert sniff.media_type(b"\x00\x01binary junk") == sniff.OTHER


def test_a_word_answer_gives_the_records_of_a_pdf_answer():
    ex = extractors.extract("answer", WORD_ANSWER.read_bytes())
    r = ex.result
    assert ex.error is None and r is not None
    assert (r.header.number, r.header.asker, r.header.minister) == (455, "Katrien Schryvers", "Wouter Beke")
    assert r.header.title == "Kinderopvang - Nieuwe plaatsen per provincie"
    assert [q.number for q in r.questions] == ["1"] and [a.number for a in r.answers] == ["1"]
    [table] = r.tables
    assert (table.n_rows, table.n_cols, table.header_rows, table.total_rows, table.method) == (7, 3, 1, [6], "word")
    cell = next(c for c in table.cells if c.row_label == "Totaal" and c.column_label == "2018")
    assert (cell.text, cell.value, cell.unit, cell.page, cell.bbox) == ("1.534", Decimal("1534"), "count", None, None)


def test_word_tables_keep_merged_cells_and_repeated_header_rows(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(1, 0)).text = "Provincie"  # spans two header rows
    t.cell(0, 1).merge(t.cell(0, 2)).text = "Aantal"  # spans two columns
    for c, text in ((1, "2018"), (2, "2019")):
        t.cell(1, c).text = text
    for r, row in ((2, ["Antwerpen", "3", "4"]), (3, ["Limburg", "5", "6"])):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    for r in (0, 1):
        t.rows[r]._tr.get_or_add_trPr().append(docx.oxml.OxmlElement("w:tblHeader"))
    path = tmp_path / "merged.docx"
    d.save(path)
    [table] = extract_word_tables(path.read_bytes())
    spans = {(c.text, c.row, c.col, c.row_span, c.col_span) for c in table.cells if c.is_header}
    assert spans == {("Provincie", 0, 0, 2, 1), ("Aantal", 0, 1, 1, 2), ("2018", 1, 1, 1, 1), ("2019", 1, 2, 1, 1)}
    value = next(c for c in table.cells if c.row_label == "Limburg" and c.col == 2)
    assert (value.value, value.column_label) == (Decimal("6"), "Aantal 2019")


def test_a_workbook_is_read_sheet_by_sheet_with_exact_numbers_and_cells():
    ex = extractors.extract("annex", WORKBOOK.read_bytes())
    r = ex.result
    assert ex.error is None and r is not None and len(r.tables) == 1  # the sheet of notes holds no table
    [table] = r.tables
    assert table.caption == "Oproep jeugdlokalen 2020 - toegekende subsidies Departement CJM"
    [blist] = r.beneficiary_lists
    assert blist.call_year == 2020 and blist.total_amount_eur == Decimal("243120.75")
    assert sum(b.amount_eur for b in blist.rows) == Decimal("243120.75")
    genk = next(b for b in blist.rows if b.name == "KSA Genk-Centrum")
    assert (genk.amount_eur, genk.sheet, genk.ref, genk.page, genk.bbox) == (
        Decimal("35250.50"), "Oproep 2020", "B6", None, None)
    assert next(b for b in blist.rows if b.name == "Stad Mechelen").nis_code == "12025"


def test_a_csv_annex_with_semicolons_belgian_decimals_and_a_bom():
    data = ("\ufeffToegekende premies 2021;;\nGemeente;Organisatie;Premie (euro)\nGent;vzw De Link;12.500,50\n"
            "Aalst;Stad Aalst;7.000,00\nTotaal;;19.500,50\n").encode()
    r = extractors.extract("annex", data).result
    [blist] = r.beneficiary_lists
    assert [(b.name, b.amount_eur, b.ref) for b in blist.rows] == [
        ("vzw De Link", Decimal("12500.50"), "B3"), ("Stad Aalst", Decimal("7000.00"), "B4")]
    assert (blist.total_amount_eur, blist.call_year) == (Decimal("19500.50"), 2021)


def test_a_short_csv_table_under_a_title_and_over_its_notes_is_a_csv():
    """Three rows under a title line and over two notes (development seed 13, document 144):
    4 of 7 records share their number of fields, fewer than csv_agreement, and the file was
    read as no document at all. The title and the notes hold no comma: they are text around
    the table, and every record the comma splits agrees."""
    data = ("\ufeffTabel 1 (in euro)\r\nRegio,Aantal dossiers,Investering\r\nGent,1.360,\"1.135.722,9 (*)\"\r\n"
            "Aalst,307,-\r\nGenk,4.751,\"940.810,4 (2)\"\r\n\r\n\"(*) Voorlopig cijfer, nog niet gevalideerd.\"\r\n"
            "(2) Toestand op 31 december.\r\n").encode()
    assert sniff.media_type(data) == sniff.CSV
    [table] = extractors.extract("answer", data).result.tables
    genk = next(c for c in table.cells if c.row_label == "Genk" and c.column_label == "Investering")
    assert (genk.value, [f.marker for f in genk.footnotes]) == (Decimal("940810.4"), ["2"])
    assert sniff.media_type(b"Beste,\nIn antwoord op uw vraag.\nMet vriendelijke groet\nDe minister\n") \
        == sniff.OTHER  # a letter with one comma is no table


def test_a_formula_is_never_evaluated(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Gemeente", "Bedrag"])
    ws.append(["Gent", 10])
    ws.append(["Totaal", "=SUM(B2:B2)"])  # openpyxl saves no cached value
    path = tmp_path / "f.xlsx"
    wb.save(path)
    r = extractors.extract("annex", path.read_bytes()).result
    assert [i.reason for i in r.issues] == ["Sheet!B3: a formula without a cached value (=SUM(B2:B2)); not evaluated"]


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))


@pytest.mark.parametrize("make, reason", [
    (_zip_bomb, "(a zip bomb?)"),
    (lambda p: p.write_bytes(sniff.OLE2 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512),
     "a password-protected Office file"),
    (lambda p: p.write_text("Gemeente;Naam;Bedrag\n" + "Gent;X;1,00\n" * 1_000_000, encoding="utf-8"),
     "more than 2,000,000 cells"),
])
def test_bad_office_files_are_recorded_with_their_reason(tmp_path, make, reason):
    path = tmp_path / "bad"
    make(path)
    assert path.stat().st_size < 30_000_000 or reason.startswith("more")
    ex = extractors.extract("annex", path.read_bytes())
    assert ex.result is None and reason in ex.error


def test_tables_reads_word_and_spreadsheets_with_the_same_json():
    for path, where in ((WORD_ANSWER, {}), (WORKBOOK, {"sheet": "Oproep 2020"})):
        result = CliRunner().invoke(app, ["tables", str(path), "--json"])
        assert result.exit_code == 0, result.output
        [table] = json.loads(result.stdout)["tables"]
        assert table["page"] is None and table["bbox"] is None
        assert {k: table[k] for k in where} == where
    cells = json.loads(CliRunner().invoke(app, ["tables", str(WORKBOOK), "--json"]).stdout)["tables"][0]["cells"]
    assert {"row": 0, "col": 0, "row_span": 1, "col_span": 1, "text": "Gemeente", "cell": "A4"} in cells


# Old formats, through LibreOffice (CI installs it, as it does Tesseract).

@pytest.fixture(scope="module")
def soffice():
    from vpetl.extractors.libreoffice import soffice as find

    command = find()
    if command is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    return command


def _converted(soffice: str, source: Path, target: str, tmp: Path) -> bytes:
    subprocess.run([soffice, "--headless", "--convert-to", target, "--outdir", str(tmp), str(source)],
                   check=True, capture_output=True, timeout=180, env={"HOME": str(tmp), "PATH": "/usr/bin:/bin"})
    return (tmp / f"{source.stem}.{target}").read_bytes()


def test_a_doc_answer_is_read_through_libreoffice(soffice, tmp_path):
    data = _converted(soffice, WORD_ANSWER, "doc", tmp_path)
    assert sniff.media_type(data) == sniff.DOC
    r = extractors.extract("answer", data).result
    assert r.header.number == 455 and r.tables[0].n_rows == 7


def test_an_xls_annex_is_read(soffice, tmp_path):
    data = _converted(soffice, WORKBOOK, "xls", tmp_path)
    assert sniff.media_type(data) == sniff.XLS
    [blist] = extractors.extract("annex", data).result.beneficiary_lists
    assert sum(b.amount_eur for b in blist.rows) == Decimal("243120.75")


def test_a_conversion_that_does_not_finish_is_recorded(soffice, monkeypatch, tmp_path):
    from vpetl.extractors import libreoffice

    monkeypatch.setattr(libreoffice, "CONVERT_TIMEOUT", 0.01)
    ex = extractors.extract("answer", _converted(soffice, WORD_ANSWER, "doc", tmp_path))
    assert ex.result is None and ex.error == "LibreOffice did not convert the .doc file in 0.01 s"


def test_without_libreoffice_a_doc_needs_conversion(monkeypatch):
    from vpetl.extractors import libreoffice

    monkeypatch.setattr(libreoffice, "soffice", lambda: None)
    ex = extractors.extract("answer", sniff.OLE2 + "WordDocument".encode("utf-16-le"))
    assert ex.result is None and ex.error.startswith("a .doc file needs conversion: install LibreOffice")


def test_the_word_and_excel_fixtures_are_what_the_builder_makes(tmp_path):
    """`python -m vpetl.fixtures.build --office` writes the same bytes again (no LibreOffice needed)."""
    import hashlib
    import sys

    root = tmp_path / "mirror"
    shutil.copytree(FILES.parent, root)
    for path in (WORD_ANSWER, WORKBOOK):  # gone before the build: a builder that writes nothing fails
        (root / "files" / path.name).unlink()
    subprocess.run([sys.executable, "-c", "import sys, vpetl.fixtures.build as b; from pathlib import Path; "
                    f"b.MIRROR = Path({str(root)!r}); sys.argv.append('--office'); b.main()"],
                   check=True, capture_output=True, timeout=120)
    for path in (WORD_ANSWER, WORKBOOK):
        rebuilt = root / "files" / path.name
        assert hashlib.sha256(rebuilt.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_an_ods_annex_is_read_through_libreoffice(soffice, tmp_path):
    data = _converted(soffice, WORKBOOK, "ods", tmp_path)
    assert sniff.media_type(data) == sniff.ODS
    [blist] = extractors.extract("annex", data).result.beneficiary_lists
    assert sum(b.amount_eur for b in blist.rows) == Decimal("243120.75")


def _priced_workbook() -> bytes:
    """A sheet whose amounts are typed numbers shown with a euro sign by their number format,
    beside a typed count."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Regio", "Vastgelegd", "Aanvragen"])
    for region, amount, count in (("Gent", 1250.5, 12), ("Brugge", 800.0, 7), ("Totaal", 2050.5, 19)):
        ws.append([region, amount, count])
        ws.cell(ws.max_row, 2).number_format = "#,##0.00 [$€-813]"
        ws.cell(ws.max_row, 3).number_format = "#,##0"
    path = io.BytesIO()
    wb.save(path)
    return path.getvalue()


def _units(data: bytes) -> dict[tuple[str | None, str | None], tuple[Decimal | None, str | None]]:
    [table] = extractors.extract_tables_of(data)
    return {(c.row_label, c.column_label): (c.value, c.unit) for c in table.cells if c.value is not None}


def test_a_typed_amount_takes_its_unit_from_its_number_format():
    units = _units(_priced_workbook())
    assert units[("Gent", "Vastgelegd")] == (Decimal("1250.5"), "EUR")  # the header names no unit: the format does
    assert units[("Gent", "Aanvragen")] == (Decimal("12"), "count")


def test_an_xls_keeps_the_unit_of_its_number_format(soffice, tmp_path):
    source = tmp_path / "priced.xlsx"
    source.write_bytes(_priced_workbook())
    data = _converted(soffice, source, "xls", tmp_path)
    assert _units(data)[("Totaal", "Vastgelegd")] == (Decimal("2050.5"), "EUR")
