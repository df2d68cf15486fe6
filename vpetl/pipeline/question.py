"""One written question, step by step: decide, fetch, extract, check, load.

A question is one unit of work: its record, answer and annexes are fetched, what is new to
the current extractors is extracted, the checks run, and it is loaded in one transaction.
What fails to fetch is recorded with its reason, and the next run tries it again.

Every request that can be conditional is (ETag, Last-Modified), so bytes that did not change
are not downloaded again, and bytes already extracted by the current extractor versions are
not extracted again. A sync also skips, without any request, questions whose `last_modified`
in the search results is the one stored, unless they were unanswered or incomplete."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from vpetl import extractors
from vpetl.extractors import Extraction
from vpetl.extractors.checks import check_question
from vpetl.extractors.records import AnnexLink
from vpetl.schema.load import (
    AnnexIn,
    DocumentIn,
    QuestionIn,
    StoredQuestion,
    extracted,
    latest_document,
    load_question,
    stored_question,
)
from vpetl.schema.lock import LockLost
from vpetl.vlpar import api
from vpetl.vlpar.client import FetchError, Response

from .run import QuestionOutcome, Run, Status

log = logging.getLogger(__name__)

Found = tuple[int, str | None]
"""A discovered question: its id and the `last_modified` its search hit gave (or None)."""

RECORD_ANNEX_LABEL = "Bijlage {n}"  # how the parliament labels annexes; for files only the record lists


def discover(run: Run, query: api.Query) -> list[Found]:
    """Every question a query finds, once, with its `last_modified`; raw pages kept as blobs.

    A search page that cannot be fetched or read ends discovery: with nothing found yet it
    fails the run; otherwise the questions found are still ingested and the run records why
    discovery stopped (`run.discovery_error`)."""
    found: dict[int, str | None] = {}

    def keep(resp: Response) -> None:
        run.blobs.put(resp.body or b"")

    try:
        for hit in api.search(run.client, query, on_response=keep):
            if hit.id is not None and hit.id not in found:
                if query.number is None or str(hit.metatags.get("nummer")) == str(query.number):
                    last_modified = hit.metatags.get("last_modified")
                    found[hit.id] = last_modified if isinstance(last_modified, str) else None
    except (FetchError, api.SearchError) as exc:
        if not found:
            raise
        run.discovery_error = str(exc)
    finally:
        run.flush_log()
    return list(found.items())


def ingest_batch(run: Run, batch: list[Found]) -> list[QuestionOutcome]:
    """A batch of questions, one after the other."""
    return [ingest_question(run, question_id, last_modified) for question_id, last_modified in batch]


def ingest_question(run: Run, question_id: int, last_modified: str | None) -> QuestionOutcome:
    """Fetch what changed of one question, extract what is new, check and load it.

    Whatever goes wrong stays with this question: it is recorded as failed with the reason
    (nothing of it is loaded; the next run tries again) and the run goes on. A record that
    cannot be fetched or read is the source's doing; anything else is a bug in vpetl, said
    so, with its traceback in the log."""
    outcome = QuestionOutcome(question_id)
    try:
        _ingest(run, question_id, last_modified, outcome)
    except FetchError as exc:
        outcome.status = Status.failed
        outcome.failed(exc.url, exc.reason)
    except api.RecordError as exc:
        outcome.status = Status.failed
        outcome.failed(api.record_url(run.client, question_id), str(exc))
    except LockLost:
        raise  # not this question's doing: the whole run stops
    except Exception as exc:
        log.exception("question %s: bug in vpetl", question_id)
        outcome.status = Status.failed
        outcome.failed(api.record_url(run.client, question_id), f"bug in vpetl: {type(exc).__name__}: {exc}")
    finally:
        _flush_log(run, question_id)
    return outcome


def _flush_log(run: Run, question_id: int) -> None:
    """The question's fetch log; a log that cannot be written must not hide what happened."""
    try:
        run.flush_log()
    except Exception:
        log.exception("question %s: its fetch log could not be written", question_id)


def skip_without_request(stored: StoredQuestion | None, last_modified: str | None, incremental: bool) -> bool:
    """A sync need not ask again for a complete, answered question whose search hit says it
    did not change since it was stored."""
    return bool(incremental and stored and stored.complete and stored.answered and last_modified
                and stored.last_modified == last_modified)


def _ingest(run: Run, question_id: int, last_modified: str | None, outcome: QuestionOutcome) -> None:
    with run.store() as session:
        stored = stored_question(session, question_id)
    if skip_without_request(stored, last_modified, run.incremental):
        outcome.status = Status.unchanged
        return
    fetched = fetch_record(run, question_id, stored)
    if fetched is None:
        outcome.status = Status.unchanged
        return
    record, resp = fetched
    q = question_in(run, record, resp, last_modified)
    docs = fetch_documents(run, record, stored, outcome)
    extract_documents(run, docs, record.date_answered or record.date_asked or date.today())
    q.answer, q.answer_extraction = docs.answer, docs.answer_extraction
    q.annexes = [annex.as_loaded(i, run) for i, annex in enumerate(docs.annexes, start=1)]
    q.validations = docs.validations()
    q.complete = not outcome.failures
    run.lease.check()
    with run.store() as session:
        outcome.extractions = load_question(session, q, run.ingest_run_id, run.flow_run_id).extractions_new


def fetch_record(run: Run, question_id: int, stored: StoredQuestion | None) -> tuple[api.Record, Response] | None:
    """The question's record, conditional on the stored one; None when it did not change and
    nothing of the question is left to fetch."""
    url = api.record_url(run.client, question_id)
    resp = run.client.get(url, accept="application/json", etag=stored.record_etag if stored else None,
                          last_modified=stored.record_last_modified if stored else None)
    if resp.not_modified and stored:
        return None if stored.complete else (api.parse_record(stored.record), resp)
    run.blobs.put(resp.body or b"")
    record = api.parse_record(resp.body or b"")
    if record.id != question_id:  # it would overwrite another question's facts
        raise api.RecordError(f"the record of question {question_id} says it is question {record.id}")
    return record, resp


def question_in(run: Run, record: api.Record, resp: Response, last_modified: str | None) -> QuestionIn:
    """What the record says of the question, as the store takes it."""
    client = run.client
    return QuestionIn(
        id=record.id, session_year=record.session_year, number=record.number, title=record.title,
        date_asked=record.date_asked, date_answered=record.date_answered, asker=record.asker,
        minister=record.minister, themes=record.themes, status=record.status,
        answer_url=client.name(record.files[0]) if record.files else None,
        record=record.raw, record_url=client.canonical(api.record_url(client, record.id)),
        record_fetched_at=resp.fetched_at, record_etag=resp.headers.get("etag"),
        record_last_modified=resp.headers.get("last-modified"),
        last_modified=last_modified or record.raw.get("last_modified"))


@dataclass
class Annex:
    """One annex of a question: how the answer (or record) lists it, and what came of it."""

    link: AnnexLink
    document: DocumentIn | None = None
    error: str | None = None  # why it could not be fetched
    extraction: Extraction | None = None

    def as_loaded(self, position: int, run: Run) -> AnnexIn:
        status, detail = annex_status(self)
        return AnnexIn(position=position, label=self.link.label, title=self.link.title,
                       url=run.client.name(self.link.url), status=status, detail=detail,
                       document=self.document, extraction=self.extraction)


def annex_status(annex: Annex) -> tuple[str, str | None]:
    """An annex's status and its detail: fetched and read, or why not."""
    doc, ex = annex.document, annex.extraction
    if annex.error or doc is None:
        return "fetch_failed", annex.error
    if not doc.is_pdf:
        return "not_pdf", f"expected a PDF, got {doc.content_type} at {doc.final_url}"
    if ex is not None and ex.result is None:
        return "unreadable", ex.error
    if ex is not None and ex.result is not None and ex.result.issues:
        return "ok", "; ".join(f"page {i.page}: {i.reason}" for i in ex.result.issues)
    return "ok", None


@dataclass
class Documents:
    """A question's answer and annexes, and which of them are new to the current extractors."""

    answer: DocumentIn | None = None
    answer_extraction: Extraction | None = None
    annexes: list[Annex] = field(default_factory=list)
    new: bool = False  # any bytes the current extractor versions have not read

    def validations(self) -> list[extractors.checks.Validation] | None:
        """The question's checks, when anything was extracted anew (None: keep the stored ones)."""
        if not self.new:
            return None
        answer = self.answer_extraction.result if self.answer_extraction else None
        return check_question(answer, [(a.link.label, a.extraction.result if a.extraction else None)
                                       for a in self.annexes])


def fetch_documents(run: Run, record: api.Record, stored: StoredQuestion | None,
                    outcome: QuestionOutcome) -> Documents:
    """The answer, then the annexes it lists (or, when it did not change, that the store lists),
    then any further files the record names. The answer is read here when its bytes are new:
    its list of annexes says what else to fetch."""
    docs = Documents()
    if record.files:
        docs.answer = _fetch(run, record.files[0], outcome)
    answer_new = _fresh(run, docs.answer, extractors.ANSWER_EXTRACTOR)
    listed: list[AnnexLink] = []
    if docs.answer and docs.answer.is_pdf and (answer_new or not stored):
        docs.answer_extraction = run.extract("answer", docs.answer.sha256)
        listed = list(docs.answer_extraction.result.annexes) if docs.answer_extraction.result else []
    elif stored:
        listed = [AnnexLink(label, title, url, 0, None, "store") for label, title, url in stored.annexes]
    for link in annex_links(run, record, listed):
        annex = Annex(link)
        try:
            annex.document = fetch_document(run, link.url, outcome)
        except FetchError as exc:
            annex.error = exc.reason
            outcome.failed(exc.url, exc.reason)
        docs.annexes.append(annex)
    docs.new = answer_new or any(_fresh(run, a.document, extractors.ANNEX_EXTRACTOR) for a in docs.annexes)
    return docs


def extract_documents(run: Run, docs: Documents, published: date) -> None:
    """When anything is new, every PDF of the question is read (the checks compare them all;
    runs that exist already are not stored twice)."""
    if not docs.new:
        return
    if docs.answer and docs.answer.is_pdf and docs.answer_extraction is None:
        docs.answer_extraction = run.extract("answer", docs.answer.sha256)
    for annex in docs.annexes:
        if annex.document and annex.document.is_pdf:
            annex.extraction = run.extract("annex", annex.document.sha256, published, annex.link.title)


def annex_links(run: Run, record: api.Record, listed: list[AnnexLink]) -> list[AnnexLink]:
    """Annexes as the answer lists them, then any further files the record names."""
    links = list(listed)
    seen = {run.client.name(a.url) for a in links}
    for url in record.files[1:]:
        key = run.client.name(url)
        if key not in seen:
            seen.add(key)
            links.append(AnnexLink(RECORD_ANNEX_LABEL.format(n=len(links) + 1), None, url, 0, None, "record"))
    return links


def _fetch(run: Run, url: str, outcome: QuestionOutcome) -> DocumentIn | None:
    try:
        return fetch_document(run, url, outcome)
    except FetchError as exc:
        outcome.failed(exc.url, exc.reason)
        return None


def _fresh(run: Run, doc: DocumentIn | None, extractor: str) -> bool:
    """A PDF whose bytes the current version of the extractor has not read yet."""
    if doc is None or not doc.is_pdf:
        return False
    with run.store() as session:
        return not extracted(session, doc.source_url, doc.sha256, extractor, extractors.VERSION)


def fetch_document(run: Run, url: str, outcome: QuestionOutcome) -> DocumentIn:
    """A document, streamed to the blob store; conditional on the stored version of its URL."""
    canonical = run.client.name(url)
    with run.store() as session:
        prev = latest_document(session, canonical)
        prev_in = DocumentIn.of(prev) if prev else None
    have = prev_in if prev_in and prev_in.sha256 in run.blobs else None
    resp = run.client.get(url, etag=have.etag if have else None, last_modified=have.last_modified if have else None,
                          sink=run.blobs, expect_pdf=True)
    if resp.not_modified and have:
        return have
    doc = document_in(resp)
    if prev_in is None:
        outcome.new_documents += 1
    elif prev_in.sha256 != doc.sha256:  # republished: same URL, new bytes; the old version is kept
        outcome.changed_documents.append(doc.source_url)
    return doc


def document_in(resp: Response) -> DocumentIn:
    """A fetched document, as the store takes it."""
    return DocumentIn(source_url=resp.source_url, final_url=resp.final_url, sha256=resp.sha256 or "", size=resp.size,
                      content_type=resp.content_type, is_pdf=resp.is_pdf, fetched_at=resp.fetched_at,
                      http_status=resp.status, etag=resp.headers.get("etag"),
                      last_modified=resp.headers.get("last-modified"))
