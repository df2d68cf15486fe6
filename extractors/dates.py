"""Dutch dates and the parliament's session years."""

from __future__ import annotations

import re
from datetime import date, timedelta

from vpetl.errors import UnreadableValue

MONTHS = {name: i for i, name in enumerate(
    ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
     "september", "oktober", "november", "december"], start=1)}
DUTCH_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


def parse_dutch_date(text: str) -> date | None:
    """'23 januari 2020' or '23/01/2020' -> date(2020, 1, 23); None when there is no date.

    A date that cannot be ('31 februari 2020', '31/04/2020') raises UnreadableValue: the
    document says something impossible, which is its doing, not a bug in vpetl."""
    if m := DUTCH_DATE.search(text):
        day, month, year = int(m[1]), MONTHS[m[2].lower()], int(m[3])
    elif m := NUMERIC_DATE.search(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise UnreadableValue(f"unreadable value: {m[0]!r} is not a date ({exc})") from exc


def session_year(day: date) -> str:
    """The Flemish Parliament's session year opens on the fourth Monday of September."""
    first = date(day.year, 9, 1)
    opening = first + timedelta(days=(0 - first.weekday()) % 7 + 21)
    start = day.year if day >= opening else day.year - 1
    return f"{start}-{start + 1}"
