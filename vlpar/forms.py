"""How the service spells values, read tolerantly: date-times with or without an offset (with or
without a colon), yes/no flags as booleans or words, titles with doubled spaces.

The live service's own forms are in `../shared/vlpar-api.md` section 7 (`+0200`, `"J"`/`"N"`,
`"  -  "`); the older forms callers met are read alike, so nothing depends on which one comes."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# An ISO date, optionally with a time and an offset: `Z`, `+02:00` or `+0200` (the service's own).
DATE_TIME = re.compile(r"(?P<date>\d{4}-\d\d-\d\d)(?:[T ](?P<time>\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)"
                       r"(?P<offset>Z|[+-]\d\d:?\d\d)?)?")
YES = frozenset({"j", "ja", "y", "yes", "true", "1", "tijdig"})
NO = frozenset({"n", "nee", "no", "false", "0", "laattijdig"})
# C0 and C1 controls, DEL, and the bidirectional overrides and isolates: never printed raw.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HEAD = 80  # bytes of a body quoted in an error: enough to tell an error object from a page


def _brussels() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/Brussels")
    except ZoneInfoNotFoundError:  # no time zone database: a date is then read as written
        return None


BRUSSELS = _brussels()  # the parliament's days


def read_date(value: object) -> date | None:
    """The day a date or date-time names in Brussels; None when it is not one.

    `2020-01-23`, `2020-01-23T00:00:00`, `...+0100`, `...+01:00` and `...Z` are read alike;
    a time with an offset is taken to Brussels time first (`2020-01-22T23:00:00Z` is the 23rd)."""
    m = DATE_TIME.fullmatch(str(value).strip()) if isinstance(value, str | date) else None
    if m is None:
        return None
    try:
        if not m["offset"] or BRUSSELS is None:
            return date.fromisoformat(m["date"])
        offset = "+00:00" if m["offset"] == "Z" else m["offset"][:3] + ":" + m["offset"][-2:]
        return datetime.fromisoformat(f"{m['date']}T{m['time']}{offset}").astimezone(BRUSSELS).date()
    except ValueError:  # 2020-02-30, 25:00
        return None


def read_flag(value: object) -> bool | None:
    """A yes/no flag: `true`, `"J"`, `"ja"`, `"true"`, `"Tijdig"` are yes; their opposites no;
    anything else (absent, a word not known) is None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    return True if word in YES else False if word in NO else None


def display(text: str | None) -> str | None:
    """A text's display and matching form: runs of whitespace as one space, none at the ends
    (`Subsidies  -  Stand van zaken` -> `Subsidies - Stand van zaken`)."""
    return " ".join(text.split()) or None if text else None


def printable(text: str) -> str:
    """Text from outside made safe to print: control and bidi characters become `?`."""
    return UNPRINTABLE.sub("?", text)


def head(body: bytes | None) -> str:
    """The first bytes of a body, as they can be printed in an error."""
    data = body or b""
    shown = printable(data[:HEAD].decode("utf-8", errors="replace"))
    return repr(shown) + (f" ({len(data)} bytes)" if len(data) > HEAD else "")
