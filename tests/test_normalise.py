from datetime import date
from decimal import Decimal

import pytest

from vpetl.extractors.dates import parse_dutch_date, session_year
from vpetl.extractors.municipalities import resolve
from vpetl.extractors.names import organisation_name, person_name
from vpetl.extractors.numbers import parse_number, split_markers


@pytest.mark.parametrize("text, value, unit, markers", [
    ("198.707,50€", Decimal("198707.50"), "EUR", ()),
    ("244.965,00 €", Decimal("244965.00"), "EUR", ()),
    ("€ 2.100,50", Decimal("2100.50"), "EUR", ()),
    ("100 (*)", Decimal("100"), None, ("*",)),
    ("8.125.500,00 € (2)", Decimal("8125500.00"), "EUR", ("2",)),
    ("7.183", Decimal("7183"), None, ()),
    ("12,5%", Decimal("12.5"), "percent", ()),
    ("2015-2016", None, None, ()),
    ("Bijlage 1", None, None, ()),
])
def test_belgian_numbers(text, value, unit, markers):
    parsed = parse_number(text)
    assert (parsed.value, parsed.unit, parsed.markers) == (value, unit, markers)


def test_marker_split_keeps_value_text():
    assert split_markers("100 (*)") == ("100", ("*",))
    assert split_markers("(*)") == ("(*)", ())  # a marker alone is not a value with a marker


def test_dutch_dates_and_session_years():
    assert parse_dutch_date("op vraag nr. 289 van 23 januari 2020") == date(2020, 1, 23)
    assert parse_dutch_date("01/02/2020") == date(2020, 2, 1)
    assert parse_dutch_date("geen datum") is None
    assert session_year(date(2020, 1, 23)) == "2019-2020"
    # 2019: fourth Monday of September is the 23rd
    assert session_year(date(2019, 9, 22)) == "2018-2019"
    assert session_year(date(2019, 9, 23)) == "2019-2020"


def test_person_names():
    assert person_name("MAURITS VANDE REYDE") == "Maurits Vande Reyde"
    assert person_name("JEAN-MARIE DE DECKER") == "Jean-Marie De Decker"
    assert person_name("KATHLEEN VAN DEN BOSSCHE") == "Kathleen Van den Bossche"
    assert person_name("Hilde Crevits") == "Hilde Crevits"


def test_organisation_names():
    assert organisation_name("Voka – Kamer van  Koophandel Limburg VZW") == "Voka - Kamer van Koophandel Limburg vzw"


@pytest.mark.parametrize("name, on, at_time, now", [
    ("Stad Gent", date(2020, 3, 1), "44021", "44021"),
    ("Gemeente Knesselare", date(2020, 3, 1), "44084", "44084"),  # merged into Aalter in 2019
    ("Gemeente Knesselare", date(2018, 6, 1), "44029", "44084"),
    ("Gemeente Borsbeek", date(2020, 3, 1), "11007", "11002"),  # joined Antwerpen in 2025
    ("Ham", date(2020, 3, 1), "71069", "71071"),
    ("Tessenderlo-Ham", date(2026, 1, 1), "71071", "71071"),
])
def test_municipalities_across_mergers(name, on, at_time, now):
    match = resolve(name, on)
    assert (match.nis_code_at_time, match.nis_code) == (at_time, now)


def test_organisation_is_not_a_municipality():
    assert resolve("Unizo Limburg", date(2020, 1, 1)) is None
