"""Beneficiary lists in annexes, read by meaning: which column names, places, counts, pays.

A column's role comes from its header words first and the type of its values second, so a
list with other columns or another order still loads. Municipalities are resolved to NIS
codes as of the document's date and as of now; other names are normalised organisations."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .municipalities import place_name, resolve
from .names import normalise_text, organisation_name
from .numbers import parse_int, parse_number
from .records import BBox, Beneficiary, BeneficiaryList, Cell, Table

CENTS = re.compile(r",\d{2}\s*(€|EUR)?$")
ROLES = [  # checked in this order: the first role whose pattern a header matches wins
    ("number", re.compile(r"^(nr|nummer|volgnummer|#)\.?$", re.IGNORECASE)),
    ("sessions", re.compile(r"sessie", re.IGNORECASE)),
    ("amount", re.compile(r"bedrag|premie|subsidie|budget|toegekend|euro|€|steun|toelage", re.IGNORECASE)),
    ("name", re.compile(r"begunstigde|aanvrager|organisatie|onderneming|promotor|naam|instelling|"
                        r"vereniging|ontvanger|bestuur", re.IGNORECASE)),
    ("municipality", re.compile(r"gemeente|stad|locatie|vestiging|plaats", re.IGNORECASE)),
]


def column_roles(table: Table) -> dict[str, int]:
    """Map roles (name, municipality, sessions, amount, number) to column indexes: by header
    first, then the amounts by their values, then the names."""
    headers = _headers(table)
    roles = _roles_by_header(headers, table.n_cols)
    body = [c for c in table.cells if not c.is_header]
    if "amount" not in roles and (best := _money_column(body, table.n_cols, set(roles.values()))) is not None:
        roles["amount"] = best
    if "name" not in roles and "municipality" in roles:
        roles["name"] = roles.pop("municipality")
    if "name" not in roles and not headers:  # a list without a header: the first column of words
        texts = [col for col in range(table.n_cols) if col not in roles.values()
                 and sum(1 for c in body if c.col == col and parse_number(c.text).value is None) >= 2]
        if texts:
            roles["name"] = texts[0]
    return roles


def _headers(table: Table) -> dict[int, str]:
    """Each column's header text, its header rows joined (a spanning header heads each column it spans)."""
    headers: dict[int, str] = {}
    for cell in table.cells:
        if cell.is_header:
            for k in range(cell.col, cell.col + cell.col_span):
                headers[k] = f"{headers.get(k, '')} {cell.text}".strip()
    return headers


def _roles_by_header(headers: dict[int, str], n_cols: int) -> dict[str, int]:
    """Each column's role, by the first pattern of ROLES its header matches (a role once)."""
    roles: dict[str, int] = {}
    for col in range(n_cols):
        role = next((role for role, pattern in ROLES if role not in roles and pattern.search(headers.get(col, ""))),
                    None)
        if role is not None:
            roles[role] = col
    return roles


def _money_column(body: list[Cell], n_cols: int, taken: set[int]) -> int | None:
    """The column with most amounts (a euro sign, or cents), when at least two and 60% of its cells are."""
    money = {col: sum(1 for c in body if c.col == col and _money(c.text)) for col in range(n_cols) if col not in taken}
    best = max(money, key=lambda col: money[col], default=None)
    if best is not None and money[best] >= 2 and money[best] >= 0.6 * sum(1 for c in body if c.col == best):
        return best
    return None


def _money(text: str) -> bool:
    """An amount: with a euro sign, or with exactly two decimals (Belgian format)."""
    parsed = parse_number(text)
    return parsed.value is not None and (parsed.unit == "EUR" or CENTS.search(text.strip()) is not None)


def read_list(table: Table, published: date, call_year: int | None) -> BeneficiaryList | None:
    """The beneficiary list in a table, or None when the table is not one."""
    roles = column_roles(table)
    if "name" not in roles or not ({"amount", "sessions"} & roles.keys()):
        return None
    rows: dict[int, dict[int, Cell]] = {}
    for cell in table.cells:
        if not cell.is_header:
            rows.setdefault(cell.row, {})[cell.col] = cell
    out = BeneficiaryList(table.index, call_year, [])
    for r in sorted(rows):
        cells = rows[r]
        name_cell = cells.get(roles["name"])
        text = {role: cells[col].text if col in cells else None for role, col in roles.items()}
        sessions = _count(cells.get(roles["sessions"])) if "sessions" in roles else None
        amount = _amount(cells.get(roles["amount"])) if "amount" in roles else None
        if r in table.total_rows:
            out.total_sessions, out.total_amount_eur = sessions, amount
            continue
        if name_cell is None:
            continue
        name = normalise_text(name_cell.text)
        place = text.get("municipality")
        match = resolve(name, published)
        kind = "municipality" if match and (place is None or place_name(name) == normalise_text(place)
                                            or name != place_name(name)) else "organisation"
        row_cells = list(cells.values())
        out.rows.append(Beneficiary(
            row=r, name=name_cell.text, normalised_name=match.name if match and kind == "municipality" else
            organisation_name(name), kind=kind, page=name_cell.page, bbox=_row_bbox(row_cells),
            municipality=normalise_text(place) if place else (match.name if match else None),
            nis_code=match.nis_code if kind == "municipality" and match else None,
            nis_code_at_time=match.nis_code_at_time if kind == "municipality" and match else None,
            sessions=sessions, amount_eur=amount.quantize(Decimal("0.01")) if amount is not None else None,
            sheet=name_cell.sheet, ref=name_cell.ref))
    return out if out.rows else None


def _amount(cell: Cell | None) -> Decimal | None:
    """A cell's number: the value a typed reader (a spreadsheet) gave it, else read from its text."""
    if cell is None:
        return None
    return cell.value if cell.value is not None else parse_number(cell.text).value


def _count(cell: Cell | None) -> int | None:
    if cell is None:
        return None
    if cell.value is not None and cell.value == cell.value.to_integral_value():
        return int(cell.value)
    return parse_int(cell.text)


def _row_bbox(cells: list[Cell]) -> BBox | None:
    """The box around a row's cells on the page of its first (None for formats without boxes)."""
    boxes = [c.bbox for c in cells if c.page == cells[0].page and c.bbox is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def call_year(title: str | None) -> int | None:
    """The year of the call an annex lists: 'Begunstigden oproep 2018' -> 2018."""
    m = re.search(r"\b(19[5-9]\d|20\d\d)\b", title or "")
    return int(m[1]) if m else None
