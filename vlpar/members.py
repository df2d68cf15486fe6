"""Members of parliament and their parties, from the open-data member record `/e/opendata/vv/{id}`.

A written question's record names its asker and minister by the service's id (every one of
9,927 real records does, `../shared/vlpar-api.md` section 7); the member record of that id says
who the person is and, in `lidmaatschap`, of which party group (`fractie`) they were a member
and when: a list of periods, each with `datumVan`, an optional `datumTot` and the `fractie` as
it was then (a party renamed under the same id, `sp·a` -> `Vooruit`, has one period per name).

Parsed tolerantly, like the question records: the raw record is kept, unknown fields stay in it,
and a body that cannot be read as a member raises MemberError (bad input, not a bug)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from .client import Client
from .forms import DATE_TIME, head, read_date

MEMBER_PATH = "/e/opendata/vv/{id}?lang=nl"  # as the harvester that saved the real body asked for it
MAX_ID = 2**63 - 1  # the store's BIGINT

# What a question's asker's party on a day can be (`party_on`).
MEMBER = "member"  # one party's period covers the day (or several periods of the same party: a rename)
CHANGED_THAT_DAY = "changed party that day"  # periods of two parties touch the day: not guessed
NO_MEMBERSHIP = "no membership that day"  # no period covers it (between terms, before the first)


class MemberError(ValueError):
    """A member record that cannot be read: HTML, broken JSON, no id, another member's record."""


@dataclass(frozen=True)
class Party:
    """A party group (`fractie`) as one membership period (or `huidigefractie`) names it."""

    id: int
    name: str | None
    colour: str | None = None  # `kleur`, hex without '#', as sent ("ff2900", "FF2900")
    logo: str | None = None
    seats: int | None = None  # `zetel-aantal`


@dataclass(frozen=True)
class Membership:
    """One period of membership of a party group, its edges as the record writes them."""

    party: Party
    since_raw: str | None  # `datumVan`, e.g. "2019-06-18T00:00:00+0200"
    until_raw: str | None  # `datumTot`; None: still a member

    @property
    def since(self) -> date | None:
        """The first day (in Brussels) of the period."""
        return read_date(self.since_raw)

    @property
    def until(self) -> date | None:
        """The last day (in Brussels) of the period, itself included; None while it lasts."""
        return read_date(self.until_raw)

    @property
    def starts(self) -> datetime | None:
        """The moment the period begins, for ordering two periods that touch one day."""
        return _moment(self.since_raw)

    def covers(self, day: date) -> bool:
        """Whether the period includes `day`: both edge days count, as the periods say (a
        period ending `2021-03-21T12:00` includes the 21st, and so does the next one)."""
        since, until = self.since, self.until
        return (since is None or since <= day) and (until is None or day <= until)


@dataclass
class Member:
    """A person of the member record: names as the service gives them, and party periods."""

    id: int
    first_name: str | None
    last_name: str | None
    current_party: Party | None  # `huidigefractie`
    memberships: list[Membership]
    raw: dict = field(repr=False)

    @property
    def name(self) -> str | None:
        return " ".join(n for n in (self.first_name, self.last_name) if n) or None

    @property
    def parties(self) -> list[Party]:
        """Every party group the record names, once per id: the newest period's form of it."""
        out: dict[int, Party] = {}
        newest = sorted(self.memberships, key=lambda m: m.since or date.min)
        for party in [m.party for m in newest] + ([self.current_party] if self.current_party else []):
            out[party.id] = party
        return list(out.values())


@dataclass(frozen=True)
class PartyOnDay:
    """A member's party on one day, and how that was decided (`MEMBER`, `CHANGED_THAT_DAY`,
    `NO_MEMBERSHIP`); the period it comes from, for provenance."""

    party: Party | None
    status: str
    membership: Membership | None = None


def member_url(client: Client, member_id: int) -> str:
    return client.api_base + MEMBER_PATH.format(id=member_id)


def party_on(memberships: list[Membership], day: date) -> PartyOnDay:
    """The party of a member on `day`, from their membership periods.

    Where the periods of one party touch the day (a rename takes effect at noon), that party is
    it, under the name of the period in force at the day's end. Where two parties' periods touch
    it, the member changed party that day: which one a question of that day belongs to is not
    known, so none is given (CHANGED_THAT_DAY). A day no period covers is NO_MEMBERSHIP."""
    covering = sorted((m for m in memberships if m.covers(day)), key=_start_order)
    if not covering:
        return PartyOnDay(None, NO_MEMBERSHIP)
    if len({m.party.id for m in covering}) > 1:
        return PartyOnDay(None, CHANGED_THAT_DAY)
    return PartyOnDay(covering[-1].party, MEMBER, covering[-1])


def _start_order(m: Membership) -> tuple[date, float]:
    """Periods by when they begin: their first day, then the moment (a rename at noon)."""
    starts = m.starts
    return m.since or date.min, starts.timestamp() if starts and starts.tzinfo else 0.0


def parse_member(body: bytes | dict, member_id: int | None = None) -> Member:
    """A member record from its JSON (or the JSON already parsed). `member_id` is the id it was
    asked for: a record naming another member is refused. Whatever the bytes are, a record that
    cannot be read raises MemberError."""
    try:
        raw = body if isinstance(body, dict) else json.loads(body)
        member = _parse(raw)
    except MemberError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError, UnicodeDecodeError) as exc:
        shown = head(body) if isinstance(body, bytes) else "a parsed object"
        raise MemberError(f"unreadable member record: {type(exc).__name__}: {str(exc)[:200]}; "
                          f"the body starts with {shown}") from exc
    if member_id is not None and member.id != member_id:
        raise MemberError(f"the record of member {member_id} says it is member {member.id}")
    return member


def _parse(raw: object) -> Member:
    if not isinstance(raw, dict):
        raise MemberError(f"unreadable member record: a JSON {type(raw).__name__}, not an object")
    member_id = _id(raw.get("id"))
    if member_id is None:
        raise MemberError("unreadable member record: it has no id")
    periods = raw.get("lidmaatschap")
    periods = periods if isinstance(periods, list) else [periods] if isinstance(periods, dict) else []
    memberships = [Membership(party, _text(p.get("datumVan")), _text(p.get("datumTot")))
                   for p in periods if isinstance(p, dict) and (party := _party(p.get("fractie"))) is not None]
    return Member(member_id, _text(raw.get("voornaam")), _text(raw.get("naam")), _party(raw.get("huidigefractie")),
                  memberships, raw)


def _party(value: object) -> Party | None:
    """A `fractie` object; one without an id is no party vpetl can key (it stays in the raw record)."""
    if not isinstance(value, dict) or (party_id := _id(value.get("id"))) is None:
        return None
    return Party(party_id, _text(value.get("naam")), _text(value.get("kleur")), _text(value.get("logo")),
                 _id(value.get("zetel-aantal")))


def _id(value: object) -> int | None:
    """An id or count: an integer, or digits as text (numbers arrive as text too, section 7)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isdigit() and len(text) < 19 else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _moment(value: str | None) -> datetime | None:
    """A date-time as the service writes it (`2021-03-21T12:00:00+0100`), with its offset."""
    m = DATE_TIME.fullmatch(value.strip()) if value else None
    if m is None or not m["time"]:
        return None
    offset = "" if not m["offset"] else "+00:00" if m["offset"] == "Z" else m["offset"][:3] + ":" + m["offset"][-2:]
    try:
        return datetime.fromisoformat(f"{m['date']}T{m['time']}{offset}")
    except ValueError:
        return None
