"""The core of vpetl: a run as plain function calls, without Prefect.

    from vpetl.pipeline import execute, Query
    summary = execute(Query(session_year="2019-2020"), Settings(api_base=...))

`vpetl.flows` wraps these same functions in Prefect flows and tasks.

Names are imported when first used, as in `vpetl`: an extraction worker imports
`vpetl.pipeline.pool`, and with it this package, but not the fetching, loading and store code
the names below bring (a second of imports in every worker pool's start)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vpetl.vlpar.api import Query

    from .document import DocumentOutcome, ingest_document
    from .reextraction import Reextraction, reextract
    from .run import Failure, QuestionOutcome, RunSummary, Status
    from .runner import Steps, current_session_years, execute, ingest, sync

_EXPORTS = {
    "Query": "vpetl.vlpar.api",
    **dict.fromkeys(["DocumentOutcome", "ingest_document"], "vpetl.pipeline.document"),
    **dict.fromkeys(["Reextraction", "reextract"], "vpetl.pipeline.reextraction"),
    **dict.fromkeys(["Failure", "QuestionOutcome", "RunSummary", "Status"], "vpetl.pipeline.run"),
    **dict.fromkeys(["Steps", "current_session_years", "execute", "ingest", "sync"], "vpetl.pipeline.runner"),
}

__all__ = ["DocumentOutcome", "Failure", "Query", "QuestionOutcome", "Reextraction", "RunSummary", "Status", "Steps",
           "current_session_years", "execute", "ingest", "ingest_document", "reextract", "sync"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'vpetl.pipeline' has no attribute {name!r}")
