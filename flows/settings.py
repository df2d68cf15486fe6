"""Where things are and how politely to fetch: one place for defaults and their env variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vlpar.client import DEFAULT_API_BASE


def prefect_offline(home: Path | None = None) -> None:
    """Prefect without telemetry, with its state under the project (set before importing prefect)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(home or Path.cwd() / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@dataclass
class Settings:
    api_base: str = field(default_factory=lambda: os.environ.get("VPETL_API_BASE", DEFAULT_API_BASE))
    database_url: str | None = field(default_factory=lambda: os.environ.get("VPETL_DATABASE_URL"))
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("VPETL_DATA_DIR", "vpetl-data")))
    rate: float = 1.0  # requests per second per host
    allowed_hosts: tuple[str, ...] = ()  # beside the parliament's hosts and the API base's host
