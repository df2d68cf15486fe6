"""vpetl: the Flemish Parliament's written questions as data you can query and trust.

What the `vpetl` command does, a Python user does with the same names:

    import vpetl
    settings = vpetl.Settings(api_base="http://127.0.0.1:8765", database_url="sqlite:///q.sqlite")
    summary = vpetl.ingest(session_year="2019-2020", settings=settings)   # the pipeline, no Prefect
    store = vpetl.open_store(settings.database_url)                       # the store (SQLAlchemy)
    answer = vpetl.extract_answer(open("answer.pdf", "rb").read())        # the extractors

Names are imported when first used, so `import vpetl` stays cheap (extraction workers and
the CLI import only what they need)."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"  # the one version string: the package, the extractors' RELEASE and the User-Agent

_EXPORTS = {
    "Settings": "vpetl.settings",
    "Query": "vpetl.vlpar.api",
    "RunSummary": "vpetl.pipeline",
    "execute": "vpetl.pipeline",
    "ingest": "vpetl.pipeline",
    "sync": "vpetl.pipeline",
    "ingest_document": "vpetl.pipeline",
    "reextract": "vpetl.pipeline",
    "open_store": "vpetl.schema.db",
    "export": "vpetl.schema.export",
    "extract": "vpetl.extractors",
    "extract_answer": "vpetl.extractors",
    "extract_annex": "vpetl.extractors",
    "extract_pdf_tables": "vpetl.extractors",
}
_MODULES = {"mirror": "vpetl.vlpar.mirror"}  # the local mirror of the parliament's services

__all__ = ["__version__", *_EXPORTS, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'vpetl' has no attribute {name!r}")
