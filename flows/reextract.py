"""Re-extraction: run the current extractors over documents already stored. No HTTP at all.

A question whose documents all have a run of the current extractor versions is skipped
without extracting anything (the cache is keyed on the document's sha256 and the version).
Otherwise every document of the question is extracted again in memory (the checks compare
answer and annexes), and only the documents without a current run get a new run. After each
new run the summary of what changed against the run it superseded is returned."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

import extractors
from schema.blobs import BlobStore
from schema.db import open_store
from schema.diff import diff_runs, previous_run
from schema.load import AnnexIn, has_run, load_reextraction
from schema.queries import question_documents

from .ingest import validate
from .pool import extract_kind


def _extractor_for(label: str | None) -> str:
    return extractors.NAMES["answer" if label is None else "annex"]


@task(cache_policy=NO_CACHE)
def reextract_question(sessions, blobs: BlobStore, question_id: int, only: str | None) -> list[dict]:
    with sessions() as session:
        docs = [qd for qd in question_documents(session, [question_id]) if qd.document.is_pdf]
        todo = [qd for qd in docs if (only is None or _extractor_for(qd.label) == only)
                and not has_run(session, qd.document.id, _extractor_for(qd.label), extractors.VERSION)]
        if not todo:
            return []
        q = docs[0].question
        published = q.date_answered or q.date_asked or date.today()
        plan = [(qd.document.id, qd.label, qd.title, qd.document.sha256) for qd in docs]
    runs, annexes, answer = {}, [], None
    for doc_id, label, title, sha in plan:
        data = blobs.get(sha)
        if label is None:
            runs[doc_id] = extract_kind("answer", data)
            answer = runs[doc_id].result
        else:
            runs[doc_id] = extract_kind("annex", data, published, title)
            annexes.append(AnnexIn(0, label, title, "", "ok", extraction=runs[doc_id]))
    wanted = {qd.document.id for qd in todo}
    with sessions() as session:
        counts = load_reextraction(session, question_id, [(d, ex) for d, ex in runs.items() if d in wanted],
                                   validate(answer, annexes), str(flow_run.id) if flow_run.id else None)
        out = []
        for run_id in counts.new_runs:
            before = previous_run(session, run_id)
            diff = diff_runs(session, before, run_id) if before else None
            out.append({"question_id": question_id, "run_id": run_id, "previous_run_id": before,
                        "added": len(diff.added) if diff else None, "changed": len(diff.changed) if diff else None,
                        "removed": len(diff.removed) if diff else None})
        return out


@flow(name="vpetl-reextract")
def reextract(database_url: str | None = None, data_dir: str = "vpetl-data", questions: list[int] | None = None,
              extractor: str | None = None) -> list[dict]:
    """Re-run the current extractors over stored documents; one summary per new run."""
    sessions = open_store(database_url)
    blobs = BlobStore(Path(data_dir) / "blobs")
    with sessions() as session:
        ids = sorted({qd.question.id for qd in question_documents(session, questions)})
    return [row for qid in ids for row in reextract_question(sessions, blobs, qid, extractor)]
