"""The ingestion flow: discover questions, fetch each record, answer and annexes, extract, load.

Each step is a task that calls into `vlpar` (HTTP), `extractors` (PDF bytes to records) or
`schema` (the store); this module only wires them together. One question is one unit of
work: its facts are loaded in one transaction, and a failure stays with that question."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

import extractors
from extractors.checks import Validation, annex_total, annex_vs_answer_table
from extractors.records import AnnexLink, DocumentExtraction
from schema.blobs import BlobStore
from schema.db import open_store
from schema.export import summary
from schema.load import (
    AnnexIn,
    DocumentIn,
    ExtractionIn,
    QuestionIn,
    begin_ingest_run,
    finish_ingest_run,
    load_question,
)
from vlpar import api
from vlpar.client import Client, FetchError, Response


@dataclass
class Fetched:
    """A response kept on disk: what the store needs to know of it."""

    doc: DocumentIn

    @classmethod
    def keep(cls, resp: Response, blobs: BlobStore) -> Fetched:
        blobs.put(resp.body)
        return cls(DocumentIn(source_url=resp.source_url, final_url=resp.final_url, sha256=resp.sha256,
                              size=len(resp.body), content_type=resp.content_type,
                              is_pdf=extractors.is_pdf(resp.body), fetched_at=resp.fetched_at,
                              http_status=resp.status, etag=resp.headers.get("etag"),
                              last_modified=resp.headers.get("last-modified")))


@dataclass
class Outcome:
    question_id: int
    loaded: bool
    failures: list[dict] = field(default_factory=list)


@task(cache_policy=NO_CACHE)
def discover(client: Client, session_year: str, number: int | None = None) -> list[int]:
    """Question ids of a session year (or one question number), newest first, without repeats."""
    query = api.session_query(session_year) + (f"&nummer={number}" if number else "")
    ids = []
    for hit in api.search(client, query):
        wanted = number is None or str(hit.metatags.get("nummer")) == str(number)
        if hit.id is not None and hit.id not in ids and wanted:
            ids.append(hit.id)
    return ids


@task(cache_policy=NO_CACHE)
def fetch(client: Client, blobs: BlobStore, url: str, accept: str | None = None) -> tuple[Fetched, bytes]:
    resp = client.get(url, accept=accept)
    return Fetched.keep(resp, blobs), resp.body


def run_extractor(name: str, fn, *args) -> ExtractionIn:
    """Run an extractor; a PDF it cannot read becomes a recorded failure, not an exception."""
    started = datetime.now(UTC)
    try:
        result, error = fn(*args), None
    except extractors.PdfError as exc:
        result, error = None, str(exc)
    return ExtractionIn(name, extractors.VERSION, started, datetime.now(UTC), result, error)


@task(cache_policy=NO_CACHE)
def extract_answer(data: bytes) -> ExtractionIn:
    return run_extractor(extractors.ANSWER_EXTRACTOR, extractors.extract_answer, data)


@task(cache_policy=NO_CACHE)
def extract_annex(data: bytes, published: date, title: str | None) -> ExtractionIn:
    return run_extractor(extractors.ANNEX_EXTRACTOR, extractors.extract_annex, data, published, title)


def validate(answer: DocumentExtraction | None, annexes: list[AnnexIn]) -> list[Validation]:
    out: list[Validation] = []
    for annex in annexes:
        result = annex.extraction.result if annex.extraction else None
        for blist in result.beneficiary_lists if result else []:
            out += annex_total(annex.label, blist)
            out += annex_vs_answer_table(annex.label, blist, answer.tables if answer else [])
    return out


def annex_targets(client: Client, record: api.Record, answer: DocumentExtraction | None) -> list[AnnexLink]:
    """Annexes as the answer lists them, then any further files the record names."""
    links = list(answer.annexes) if answer else []
    seen = {client.map_url(a.url) for a in links}
    for url in record.files[1:]:
        if client.map_url(url) not in seen:
            seen.add(client.map_url(url))
            links.append(AnnexLink(f"Bijlage {len(links) + 1}", None, url, 0, None, "record"))
    return links


@task(cache_policy=NO_CACHE)
def ingest_question(client: Client, blobs: BlobStore, sessions, question_id: int, ingest_run_id: int) -> Outcome:
    """Fetch, extract and load one question; what fails is recorded, not raised."""
    outcome = Outcome(question_id, loaded=False)
    record_url = api.record_url(client, question_id)
    try:
        rec_fetched, body = fetch(client, blobs, record_url, "application/json")
    except FetchError as exc:
        outcome.failures.append({"url": exc.url, "reason": exc.reason})
        return outcome
    record = api.parse_record(body)
    q = QuestionIn(id=record.id, session_year=record.session_year, number=record.number, title=record.title,
                   date_asked=record.date_asked, date_answered=record.date_answered, asker=record.asker,
                   minister=record.minister, themes=record.themes, status=record.status,
                   answer_url=client.canonical(record.files[0]) if record.files else None,
                   record=record.raw, record_url=client.canonical(record_url),
                   record_fetched_at=rec_fetched.doc.fetched_at)
    answer = None
    if q.answer_url:
        try:
            fetched, data = fetch(client, blobs, q.answer_url)
            q.answer = fetched.doc
            if fetched.doc.is_pdf:
                q.answer_extraction = extract_answer(data)
                answer = q.answer_extraction.result
            else:
                outcome.failures.append({"url": q.answer_url, "reason": f"not a PDF ({fetched.doc.content_type})"})
        except FetchError as exc:
            outcome.failures.append({"url": exc.url, "reason": exc.reason})
    published = record.date_answered or record.date_asked or date.today()
    for i, link in enumerate(annex_targets(client, record, answer), start=1):
        annex = AnnexIn(position=i, label=link.label, title=link.title, url=client.canonical(link.url), status="ok")
        try:
            fetched, data = fetch(client, blobs, link.url)
            annex.document = fetched.doc
            if not fetched.doc.is_pdf:
                annex.status = "not_pdf"
                annex.detail = f"expected a PDF, got {fetched.doc.content_type} at {fetched.doc.final_url}"
            else:
                annex.extraction = extract_annex(data, published, link.title)
                if annex.extraction.result is None:
                    annex.status, annex.detail = "unreadable", annex.extraction.error
                elif annex.extraction.result.issues:
                    annex.detail = "; ".join(f"page {i.page}: {i.reason}" for i in annex.extraction.result.issues)
        except FetchError as exc:
            annex.status, annex.detail = "fetch_failed", exc.reason
            outcome.failures.append({"url": exc.url, "reason": exc.reason})
        q.annexes.append(annex)
    q.validations = validate(answer, q.annexes)
    with sessions() as session:
        load_question(session, q, ingest_run_id, str(flow_run.id) if flow_run.id else None)
    outcome.loaded = True
    return outcome


@flow(name="vpetl-ingest", log_prints=True)
def ingest(session_year: str, question: int | None = None, api_base: str | None = None,
           database_url: str | None = None, data_dir: str = "vpetl-data", rate: float = 1.0,
           allowed_hosts: list[str] | None = None) -> dict:
    """Ingest the written questions of a session year (or one question) into the store."""
    client = Client(api_base=api_base, allowed_hosts=set(allowed_hosts or []) or None, rate=rate)
    blobs = BlobStore(Path(data_dir) / "blobs")
    sessions = open_store(database_url)
    query = {"session_year": session_year, "question": question}
    with sessions() as session:
        run_id = begin_ingest_run(session, client.api_base, query, str(flow_run.id) if flow_run.id else None)
    try:
        ids = discover(client, session_year, question)
        outcomes = [ingest_question(client, blobs, sessions, qid, run_id) for qid in ids]
    except Exception as exc:
        with sessions() as session:
            finish_ingest_run(session, run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
        raise
    counts = {"discovered": len(ids), "loaded": sum(o.loaded for o in outcomes),
              "failures": [dict(f, question_id=o.question_id) for o in outcomes for f in o.failures]}
    with sessions() as session:
        finish_ingest_run(session, run_id, "ok", counts)
        return {"ingest_run_id": run_id, **counts, **summary(session)}
