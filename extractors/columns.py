"""What each column of a beneficiary list holds, decided by its values; header words only confirm.

An unknown header word over the grantees' names is the normal case ('Dierenasiel', a sports
club's list), so no role may need one. A column's values decide what it is: money (a euro
sign, cents, a euro unit), a count (whole numbers), a running number (1, 2, 3, ...), the
municipalities (values that resolve to one), or text. The grantee is named by the text column
that is not the municipalities (mostly distinct values); a list of municipalities alone names
them as the grantees. Of several money columns, the granted one is the grantee's amount; the
requested and paid ones are other facts of the row. Header words then say which money column
is which, and whole numbers are money only when the header says so (a column of counts, such
as places or pupils per municipality, is not money)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .municipalities import classify
from .numbers import parse_number
from .records import Cell, Table

CENTS = re.compile(r",\d{2}\s*(€|EUR)?$")
# Share of a column's non-empty values that must show a property for the column to have it:
# high enough that a stray note or a total label does not flip it, low enough that a few
# blanks ('n.v.t.', '-') or a misread value do not hide it.
SHARE = 0.6
# Header words that confirm (never decide alone) a role.
REQUESTED = re.compile(r"aangevraagd|gevraagd|aanvraag|raming|geraamd|(project|totale\s*)kost|kostprijs|"
                       r"investering|begroting", re.IGNORECASE)
PAID = re.compile(r"uitbetaald|uitbetaling|betaald|vereffend|uitgekeerd|saldo", re.IGNORECASE)
GRANTED = re.compile(r"toegekend|toegewezen|goedgekeurd|subsidie|toelage|premie|steun|bedrag|budget|euro|€",
                     re.IGNORECASE)
COUNT = re.compile(r"sessie|aantal|nr\b|nummer|#", re.IGNORECASE)
SESSIONS = re.compile(r"sessie", re.IGNORECASE)
NAME = re.compile(r"begunstigde|aanvrager|organisatie|onderneming|promotor|naam|instelling|vereniging|"
                  r"ontvanger|bestuur", re.IGNORECASE)


@dataclass
class Roles:
    """Column indexes by role (None: the list has no such column), and the headers read."""

    name: int | None = None
    municipality: int | None = None
    granted: int | None = None
    requested: int | None = None
    paid: int | None = None
    sessions: int | None = None
    number: int | None = None
    headers: dict[int, str] = field(default_factory=dict)

    @property
    def amount_column(self) -> str | None:
        """The granted column's header as printed (its letter-free index when it has none)."""
        if self.granted is None:
            return None
        return self.headers.get(self.granted) or f"column {self.granted + 1}"

    @property
    def money(self) -> list[int]:
        return [c for c in (self.granted, self.requested, self.paid) if c is not None]


def headers_of(table: Table) -> dict[int, str]:
    """Each column's header text (every header row over it, joined)."""
    headers: dict[int, str] = {}
    for cell in table.cells:
        if cell.is_header:
            for k in range(cell.col, cell.col + cell.col_span):
                headers[k] = f"{headers.get(k, '')} {cell.text}".strip()
    return headers


def amount(cell: Cell | None) -> Decimal | None:
    """A cell's number: the value a typed reader (a spreadsheet) gave it, else read from its text."""
    if cell is None:
        return None
    return cell.value if cell.value is not None else parse_number(cell.text).value


def is_money(cell: Cell) -> bool:
    """An amount by its own form: a euro sign or unit, two decimals, or a typed number with cents."""
    parsed = parse_number(cell.text)
    value = cell.value if cell.value is not None else parsed.value
    if value is None:
        return False
    typed_cents = cell.sheet is not None and cell.unit is None and value != value.to_integral_value() and \
        value == value.quantize(Decimal("0.01"))  # a spreadsheet's number with cents (not a share: 0.125)
    return parsed.unit == "EUR" or CENTS.search(cell.text.strip()) is not None \
        or typed_cents


@dataclass
class _Stats:
    """What a column's body values are."""

    filled: int
    numbers: list[Decimal]
    money: int
    places: int
    distinct: int
    running: bool  # 1, 2, 3, ... down the rows

    def share(self, n: int) -> float:
        return n / self.filled if self.filled else 0.0


def _stats(cells: list[Cell], on: date) -> _Stats:
    texts = [c for c in cells if c.text.strip()]
    numbers = [v for c in texts if (v := amount(c)) is not None]
    places = sum(1 for c in texts if amount(c) is None and classify(c.text, on)[1] is not None)
    running = len(numbers) >= 3 and numbers == [Decimal(i) for i in range(1, len(numbers) + 1)]
    return _Stats(len(texts), numbers, sum(1 for c in texts if is_money(c)), places,
                  len({c.text.strip().lower() for c in texts}), running)


def column_roles(table: Table, on: date, skip: Callable[[int], bool] = lambda r: False) -> Roles:
    """The roles of a list's columns, from its body values (rows for which `skip` is true, such
    as total rows, left out) and, to confirm, its headers."""
    roles = Roles(headers=headers_of(table))
    by_col: dict[int, list[Cell]] = {}
    for cell in table.cells:
        if not cell.is_header and not skip(cell.row):
            by_col.setdefault(cell.col, []).append(cell)
    stats = {col: _stats(cells, on) for col, cells in by_col.items()}
    head = roles.headers
    numeric = [c for c, s in stats.items() if s.filled and s.share(len(s.numbers)) >= SHARE]
    texts = [c for c, s in stats.items() if s.filled and c not in numeric]
    money = [c for c in numeric if stats[c].share(stats[c].money) >= SHARE
             or (GRANTED.search(head.get(c, "")) or REQUESTED.search(head.get(c, "")) or PAID.search(head.get(c, "")))
             and not COUNT.search(head.get(c, ""))]
    for c in numeric:
        if c in money:
            continue
        if stats[c].running and roles.number is None:
            roles.number = c
        elif SESSIONS.search(head.get(c, "")) and roles.sessions is None:
            roles.sessions = c
    _money_kinds(roles, money, by_col)
    _name_and_place(roles, texts, stats)
    return roles


def _money_kinds(roles: Roles, money: list[int], by_col: dict[int, list[Cell]]) -> None:
    """Granted, requested and paid among the money columns: by header words where they say,
    else by size (what was requested is at least what was granted, row by row)."""
    unknown = []
    for c in money:
        head = roles.headers.get(c, "")
        if REQUESTED.search(head) and roles.requested is None:
            roles.requested = c
        elif PAID.search(head) and roles.paid is None:
            roles.paid = c
        elif re.search(r"toegekend|toegewezen|goedgekeurd", head, re.IGNORECASE) and roles.granted is None:
            roles.granted = c
        else:
            unknown.append(c)
    if roles.granted is None and unknown:
        if len(unknown) >= 2 and roles.requested is None:
            larger = _larger(unknown, by_col)
            if larger is not None:
                roles.requested = larger
                unknown.remove(larger)
        roles.granted = unknown[-1]


def _larger(cols: list[int], by_col: dict[int, list[Cell]]) -> int | None:
    """The column whose value is at least every other's on each row, and larger on some."""
    rows: dict[int, dict[int, Decimal]] = {}
    for c in cols:
        for cell in by_col[c]:
            if (v := amount(cell)) is not None:
                rows.setdefault(cell.row, {})[c] = v
    for c in cols:
        if all(vals.get(c, Decimal(0)) >= max(vals.values()) for vals in rows.values()) and \
                any(vals.get(c, Decimal(0)) > min(vals.values()) for vals in rows.values()):
            return c
    return None


def _name_and_place(roles: Roles, texts: list[int], stats: dict[int, _Stats]) -> None:
    """The municipality column (most values resolve to one) and the name column (the text column
    that names the grantee: mostly distinct, not all municipalities). With only a municipality
    column, the municipality is the grantee."""
    places = [c for c in texts if stats[c].share(stats[c].places) >= SHARE]
    others = [c for c in texts if c not in places and stats[c].share(stats[c].distinct) >= 0.5]
    if places:
        roles.municipality = max(places, key=lambda c: (stats[c].share(stats[c].places), -c))
    if others:
        confirmed = [c for c in others if NAME.search(roles.headers.get(c, ""))]
        roles.name = (confirmed or others)[0]
    elif roles.municipality is not None:
        roles.name = roles.municipality
        if len(places) > 1:  # two columns of places: the grantee is the first, the other its place
            roles.name = min(places)
            roles.municipality = next(c for c in places if c != roles.name)
        else:
            roles.municipality = None
