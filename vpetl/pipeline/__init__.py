"""The core of vpetl: a run as plain function calls, without Prefect.

    from vpetl.pipeline import execute, Query
    summary = execute(Query(session_year="2019-2020"), Settings(api_base=...))

`vpetl.flows` wraps these same functions in Prefect flows and tasks."""

from __future__ import annotations

from vpetl.vlpar.api import Query

from .document import DocumentOutcome, ingest_document
from .reextract import Reextraction, reextract
from .run import Failure, QuestionOutcome, RunSummary, Status
from .runner import Steps, current_session_years, execute, ingest, sync

__all__ = ["DocumentOutcome", "Failure", "Query", "QuestionOutcome", "Reextraction", "RunSummary", "Status", "Steps",
           "current_session_years", "execute", "ingest", "ingest_document", "reextract", "sync"]
