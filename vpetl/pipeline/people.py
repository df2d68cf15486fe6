"""Who asked: each asker's member record, read once a run, and their party on each question's day.

After a run's questions are loaded, the askers of every question the run found (unchanged ones
too) have their member record asked for, each once, politely (the run's client: its rate,
retries and budget) and conditionally (a record that did not change comes back 304, with no
body). Every stored question of that asker then gets the party of the day it was asked.

A member record that cannot be fetched or read fails that enrichment, not the question: the
question stays loaded, with the reason in its `sources["asker_party"]` (and the periods stored
by an earlier run, if any, still decide its party); the run counts it and lists it per question."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from vpetl.schema.people import MemberRecordIn, askers_of, load_member, resolve, stored_member
from vpetl.vlpar.client import FetchError
from vpetl.vlpar.members import MemberError, member_url, parse_member

from .run import Failure, Run

log = logging.getLogger(__name__)


@dataclass
class PeopleOutcome:
    """What a run did with member records: read (new bytes), unchanged (304 or same bytes),
    failed, and how many questions got a party."""

    read: int = 0
    unchanged: int = 0
    failed: int = 0
    with_party: int = 0
    failures: list[Failure] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"member_records_read": self.read, "member_records_unchanged": self.unchanged,
                "member_records_failed": self.failed, "questions_with_party": self.with_party}


def enrich(run: Run, question_ids: Iterable[int]) -> PeopleOutcome:
    """The askers of these questions: their member records, then each question's party."""
    out = PeopleOutcome()
    with run.store() as session:
        askers = askers_of(session, question_ids)
    try:
        for person_id in sorted(askers):
            with run.people_lock:
                if person_id in run.people_seen:  # once per run at most
                    continue
                run.people_seen.add(person_id)
            reason = _read_member(run, person_id, out)
            if reason is not None:
                out.failures += [Failure(q, member_url(run.client, person_id), reason) for q in askers[person_id]]
            with run.store() as session:
                out.with_party += resolve(session, person_id, reason)
    finally:
        run.flush_log()
    return out


def _read_member(run: Run, person_id: int, out: PeopleOutcome) -> str | None:
    """Fetch, keep and load one member record; None when it went well, else why not. A bug in
    vpetl is said to be one, with its traceback in the log."""
    try:
        changed = fetch_member(run, person_id)
    except (FetchError, MemberError) as exc:
        out.failed += 1
        return exc.reason if isinstance(exc, FetchError) else str(exc)
    except Exception as exc:
        log.exception("member %s: bug in vpetl", person_id)
        out.failed += 1
        return f"bug in vpetl: {type(exc).__name__}: {exc}"
    if changed:
        out.read += 1
    else:
        out.unchanged += 1
    return None


def fetch_member(run: Run, person_id: int) -> bool:
    """One member record, conditional on the stored one; its bytes kept in the blob store and
    loaded when they changed. True when new bytes were loaded."""
    url = member_url(run.client, person_id)
    with run.store() as session:
        have = stored_member(session, person_id)
    resp = run.client.get(url, accept="application/json", etag=have.etag if have else None,
                          last_modified=have.last_modified if have else None)
    if resp.not_modified and have:
        return False
    body = resp.body or b""
    member = parse_member(body, person_id)  # before it is kept: bytes that are no record change nothing
    sha256 = run.blobs.put(body)
    if have is not None and have.sha256 == sha256:
        return False
    with run.store() as session:
        load_member(session, MemberRecordIn(member, resp.source_url, sha256, resp.fetched_at,
                                            resp.headers.get("etag"), resp.headers.get("last-modified")),
                    run.ingest_run_id)
    return True
