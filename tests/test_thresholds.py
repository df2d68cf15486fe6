"""The extractors' thresholds: one validated object (`extractors/thresholds.py`), every field
read by the extractors, each with its reason beside it."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from vpetl.extractors import layout, thresholds
from vpetl.extractors.thresholds import DEFAULT, SHARES, TableSettings

PACKAGE = Path(thresholds.__file__).parent


def test_every_field_is_read_by_the_extractors():
    """A field nothing reads is a setting that does nothing: each must be read as `s.name` or
    `self.name` somewhere in the extractors (its definition, `name: type = ...`, does not count)."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    unread = [f.name for f in fields(TableSettings) if not re.search(rf"\.{f.name}\b", code)]
    assert unread == []


def test_no_threshold_is_kept_outside():
    """The numbers that were module constants beside the code now live in TableSettings only."""
    for name in ("LINE_TOLERANCE", "CHUNK_GAP", "SUPERSCRIPT_SIZE", "SUPERSCRIPT_RAISE", "TOUCHING", "NEAR"):
        assert not hasattr(layout, name), name
    assert "x_tolerance=1.5" not in (PACKAGE / "layout.py").read_text(encoding="utf-8")
    assert not re.search(r"^(CONFIDENCE|MAX_HEADER_ROWS) =", (PACKAGE / "tables" / "labels.py").read_text(
        encoding="utf-8"), re.MULTILINE)


def test_every_field_says_why():
    """Each field's line (or the line after it) carries a comment with its reason."""
    lines = (PACKAGE / "thresholds.py").read_text(encoding="utf-8").splitlines()
    for f in fields(TableSettings):
        at = next(i for i, ln in enumerate(lines) if re.match(rf"\s+{f.name}: ", ln))
        assert "#" in lines[at] and len(lines[at].split("#", 1)[1].strip()) > 10, f.name


@pytest.mark.parametrize(("field", "value", "says"), [
    ("min_fill", 1.5, "from 0 to 1"), ("line_tolerance", -1.0, "0 or more"),
    ("max_header_rows", 2.5, "whole number"), ("chunk_gap", float("nan"), "a number"),
    ("stacked_header_rows", True, "whole number"), ("snap_tolerance", "3", "a number")])
def test_a_value_that_cannot_mean_anything_is_refused(field, value, says):
    with pytest.raises(ValueError, match=rf"TableSettings\.{field} must be .*{says}"):
        TableSettings(**{field: value})


def test_the_defaults_are_valid_and_the_shares_are_fields():
    assert TableSettings() == DEFAULT
    assert SHARES <= {f.name for f in fields(TableSettings)}


def test_a_threshold_changes_what_is_read():
    """The settings are really used: words 2 pt apart in height are one line by default and two
    with a tighter line tolerance."""
    words = [{"text": t, "x0": x, "x1": x + 10, "top": top, "bottom": top + 8}
             for t, x, top in (("a", 0, 100.0), ("b", 20, 102.0))]
    assert len(layout.group_lines(words)) == 1  # type: ignore[arg-type]
    assert len(layout.group_lines(words, TableSettings(line_tolerance=1.0))) == 2  # type: ignore[arg-type]
