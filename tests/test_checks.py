"""Checks tie an answer's values to an annex by any wording: the annex's label, its title or
its call year, and read each value by what its unit and labels say it counts."""

from __future__ import annotations

from decimal import Decimal

from vpetl.extractors.checks import annex_vs_answer_table, check_question
from vpetl.extractors.records import AnnexLink, Beneficiary, BeneficiaryList, Cell, DocumentExtraction
from vpetl.extractors.tables import label_grid


def table(rows: list[list[str]]):
    cells = [Cell(row=r, col=c, text=text, page=1, bbox=(0, 0, 1, 1)) for r, row in enumerate(rows)
             for c, text in enumerate(row) if text]
    return label_grid(cells, len(rows), len(rows[0]), 0, "ruled", 1, (0, 0, 1, 1))


def grants(n: int, each: str, sessions: int | None = None, year: int | None = 2023) -> BeneficiaryList:
    rows = [Beneficiary(row=i, name=f"Vereniging {i}", normalised_name=f"Vereniging {i}", kind="organisation",
                        page=1, bbox=None, sessions=sessions, amount_eur=Decimal(each)) for i in range(n)]
    return BeneficiaryList(table_index=0, call_year=year, rows=rows)


def test_a_column_that_names_the_annex_with_other_wording():
    answer = table([["", "Vorming", "Sport"], ["Gehonoreerde dossiers", "3", "2"],
                    ["Uitgekeerde steun (euro)", "1.500,00", "900,00"], ["Lijst", "zie bijlage 2", "zie bijlage 3"]])
    checks = annex_vs_answer_table("Bijlage 2", grants(3, "500.00"), [answer])
    assert [(v.subject.split()[-1], v.expected, v.status) for v in checks] == [
        ("beneficiaries", "3", "pass"), ("amount_eur", "1500.00", "pass")]
    assert checks[0].rule == "names 'Bijlage 2'; labelled 'Gehonoreerd'"
    assert checks[1].rule == "names 'Bijlage 2'; unit EUR"
    (wrong,) = [v for v in annex_vs_answer_table("Bijlage 3", grants(2, "500.00"), [answer]) if v.status == "fail"]
    assert (wrong.expected, wrong.actual) == ("900.00", "1000.00") and "the answer's table gives 900.00" in wrong.detail


def test_a_row_named_by_the_annex_title_and_one_headed_by_the_call_year():
    answer = table([["Oproep", "Toegekende projecten", "Bedrag"],
                    ["Jeugdwerk in de stad 2022", "4", "8.000,00"], ["2023", "2", "3.000,00"]])
    link = [AnnexLink("Bijlage 1", "Lijst jeugdwerk in de stad 2022", "u", None, None, "text"),
            AnnexLink("Bijlage 2", "Begunstigden", "v", None, None, "text")]
    result = DocumentExtraction("vpetl.answer", "x", 1, tables=[answer], annexes=link)
    first = DocumentExtraction("vpetl.annex", "x", 1, beneficiary_lists=[grants(4, "2000.00", year=2022)])
    second = DocumentExtraction("vpetl.annex", "x", 1, beneficiary_lists=[grants(2, "1500.00", year=2023)])
    checks = [v for v in check_question(result, [("Bijlage 1", first), ("Bijlage 2", second)])
              if v.check == "annex_vs_answer_table"]
    assert [(v.subject.split()[0:2], v.status) for v in checks] == [
        (["Bijlage", "1"], "pass"), (["Bijlage", "1"], "pass"), (["Bijlage", "2"], "pass"), (["Bijlage", "2"], "pass")]
    assert checks[0].rule.startswith("names the annex's title 'Lijst jeugdwerk in de stad 2022'")
    assert checks[2].rule.startswith("is headed by the list's call year 2023")


def test_applications_are_not_beneficiaries():
    answer = table([["", "Bijlage 1"], ["Aantal aanvragen", "12"], ["Aantal sessies", "30"]])
    checks = annex_vs_answer_table("Bijlage 1", grants(7, "10.00", sessions=5), [answer])
    assert [(v.subject.split()[-1], v.status) for v in checks] == [("sessions", "fail")]  # 30 printed, 35 listed
