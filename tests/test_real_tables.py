"""Tables of real parliamentary PDFs, every value read off the page by a person.

The PDFs are in ../shared/corpus/real (not in this repository); each expected row below was
typed from the rendered page, not from the extractor's output."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest

from .conftest import real_pdf_tables

REKENHOF = "rekenhof-aanpassing-vlaamse-begroting-2026.pdf"
SERV = "vp-12-2025-2026-nr1-serv-evaluatie-begroting-2026.pdf"
pytestmark = pytest.mark.shared


@cache
def tables(name: str):
    return real_pdf_tables(name)  # extracted once per run; test_tables.py reads the same


def table(name: str, caption: str):
    return next(t for t in tables(name) if t.caption and t.caption.startswith(caption))


def rows(t) -> list[list[str | None]]:
    return [row for row in t.grid()]


def test_rekenhof_tabel_1_parameters_page_7():
    t = table(REKENHOF, "Tabel 1 – Parameters economische begroting")
    assert t.pages == [7]
    assert rows(t) == [
        [None, "Economische groei", "Inflatie", "Gezondheidsindex"],
        ["Vermoedelijke realisatie 2025 (EB 09/2025)", "1,2", "2,4", "2,6"],
        ["Definitieve realisatie 2025", "1,0", "2,5", "2,6"],
        ["Initiële begroting 2026 (EB 09/2025)", "1,1", "1,4", "1,5"],
        ["Aangepaste begroting 2026 (EB 02/2026)", "1,1", "1,9", "2,1"],
        ["Ramingen FPB 06/2026", "0,7", "3,4", "3,2"]]
    cell = next(c for c in t.cells if c.row_label == "Ramingen FPB 06/2026" and c.column_label == "Inflatie")
    assert (cell.value, cell.unit) == (Decimal("3.4"), "percent")  # "(in %)" in the caption


def test_rekenhof_tabel_6_repowereu_page_15():
    t = table(REKENHOF, "Tabel 6 – REPowerEU project")
    assert rows(t)[0] == ["Project", "Totaal budget initieel", "Totaal budget aangepast",
                          "Vereffeningen tot eind 2025", "Nog te vereffenen in 2026"]
    assert rows(t)[1:] == [
        ["Mijn VerbouwPremie", "51,0", "51,0", "51,0", "-"],
        ["Energetische investeringen in overheidsgebouwen", "25,5", "24,1", "11,3", "12,8"],
        ["Energetische renovatie investeringen scholen GO!", "25,5", "25,5", "2,2", "23,3"],
        ["Energetische investeringen in zorginfrastructuur (VIPA)", "24,0", "24,0", "4,8", "19,2"],
        ["Oproep innovatieve productie-initiatieven hernieuwbare energie (VLAIO)", "19,0", "10,8", "2,4", "8,4"],
        ["Oproep klimaatmaatregelen in de landbouw", "5,0", "5,0", "0,4", "4,6"],
        ["Energetische renovatie VRT-gebouw", "10,2", "3,2", "3,0", "0,2"],
        ["Verledding openbare verlichting", "37,7", "37,7", "27,2", "10,5"],
        ["Renovatie- en Energiemaatregelen Agentschap Wegen en Verkeer", "10,2", "10,2", "4,5", "5,7"],
        ["Totaal", "208,1", "191,5", "106,8", "84,7"]]
    assert t.total_rows == [t.n_rows - 1]
    total = next(c for c in t.cells if c.row_label == "Totaal" and c.column_label == "Totaal budget initieel")
    assert (total.value, total.unit) == (Decimal("208.1"), "EUR million")  # "(in miljoen euro)"
    column = [c.value for c in t.cells if c.column_label == "Totaal budget initieel" and c.row_label != "Totaal"
              and c.value is not None]
    assert sum(column) == Decimal("208.1")


def test_rekenhof_tabel_8_header_grid_over_open_body_page_19():
    t = table(REKENHOF, "Tabel 8 – Overzicht geconsolideerde ESR-beleidskredieten")
    body = [row for row in rows(t) if row[0] and row[0] != "Beleidsdomein"]
    assert body == [
        ["Financiën en Begroting", "571,0", "4.654,8"], ["Onderwijs en Vorming", "75,8", "20.245,2"],
        ["Welzijn, Volksgezondheid en Gezin", "-", "18.096,3"], ["Cultuur, Jeugd, Sport en Media", "78,1", "1.697,8"],
        ["Mobiliteit en Openbare Werken", "527,8", "7.345,0"], ["Omgeving", "149,8", "3.212,0"],
        ["Kanselarij, Bestuur, Buitenlandse Zaken en Justitie", "6,0", "6.293,0"],
        ["Werk, Economie, Wetenschap, Innovatie, Landbouw en Sociale Economie", "6,8", "6.069,9"],
        ["Hogere entiteiten", "-", "175,0"], ["Totaal kredieten⁴⁹", "1.415,3", "67.788,9"]]
    total = next(c for c in t.cells if c.row_label == "Totaal kredieten" and c.col == 2)  # the mark is no part of it
    assert total.value == Decimal("67788.9")
    (label,) = [c for c in t.cells if c.text == "Totaal kredieten⁴⁹"]
    assert [(f.marker, f.text) for f in label.footnotes] == [
        ("49", "De overdracht omvat 126,9 miljoen euro aan ESR 8 kredieten.")]  # from the foot of page 19
    omgeving = next(c for c in t.cells if c.row_label == "Omgeving" and c.col == 2)
    assert omgeving.column_label.startswith("Vastleggingskredieten")
    assert omgeving.value == Decimal("3212.0")


def test_serv_tabel_1_continues_on_the_next_page_pages_11_12():
    t = table(SERV, "Tabel 1: België, recente ramingen voor groeicijfers")
    assert t.pages == [11, 12]
    assert rows(t) == [
        ["Economische groei (bbp)", "2025", "2026", "2027", "2028", "2029", "2030"],
        ["FPB (sep 2025, jun 2025)", "1,2%", "1,1%", "0,9%", "1,2%", "1,4%", "1,4%"],
        ["IMF, okt 2025", "1,1%", "1,0%", "1,3%", "1,2%", "1,3%", "1,3%"],
        ["EC, nov 2025", "1,0%", "1,1%", "1,3%", None, None, None],
        ["OESO, dec 2025", "1,1%", "1,1%", "1,2%", None, None, None],
        ["KBC, dec 2025", "1,0%", "1,1%", None, None, None, None],
        ["NBB, dec 2025", "1,1%", "1,0%", "1,0%", "1,2%", None, None],
        ["KBC, jan 2026", "1,0%", "1,1%", "1,3%", None, None, None]]
    nbb = next(c for c in t.cells if c.row_label == "NBB, dec 2025" and c.column_label == "2028")
    assert (nbb.value, nbb.unit, nbb.page) == (Decimal("1.2"), "percent", 12)


def test_serv_tabel_5_vorderingensaldo_page_23():
    t = table(SERV, "Tabel 5: Vlaamse begroting, SERV-raming vorderingensaldo")
    assert rows(t) == [
        ["SERV-raming saldo", "SERV 2026", "SERV 2027", "SERV 2028", "SERV 2029", "SERV 2030"],
        ["ESR Uitgaven (1)", "66.092.416", "67.154.733", "69.233.051", "71.727.556", "73.321.956"],
        ["ESR Ontvangsten (2)", "61.688.870", "63.724.121", "65.494.214", "67.463.979", "68.790.094"],
        ["Saldo voor onderbenutting en ESR-correcties (3)=(2)-(1)", "-4.403.547", "-3.430.612", "-3.738.837",
         "-4.263.576", "-4.531.862"],
        ["Onderbenutting [+] (4)", "1.760.826", "1.750.766", "1.814.006", "1.897.497", "1.926.170"],
        ["ESR-correcties [+] (5)", "-177.500", "0", "-100.000", "0", "0"]]
    saldo = next(c for c in t.cells if (c.row_label or "").startswith("Saldo") and c.column_label == "SERV 2026")
    assert saldo.value == Decimal("-4403547")


def cell(name: str, page: int, text: str):
    return next(c for t in tables(name) for c in t.cells if c.page == page and c.text == text)


def test_rekenhof_footnote_marks_before_values_are_not_digits_page_34():
    """'Toename Maastrichtschuld' prints a 6 pt raised 76 before the 9 pt 5.356,1: the value is
    5.356,1 with footnote 76, never 765.356,1."""
    first, second = cell(REKENHOF, 34, "⁷⁶5.356,1"), cell(REKENHOF, 34, "⁷⁷6.799,1")
    assert (first.value, first.row_label) == (Decimal("5356.1"), "Toename Maastrichtschuld")
    assert second.value == Decimal("6799.1")
    assert [(f.marker, f.text) for f in first.footnotes] == [("76", "Ten opzichte van de begrotingsaanpassing 2025.")]
    assert [(f.marker, f.text) for f in second.footnotes] == [("77", "Ten opzichte van de realisaties 2025.")]
    change = cell(REKENHOF, 34, "+1.443,1")
    assert change.value == Decimal("1443.1") and not change.footnotes


def test_rekenhof_footnote_marks_on_labels_and_headers_pages_16_20():
    label = cell(REKENHOF, 20, "Geraamd eindsaldo 2025⁵⁵")
    assert [f.marker for f in label.footnotes] == ["55"]
    row = [c.value for t in tables(REKENHOF) for c in t.cells
           if c.page == 20 and c.row_label == "Geraamd eindsaldo 2025" and c.value is not None]
    assert row == [Decimal(v) for v in ("213.8", "32.6", "309.6", "101.9", "265.9", "923.8")]
    fonds = {c.column_label for t in tables(REKENHOF) for c in t.cells if c.page == 20 and c.value is not None}
    assert "Fonds Wedden en Toelagen Onderwijs" in fonds  # its header's raised 54 kept apart
    budget = cell(REKENHOF, 16, "Totaal budget³⁹")
    assert [(f.marker, f.text) for f in budget.footnotes] == [
        ("39", "Beslissing Vlaamse Regering van 19 december 2025.")]
    headers = {c.column_label for t in tables(REKENHOF) for c in t.cells if c.page == 16 and c.column_label}
    assert "Totaal budget" in headers and not any("39" in h for h in headers)


def test_rekenhof_tabel_5_body_under_a_drawn_header_page_13():
    """Only the header is drawn as cells; the values under it were lost. The group header
    'Europese steun' heads both columns under it."""
    t = table(REKENHOF, "Tabel 5 – Uitvoering van relance")
    body = [row for row in rows(t) if row[0]]
    assert body == [["Effectieve uitvoering t.e.m. 2025", "3.555,6", "1.605,3", "1.147,4"],
                    ["Initiële begroting 2026", "436,3", "163,4", "774,5"],
                    ["Aangepaste begroting 2026", "800,1", "324,9²⁵", "782,1"]]
    kas = next(c for c in t.cells if c.row_label == "Aangepaste begroting 2026" and c.col == 3)
    assert (kas.value, kas.column_label) == (Decimal("782.1"), "Europese steun Op kasbasis")


def test_rekenhof_tabel_11_two_columns_are_two_page_28():
    t = next(t for t in tables(REKENHOF) if t.pages == [28])
    body = [row for row in rows(t) if row[0]]
    assert body == [["Historische onderbenutting", "1.155,7", "899,1", "-256,6"],
                    ["Onderbenutting nieuw beleid", "48,3", "48,3", "-"],
                    ["Bewarende maatregel begrotingsuitvoering", "230,0", "190,0", "-40,0"],
                    ["Algemene onderbenutting", "1.434,0", "1.137,4", "-296,6"],
                    ["Hogescholen en Universiteiten", "326,8", "323,6", "-3,2"],
                    ["Totale onderbenutting", "1.760,8", "1.461,0", "-299,8"]]


def test_rekenhof_tabel_19_is_one_table_with_every_row_page_44():
    (t,) = [t for t in tables(REKENHOF) if 44 in t.pages]
    body = rows(t)[1:]
    assert [row[0] for row in body] == [
        "A1. Bestaande woongelegenheden 31/12/2025", "inzetten sterkere controles indicatiestelling",
        "A2. Aangroei woongelegenheden, Woonzorgcentra en Centra voor kortverblijf 2026",
        "A. Basistegemoetkoming voor zorg WZC/CVK", "B1. Bestaande woongelegenheden 31/12/2025",
        "B2. Aangroei woongelegenheden, Woonzorgcentra en Centra voor kortverblijf 2026",
        "B. Tegemoetkoming incontinentiemateriaal", "C. Projecten jongdementie", "D. Oriënterend kortverblijf",
        "E. Aanvullende Financiering", "F. BBT/BBK & CVD⁹⁹", "Totaal"]
    assert body[5][1:] == ["0,1", "0,1", "0,1"] and body[-1][1:] == ["2.765,6", "2.737,7", "2.773,6"]
    cut = next(c for c in t.cells if c.row_label == "inzetten sterkere controles indicatiestelling" and c.col == 1)
    assert cut.value == Decimal("-8.0")  # printed '- 8,0'
    assert t.total_rows == [len(body)]


def test_rekenhof_tabel_20_rows_without_a_rule_between_page_49():
    t = table(REKENHOF, "Tabel 20 – Evolutie overkappingsruiter")
    assert rows(t)[1:3] == [
        ["Spijzigingen volgens tempo 2020-2025", None, "55,0", "55,0", "55,0", "55,0", "55,0", None],
        ["Geraamde aanwendingen voor onderbouw door Lantis 2026-2030", None, "1,0", "7,0", "49,0", "148,0",
         "164,0", "257,0"]]
    assert rows(t)[-1] == ["Saldo", None, None, None, None, None, "-53,4", None]


def test_tables_of_contents_are_not_tables():
    assert not [t for t in tables(SERV) if t.page == 4]  # 'Inhoud', titles and page numbers
    assert tables("vp-19-2025-2026-nr5-verslag-begrotingsaanpassing.pdf") == []


# ---- forty more cells, each read off the rendered page by a person -------------------------------

def value(t, row: str, column: str) -> Decimal | None:
    return next(c.value for c in t.cells if c.row_label == row and c.column_label == column)


@pytest.mark.parametrize("row, column, expected", [
    ("Kredietverlening aan bedrijven", "Initiële begroting 2026", "-856.1"),
    ("Kredietverlening aan bedrijven", "Delta", "51.3"),
    ("Kredietverlening aan bedrijven", "Aangepaste begroting 2026", "-804.8"),
    ("Deelnemingen in bedrijven", "Delta", "-1060.6"),
    ("Deelnemingen in bedrijven", "Aangepaste begroting 2026", "-1554.1"),
    ("Kredietverlening aan lokale besturen en andere institutionele groepen", "Initiële begroting 2026", "-386.4"),
    ("Kredietverlening aan lokale besturen en andere institutionele groepen", "Delta", "-3.2"),
    ("Kredietverlening / deelneming derden", "Aangepaste begroting 2026", "-3587.2"),
    ("Externe schuldfinanciering", "Initiële begroting 2026", "5495.1"),
    ("Externe schuldfinanciering", "Aangepaste begroting 2026", "6907.1"),
])
def test_rekenhof_tabel_12_page_29(row, column, expected):
    t = table(REKENHOF, "Tabel 12 – ESR 8/9 netto")
    assert value(t, row, column) == Decimal(expected)


def test_rekenhof_tabel_4_and_its_footnoted_total_page_13():
    t = table(REKENHOF, "Tabel 4 – Overzicht betalingsschijven")
    assert [value(t, r, "Bedrag") for r in ("Voorschot RRF", "Betaalaanvraag 3", "Betaalaanvraag 6")] == [
        Decimal("293.1"), Decimal("227.8"), Decimal("374.0")]
    (total,) = [c for c in t.cells if c.row_label == "Totaal" and c.column_label == "Bedrag"]
    assert (total.value, total.unit) == (Decimal("1929.5"), "EUR million")  # printed '²³1.929,5'
    assert [(f.marker, f.text) for f in total.footnotes] == [
        ("23", "1.721,6 miljoen euro RRF + 208,0 miljoen euro REPowerEU.")]


def test_rekenhof_tabel_16_every_row_of_words_page_37():
    t = table(REKENHOF, "Tabel 16 – Evolutie rating Vlaanderen")
    assert rows(t) == [["Datum", "Rating", "Outlook"], ["17/03/2023", "AA", "Negatief"],
                       ["09/06/2023", "AA", "Negatief"], ["07/06/2024", "AA", "Negatief"],
                       ["20/06/2025", "AA-", "Stabiel"], ["15/05/2026", "AA-", "Stabiel"]]  # the last was lost


@pytest.mark.parametrize("row, column, expected", [
    ("NBB, jun 2025", "2025", "2.6"), ("NBB, jun 2025", "2027", "1.9"), ("FPB, jun 2025", "2028", "1.8"),
    ("FPB, jun 2025", "2030", "1.7"), ("IMF, okt 2025", "2028", "2.0"), ("IMF, okt 2025", "2029", "1.9"),
    ("NBB, dec 2025", "2026", "2.2"), ("NBB, dec 2025", "2028", "2.3"),
])
def test_serv_tabel_3_inflation_in_percent_page_12(row, column, expected):
    t = table(SERV, "Tabel 3: België, inflatievooruitzichten")
    (cell,) = [c for c in t.cells if c.row_label == row and c.column_label == column]
    assert (cell.value, cell.unit) == (Decimal(expected), "percent")
    assert not [c for c in t.cells if c.row_label == "KBC, dec 2025" and c.column_label == "2027"]  # left blank


@pytest.mark.parametrize("row, column, expected", [
    ("Finale primaire uitgaven (concept HRF) van de Vlaamse Gemeenschap", "2025", "63047"),
    ("Finale primaire uitgaven (concept HRF) van de Vlaamse Gemeenschap", "2026", "62106"),
    ("EU-financiering", "2026", "570"),
    ("Discretionaire ontvangstenmaatregelen (DRM) (excl. one-off)", "2026", "535"),
    ("Netto-uitgaven (na DRM) van de Vlaamse Gemeenschap", "2026", "60761"),
    ("Evolutie netto-uitgaven van de Vlaamse Gemeenschap", "2026", "-2.1"),
    ("HRF sleutel 1", "2026", "2.10"),
    ("Verschil evolutie HRF", "2026", "-4.23"),
])
def test_serv_tabel_10_page_34(row, column, expected):
    t = table(SERV, "Tabel 10: Groei van de netto-uitgaven")
    assert value(t, row, column) == Decimal(expected)


def test_serv_tabel_10_a_mark_inside_a_label_page_34():
    t = table(SERV, "Tabel 10: Groei van de netto-uitgaven")
    (label,) = [c for c in t.cells if c.text == "HRF¹⁸ sleutel 1"]
    (note,) = label.footnotes
    assert note.marker == "18" and note.text.startswith("De HRF bouwt in zijn Advies van april 2025")
    assert note.text.endswith("(sleutel 3 = voorkeursleutel van de Afdeling in het Advies van juli 2024);")


def test_charts_are_not_tables_rekenhof_page_25():
    assert not [t for t in tables(REKENHOF) if 25 in t.pages]  # Figuur 4 and 5: bars and their labels
