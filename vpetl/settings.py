"""Every knob of vpetl in one place: its default, its `VPETL_*` variable and what it is for.

The CLI, the flows, the pipeline, the HTTP client and the extraction pool all take a
`Settings` (or read the part they need from it); none of them has a default of its own.
A value comes, in order of precedence, from the CLI option or keyword argument, from the
environment (`VPETL_RATE=2`, `VPETL_ALLOWED_HOSTS=a.example,b.example`), or from here."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_BASE = "https://ws.vlpar.be"
ENV_PREFIX = "VPETL_"
# The two filters callers of the live service use for written questions (vlpar-api.md section 7);
# per-year counts (6,403 for 2019-2020, ...) were read with the first.
BY_INITIATIVE = ("requiredfields=paginatype:Parlementair%20document.aggregaat:Vraag%20of%20interpellatie."
                 "initiatief:Schriftelijke%20vraag")
BY_AGGREGATE_TYPE = "requiredfields=aggregaattype:Schriftelijke%20vraag"
USERINFO_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^/?#@:]*:)[^/?#@]*@", re.IGNORECASE)


class Settings(BaseSettings):
    """What a run needs to know: where things are, how politely to fetch, what extraction may cost."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid")

    # Where things are
    api_base: str = Field(DEFAULT_API_BASE, description="Base URL of the parliament's services, or of a mirror "
                          "(it then stands for every parliament host).")
    database_url: str = Field("sqlite:///vpetl.sqlite", description="SQLAlchemy URL of the store "
                              "(postgresql+psycopg://user@host/db for PostgreSQL).")
    data_dir: Path = Field(Path("vpetl-data"), description="Where raw bytes are kept, by sha256 (under blobs/).")

    search_filter: str = Field(
        BY_INITIATIVE, description="What a search asks for, after its '&': written questions by `initiatief:` "
                                   "(the form the per-year counts were read with) or "
                                   "`requiredfields=aggregaattype:Schriftelijke%20vraag`.")

    # How politely to fetch
    rate: float = Field(1.0, ge=0, description="Requests per second per host (0: no limit; only for a local mirror).")
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Hosts documents may come from besides the parliament's and the API base's "
                        "(comma-separated in the environment).")
    timeout: float = Field(30.0, gt=0, description="Seconds one socket read may wait before the request is retried.")
    retries: int = Field(4, ge=1, description="Attempts per request (the first one included).")
    backoff: float = Field(1.0, ge=0, description="Seconds before the first retry; doubled each time, with jitter.")
    max_redirects: int = Field(5, ge=0, description="Redirect hops one request may follow.")
    download_deadline: float = Field(300.0, gt=0, description="Seconds one download may take in all, however "
                                     "slowly the server sends (the timeout only bounds each read).")
    max_bytes: int = Field(100 * 1024 * 1024, gt=0, description="Largest body accepted (bytes).")
    concurrency: int = Field(2, ge=1, description="Requests in flight at once.")
    retry_budget: int = Field(500, ge=0, description="Retries one run may spend in all, so a bad day ends.")
    lock_wait: float = Field(0.0, ge=0, description="Seconds to wait for another run on the same store to finish.")

    # How a run is spread
    workers: int = Field(4, ge=1, description="Batches of questions in flight at once (threads: they wait on I/O).")
    batch: int = Field(5, ge=1, description="Questions a worker thread takes from the run's queue at a time: few, "
                                            "so that the threads end together (a Prefect run has a task per "
                                            "thread, not per batch).")
    processes: int = Field(0, ge=0, description="Extraction processes (0: one per core).")
    runner: Literal["processes", "dask"] = Field("processes", description="Where documents are extracted: this "
                                                 "machine's cores, or a Dask cluster (with dask_address).")
    dask_address: str | None = Field(None, description="A Dask scheduler, e.g. tcp://10.0.0.5:8786.")

    # What one document's extraction may cost
    extract_timeout: float = Field(120.0, gt=0, description="Seconds one document's extraction may take.")
    extract_memory_mb: int = Field(1024, ge=64, description="Address space (MB) of one extraction worker.")
    max_pages: int = Field(2000, ge=1, description="Pages a document may have (an answer or annex is far shorter).")
    ocr: bool = Field(True, description="Read image-only pages with Tesseract where it is installed "
                                        "(false: record them as needing OCR).")

    @field_validator("api_base")
    @classmethod
    def _web_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{redact(value)!r} is not an http(s) URL with a host, e.g. https://ws.vlpar.be")
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(h.strip() for h in value.split(",") if h.strip())
        return value

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def store_connections(self) -> int:
        """Sessions a run has open at once, at most: one per batch thread (each opens one at a
        time), the run's own thread (discovery's fetch log, who asked, the summary) and the
        connection that holds PostgreSQL's run lock for the whole run."""
        return self.workers + 2

    def with_(self, **changes: Any) -> Settings:
        """A copy with the given values, None meaning "keep": how CLI options override."""
        given = {k: v for k, v in changes.items() if v is not None}
        return self.model_validate({**self.model_dump(), **given}) if given else self


def redact(url: str) -> str:
    """A URL with its password masked: what is printed and stored of a URL with credentials.
    (A pattern, not urlsplit: a malformed URL must be masked too, not raise.)"""
    return USERINFO_PASSWORD.sub(r"\1***@", url)


def environment_variable(name: str) -> str:
    """The variable that sets a field: `rate` -> `VPETL_RATE`."""
    return f"{ENV_PREFIX}{name.upper()}"


def prefect_offline(home: Path | None = None) -> None:
    """Prefect without telemetry, with its state under the project (set before importing prefect)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(home or Path.cwd() / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The temporary server's first start creates its database: on a busy 2-core machine that can
    # take longer than Prefect's default 20 s wait, and the run would fail before it began.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
