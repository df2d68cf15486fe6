"""Every table of the store. Facts point to their document, page, bbox and extraction run.

Exact numbers are kept as decimal text (`value`, `amount_eur`): SQLite has no exact decimal
type, and a euro amount must come back to the cent. `amount_cents` is there for sums."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# C0 controls other than tab and newlines: PostgreSQL refuses NUL in text, and none of them
# means anything in a title, URL or cell. Both databases store the same text without them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_controls(value: str | None) -> str | None:
    return CONTROL_CHARS.sub("", value) if value else value


class SourceText(TypeDecorator[str]):
    """Text of any length that came from outside (a server, a document, a person), stored the
    same way on SQLite and PostgreSQL: no length limit, control characters removed."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return without_controls(value)


class IngestRun(Base):
    """One run of the ingestion flow: what it was asked, what it did."""

    __tablename__ = "ingest_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # running, ok, failed
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    api_base: Mapped[str] = mapped_column(SourceText)
    query: Mapped[dict] = mapped_column(JSON)
    counts: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(SourceText)


class Document(Base):
    """One version of a fetched file: the exact bytes (kept on disk by sha256) and how they came."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("source_url", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_url: Mapped[str] = mapped_column(SourceText, index=True)
    final_url: Mapped[str] = mapped_column(SourceText)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(SourceText)
    is_pdf: Mapped[bool] = mapped_column(Boolean)
    media_type: Mapped[str | None] = mapped_column(String(128))  # what the bytes are, sniffed (not the server's word)
    standalone: Mapped[bool] = mapped_column(Boolean, default=False)  # loaded on its own (ingest --file/--url)
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(SourceText)
    last_modified: Mapped[str | None] = mapped_column(SourceText)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Question(Base):
    """A written question as the parliament's record describes it (the raw record kept)."""

    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    session_year: Mapped[str | None] = mapped_column(SourceText, index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(SourceText)
    date_asked: Mapped[date | None] = mapped_column(Date)
    date_answered: Mapped[date | None] = mapped_column(Date)
    asker: Mapped[str | None] = mapped_column(SourceText)
    minister: Mapped[str | None] = mapped_column(SourceText)
    themes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str | None] = mapped_column(SourceText)
    answer_url: Mapped[str | None] = mapped_column(SourceText)
    answer_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    record: Mapped[dict] = mapped_column(JSON)
    record_url: Mapped[str | None] = mapped_column(SourceText)
    record_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    record_etag: Mapped[str | None] = mapped_column(SourceText)
    record_last_modified: Mapped[str | None] = mapped_column(SourceText)
    last_modified: Mapped[str | None] = mapped_column(SourceText)  # the service's own, from search or record
    complete: Mapped[bool] = mapped_column(Boolean, default=True)  # every part fetched; else the next run retries
    answer_identified_by: Mapped[str | None] = mapped_column(String(32))  # search hit, content, record, position
    answer_other_urls: Mapped[list | None] = mapped_column(JSON)  # other routes to the answer's bytes
    title_raw: Mapped[str | None] = mapped_column(SourceText)  # as the record spells it; `title` normalised
    search_metatags: Mapped[dict | None] = mapped_column(JSON)  # what the search hits said (dates, nummer, ...)
    sources: Mapped[dict | None] = mapped_column(JSON)  # field -> where its value came from
    # The people by the service's id (no foreign key: a member record may not have been read yet),
    # and the asker's party on the day asked, from their member record's periods (migration 0012).
    asker_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    minister_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    asker_party_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    asker_party_name: Mapped[str | None] = mapped_column(SourceText)  # the name the party had that day
    asker_party_status: Mapped[str | None] = mapped_column(SourceText)  # member, no membership that day, ...
    answer_document: Mapped[Document | None] = relationship()
    annexes: Mapped[list[Annex]] = relationship(order_by="Annex.position", cascade="all, delete-orphan")


class Annex(Base):
    """An annex an answer links to, and what became of fetching it."""

    __tablename__ = "annexes"
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(SourceText)
    title: Mapped[str | None] = mapped_column(SourceText)
    url: Mapped[str] = mapped_column(SourceText)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    status: Mapped[str] = mapped_column(String(32))  # ok, not_pdf, fetch_failed, unreadable
    detail: Mapped[str | None] = mapped_column(SourceText)
    other_urls: Mapped[list | None] = mapped_column(JSON)  # other routes to the same bytes (one document)


class ExtractionRun(Base):
    """One extractor, one version, over one document; facts belong to exactly one run."""

    __tablename__ = "extraction_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    extractor: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # ok, failed
    error: Mapped[str | None] = mapped_column(SourceText)
    n_pages: Mapped[int | None] = mapped_column(Integer)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    ingest_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))
    n_facts: Mapped[int | None] = mapped_column(Integer)  # cells + beneficiaries written: an audit of the load
    document: Mapped[Document] = relationship(foreign_keys=[document_id])


class ExtractionIssue(Base):
    """What an extraction could not read, and why (a scanned page, a damaged file)."""

    __tablename__ = "extraction_issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id"), index=True)
    page: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(SourceText)


class QuestionItem(Base):
    """A numbered question or a numbered answer section, as printed."""

    __tablename__ = "question_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    part: Mapped[str] = mapped_column(String(16))  # question, answer
    number: Mapped[str] = mapped_column(SourceText)
    text: Mapped[str] = mapped_column(SourceText)
    page: Mapped[int | None] = mapped_column(Integer)  # None: a format without pages


class ExtractedTable(Base):
    __tablename__ = "extracted_tables"
    id: Mapped[int] = mapped_column(primary_key=True)
    extraction_run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    table_index: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[list] = mapped_column(JSON)
    bbox: Mapped[list | None] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(16))  # ruled, open, unruled, ocr
    confidence: Mapped[float] = mapped_column(Float)
    caption: Mapped[str | None] = mapped_column(SourceText)
    n_rows: Mapped[int] = mapped_column(Integer)
    n_cols: Mapped[int] = mapped_column(Integer)
    header_rows: Mapped[int] = mapped_column(Integer)


class TableCell(Base):
    __tablename__ = "table_cells"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(32), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("extracted_tables.id"), index=True)
    extraction_run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    row_span: Mapped[int] = mapped_column(Integer)
    col_span: Mapped[int] = mapped_column(Integer)
    is_header: Mapped[bool] = mapped_column(Boolean)
    raw_text: Mapped[str] = mapped_column(SourceText)
    row_label: Mapped[str | None] = mapped_column(SourceText)
    column_label: Mapped[str | None] = mapped_column(SourceText)
    value: Mapped[str | None] = mapped_column(SourceText)
    unit: Mapped[str | None] = mapped_column(SourceText)
    footnotes: Mapped[list] = mapped_column(JSON)
    page: Mapped[int | None] = mapped_column(Integer)  # PDF; None for Word and spreadsheets
    bbox: Mapped[list | None] = mapped_column(JSON)
    sheet: Mapped[str | None] = mapped_column(SourceText)  # spreadsheets: the worksheet
    cell_ref: Mapped[str | None] = mapped_column(String(16))  # and the A1 reference


class Beneficiary(Base):
    __tablename__ = "beneficiaries"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(32), index=True)
    extraction_run_id: Mapped[int] = mapped_column(ForeignKey("extraction_runs.id"), index=True)
    table_index: Mapped[int] = mapped_column(Integer)
    row: Mapped[int] = mapped_column(Integer)
    call_year: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(SourceText)
    normalised_name: Mapped[str] = mapped_column(SourceText)
    kind: Mapped[str] = mapped_column(String(32))
    municipality: Mapped[str | None] = mapped_column(SourceText)
    nis_code: Mapped[str | None] = mapped_column(String(5))
    nis_code_at_time: Mapped[str | None] = mapped_column(String(5))
    sessions: Mapped[int | None] = mapped_column(Integer)
    amount_eur: Mapped[str | None] = mapped_column(SourceText)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list | None] = mapped_column(JSON)
    sheet: Mapped[str | None] = mapped_column(SourceText)
    cell_ref: Mapped[str | None] = mapped_column(String(16))  # the name's cell


class ValidationResult(Base):
    __tablename__ = "validations"
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    check: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(SourceText)
    expected: Mapped[str | None] = mapped_column(SourceText)
    actual: Mapped[str | None] = mapped_column(SourceText)
    status: Mapped[str] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(SourceText)
    rule: Mapped[str | None] = mapped_column(SourceText)  # what tied the answer's value to the annex
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Review(Base):
    """A person's word on a fact: verified, disputed, or corrected to another value.

    Keyed by the fact's stable id, so a review outlives re-extraction; the latest review of a
    fact is the one in force."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(16))  # verify, dispute, correct
    value: Mapped[str | None] = mapped_column(SourceText)
    reviewer: Mapped[str] = mapped_column(SourceText)
    reason: Mapped[str | None] = mapped_column(SourceText)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FetchLog(Base):
    """Every HTTP exchange of a run: what vpetl did to the site, and what the site answered."""

    __tablename__ = "fetch_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    ingest_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    url: Mapped[str] = mapped_column(SourceText, index=True)  # canonical (parliament) URL
    requested_url: Mapped[str] = mapped_column(SourceText)  # what went over the wire (a hop, a mirror)
    method: Mapped[str] = mapped_column(String(8))
    status: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(SourceText)
    sha256: Mapped[str | None] = mapped_column(String(64))  # the body, kept in the blob store
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Person(Base):
    """A member or minister by the service's id: names as the service gives them, and (for an
    asker) the member record they came from, kept raw with its validators for the next request."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str | None] = mapped_column(SourceText)  # `voornaam`
    last_name: Mapped[str | None] = mapped_column(SourceText)  # `naam`
    name: Mapped[str | None] = mapped_column(SourceText)  # both, for display
    names_from: Mapped[str] = mapped_column(SourceText)  # "member record", "record of question 1402289"
    current_party_id: Mapped[int | None] = mapped_column(BigInteger)  # `huidigefractie`
    record: Mapped[dict | None] = mapped_column(JSON)  # the member record, as sent
    record_url: Mapped[str | None] = mapped_column(SourceText)
    record_sha256: Mapped[str | None] = mapped_column(String(64))  # its bytes, in the blob store
    record_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    record_etag: Mapped[str | None] = mapped_column(SourceText)
    record_last_modified: Mapped[str | None] = mapped_column(SourceText)
    record_ingest_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))


class Party(Base):
    """A party group (`fractie`) by the service's id; its names over time are its memberships'
    (`v_party_names`), `name` the newest of them."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(SourceText)
    colour: Mapped[str | None] = mapped_column(SourceText)  # `kleur`
    logo: Mapped[str | None] = mapped_column(SourceText)
    seats: Mapped[int | None] = mapped_column(Integer)  # `zetel-aantal`
    seen_in: Mapped[str] = mapped_column(SourceText)  # the member record that last named it


class Membership(Base):
    """One period of a person's membership of a party group, as their member record writes it."""

    __tablename__ = "memberships"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    party_name: Mapped[str | None] = mapped_column(SourceText)  # the group's name in this period
    position: Mapped[int] = mapped_column(Integer)  # in the record's `lidmaatschap`
    since_raw: Mapped[str | None] = mapped_column(SourceText)  # `datumVan`, as written
    until_raw: Mapped[str | None] = mapped_column(SourceText)  # `datumTot`; None: still a member
    since_day: Mapped[date | None] = mapped_column(Date)  # the first day, in Brussels
    until_day: Mapped[date | None] = mapped_column(Date)  # the last day, itself included
