"""What a user asks after runs: how they went, and what is still to be fetched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import models as m
from .export import iso


def status(session: Session, n_runs: int = 5) -> dict[str, Any]:
    runs = session.scalars(select(m.IngestRun).order_by(m.IngestRun.id.desc()).limit(n_runs)).all()
    incomplete = session.execute(
        select(m.Annex.question_id, m.Annex.label, m.Annex.url, m.Annex.detail)
        .where(m.Annex.status == "fetch_failed").order_by(m.Annex.question_id)).all()
    requests, errors, size = session.execute(
        select(func.count(), func.count(m.FetchLog.error), func.coalesce(func.sum(m.FetchLog.bytes), 0))).one()
    last = next((r for r in runs if r.counts), None)
    return {"runs": [{"id": r.id, "started_at": (iso(r.started_at) or "")[:16].replace("T", " "), "status": r.status,
                      "query": " ".join(str(v) for k, v in (r.query or {}).items() if v and k != "incremental")
                      + (" (sync)" if (r.query or {}).get("incremental") else ""),
                      "counts": r.counts, "error": r.error} for r in runs],
            "incomplete": [{"question_id": q, "label": label, "url": url, "detail": detail}
                           for q, label, url, detail in incomplete],
            "last_failures": (last.counts or {}).get("failures", []) if last else [],
            "requests": requests, "request_errors": errors, "bytes": size}
