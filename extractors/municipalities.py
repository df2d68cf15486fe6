"""Belgian municipalities to NIS codes, across the 2019 and 2025 mergers.

Data: `data/nis-crosswalk-2018-2019-2025.csv` (Statbel REFNIS via the project's shared
reference; see its README). A name printed in a document is resolved to the code that was
valid on the document's date and to the code valid now (after the 2025 mergers)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from .names import fold

# Words that name the local authority rather than the place: "Stad Gent" is Gent.
_AUTHORITY = re.compile(r"^(stad|gemeente|stadsbestuur|gemeentebestuur|lokaal bestuur|"
                        r"ville de|ville d|commune de|commune d)\s+", re.IGNORECASE)
# ... and after it, as lists print them: "Brugge (stad)", "Lier (gemeente)".
_AUTHORITY_AFTER = re.compile(r"\s*\((stad|gemeente)\)$|,\s*(stad|gemeente)$", re.IGNORECASE)
_SAINT = re.compile(r"^st\.?(?=[\s.-])[\s.-]*", re.IGNORECASE)  # "St.-Niklaas", "St Truiden" -> "Sint-..."
# Bodies of a municipality that keep their own kind and take its code (Dutch and the usual
# abbreviations), each as a prefix of the place's name: "OCMW Gent", "AGB Lokeren".
KINDS = [("ocmw", re.compile(r"^(ocmw|openbaar centrum voor maatschappelijk welzijn)[\s-]+(van\s+)?", re.IGNORECASE)),
         ("agb", re.compile(r"^(agb|autonoom gemeente(lijk)?\s*bedrijf)[\s-]+(van\s+)?", re.IGNORECASE)),
         ("district", re.compile(r"^(district|districtsbestuur)[\s-]+(van\s+)?", re.IGNORECASE))]
# Antwerp's districts (since 2001) are no municipalities: their grants are Antwerpen's.
DISTRICTS = {"antwerpen", "berchem", "berendrecht zandvliet lillo", "borgerhout", "deurne", "ekeren", "hoboken",
             "merksem", "wilrijk"}
ANTWERPEN = "Antwerpen"
PROVINCES = {"antwerpen", "limburg", "oost vlaanderen", "west vlaanderen", "vlaams brabant"}
_PROVINCE = re.compile(r"^(provincie|provinciebestuur|provinciaal bestuur)\s+(van\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Municipality:
    name: str
    nis_code_at_time: str | None
    nis_code: str | None


@dataclass(frozen=True)
class _Row:
    nis: str
    name: str
    valid: dict[str, bool]
    nis_2019_2024: str | None
    nis_2025: str | None


@lru_cache(maxsize=1)
def _index() -> dict[str, list[_Row]]:
    by_name: dict[str, list[_Row]] = {}
    with resources.files(__package__).joinpath("data/nis-crosswalk-2018-2019-2025.csv").open(
            encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            row = _Row(rec["nis"], rec["name_nl_plain"],
                       {"2018": rec["valid_in_2018"] == "1", "2019": rec["valid_2019_2024"] == "1",
                        "2025": rec["valid_2025"] == "1"},
                       rec["nis_2019_2024"] or None, rec["nis_2025"] or None)
            for key in {fold(rec[k]) for k in ("name_nl", "name_fr", "name_nl_plain", "name_fr_plain")}:
                by_name.setdefault(key, []).append(row)
    return by_name


def _vintage(on: date) -> str:
    return "2018" if on.year < 2019 else "2019" if on.year < 2025 else "2025"


def place_name(text: str) -> str:
    """'Stad Gent' -> 'Gent', 'Brugge (stad)' -> 'Brugge', 'St.-Niklaas' -> 'Sint-Niklaas': the
    place an authority's name denotes, as the reference spells it."""
    text = _AUTHORITY_AFTER.sub("", _AUTHORITY.sub("", " ".join(text.split()))).strip()
    return _SAINT.sub("Sint-", text)


def classify(text: str, on: date) -> tuple[str, Municipality | None]:
    """What a grantee's name denotes: ("municipality", its codes), a body of a municipality
    ("ocmw", "agb", "district": the municipality's codes), ("province", None), or
    ("organisation", None) for any other name."""
    text = " ".join(text.split())
    if _PROVINCE.match(text) and fold(_PROVINCE.sub("", text)) in PROVINCES or fold(text) in PROVINCES - {"antwerpen"}:
        return "province", None
    for kind, prefix in KINDS:
        if prefix.match(text):
            rest = prefix.sub("", text)
            if kind == "district":
                return ("district", resolve(ANTWERPEN, on)) if fold(rest) in DISTRICTS else ("organisation", None)
            match = resolve(rest, on)
            return (kind, match) if match else ("organisation", None)
    match = resolve(text, on)
    if match:
        return "municipality", match
    if fold(place_name(text)) in DISTRICTS:
        return "district", resolve(ANTWERPEN, on)
    return "organisation", None


def resolve(text: str, on: date) -> Municipality | None:
    """The municipality a name denotes on a date, or None when it names none."""
    rows = _index().get(fold(place_name(text)))
    if not rows:
        return None
    vintage = _vintage(on)
    row = next((r for r in rows if r.valid[vintage]), None) or next(
        (r for r in sorted(rows, key=lambda r: r.nis) if r.valid["2018"]), rows[0])
    at_time: str | None = row.nis
    if not row.valid[vintage]:
        at_time = {"2018": None, "2019": row.nis_2019_2024, "2025": row.nis_2025}[vintage]
    return Municipality(row.name, at_time, row.nis_2025)
