"""The table finder's thresholds live in `extractors/thresholds.py` with every other extractor
threshold; this module keeps the table finder's imports short."""

from __future__ import annotations

from ..thresholds import DEFAULT, TableSettings

__all__ = ["DEFAULT", "TableSettings"]
