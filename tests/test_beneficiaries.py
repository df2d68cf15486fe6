"""Beneficiary lists read by their structure: column roles by content, granted beside requested,
group rows and subtotals, names as printed and as meant, lists in an answer's tables."""

from datetime import date
from decimal import Decimal

import pytest

from vpetl.extractors.beneficiaries import read_list
from vpetl.extractors.checks import annex_total
from vpetl.extractors.municipalities import classify
from vpetl.extractors.records import Cell, Table
from vpetl.extractors.tables.labels import TOTAL_LABEL

ON = date(2024, 6, 1)


def table(header: list[str] | None, rows: list[list[str]], sheet: str | None = None) -> Table:
    """A table as a reader gives it: header row 0 (when there is one), total rows by label."""
    grid = ([header] if header else []) + rows
    cells = [Cell(r, c, text, None, None, is_header=header is not None and r == 0, sheet=sheet)
             for r, row in enumerate(grid) for c, text in enumerate(row) if text]
    totals = [r for r, row in enumerate(grid) if r > 0 and TOTAL_LABEL.match(row[0])]
    return Table(0, None, None, "ruled", 1.0, len(grid), len(grid[0]), cells, header_rows=1 if header else 0,
                 total_rows=totals)


def test_an_unknown_name_header_names_the_grantee_not_the_municipality():
    blist = read_list(table(["Snoeterik", "Gemeente", "Bedrag"], [
        ["Dierenasiel De Snoet", "Aalst", "1.200,00"], ["Sportclub Vlamwind", "Lier", "800,50"],
        ["Harmonie Klaroen", "Gent", "2.000,00"]]), ON, None)
    assert blist is not None
    assert [b.name for b in blist.rows] == ["Dierenasiel De Snoet", "Sportclub Vlamwind", "Harmonie Klaroen"]
    first = blist.rows[0]
    assert (first.kind, first.municipality, first.nis_code) == ("organisation", "Aalst", None)
    assert first.amount_eur == Decimal("1200.00")


def test_a_list_of_municipalities_alone_names_them_as_grantees():
    blist = read_list(table(["Klaproos", "Toelage"], [
        ["St.-Niklaas", "1.000,00"], ["SINT-TRUIDEN", "2.000,00"], ["Brugge (stad)", "3.000,00"]]), ON, None)
    assert [(b.kind, b.normalised_name, b.nis_code) for b in blist.rows] == [
        ("municipality", "Sint-Niklaas", "46021"), ("municipality", "Sint-Truiden", "71053"),
        ("municipality", "Brugge", "31005")]


def test_the_granted_amount_is_the_grantees_and_the_total_check_says_so():
    blist = read_list(table(["Vereniging", "Gemeente", "Aangevraagd bedrag", "Toegekend bedrag"], [
        ["Jeugdhuis Kwak", "Aalst", "5.000,00", "4.000,00"], ["Buurthuis Plons", "Lier", "3.000,00", "1.500,00"],
        ["Totaal", "", "8.000,00", "5.500,00"]]), ON, None)
    assert [(b.amount_eur, b.requested_amount_eur) for b in blist.rows] == [
        (Decimal("4000.00"), Decimal("5000.00")), (Decimal("1500.00"), Decimal("3000.00"))]
    assert blist.amount_column == "Toegekend bedrag"
    (check,) = annex_total("Bijlage 1", blist)
    assert (check.status, check.expected) == ("pass", "5500.00")
    assert "Toegekend bedrag" in check.detail


def test_without_words_the_larger_money_column_is_the_requested_one():
    blist = read_list(table(["Trolk", "Gemeente", "Bruimel", "Slaaf"], [
        ["Toneelkring Zwam", "Aalst", "5.000,00", "4.000,00"], ["Harmonie Bel", "Lier", "3.000,00", "3.000,00"],
        ["Buurthuis Wip", "Gent", "9.000,00", "2.500,00"]]), ON, None)
    assert [b.amount_eur for b in blist.rows] == [Decimal("4000.00"), Decimal("3000.00"), Decimal("2500.00")]
    assert blist.rows[0].requested_amount_eur == Decimal("5000.00")


def test_group_rows_subtotals_and_the_total_are_structure():
    blist = read_list(table(["Vereniging", "Gemeente", "Subsidie"], [
        ["Antwerpen", "", ""],
        ["Jeugdhuis Kwak", "Lier", "1.000,00"], ["Sportclub Vlam", "Mol", "2.000,00"],
        ["Subtotaal Antwerpen", "", "3.000,00"],
        ["Limburg", "", ""],
        ["Harmonie Bel", "Genk", "500,00"], ["Buurthuis Wip", "Hasselt", "250,00"],
        ["Limburg", "", "750,00"],  # a subtotal by arithmetic only: its label is the group's
        ["Totaal Vlaanderen", "", "3.750,00"]]), ON, None)
    assert [b.name for b in blist.rows] == ["Jeugdhuis Kwak", "Sportclub Vlam", "Harmonie Bel", "Buurthuis Wip"]
    assert [b.group for b in blist.rows] == ["Antwerpen", "Antwerpen", "Limburg", "Limburg"]
    assert [(s.group, s.amount_eur, s.rows_sum_eur, s.by) for s in blist.subtotals] == [
        ("Antwerpen", Decimal("3000.00"), Decimal("3000.00"), "label"),
        ("Limburg", Decimal("750.00"), Decimal("750.00"), "arithmetic")]
    assert blist.total_amount_eur == Decimal("3750.00")
    checks = annex_total("Bijlage 1", blist)
    assert [(c.check, c.status) for c in checks] == [("annex_total", "pass"), ("annex_subtotal", "pass"),
                                                     ("annex_subtotal", "pass")]


def test_a_wrong_subtotal_fails_its_check():
    blist = read_list(table(["Vereniging", "Gemeente", "Subsidie"], [
        ["Jeugdhuis Kwak", "Lier", "1.000,00"], ["Sportclub Vlam", "Mol", "2.000,00"],
        ["Subtotaal Antwerpen", "", "3.100,00"]]), ON, None)
    (sub,) = [c for c in annex_total("Bijlage 1", blist) if c.check == "annex_subtotal"]
    assert (sub.status, sub.expected, sub.actual) == ("fail", "3100.00", "3000.00")
    assert [b.group for b in blist.rows] == ["Antwerpen", "Antwerpen"]


def test_a_grantee_equal_to_the_sum_above_it_stays_a_grantee_when_it_has_a_place():
    blist = read_list(table(["Vereniging", "Gemeente", "Subsidie"], [
        ["Jeugdhuis Kwak", "Lier", "1.000,00"], ["Sportclub Vlam", "Mol", "1.000,00"],
        ["Harmonie Bel", "Genk", "2.000,00"]]), ON, None)
    assert len(blist.rows) == 3 and not blist.subtotals


@pytest.mark.parametrize(("name", "kind", "code"), [
    ("OCMW Gent", "ocmw", "44021"), ("AGB Lokeren", "agb", "46029"),
    ("Autonoom Gemeentebedrijf Lokeren", "agb", "46029"),
    ("District Deurne", "district", "11002"), ("Borgerhout", "district", "11002"),
    ("Provincie Limburg", "province", None), ("West-Vlaanderen", "province", None),
    ("Stad Gent", "municipality", "44021"), ("Gemeente Borsbeek", "municipality", "11002"),
    ("Sint Niklaas", "municipality", "46021"), ("Jeugdhuis Kwak vzw", "organisation", None)])
def test_names_as_meant(name, kind, code):
    got_kind, match = classify(name, ON)
    assert (got_kind, match.nis_code if match else None) == (kind, code)


def test_a_body_of_a_municipality_in_a_list_gets_its_code():
    blist = read_list(table(["Begunstigde", "Gemeente", "Bedrag"], [
        ["OCMW Gent", "Gent", "1.000,00"], ["AGB Lokeren", "Lokeren", "2.000,00"],
        ["Provincie Limburg", "Hasselt", "3.000,00"]]), date(2020, 1, 1), None)
    assert [(b.kind, b.nis_code_at_time, b.nis_code) for b in blist.rows] == [
        ("ocmw", "44021", "44021"), ("agb", "46014", "46029"), ("province", None, None)]


def test_in_an_answer_only_a_table_of_places_and_money_is_a_list():
    places = table(["Aanvrager", "Gemeente", "Bedrag"], [
        ["Sportclub Vlam", "Aalst", "1.000,00"], ["Jeugdhuis Kwak", "Lier", "2.000,00"],
        ["Harmonie Bel", "Gent", "3.000,00"]])
    provinces = table(["Provincie", "Bedrag"], [
        ["Antwerpen", "1.000,00"], ["Limburg", "2.000,00"], ["Oost-Vlaanderen", "3.000,00"]])
    blist = read_list(places, ON, None, in_answer=True)
    assert blist is not None and blist.in_answer and len(blist.rows) == 3
    assert read_list(provinces, ON, None, in_answer=True) is None


def test_a_workbooks_sheets_are_checked_each_under_its_own_name():
    lists = [read_list(table(["Vereniging", "Gemeente", "Bedrag"], [
        ["Sportclub Vlam", "Aalst", "1.000,00"], ["Jeugdhuis Kwak", "Lier", "2.000,00"],
        ["Totaal", "", "3.000,00"]], sheet=sheet), ON, None) for sheet in ("Oproep 2021", "Oproep 2022")]
    subjects = [c.subject for blist in lists for c in annex_total("Bijlage 1", blist)]
    assert subjects == ["Bijlage 1 sheet 'Oproep 2021' amount_eur", "Bijlage 1 sheet 'Oproep 2022' amount_eur"]
