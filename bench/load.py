"""Bulk-load benchmark: rows per second writing one million table cells.

    python bench/load.py [--cells 1000000] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Builds one synthetic extraction (tables of 1,000 rows x 10 columns), then loads it through
the same code path as the ingestion flow (`schema.load.load_question`: one transaction,
bulk inserts) into a fresh SQLite file and, when a URL is given, a fresh PostgreSQL schema."""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

from vpetl.extractors.records import Cell, DocumentExtraction, Extraction, Table
from vpetl.schema.db import open_store
from vpetl.schema.load import DocumentIn, QuestionIn, load_question

ROWS, COLS = 1000, 10


def synthetic(n_cells: int) -> DocumentExtraction:
    tables = []
    for t in range(max(1, n_cells // (ROWS * COLS))):
        cells = [Cell(row=r, col=c, text=f"{r * c}.{c:03d},50", page=t + 1,
                      bbox=(10.0 * c, 12.0 * r, 10.0 * c + 9, 12.0 * r + 10), row_label=f"rij {r}",
                      column_label=f"kolom {c}", value=Decimal(f"{r * c}{c:03d}.50"), unit="EUR")
                 for r in range(ROWS) for c in range(COLS)]
        tables.append(Table(index=t, page=t + 1, bbox=(0, 0, 100, 100), method="ruled", confidence=0.9,
                            n_rows=ROWS, n_cols=COLS, cells=cells, pages=[t + 1]))
    return DocumentExtraction("bench", "1", len(tables), tables=tables)


def load(url: str, result: DocumentExtraction) -> float:
    sessions = open_store(url)
    now = datetime.now(UTC)
    doc = DocumentIn("bench://doc", "bench://doc", "0" * 64, 1, "application/pdf", True, now)
    q = QuestionIn(id=1, session_year="2019-2020", number=1, title="bench", date_asked=date(2020, 1, 1),
                   date_answered=None, asker=None, minister=None, themes=[], status=None, answer_url=None, record={},
                   answer=doc, answer_extraction=Extraction("bench", "1", now, now, result))
    started = time.perf_counter()
    with sessions() as session:
        load_question(session, q)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument("--postgres", help="a PostgreSQL URL; a temporary schema is made and dropped there")
    args = ap.parse_args()
    result = synthetic(args.cells)
    n = sum(len(t.cells) for t in result.tables)
    with tempfile.TemporaryDirectory() as tmp:
        seconds = load(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", result)
        print(f"SQLite:     {n:,} cells in {seconds:.1f} s = {n / seconds:,.0f} rows/s")
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in args.postgres else "?"
            seconds = load(f"{args.postgres}{sep}options=-csearch_path%3D{schema}", result)
            print(f"PostgreSQL: {n:,} cells in {seconds:.1f} s = {n / seconds:,.0f} rows/s")
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
