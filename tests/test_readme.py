"""The README's Python example runs as printed, and prints what the README says."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT


def test_the_python_example_prints_what_the_readme_shows(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## From Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    shown = re.search(r"It prints:\n\n```\n(.*?)```", section, re.S)[1]
    (tmp_path / "example.py").write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VPETL_")}
    run = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == shown


def test_the_fact_ids_the_readme_quotes_are_facts_of_the_demo(demo_store):
    from sqlalchemy import text

    from vpetl.schema.db import open_store

    quoted = set(re.findall(r"\b[0-9a-f]{20}\b", (ROOT / "README.md").read_text()))
    assert len(quoted) >= 2
    with open_store(demo_store[0], create=False)() as s:
        known = {row[0] for row in s.execute(text("SELECT fact_id FROM v_table_cells UNION "
                                                  "SELECT fact_id FROM v_beneficiaries"))}
    assert quoted <= known, quoted - known
