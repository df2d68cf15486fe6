"""Reviews of facts: verified, disputed or corrected, by whom, when and why.

Reviews are keyed by fact id, so they survive re-extraction. They can live in a JSON Lines
file kept in git (`corrections.jsonl`): importing it is idempotent, exporting it writes every
review in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpetl.errors import VpetlError

from . import models as m

ACTIONS = ("verify", "dispute", "correct")


class ReviewError(VpetlError, ValueError):
    pass


def fact_exists(session: Session, fact_id: str) -> bool:
    for model in (m.TableCell, m.Beneficiary):
        if session.scalars(select(model.id).where(model.fact_id == fact_id).limit(1)).first() is not None:
            return True
    return False


def add_review(session: Session, fact_id: str, action: str, reviewer: str, reason: str | None = None,
               value: str | None = None, at: datetime | None = None, require_fact: bool = True) -> m.Review:
    """Record a review (in the caller's transaction)."""
    if action not in ACTIONS:
        raise ReviewError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    if (action == "correct") != (value is not None):
        raise ReviewError("a correction needs a value, and only a correction has one")
    if require_fact and not fact_exists(session, fact_id):
        raise ReviewError(f"no fact with id {fact_id}")
    review = m.Review(fact_id=fact_id, action=action, value=value, reviewer=reviewer, reason=reason,
                      reviewed_at=at or datetime.now(UTC))
    session.add(review)
    return review


def current(session: Session) -> dict[str, m.Review]:
    """The review in force for each reviewed fact: its latest."""
    out: dict[str, m.Review] = {}
    for r in session.scalars(select(m.Review).order_by(m.Review.reviewed_at, m.Review.id)):
        out[r.fact_id] = r
    return out


def orphans(session: Session) -> list[m.Review]:
    """Reviews whose fact no current extraction holds any more: to be looked at again."""
    return [r for fid, r in current(session).items() if not fact_exists(session, fid)]


def as_record(r: m.Review) -> dict:
    at = r.reviewed_at if r.reviewed_at.tzinfo else r.reviewed_at.replace(tzinfo=UTC)
    return {"fact_id": r.fact_id, "action": r.action, "value": r.value, "reviewer": r.reviewer,
            "reason": r.reason, "reviewed_at": at.isoformat()}


def export_file(session: Session, path: Path) -> int:
    rows = session.scalars(select(m.Review).order_by(m.Review.reviewed_at, m.Review.id)).all()
    path.write_text("".join(json.dumps(as_record(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def import_file(session: Session, path: Path) -> int:
    """Add the file's reviews that the store does not have yet (same fact, action, time)."""
    have = {(r.fact_id, r.action, as_record(r)["reviewed_at"]) for r in session.scalars(select(m.Review))}
    added = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            at = datetime.fromisoformat(rec["reviewed_at"])
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            key = (rec["fact_id"], rec["action"], at.isoformat())
        except (ValueError, KeyError) as exc:
            raise ReviewError(f"{path}:{n}: {exc}") from exc
        if key in have:
            continue
        add_review(session, rec["fact_id"], rec["action"], rec["reviewer"], rec.get("reason"), rec.get("value"),
                   at, require_fact=False)
        have.add(key)
        added += 1
    return added
