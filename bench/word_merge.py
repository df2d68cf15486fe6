"""Word tables whose first column is one vertical merge: time to read them, by row count.

    python bench/word_merge.py [--rows 100 400 800 3000] [--repeat 3]

Merged columns are common in real answers (a province over its municipalities). Reading one
used to cost quadratic time (800 rows: 37 s of CPU; 3,000 rows: RecursionError); read in one
pass, the time grows with the rows. Prints the median seconds per row count, and the cells
read, so a regression shows as a number."""

from __future__ import annotations

import argparse
import io
import statistics
import time

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from vpetl.extractors.word import extract_word_tables


def merged_docx(rows: int) -> bytes:
    """A .docx with one table of `rows` x 2: column 0 one vertical merge, column 1 a number each row."""
    document = docx.Document()
    table = document.add_table(rows=rows, cols=2)
    for r, row in enumerate(table.rows):
        first, second = row.cells
        merge = OxmlElement("w:vMerge")
        if r == 0:
            merge.set(qn("w:val"), "restart")
            first.text = "Vlaanderen"
        first._tc.get_or_add_tcPr().append(merge)
        second.text = f"{1000 + r}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100, 400, 800, 3000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for rows in args.rows:
        data = merged_docx(rows)
        times = []
        for _ in range(args.repeat):
            started = time.process_time()
            tables = extract_word_tables(data)
            times.append(time.process_time() - started)
        cells = sum(len(t.cells) for t in tables)
        print(f"{rows:6d} rows ({len(data) / 1024:.1f} KB): {statistics.median(times):.3f} CPU-s, "
              f"{len(tables)} table, {cells} cells")


if __name__ == "__main__":
    main()
