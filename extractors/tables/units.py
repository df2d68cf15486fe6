"""A value's unit, as a person reads it: from the value itself ('12,5%', '€ 250'), else from its
column's header ('Investering (euro)', 'Aantal projecten', 'Km fietspad'), else from the
table's caption ('(in miljoen euro)'), else from its row's label. A column's own word wins
over the caption's: 'Aantal' under a caption '(euro)' is a count. A scale is kept in the unit
('EUR thousand' for `Bedrag (x 1.000 euro)`), the value stays the printed figure (docs/export.md)."""

from __future__ import annotations

import re

# Checked in this order: an explicit currency before a count, a count before the nouns that
# name money ('Aantal premies' counts premiums).
UNIT_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"€|\(euro\)|\beuro\b|\beur\b", re.IGNORECASE), "EUR"),
    (re.compile(r"\baantal\b|\bnumber\b|\bcount\b", re.IGNORECASE), "count"),
    (re.compile(r"\bkm\b|\bkilometers?\b", re.IGNORECASE), "km"),
    (re.compile(r"\bvte\b|\bfte\b|voltijdse equivalenten", re.IGNORECASE), "FTE"),
    (re.compile(r"\bha\b|\bhectare\b", re.IGNORECASE), "ha"),
    (re.compile(r"%|\bprocent\b|\bpercentage\b|\baandeel\b", re.IGNORECASE), "percent"),
    (re.compile(r"\bbedrag(en)?\b|\bbudget(ten)?\b|\bkost(en)?\b|\bpremies?\b|\bsubsidies?\b|\buitgaven\b",
                re.IGNORECASE), "EUR"),
]
# An average of the table's amounts: 'Gemiddeld per project' (not 'Gemiddelde leeftijd').
PER = re.compile(r"\b(gemiddeld(e)?|average)\b.*\bper\b", re.IGNORECASE)
SCALE = re.compile(r"\b(in\s+)?(?:(miljard|miljoen|mio|mln|duizend)\s+)?(euro|EUR)\b", re.IGNORECASE)
SCALE_UNITS = {"miljard": "EUR billion", "miljoen": "EUR million", "mio": "EUR million", "mln": "EUR million",
               "duizend": "EUR thousand"}
# A scale written as a factor or a prefix: '(x 1.000 euro)', '(x 1 000 000 EUR)', 'k€', 'M€', 'kEUR'.
FACTOR = re.compile(r"[x×]\s*1[.\u00a0\u202f ]?000(?P<million>[.\u00a0\u202f ]?000)?\s*(?:euro|EUR|€)"
                    r"|\b(?P<prefix>[kKM])\s?(?:€|EUR\b)", re.IGNORECASE)
def unit_in(text: str | None) -> str | None:
    """The unit a header, caption or label names, if any."""
    for pattern, unit in UNIT_WORDS:
        if text and pattern.search(text):
            return unit
    return None


def euro_scale(text: str | None) -> str | None:
    """The euros a caption or header names, with their scale: 'EUR million' for '(in miljoen
    euro)' or 'mio euro', 'EUR thousand' for '(x 1.000 euro)' or 'k€', 'EUR' for '(in euro)'."""
    if factor := FACTOR.search(text or ""):
        prefix = factor["prefix"]
        return "EUR million" if factor["million"] or prefix == "M" else "EUR thousand"
    scale = SCALE.search(text or "")
    return SCALE_UNITS.get((scale[2] or "").lower(), "EUR") if scale else None


def unit_of(own: str | None, column_label: str | None, caption: str | None, row_label: str | None,
            whole_column: bool, amounts: str | None = None) -> str | None:
    """The unit of one value. `own`: what the value's text says (EUR, percent); `whole_column`:
    every value of its column is printed without decimals (only then may it be a count);
    `amounts`: the unit of the table's amounts, if it has a column of them (an average 'per
    project' beside a column of euros is in euros too)."""
    column_scale, scale = euro_scale(column_label), euro_scale(caption)
    named = own or unit_in(column_label) or column_scale or (scale if scale else unit_in(caption)) \
        or unit_in(row_label)
    if named == "EUR" and (column_scale or scale):
        return column_scale or scale  # 'Bedrag (x 1.000 euro)', or '(in miljoen euro)' over the table
    if named is None and amounts and PER.search(column_label or ""):
        return amounts
    return named or ("count" if whole_column else None)
