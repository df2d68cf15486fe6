"""What changed between two extraction runs: facts added, changed and removed, by fact id."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models as m


@dataclass
class FactDiff:
    run_a: int
    run_b: int
    added: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # each with "old" and "new"
    removed: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        return f"run {self.run_a} -> {self.run_b}: +{len(self.added)} ~{len(self.changed)} -{len(self.removed)}"


def facts(session: Session, run_id: int) -> dict[str, dict]:
    """The facts of one run by fact id, each as the values a reader compares."""
    out: dict[str, dict] = {}
    for c in session.scalars(select(m.TableCell).where(m.TableCell.extraction_run_id == run_id)):
        out[c.fact_id] = {"kind": "cell", "fact_id": c.fact_id, "raw_text": c.raw_text, "value": c.value,
                          "unit": c.unit, "row_label": c.row_label, "column_label": c.column_label, "page": c.page}
    for b in session.scalars(select(m.Beneficiary).where(m.Beneficiary.extraction_run_id == run_id)):
        out[b.fact_id] = {"kind": "beneficiary", "fact_id": b.fact_id, "name": b.name, "kind_of": b.kind,
                          "nis_code": b.nis_code, "sessions": b.sessions, "amount_eur": b.amount_eur, "page": b.page}
    return out


def diff_runs(session: Session, run_a: int, run_b: int) -> FactDiff:
    a, b = facts(session, run_a), facts(session, run_b)
    out = FactDiff(run_a, run_b)
    for fid in sorted(b.keys() - a.keys()):
        out.added.append(b[fid])
    for fid in sorted(a.keys() - b.keys()):
        out.removed.append(a[fid])
    for fid in sorted(a.keys() & b.keys()):
        old = {k: v for k, v in a[fid].items() if k != "page"}
        new = {k: v for k, v in b[fid].items() if k != "page"}
        if old != new:
            out.changed.append({"fact_id": fid, "old": a[fid], "new": b[fid]})
    return out


def previous_run(session: Session, run_id: int) -> int | None:
    """The run a new run took over from: the newest earlier successful run of the same extractor
    over the same URL (this version of the document or an earlier one)."""
    run = session.get_one(m.ExtractionRun, run_id)
    doc = session.get_one(m.Document, run.document_id)
    lineage = select(m.Document.id).where(m.Document.source_url == doc.source_url)
    return session.scalars(select(m.ExtractionRun.id).where(
        m.ExtractionRun.document_id.in_(lineage), m.ExtractionRun.extractor == run.extractor,
        m.ExtractionRun.status == "ok", m.ExtractionRun.id < run_id)
        .order_by(m.ExtractionRun.id.desc())).first()
