"""Table extraction benchmark: ICDAR 2013 (half) F1 and speed, and the real corpus.

    python bench/tables.py [--bench ../shared/bench/icdar2013-dev] [--corpus ../shared/corpus/real]

Runs the extractor in this process (one core), writes the `vpetl tables --json` format to a
temporary folder, scores it with ../shared/tools/score_tables.py and prints document-average
and micro F1, the median and slowest page in CPU seconds (time.process_time: reading the page and
finding its tables; not wall time, which a loaded machine inflates), and per real document the
tables found and the time."""

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
from vpetl.extractors.pdfpage import read_page
from vpetl.extractors.tables import extract_tables, page_tables, per_page_json
from vpetl.extractors.tables.page import running_lines

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def run(pdf_path: Path) -> tuple[list, int, float, list[float]]:
    """The tables of a PDF, its pages, the CPU seconds of the whole, and of each page: reading
    it and finding its tables (timed once more, page by page, after the whole)."""
    data = pdf_path.read_bytes()
    started = time.process_time()
    with open_pdf(data) as pdf:
        pages = [read_page(page) for page in pdf.pages]
        tables = extract_tables(pages)
    whole = time.process_time() - started
    per_page = []
    with open_pdf(data) as pdf:
        read = []
        for page in pdf.pages:
            started = time.process_time()
            read.append(read_page(page))
            per_page.append(time.process_time() - started)
        running = running_lines(read)
        for i, page in enumerate(read):
            started = time.process_time()
            page_tables(page, None, running)
            per_page[i] += time.process_time() - started
    return tables, len(pages), whole, per_page


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", type=Path, default=SHARED / "bench" / "icdar2013-dev")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "real")
    args = ap.parse_args()
    per_doc: list[float] = []  # each document's CPU seconds per page (last round's measure)
    per_page: list[tuple[float, str]] = []  # each page's CPU seconds, and which page it is
    with tempfile.TemporaryDirectory() as tmp:
        for pdf_path in sorted(args.bench.glob("*.pdf")):
            tables, pages, seconds, each = run(pdf_path)
            per_doc.append(seconds / pages)
            per_page += [(t, f"{pdf_path.name} p. {i}") for i, t in enumerate(each, start=1)]
            (Path(tmp) / f"{pdf_path.stem}.json").write_text(json.dumps(per_page_json(tables)))
        score = subprocess.run([sys.executable, str(SHARED / "tools" / "score_tables.py"), str(args.bench), tmp,
                                "--json"], capture_output=True, text=True, check=True)
    s = json.loads(score.stdout)
    print(f"ICDAR 2013 half ({s['documents']} documents): doc-avg F1 {s['doc_avg']['f1']:.3f} "
          f"(P {s['doc_avg']['precision']:.3f} R {s['doc_avg']['recall']:.3f}), micro F1 {s['micro']['f1']:.3f}, "
          f"median {statistics.median(per_doc):.3f} CPU-s/page (of documents), max {max(per_doc):.3f}")
    slowest = max(per_page)
    print(f"  per page: median {statistics.median(t for t, _ in per_page):.3f} CPU-s, slowest {slowest[0]:.3f} "
          f"CPU-s ({slowest[1]}), over {len(per_page)} pages")
    print("  (the half vpetl's extractor was developed on: optimistic; held-out documents score lower)")
    print(f"pdfplumber {pdfplumber.__version__}")
    for pdf_path in sorted(args.corpus.glob("*.pdf")):
        tables, pages, seconds, each = run(pdf_path)
        methods = {m: sum(t.method == m for t in tables) for m in ("ruled", "open", "unruled")}
        print(f"{pdf_path.name}: {pages} pages, {len(tables)} tables {methods}, {seconds:.1f} CPU-s "
              f"({seconds / pages:.3f} s/page; a page's median {statistics.median(each):.3f}, slowest {max(each):.3f})")


if __name__ == "__main__":
    main()
