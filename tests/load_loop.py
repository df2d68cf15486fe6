"""Helper for the kill test: load copies of question 289 under new ids until killed.

    python tests/load_loop.py DATABASE_URL START COUNT
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from vpetl.extractors import extract_answer
from vpetl.extractors.records import Extraction
from vpetl.schema.db import open_store
from vpetl.schema.load import DocumentIn, QuestionIn, load_question

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "mirror" / "files"


def main(url: str, start: int, count: int) -> None:
    data = (FILES / "1402290.pdf").read_bytes()
    result = extract_answer(data)
    result.tables = result.tables * 200  # ~5,000 cells a question: loads long enough to be killed inside
    sessions = open_store(url)
    now = datetime.now(UTC)
    for qid in range(start, start + count):
        src = f"https://docs.vlaamsparlement.be/files/pfile?id={qid}"
        doc = DocumentIn(src, src, f"{qid:064d}", len(data), "application/pdf", True, now)
        q = QuestionIn(id=qid, session_year="2019-2020", number=qid, title="copy", date_asked=date(2020, 1, 23),
                       date_answered=None, asker=None, minister=None, themes=[], status=None, answer_url=src,
                       record={}, answer=doc,
                       answer_extraction=Extraction("vpetl.answer", "0.1.0", now, now, replace(result)))
        with sessions() as session:
            load_question(session, q)
        print(qid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
