"""How a one-off command (`demo`, `ingest`, `sync`) runs: the core at once, or a Prefect flow
when the user asked for one.

A flow run needs a Prefect server; without PREFECT_API_URL Prefect starts a temporary one,
which costs 5-60 s on a busy machine before the first question is fetched. The core does the
same work without it (the flows call the very same `vpetl.pipeline.execute`), so a command
typed at a terminal uses Prefect only when it is asked for: `--prefect`, a server named by
PREFECT_API_URL (the user runs one, and wants the runs in its UI), or the Dask runner (its
cluster is reached through prefect-dask)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from vpetl.settings import Settings

if TYPE_CHECKING:
    from vpetl.pipeline import RunSummary
    from vpetl.vlpar.api import Query

def wants_prefect(asked: bool, settings: Settings) -> bool:
    """True when the command is to run as a Prefect flow (see the module's docstring)."""
    return asked or bool(os.environ.get("PREFECT_API_URL")) or settings.runner == "dask"


def server_notice() -> str | None:
    """The one line said while Prefect starts its temporary server, or None when a server is
    named (PREFECT_API_URL, or a test harness's) and nothing has to start."""
    from prefect.settings import get_current_settings

    if os.environ.get("PREFECT_API_URL") or get_current_settings().api.url:
        return None
    return ("starting a temporary Prefect server for this run (5-60 s; set PREFECT_API_URL to use a running "
            "one, or leave out --prefect to run without it)")


def run_ingest(query: Query, settings: Settings, prefect: bool) -> RunSummary:
    """An ingest, by the core or as the `vpetl-ingest` flow."""
    if not prefect:
        from vpetl.pipeline import execute

        return execute(query, settings)
    from vpetl.flows.ingest import for_settings, ingest

    return for_settings(ingest, settings)(query, settings)


def run_sync(years: list[str], settings: Settings, prefect: bool) -> list[RunSummary]:
    """A sync of these session years, by the core or as the `vpetl-sync` flow."""
    if not prefect:
        from vpetl.pipeline import sync

        return sync(years, settings)
    from vpetl.flows.ingest import for_settings
    from vpetl.flows.ingest import sync as flow

    return for_settings(flow, settings)(years, settings)
