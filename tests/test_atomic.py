"""A load killed with SIGKILL leaves no half-loaded document, and the next run completes it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from vpetl.schema import models as m
from vpetl.schema.db import open_store

LOOP = Path(__file__).with_name("load_loop.py")


def audit(url: str) -> tuple[int, int]:
    """(questions, runs); fails if any run holds other than the facts it says it wrote."""
    with open_store(url)() as s:
        for run in s.scalars(select(m.ExtractionRun)):
            cells = s.scalar(select(func.count()).select_from(m.TableCell)
                             .where(m.TableCell.extraction_run_id == run.id))
            assert cells == run.n_facts, f"run {run.id}: {cells} cells, {run.n_facts} written"
        questions = s.scalar(select(func.count()).select_from(m.Question))
        missing = s.scalar(select(func.count()).select_from(m.Question).where(m.Question.answer_document_id.is_(None)))
        assert missing == 0
        return questions, s.scalar(select(func.count()).select_from(m.ExtractionRun))


def test_kill_9_during_load(store_url):
    open_store(store_url)  # migrate before the race starts
    proc = subprocess.Popen([sys.executable, str(LOOP), store_url, "1", "200"], stdout=subprocess.PIPE, text=True)
    loaded = [proc.stdout.readline() for _ in range(3)]  # three questions are in: the fourth is under way
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert all(loaded)
    questions, runs = audit(store_url)
    assert 3 <= questions < 200 and runs == questions  # whole questions only
    # the next run completes the work, with no duplicates
    subprocess.run([sys.executable, str(LOOP), store_url, "1", str(questions + 2)], check=True,
                   stdout=subprocess.DEVNULL, timeout=300)
    assert audit(store_url) == (questions + 2, questions + 2)
