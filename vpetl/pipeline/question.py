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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from vpetl import extractors
from vpetl.extractors import Extraction, sniff
from vpetl.extractors.checks import check_question
from vpetl.extractors.records import AnnexLink
from vpetl.filesystem import is_filesystem
from vpetl.schema.blobs import BlobWriteError
from vpetl.schema.load import (
    AnnexIn,
    DocumentIn,
    QuestionIn,
    StoredQuestion,
    latest_document,
    load_question,
    needs_extraction,
    stored_question,
)
from vpetl.schema.lock import LockLost
from vpetl.schema.people import PersonName
from vpetl.vlpar import api
from vpetl.vlpar.client import FetchError, Response
from vpetl.vlpar.forms import display, read_date

from .evidence import Candidate, Evidence, choose_answer, hit_type
from .run import QuestionOutcome, Run, Status

log = logging.getLogger(__name__)

# The metatags a question's hits carry that vpetl keeps with it (section 1 and 7 of vlpar-api.md):
# the dates and status are used, the rest kept so a later reading can use them without a new run.
KEPT_METATAGS = ("themadatum", "statusdatumSchvBeantwoord", "status", "nummer", "documenttype", "mimetype",
                 "aggregaattype", "soort", "zittingsjaar", "titel", "publicatiedatum", "last_modified", "opendata")


@dataclass(frozen=True)
class Found:
    """A discovered question, with what its search hits said of it. The service's hits are per
    document (the question, its answer, each annex) or journal line, so several hits make one Found."""

    question_id: int
    last_modified: str | None = None  # often missing: change detection then rests on conditional requests
    number: int | None = None  # the hits' `nummer`, for a record without `vraagnummer`
    documents: tuple[tuple[int, str], ...] = ()  # (pfile id, documenttype) of each hit about a document
    metatags: dict[str, object] = field(default_factory=dict, hash=False)  # KEPT_METATAGS, first value of each

    def merged(self, hit: api.Hit) -> Found:
        documents = self.documents
        if hit.document_id is not None and hit.documenttype:
            documents = (*documents, (hit.document_id, hit.documenttype))
        tags = dict(self.metatags)
        for name in KEPT_METATAGS:
            value = hit.metatags.get(name)
            if name not in tags and value not in (None, "", []):
                tags[name] = value
        if hit.mimetype and hit.document_id is not None:  # the mimetype of each document the hits name
            known = tags.get("mimetypes")
            tags["mimetypes"] = {**(known if isinstance(known, dict) else {}), str(hit.document_id): hit.mimetype}
        return Found(self.question_id, self.last_modified or hit.last_modified, self.number or hit.number, documents,
                     tags)


RECORD_ANNEX_LABEL = "Bijlage {n}"  # how the parliament labels annexes; for files only the record lists


def discover(run: Run, query: api.Query) -> list[Found]:
    """Every question a query finds, once, with what its hits say; raw pages kept as blobs.
    Hits of another kind than a written question are dropped and counted (`run.dropped`).

    A search page that cannot be fetched or read ends discovery: with nothing found yet it
    fails the run; otherwise the questions found are still ingested and the run records why
    discovery stopped (`run.discovery_error`). A service that contradicts itself
    (InconsistentSearch) fails the run whatever was found."""
    found: dict[int, Found] = {}

    def keep(resp: Response) -> None:
        run.blobs.put(resp.body or b"")

    try:
        for hit in api.search(run.client, query, on_response=keep, required=run.settings.search_filter):
            if (kind := hit.other_kind()) is not None:
                run.dropped[kind] = run.dropped.get(kind, 0) + 1
            elif hit.id is not None and (query.number is None or hit.number in (None, query.number)):
                found[hit.id] = found.get(hit.id, Found(hit.id)).merged(hit)
    except (FetchError, api.SearchError) as exc:
        if not found or isinstance(exc, api.InconsistentSearch):
            raise
        run.discovery_error = str(exc)
    finally:
        run.flush_log()
    return list(found.values())


def ingest_batch(run: Run, batch: list[Found]) -> list[QuestionOutcome]:
    """A batch of questions, one after the other; none starts once the run is stopping (Ctrl-C)."""
    return [ingest_question(run, found) for found in batch if not run.stopping.is_set()]


def ingest_question(run: Run, found: Found) -> QuestionOutcome:
    """Fetch what changed of one question, extract what is new, check and load it.

    Whatever goes wrong stays with this question: it is recorded as failed with the reason
    (nothing of it is loaded; the next run tries again) and the run goes on. A record that
    cannot be fetched or read is the source's doing; anything else is a bug in vpetl, said
    so, with its traceback in the log."""
    question_id = found.question_id
    outcome = QuestionOutcome(question_id)
    try:
        _ingest(run, found, outcome)
    except FetchError as exc:
        outcome.status = Status.failed
        outcome.failed(exc.url, exc.reason)
    except api.RecordError as exc:
        outcome.status = Status.failed
        outcome.failed(api.record_url(run.client, question_id), str(exc))
    except BlobWriteError as exc:  # the machine's doing (disk full, data dir gone): said plainly
        outcome.status = Status.failed
        outcome.not_stored = True
        outcome.failed(api.record_url(run.client, question_id), str(exc))
    except FileNotFoundError as exc:
        if not str(exc.filename or "").startswith(str(run.blobs.root)):
            raise
        outcome.status = Status.failed  # bytes written a moment ago are gone: the data dir was removed
        outcome.not_stored = True
        outcome.failed(api.record_url(run.client, question_id),
                       f"its bytes were removed from {run.blobs.root} while the run went on")
    except LockLost:
        raise  # not this question's doing: the whole run stops
    except Exception as exc:
        if is_filesystem(exc):
            raise  # the machine's disk (read-only, full), not this question: the whole run stops, said once
        if run.stopping.is_set():  # its extraction ended by Ctrl-C: not loaded, nothing to report
            outcome.status = Status.failed
            outcome.failed(api.record_url(run.client, question_id), "interrupted")
            return outcome
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


def _ingest(run: Run, found: Found, outcome: QuestionOutcome) -> None:
    with run.store() as session:
        stored = stored_question(session, found.question_id)
    if stored and any(sha not in run.blobs for sha in stored.documents):
        stored = replace(stored, complete=False)  # bytes lost from the blob store: fetched again
    if skip_without_request(stored, found.last_modified, run.incremental):
        outcome.status = Status.unchanged
        return
    fetched = fetch_record(run, found.question_id, stored)
    if fetched is None:
        outcome.status = Status.unchanged
        return
    record, resp = fetched
    q = question_in(run, record, resp, found)
    docs = fetch_documents(run, record, found, stored, outcome)
    q.answer_url, q.answer_identified_by, q.answer_other_urls = (docs.answer_url, docs.answer_evidence,
                                                                 docs.answer_other_urls)
    outcome.step = "extract"
    extract_documents(run, docs, record.date_answered or record.date_asked or date.today())
    q.answer, q.answer_extraction = docs.answer, docs.answer_extraction
    q.annexes = [annex.as_loaded(i, run) for i, annex in enumerate(docs.annexes, start=1)]
    q.validations = docs.validations()
    q.complete = not outcome.failures
    run.lease.check()
    outcome.step = "load"
    with run.store() as session:
        outcome.extractions = load_question(session, q, run.ingest_run_id, run.flow_run_id).extractions_new


def fetch_record(run: Run, question_id: int, stored: StoredQuestion | None) -> tuple[api.Record, Response] | None:
    """The question's record, conditional on the stored one; None when it did not change and
    nothing of the question is left to fetch."""
    url = api.record_url(run.client, question_id)
    resp = run.client.get(url, accept="application/json", etag=stored.record_etag if stored else None,
                          last_modified=stored.record_last_modified if stored else None)
    if resp.not_modified and stored:
        return None if stored.complete else (api.parse_record(stored.record, question_id), resp)
    run.blobs.put(resp.body or b"")
    return api.parse_record(resp.body or b"", question_id), resp


def question_in(run: Run, record: api.Record, resp: Response, found: Found) -> QuestionIn:
    """What the record (and the search hits) say of the question, as the store takes it."""
    client = run.client
    last_modified = record.raw.get("last_modified")
    facts = from_hits(record, found)
    return QuestionIn(
        id=record.id, session_year=facts["session_year"], number=facts["number"], title=display(facts["title"]),
        title_raw=facts["title"], date_asked=facts["date_asked"], date_answered=facts["date_answered"],
        asker=record.asker, minister=record.minister, themes=record.themes, status=facts["status"], answer_url=None,
        record=record.raw, record_url=client.canonical(api.record_url(client, record.id)),
        record_fetched_at=resp.fetched_at, record_etag=resp.headers.get("etag"),
        record_last_modified=resp.headers.get("last-modified"),
        last_modified=found.last_modified or (last_modified if isinstance(last_modified, str) else None),
        search_metatags=found.metatags or None, sources=facts["sources"],
        asker_id=record.asker_ref.id if record.asker_ref else None,
        minister_id=record.minister_ref.id if record.minister_ref else None,
        people=[PersonName(p.id, p.first_name, p.last_name) for p in (record.asker_ref, record.minister_ref) if p])


# Which search metatag gives a field, and whether it comes before the record's own reading. The
# dates are attested as metatags (section 7: plain YYYY-MM-DD) and only guessed from the record's
# steps; the number, session year and title are the record's, the metatags standing in.
FROM_HITS = (("date_asked", "themadatum", True), ("date_answered", "statusdatumSchvBeantwoord", True),
             ("status", "status", True), ("number", "nummer", False), ("session_year", "zittingsjaar", False),
             ("title", "titel", False))


def from_hits(record: api.Record, found: Found) -> dict[str, Any]:
    """The dates, status, number, session year and title of a question, from the hits' metatags
    or the record as FROM_HITS says; with `sources`, where each value came from."""
    sources = dict(record.sources)
    if record.session_year:
        sources["session_year"] = "record zittingsjaar"
    out: dict[str, Any] = {name: getattr(record, name) for name, _, _ in FROM_HITS}
    for name, tag, hits_first in FROM_HITS:
        raw = api.first_value(found.metatags.get(tag))
        value = (read_date(raw) if name.startswith("date") else api.read_number(raw) if name == "number"
                 else api.text_value(raw))
        if value is not None and (hits_first or out[name] is None):
            out[name], sources[name] = value, f"search metatag {tag}"
    out["sources"] = sources
    return out


@dataclass
class Annex:
    """One annex of a question: how the answer (or record) lists it, and what came of it."""

    link: AnnexLink
    document: DocumentIn | None = None
    error: str | None = None  # why it could not be fetched
    extraction: Extraction | None = None
    other_urls: list[str] = field(default_factory=list)  # other routes to the same bytes

    def as_loaded(self, position: int, run: Run) -> AnnexIn:
        status, detail = annex_status(self)
        return AnnexIn(position=position, label=self.link.label, title=self.link.title,
                       url=run.client.name(self.link.url), status=status, detail=detail,
                       document=self.document, extraction=self.extraction, other_urls=self.other_urls)


def annex_status(annex: Annex) -> tuple[str, str | None]:
    """An annex's status and its detail: fetched and read, or why not."""
    doc, ex = annex.document, annex.extraction
    if annex.error or doc is None:
        return "fetch_failed", annex.error
    if not doc.readable:
        return "not_a_document", f"not a document vpetl reads: {doc.media_type} (served as {doc.content_type}) " \
                                 f"at {doc.final_url}"
    if ex is not None and ex.result is None:
        return "unreadable", ex.error
    if ex is not None and ex.result is not None and ex.result.issues:
        return "ok", "; ".join(f"page {i.page}: {i.reason}" for i in ex.result.issues)
    return "ok", None


@dataclass
class Documents:
    """A question's answer and annexes, and which of them are new to the current extractors."""

    answer: DocumentIn | None = None
    answer_url: str | None = None
    answer_evidence: Evidence | None = None
    answer_extraction: Extraction | None = None
    answer_other_urls: list[str] = field(default_factory=list)
    annexes: list[Annex] = field(default_factory=list)
    new: bool = False  # any bytes the current extractor versions have not read

    def validations(self) -> list[extractors.checks.Validation] | None:
        """The question's checks, when anything was extracted anew (None: keep the stored ones)."""
        if not self.new:
            return None
        answer = self.answer_extraction.result if self.answer_extraction else None
        return check_question(answer, [(a.link.label, a.extraction.result if a.extraction else None)
                                       for a in self.annexes])

    def collapse(self, name: Callable[[str], str]) -> None:
        """One document, one annex: an annex whose bytes are the answer's or an earlier annex's
        is dropped, and its URL kept as another route to that document. (Only documents:
        two links that both lead to the same error page stay two failed annexes.)"""
        first: dict[str, Annex | None] = {self.answer.sha256: None} if self.answer and self.answer.readable else {}
        kept = []
        for annex in self.annexes:
            doc = annex.document
            if doc is not None and doc.readable and doc.sha256 in first:
                earlier = first[doc.sha256]
                (earlier.other_urls if earlier else self.answer_other_urls).append(name(annex.link.url))
                continue
            if doc is not None and doc.readable:
                first[doc.sha256] = annex
            kept.append(annex)
        self.annexes = kept


def fetch_documents(run: Run, record: api.Record, found: Found, stored: StoredQuestion | None,
                    outcome: QuestionOutcome) -> Documents:
    """Every file the record names, then the answer among them (on evidence), then the annexes
    it lists (or, when it did not change, that the store lists) and the record's other files,
    each document once. The answer is read here when its bytes are new: its list of annexes
    says what else to fetch."""
    hit_types = dict(found.documents)
    fetched: dict[str, tuple[DocumentIn | None, str | None]] = {}
    candidates = []
    for url in record.files:
        doc, _ = fetched[run.client.name(url)] = _fetch(run, url, outcome)
        candidates.append(Candidate(url, doc, record.file_types.get(url), hit_type(hit_types, url, doc)))
    read: dict[str, Extraction] = {}

    def has_answer_header(doc: DocumentIn) -> bool:
        if not doc.readable:
            return False
        ex = read[doc.sha256] = read.get(doc.sha256) or run.extract("answer", doc.sha256)
        return ex.result is not None and ex.result.header is not None and ex.result.header.number is not None

    chosen, evidence = choose_answer(candidates, has_answer_header)
    docs = Documents(answer=chosen.document if chosen else None, answer_evidence=evidence,
                     answer_url=run.client.name(chosen.url) if chosen else None)
    answer_new = _fresh(run, docs.answer, extractors.ANSWER_EXTRACTOR)
    listed: list[AnnexLink] = []
    if docs.answer and docs.answer.readable and (answer_new or not stored):
        docs.answer_extraction = read.get(docs.answer.sha256) or run.extract("answer", docs.answer.sha256)
        listed = list(docs.answer_extraction.result.annexes) if docs.answer_extraction.result else []
    elif stored:
        listed = [AnnexLink(label, title, url, 0, None, "store") for label, title, url in stored.annexes]
    for link in annex_links(run, record, listed, chosen.url if chosen else None):
        annex = Annex(link)
        known = fetched.get(run.client.name(link.url))
        if known is not None:
            annex.document, annex.error = known
        else:
            annex.document, annex.error = _fetch(run, link.url, outcome)
        docs.annexes.append(annex)
    docs.collapse(run.client.name)
    docs.new = answer_new or any(_fresh(run, a.document, extractors.ANNEX_EXTRACTOR) for a in docs.annexes)
    return docs


def extract_documents(run: Run, docs: Documents, published: date) -> None:
    """When anything is new, every PDF of the question is read (the checks compare them all;
    runs that exist already are not stored twice)."""
    if not docs.new:
        return
    if docs.answer and docs.answer.readable and docs.answer_extraction is None:
        docs.answer_extraction = run.extract("answer", docs.answer.sha256)
    for annex in docs.annexes:
        if annex.document and annex.document.readable:
            annex.extraction = run.extract("annex", annex.document.sha256, published, annex.link.title)


def annex_links(run: Run, record: api.Record, listed: list[AnnexLink], answer_url: str | None) -> list[AnnexLink]:
    """Annexes as the answer lists them, then any further files the record names."""
    links = list(listed)
    seen = {run.client.name(a.url) for a in links} | ({run.client.name(answer_url)} if answer_url else set())
    for url in record.files:
        key = run.client.name(url)
        if key not in seen:
            seen.add(key)
            links.append(AnnexLink(RECORD_ANNEX_LABEL.format(n=len(links) + 1), None, url, 0, None, "record"))
    return links


def _fetch(run: Run, url: str, outcome: QuestionOutcome) -> tuple[DocumentIn | None, str | None]:
    """A document, or why it could not be fetched (recorded as the question's failure)."""
    try:
        return fetch_document(run, url, outcome), None
    except FetchError as exc:
        outcome.failed(exc.url, exc.reason)
        return None, exc.reason


def _fresh(run: Run, doc: DocumentIn | None, extractor: str) -> bool:
    """A document whose bytes the current version of the extractor has not read yet."""
    if doc is None:
        return False
    with run.store() as session:
        return needs_extraction(session, doc, extractor, run.extractor_identity)


def fetch_document(run: Run, url: str, outcome: QuestionOutcome) -> DocumentIn:
    """A document, streamed to the blob store; conditional on the stored version of its URL."""
    canonical = run.client.name(url)
    with run.store() as session:
        prev = latest_document(session, canonical)
        prev_in = DocumentIn.of(prev) if prev else None
    have = prev_in if prev_in and prev_in.sha256 in run.blobs else None
    resp = run.client.get(url, etag=have.etag if have else None, last_modified=have.last_modified if have else None,
                          sink=run.blobs, expect_document=True)
    if resp.not_modified and have:
        outcome.documents.add(have.sha256)
        return have
    doc = document_in(resp, run.blobs.get(resp.sha256 or ""))
    outcome.documents.add(doc.sha256)
    if prev_in is None:
        outcome.new_documents.add(doc.sha256)
    elif prev_in.sha256 != doc.sha256:  # republished: same URL, new bytes; the old version is kept
        outcome.changed_documents.append(doc.source_url)
    return doc


def document_in(resp: Response, data: bytes) -> DocumentIn:
    """A fetched document (its bytes `data`), as the store takes it: what it is is sniffed from
    the bytes, not taken from the server's Content-Type."""
    return DocumentIn(source_url=resp.source_url, final_url=resp.final_url, sha256=resp.sha256 or "", size=resp.size,
                      content_type=resp.content_type, is_pdf=resp.is_pdf, fetched_at=resp.fetched_at,
                      http_status=resp.status, etag=resp.headers.get("etag"),
                      last_modified=resp.headers.get("last-modified"), media_type=sniff.media_type(data))
