"""Belgian numbers, euros and footnote markers: `198.707,50€` -> Decimal('198707.50'), EUR."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# A footnote marker at the end of a value: "100 (*)", "9 (1)", "12*", "5¹", "budget³⁹".
_MARKER = re.compile(r"\s*(?:\((\*{1,3}|†|\d{1,2}|[a-z])\)|(\*{1,3})|⁽?([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾?)\s*$")
# ... or before it, set as a superscript: "⁷⁶5.356,1" (how vpetl writes a small raised mark).
_LEADING_MARKER = re.compile(r"^⁽?([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾?\s*")
_CURRENCY = re.compile(r"€|\bEUR\b|\beuro\b", re.IGNORECASE)
_GROUPED = re.compile(r"[-+−]?\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?")
_SIGN_APART = re.compile(r"^([-+−])\s+(?=\d)")
_ACCOUNTING = re.compile(r"^\((.+)\)$")  # '(124.300,00)': a negative, as accountants print it
_PLAIN = re.compile(r"[-+−]?\d+(?:,\d+)?")
FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal | None
    unit: str | None
    markers: tuple[str, ...] = ()
    text: str = ""  # the value's text with markers removed


def split_markers(text: str) -> tuple[str, tuple[str, ...]]:
    """Split footnote markers from a value or a label: '100 (*)' -> ('100', ('*',)),
    '⁷⁶5.356,1' -> ('5.356,1', ('76',)), 'Totaal budget³⁹' -> ('Totaal budget', ('39',))."""
    markers: list[str] = []
    text = text.strip()
    if (lead := _LEADING_MARKER.match(text)) and lead.end() < len(text):
        markers.append(lead[1].translate(FROM_SUPERSCRIPT))
        text = text[lead.end():]
    at = len(markers)
    while True:
        m = _MARKER.search(text)
        if not m or m.start() == 0:
            break
        markers.insert(at, next(g for g in m.groups() if g).translate(FROM_SUPERSCRIPT))
        text = text[: m.start()].rstrip()
    return text, tuple(markers)


def parse_number(text: str) -> ParsedValue:
    """Read a Belgian-formatted number with optional currency, percent and footnote markers.

    Dots group thousands and the comma is the decimal mark, so '7.183' is 7183.
    Text that is not a single number (a range, a year span, words) gives value None."""
    body, markers = split_markers(text)
    unit = None
    core = body.strip()
    negative = _ACCOUNTING.match(core)
    if negative:
        core = negative[1]
    if _CURRENCY.search(core):
        unit = "EUR"
        core = _CURRENCY.sub("", core)
    if core.strip().endswith("%"):
        unit = "percent"
        core = core.strip()[:-1]
    core = _SIGN_APART.sub(r"\1", core.strip())  # '- 8,0': a sign set apart from its number
    if _GROUPED.fullmatch(core) or _PLAIN.fullmatch(core):
        digits = re.sub(r"[.\u00a0\u202f ]", "", core).replace(",", ".").replace("−", "-")
        if negative and digits.startswith("-"):
            return ParsedValue(None, None, markers, body)  # '(-5)' is no accounting figure
        return ParsedValue(-Decimal(digits) if negative else Decimal(digits), unit, markers, body)
    return ParsedValue(None, None, markers, body)


def parse_int(text: str) -> int | None:
    value = parse_number(text).value
    return int(value) if value is not None and value == value.to_integral_value() else None


_NUMERIC_LOOK = re.compile(r"[(\-−+]?[$€£]?\s?\d[\d.,\u00a0\u202f ]*(%|‰)?\)?\s?(€|EUR)?[*†‡]*")


NO_VALUE = frozenset({"-", "–", "—", "/", "x", "n.v.t.", "nvt", "n/a", "p.m.", "pm", "(X)"})


def looks_numeric(text: str) -> bool:
    """A number in any common format (1,234.5 or 1.234,5, 12%, (3), $4), or a table's sign for
    no value ('-', '—', 'n.v.t.'): for telling data from words when finding a table's
    structure, where the format does not matter yet."""
    text = text.strip()
    return text in NO_VALUE or bool(_NUMERIC_LOOK.fullmatch(split_markers(text)[0])) or \
        parse_number(text).value is not None  # '575.525,50 euro', 'EUR 12.500', '- 8,0'
