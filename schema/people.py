"""People, parties and each question's asker's party: what the store keeps of member records.

A person is first known by a question's record (its id and the names it gives); the asker's
member record, when read, gives their names as the service keeps them and their party periods.
The asker's party on the day a question was asked is decided from the stored periods
(`vlpar.members.party_on`), so a member record read once serves every question of theirs, and a
question asked on a day no period covers says so instead of being guessed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from vpetl.vlpar.members import Member, Membership, Party, party_on

from . import models as m

NO_ASKER_ID = "no asker id in the record"
NO_DATE = "no date asked"
NOT_READ = "member record not read"  # never read; why is in the question's sources["asker_party"]


@dataclass(frozen=True)
class PersonName:
    """A person as a question's record names them."""

    id: int
    first_name: str | None
    last_name: str | None


@dataclass
class MemberRecordIn:
    """A member record as fetched: parsed, and where its bytes came from."""

    member: Member
    url: str
    sha256: str
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class StoredMember:
    """What a conditional request for a member record needs: the stored record's validators."""

    etag: str | None
    last_modified: str | None
    sha256: str | None


def _name(first: str | None, last: str | None) -> str | None:
    return " ".join(n for n in (first, last) if n) or None


def note_names(session: Session, person: PersonName, question_id: int) -> None:
    """A person a question names, by id, with the names its record gives, unless already known
    (a member record's names are the service's own; a question's only stand in). Inserted so
    that two questions loaded at once, naming the same minister, do not collide."""
    values = {"id": person.id, "first_name": person.first_name, "last_name": person.last_name,
              "name": _name(person.first_name, person.last_name), "names_from": f"record of question {question_id}"}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(m.Person).values(**values).on_conflict_do_nothing(index_elements=["id"]))


def stored_member(session: Session, person_id: int) -> StoredMember | None:
    """The stored member record's validators; None when none was read yet."""
    p = session.get(m.Person, person_id)
    if p is None or p.record is None:
        return None
    return StoredMember(p.record_etag, p.record_last_modified, p.record_sha256)


def askers_of(session: Session, question_ids: Iterable[int]) -> dict[int, list[int]]:
    """The askers (by id) of these stored questions, and which of them each asked."""
    out: dict[int, list[int]] = {}
    ids = list(question_ids)
    for start in range(0, len(ids), 500):  # a bounded IN list per query
        for qid, asker in session.execute(select(m.Question.id, m.Question.asker_id).where(
                m.Question.id.in_(ids[start:start + 500]), m.Question.asker_id.is_not(None))):
            if asker is not None:
                out.setdefault(asker, []).append(qid)
    return out


def load_member(session: Session, rec: MemberRecordIn, ingest_run_id: int | None) -> None:
    """A member record: the person's names and record, the parties it names, and the person's
    party periods (replaced as a whole), in one transaction."""
    member = rec.member
    with session.begin():
        person = session.get(m.Person, member.id) or m.Person(id=member.id)
        person.first_name, person.last_name = member.first_name, member.last_name
        person.name, person.names_from = member.name, "member record"
        person.current_party_id = member.current_party.id if member.current_party else None
        person.record, person.record_url, person.record_sha256 = member.raw, rec.url, rec.sha256
        person.record_fetched_at, person.record_etag = rec.fetched_at, rec.etag
        person.record_last_modified, person.record_ingest_run_id = rec.last_modified, ingest_run_id
        session.add(person)
        for party in member.parties:
            _party(session, party, member.id)
        session.flush()
        session.execute(delete(m.Membership).where(m.Membership.person_id == member.id))
        session.add_all(m.Membership(person_id=member.id, party_id=p.party.id, party_name=p.party.name, position=i,
                                     since_raw=p.since_raw, until_raw=p.until_raw, since_day=p.since,
                                     until_day=p.until) for i, p in enumerate(member.memberships))
        session.flush()
        for party in member.parties:
            _newest_name(session, party.id)


def _party(session: Session, party: Party, member_id: int) -> None:
    row = session.get(m.Party, party.id) or m.Party(id=party.id, name=party.name)
    row.colour, row.logo, row.seats, row.seen_in = party.colour, party.logo, party.seats, f"member record {member_id}"
    session.add(row)


def _newest_name(session: Session, party_id: int) -> None:
    """A party's name is the one of its most recent period in any member's record (a member who
    left before a rename must not bring the old name back)."""
    newest = session.scalars(select(m.Membership.party_name).where(
        m.Membership.party_id == party_id, m.Membership.party_name.is_not(None))
        .order_by(m.Membership.since_day.desc(), m.Membership.id.desc())).first()
    if newest:
        session.get_one(m.Party, party_id).name = newest


def memberships(session: Session, person_id: int) -> list[Membership]:
    """A person's stored party periods, as the member record wrote them."""
    rows = session.scalars(select(m.Membership).where(m.Membership.person_id == person_id)
                           .order_by(m.Membership.position))
    return [Membership(Party(r.party_id, r.party_name), r.since_raw, r.until_raw) for r in rows]


def resolve(session: Session, person_id: int, not_read: str | None = None) -> int:
    """Each stored question of this asker gets their party on the day it was asked, from the
    stored periods, with its source; `not_read` is why the member record could not be read
    (used when none is stored). Returns how many questions have a party."""
    with session.begin():
        person = session.get(m.Person, person_id)
        periods = memberships(session, person_id) if person is not None and person.record is not None else None
        url = person.record_url if person is not None else None
        parties = 0
        for q in session.scalars(select(m.Question).where(m.Question.asker_id == person_id)):
            _resolve_one(q, periods, url, not_read)
            parties += q.asker_party_id is not None
    return parties


def _resolve_one(q: m.Question, periods: list[Membership] | None, url: str | None, not_read: str | None) -> None:
    if periods is None:
        q.asker_party_id, q.asker_party_name, q.asker_party_status = None, None, NOT_READ
        source = f"{NOT_READ}: {not_read}" if not_read else NOT_READ
    elif q.date_asked is None:
        q.asker_party_id, q.asker_party_name, q.asker_party_status = None, None, NO_DATE
        source = f"member record {url}: {NO_DATE}"
    else:
        on = party_on(periods, q.date_asked)
        q.asker_party_id = on.party.id if on.party else None
        q.asker_party_name = on.party.name if on.party else None
        q.asker_party_status = on.status
        period = (f" lidmaatschap {on.membership.since_raw} to {on.membership.until_raw or 'now'}"
                  if on.membership else "")
        source = f"member record {url}{period}: {on.status} on {q.date_asked.isoformat()}"
    q.sources = {**(q.sources or {}), "asker_party": source}
