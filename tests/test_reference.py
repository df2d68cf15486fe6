"""The generated reference (the README's settings table, docs/cli.md) is what the code says
now: `python -m vpetl.reference` rewrites it, and this test fails when someone forgot to."""

from __future__ import annotations

from vpetl import reference
from vpetl.settings import Settings


def test_the_generated_reference_is_current():
    stale = [str(p.relative_to(reference.ROOT)) for p in reference.stale()]
    assert stale == [], "run: python -m vpetl.reference"


def test_every_setting_and_command_is_in_it():
    table = reference.settings_table()
    assert all(f"`VPETL_{name.upper()}`" in table for name in Settings.model_fields)
    cli = reference.cli_reference()
    for command in ("demo", "ingest", "sync", "export", "trace", "reextract", "settings"):
        assert f"## vpetl {command}\n" in cli
    assert "- `--format` (default `text`): text, json or prov (W3C PROV-O JSON-LD)." in cli


def test_a_hand_edit_of_the_table_is_caught():
    readme = reference.README.read_text(encoding="utf-8")
    edited = readme.replace("| `VPETL_RATE` | `1.0` |", "| `VPETL_RATE` | `2.0` |")
    assert edited != readme and reference.readme_with_table(edited) == readme
