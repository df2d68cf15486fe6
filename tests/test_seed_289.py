"""Question 289 of 2019-2020, reproduced from the real answer: every fact exact."""

from datetime import date
from decimal import Decimal

import pytest

from vpetl.extractors import extract_annex, extract_answer
from vpetl.extractors.checks import annex_total, annex_vs_answer_table

from .conftest import pdf

ANSWER, ANNEX_2018, ANNEX_2019 = 1402290, 1402518, 1402519
PUBLISHED = date(2020, 2, 21)


@pytest.fixture(scope="module")
def answer():
    return extract_answer(pdf(ANSWER))


@pytest.fixture(scope="module")
def annexes():
    return [extract_annex(pdf(ANNEX_2018), PUBLISHED), extract_annex(pdf(ANNEX_2019), PUBLISHED)]


def test_header(answer):
    h = answer.header
    assert (h.number, h.date_asked, h.session_year) == (289, date(2020, 1, 23), "2019-2020")
    assert (h.asker, h.minister) == ("Maurits Vande Reyde", "Hilde Crevits")
    assert h.title == "Programma ‘Het internet. Ook uw zaak’ - Organisatie infosessies"
    assert h.minister_title.startswith("VICEMINISTER-PRESIDENT VAN DE VLAAMSE REGERING")


def test_numbered_questions_and_answers(answer):
    assert [q.number for q in answer.questions] == ["1", "2", "2.a", "2.b", "2.c", "2.d", "3", "4"]
    assert answer.questions[0].text == "Hoeveel oproepen werden inmiddels georganiseerd?"
    assert [a.number for a in answer.answers] == ["1", "2", "3", "4"]
    assert "7.183 ondernemers bereikt" in answer.answers[2].text
    assert answer.answers[0].text.startswith("Fase 1 van “Het Internet. Ook uw zaak” was een Efro-project")


def test_table_cells(answer):
    (table,) = answer.tables
    assert (table.n_rows, table.n_cols, table.page) == (6, 3, 2)
    cells = {(c.row_label, c.column_label): c for c in table.cells if not c.is_header and c.col > 0}
    assert cells[("Aantal aanvragen", "2018")].value == Decimal("38")
    assert cells[("Aantal goedgekeurd", "2019")].value == Decimal("56")
    budget = cells[("Totaal toegekend budget", "2018")]
    assert (budget.text, budget.value, budget.unit) == ("198.707,50€", Decimal("198707.50"), "EUR")
    assert cells[("Totaal toegekend budget", "2019")].value == Decimal("244965.00")
    sessions = cells[("Aantal sessies", "2019")]
    assert (sessions.text, sessions.value) == ("100 (*)", Decimal("100"))
    assert [(f.marker, f.text) for f in sessions.footnotes] == [("*", "cijfer 2019 nog niet definitief")]
    assert cells[("Begunstigden", "2019")].text == "Bijlage 2"
    x0, top, x1, bottom = budget.bbox
    assert 0 < x0 < x1 < 595 and 0 < top < bottom < 842


def test_annex_links(answer):
    assert [(a.label, a.title, a.url) for a in answer.annexes] == [
        ("Bijlage 1", "Begunstigden oproep 2018", "http://www.vlaamsparlement.be/link?id=9681"),
        ("Bijlage 2", "Begunstigden oproep 2019", "http://www.vlaamsparlement.be/link?id=9682")]


def test_beneficiary_lists(annexes):
    lists = [a.beneficiary_lists[0] for a in annexes]
    assert [(b.call_year, len(b.rows), b.total_sessions, b.total_amount_eur) for b in lists] == [
        (2018, 38, 89, Decimal("198707.50")), (2019, 56, 100, Decimal("244965.00"))]
    for blist in lists:
        assert sum(b.sessions for b in blist.rows) == blist.total_sessions
        assert sum(b.amount_eur for b in blist.rows) == blist.total_amount_eur
    # the 2019 list runs over two pages; its repeated header is not a beneficiary
    assert {b.page for b in lists[1].rows} == {1, 2}
    assert all(b.name not in ("Aanvrager", "Totaal") for b in lists[1].rows)
    by_name = {b.name: b for blist in lists for b in blist.rows}
    knesselare = by_name["Gemeente Knesselare"]
    assert (knesselare.kind, knesselare.nis_code_at_time, knesselare.nis_code) == ("municipality", "44084", "44084")
    borsbeek = by_name["Gemeente Borsbeek"]
    assert (borsbeek.normalised_name, borsbeek.nis_code_at_time, borsbeek.nis_code) == ("Borsbeek", "11007", "11002")
    unizo = by_name["Unizo Limburg"]
    assert (unizo.kind, unizo.nis_code, unizo.municipality) == ("organisation", None, "Hasselt")


def test_checks_against_total_row_and_answer_table(answer, annexes):
    results = []
    for label, annex in zip(("Bijlage 1", "Bijlage 2"), annexes):
        blist = annex.beneficiary_lists[0]
        results += annex_total(label, blist) + annex_vs_answer_table(label, blist, answer.tables)
    assert [v.status for v in results] == ["pass"] * 10
    expected = {(v.subject.split()[-1], v.expected) for v in results if v.check == "annex_vs_answer_table"}
    assert expected == {("beneficiaries", "38"), ("sessions", "89"), ("amount_eur", "198707.50"),
                        ("beneficiaries", "56"), ("sessions", "100"), ("amount_eur", "244965.00")}


def test_a_mismatch_is_a_failed_check_not_an_error(annexes):
    blist = annexes[0].beneficiary_lists[0]
    blist.rows[0].amount_eur += Decimal("0.01")
    try:
        (sessions, amount) = annex_total("Bijlage 1", blist)
        assert sessions.status == "pass" and amount.status == "fail"
        assert amount.expected == "198707.50" and amount.actual == "198707.51"
    finally:
        blist.rows[0].amount_eur -= Decimal("0.01")


def test_every_annex_row_exact_to_the_cent(annexes):
    """Against the lists the fixture PDFs were made from (fixtures/content.py): name, sessions
    and amount of every row, in order."""
    from vpetl.fixtures import content

    q289 = next(q for q in content.questions() if q["number"] == 289)
    for annex, link in zip(annexes, (9681, 9682), strict=True):
        spec = q289["annex_docs"][link]["table"]
        name_col, sessions_col, amount_col = (0, 1, 2) if link == 9681 else (1, 3, 4)
        expected = [(r[name_col], int(r[sessions_col]), Decimal(r[amount_col].replace("€", "").replace(".", "")
                                                                .replace(",", ".").strip())) for r in spec["rows"]]
        got = [(b.name, b.sessions, b.amount_eur) for b in annex.beneficiary_lists[0].rows]
        assert got == expected
