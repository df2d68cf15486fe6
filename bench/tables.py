"""Table extraction benchmark: ICDAR 2013 (half) F1 and speed, and the real corpus.

    python bench/tables.py [--bench ../shared/bench/icdar2013-dev] [--corpus ../shared/corpus/real]

Runs the extractor in this process (one core), writes the `vpetl tables --json` format to a
temporary folder, scores it with ../shared/tools/score_tables.py and prints document-average
and micro F1, median seconds per page, and per real document the tables found and the time."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

from vpetl.extractors.pdf import open_pdf
from vpetl.extractors.tables import extract_tables, per_page_json

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def run(pdf_path: Path) -> tuple[list, int, float]:
    data = pdf_path.read_bytes()
    started = time.perf_counter()
    with open_pdf(data) as pdf:
        tables, pages = extract_tables(pdf), len(pdf.pages)
    return tables, pages, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", type=Path, default=SHARED / "bench" / "icdar2013-dev")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "real")
    args = ap.parse_args()
    per_page = []
    with tempfile.TemporaryDirectory() as tmp:
        for pdf_path in sorted(args.bench.glob("*.pdf")):
            tables, pages, seconds = run(pdf_path)
            per_page.append(seconds / pages)
            (Path(tmp) / f"{pdf_path.stem}.json").write_text(json.dumps(per_page_json(tables)))
        score = subprocess.run([sys.executable, str(SHARED / "tools" / "score_tables.py"), str(args.bench), tmp,
                                "--json"], capture_output=True, text=True, check=True)
    s = json.loads(score.stdout)
    print(f"ICDAR 2013 half ({s['documents']} documents): doc-avg F1 {s['doc_avg']['f1']:.3f} "
          f"(P {s['doc_avg']['precision']:.3f} R {s['doc_avg']['recall']:.3f}), micro F1 {s['micro']['f1']:.3f}, "
          f"median {statistics.median(per_page):.3f} s/page, max {max(per_page):.3f} s/page")
    print("  (the half vpetl's extractor was developed on: optimistic; held-out documents score lower)")
    print(f"pdfplumber {pdfplumber.__version__}")
    for pdf_path in sorted(args.corpus.glob("*.pdf")):
        tables, pages, seconds = run(pdf_path)
        methods = {m: sum(t.method == m for t in tables) for m in ("ruled", "open", "unruled")}
        print(f"{pdf_path.name}: {pages} pages, {len(tables)} tables {methods}, {seconds:.1f} s "
              f"({seconds / pages:.3f} s/page)")


if __name__ == "__main__":
    main()
