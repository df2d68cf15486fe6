"""Beneficiary lists read by their structure: who got how much, where, in which group.

A column's role comes from its values (`columns.py`); header words only confirm it. A list's
rows are grantees, group rows (a province heading the rows under it), subtotals and totals:
those are recognised by label and by arithmetic (a row equal to the sum of the grantees since
its group began is a subtotal, whatever it is called) and kept as the list's structure, never
as grantees. Names are kept as printed and resolved to what they mean: a municipality (through
the ways documents spell it), a body of one (OCMW, AGB, an Antwerp district) with its code, a
province, or another organisation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .columns import NAME, Roles, amount, column_roles
from .municipalities import classify, place_name
from .names import normalise_text, organisation_name
from .numbers import parse_int
from .records import BBox, Beneficiary, BeneficiaryList, Cell, Subtotal, Table
from .tables.labels import TOTAL_LABEL

SUBTOTAL_LABEL = re.compile(r"^(sub-?\s*tota(a)?l|tussentota(a)?l)\b", re.IGNORECASE)
CENT = Decimal("0.01")
# In an answer, a table is a beneficiary list only with a column of places and one of money,
# and at least this many grantees: answer tables per province or category are not lists.
ANSWER_MIN_ROWS = 3


@dataclass
class _Group:
    """The group being read: its label and the grantees since it began (or since a subtotal)."""

    label: str | None = None
    since: list[Beneficiary] = field(default_factory=list)


def read_list(table: Table, published: date, call_year: int | None, in_answer: bool = False) -> BeneficiaryList | None:
    """The beneficiary list in a table, or None when the table is not one. In an answer
    (`in_answer`), only a table with a column of places and one of money counts."""
    roles = column_roles(table, published, skip=lambda r: r in table.total_rows)
    if roles.name is None or (roles.granted is None and roles.sessions is None):
        return None
    places = roles.municipality is not None or _all_places(table, roles, published)
    if in_answer and (roles.granted is None or not places):
        return None
    if not (places or NAME.search(roles.headers.get(roles.name, "")) or not roles.headers):
        return None  # text beside money is no list of grantees without places, a word for them, or no header at all
    rows: dict[int, dict[int, Cell]] = {}
    for cell in table.cells:
        if not cell.is_header:
            rows.setdefault(cell.row, {})[cell.col] = cell
    out = BeneficiaryList(table.index, call_year, [], amount_column=roles.amount_column, in_answer=in_answer,
                          sheet=next((c.sheet for c in table.cells if c.sheet), None))
    group = _Group()
    for r in sorted(rows):
        _read_row(out, group, roles, rows[r], r, r in table.total_rows, published)
    if in_answer and len(out.rows) < ANSWER_MIN_ROWS:
        return None
    return out if out.rows else None


def join_continued(tables: list[Table], lists: list[BeneficiaryList]) -> list[BeneficiaryList]:
    """Lists continued across a page break, joined: a list whose table starts on the page after
    the previous list's table ends, with as many columns and the same header (or none), and
    whose predecessor has no total row yet, carries on that list."""
    by_index = {t.index: t for t in tables}
    out: list[BeneficiaryList] = []
    for blist in lists:
        prev = out[-1] if out else None
        if prev is not None and _continues(by_index.get(prev.table_index), by_index.get(blist.table_index), prev):
            prev_table = by_index[prev.table_index]
            offset = max(b.row for b in prev.rows) + 1 if prev.rows else prev_table.n_rows
            for b in blist.rows:
                b.row += offset
            prev.rows += blist.rows
            prev.subtotals += blist.subtotals
            prev.total_sessions, prev.total_amount_eur = blist.total_sessions, blist.total_amount_eur
            continue
        out.append(blist)
    return out


def _continues(before: Table | None, after: Table | None, prev: BeneficiaryList) -> bool:
    if before is None or after is None or before.page is None or after.page is None:
        return False
    last_page = max(before.pages or [before.page])
    head_before, head_after = _header_texts(before), _header_texts(after)
    return (after.page == last_page + 1 and after.n_cols == before.n_cols and prev.total_amount_eur is None
            and prev.total_sessions is None and (not head_after or head_after == head_before))


def _header_texts(table: Table) -> list[str]:
    return [" ".join(c.text.split()) for c in sorted(table.cells, key=lambda c: (c.row, c.col)) if c.is_header]


def _all_places(table: Table, roles: Roles, on: date) -> bool:
    """The name column is the places themselves (a list of municipalities)."""
    names = [c.text for c in table.cells if c.col == roles.name and not c.is_header and c.text.strip()]
    return bool(names) and sum(classify(t, on)[1] is not None for t in names) >= 0.6 * len(names)


def _read_row(out: BeneficiaryList, group: _Group, roles: Roles, cells: dict[int, Cell], r: int, total_row: bool,
              published: date) -> None:
    """One row: a total, a subtotal, a group's heading, or a grantee."""
    filled = [cells[c] for c in sorted(cells) if cells[c].text.strip()]
    if not filled:
        return
    label = filled[0].text.strip()
    granted = amount(cells.get(roles.granted)) if roles.granted is not None else None
    sessions = _count(cells.get(roles.sessions)) if roles.sessions is not None else None
    kind = _structure(out, group, roles, cells, label, granted, total_row, published)
    if kind == "total":
        out.total_sessions, out.total_amount_eur = sessions, granted
        return
    if kind == "subtotal":
        _subtotal(out, group, label, r, granted)
        return
    if kind == "group":
        group.label, group.since = label, []
        return
    name_cell = cells.get(roles.name) if roles.name is not None else None
    if name_cell is None or not name_cell.text.strip():
        return
    b = _grantee(roles, cells, name_cell, r, published)
    b.sessions, b.group = sessions, group.label
    b.amount_eur = _cents(granted)
    b.requested_amount_eur = _cents(amount(cells.get(roles.requested))) if roles.requested is not None else None
    b.paid_amount_eur = _cents(amount(cells.get(roles.paid))) if roles.paid is not None else None
    out.rows.append(b)
    group.since.append(b)


def _structure(out: BeneficiaryList, group: _Group, roles: Roles, cells: dict[int, Cell], label: str,
               granted: Decimal | None, total_row: bool, published: date) -> str | None:
    """"total", "subtotal", "group" or None (a grantee): by label, and by arithmetic."""
    labelled = total_row or bool(TOTAL_LABEL.match(label))
    if granted is None:
        numbers = any(amount(c) is not None for c in cells.values() if c.col != roles.name)
        if labelled:
            return "total"
        filled = [c for c in cells.values() if c.text.strip()]
        return "group" if len(filled) == 1 and not numbers and roles.granted is not None else None
    since = _sum(group.since)
    everything = _sum(out.rows)
    sums_group = bool(group.since) and since == granted
    sums_all = bool(out.rows) and everything == granted
    if labelled:
        if SUBTOTAL_LABEL.match(label) or (sums_group and not sums_all):
            return "subtotal"
        return "total"
    # Unlabelled: a row adding up the rows above it is structure. Two rows at least, and a row
    # that names no place where the list has a place column (a grantee's own amount may equal
    # the one above it, never the sum of two or more with a place of its own).
    place = cells.get(roles.municipality) if roles.municipality is not None else None
    if place is not None and place.text.strip():
        return None
    if roles.municipality is None and classify(label, published)[0] != "organisation":
        return None
    if sums_all and len(out.rows) >= 2 and len(group.since) == len(out.rows) and group.label is None:
        return "total"
    if sums_group and len(group.since) >= 2:
        return "subtotal"
    if sums_all and len(out.rows) >= 2:
        return "total"
    return None


def _subtotal(out: BeneficiaryList, group: _Group, label: str, r: int, granted: Decimal | None) -> None:
    """A subtotal closes its group: grantees read under no group row get the group the
    subtotal names ('Subtotaal Antwerpen' -> 'Antwerpen'); the rows after it start anew."""
    named = SUBTOTAL_LABEL.sub("", TOTAL_LABEL.sub("", label)).strip(" :-") or None
    name = group.label or named
    for b in group.since:
        if b.group is None:
            b.group = name
    by = "label" if SUBTOTAL_LABEL.match(label) or TOTAL_LABEL.match(label) else "arithmetic"
    out.subtotals.append(Subtotal(label, name, r, _cents(granted), _sum(group.since), len(group.since), by))
    group.label, group.since = None, []


def _grantee(roles: Roles, cells: dict[int, Cell], name_cell: Cell, r: int, published: date) -> Beneficiary:
    """A grantee's name as printed and as meant: its kind, municipality and NIS codes."""
    name = normalise_text(name_cell.text)
    place_cell = cells.get(roles.municipality) if roles.municipality is not None else None
    place = normalise_text(place_cell.text) if place_cell is not None and place_cell.text.strip() else None
    kind, match = classify(name, published)
    at = classify(place, published)[1] if place else None
    if kind == "municipality" and match and place and place_name(name) == name and at and at.name != match.name:
        kind, match = "organisation", None  # a bare place name that is not the row's place names something else
    if kind == "province":
        match = None
    town = match.name if match else (at.name if at else place)
    return Beneficiary(
        row=r, name=name_cell.text, normalised_name=match.name if match and kind == "municipality" else
        organisation_name(name), kind=kind, page=name_cell.page, bbox=_row_bbox(list(cells.values())),
        municipality=town, nis_code=match.nis_code if match else None,
        nis_code_at_time=match.nis_code_at_time if match else None, sheet=name_cell.sheet, ref=name_cell.ref)


def _sum(rows: list[Beneficiary]) -> Decimal | None:
    amounts = [b.amount_eur for b in rows]
    return None if not rows or any(a is None for a in amounts) else sum((a for a in amounts if a is not None),
                                                                        Decimal(0))


def _cents(value: Decimal | None) -> Decimal | None:
    return value.quantize(CENT) if value is not None else None


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
