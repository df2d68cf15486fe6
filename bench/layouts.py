"""Table and list extraction measured over the space of layouts (fixtures/generator).

    python bench/layouts.py --documents 500 --seed 1000 [--show 20] [--producer reportlab] [--no-long]

Generates N documents from a seed (even: answer tables; odd: beneficiary lists), reads each
through vpetl's real entry point (`vpetl.extractors.extract`, as the pipeline does: the
answer or annex extractor, whatever the format), and prints per dimension value and overall:
cells exact, labels, units and scale; lists found, beneficiaries exact (name, granted amount,
NIS codes; an organisation that is not a municipality's own has nis_code null and its place in
`municipality`, as the export contract says, and is scored so), granted amounts read beside
requested ones, subtotals checked, and rows that are not beneficiaries taken as ones. Then a 195-page bill text of the
seed (prose in two columns, a table every 20 pages) is read as the pipeline reads an answer,
under the default time and memory budgets: whether it fitted, its time and memory, its cells.

Seeds: 1-99 are development seeds (look at their failures with --show); 1000 and up are
report seeds (quote those, never tune on them). Times are CPU seconds of this process
(time.process_time) and of LibreOffice (children), not wall time."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from vpetl.extractors import extract
from vpetl.fixtures.generator import generate
from vpetl.fixtures.generator.score import Score, score_document

PUBLISHED = date(2024, 6, 1)  # the generated documents' date (their NIS codes are the 2019-2024 ones)
CHUNK = 40  # documents generated (and converted by one LibreOffice run) at a time
TABLE_KEYS = ("cells", "labels", "units")
LIST_KEYS = ("lists", "grantees", "grantee_names", "grantee_amounts", "grantee_nis", "grantees_unseen_header",
             "granted_not_requested", "subtotals_checked")


def pct(counts: Counter[str], key: str) -> str:
    n = counts[key]
    return f"{100 * counts[key + '_ok'] / n:6.1f}% of {n:<5}" if n else f"{'-':>7} {'':8}"


def report(by_dim: dict[tuple[str, str], Counter[str]], total: Counter[str], kind: str) -> None:
    keys = TABLE_KEYS if kind == "table" else LIST_KEYS
    head = "  ".join(f"{k:<16}" for k in keys) + ("  false" if kind == "list" else "")
    print(f"\n{kind.upper()} {'dimension=value':<34} {head}")
    rows = sorted(k for k in by_dim if k[0] == kind)
    for _, dim, value in [(k[0], *k[1].split("=", 1)) for k in rows]:
        c = by_dim[(kind, f"{dim}={value}")]
        if not any(c[k] for k in keys):
            continue
        line = "  ".join(pct(c, k) for k in keys)
        print(f"      {dim + '=' + value:<34} {line}" + (f"  {c['false_grantees']}" if kind == "list" else ""))
    line = "  ".join(pct(total, k) for k in keys)
    print(f"      {'OVERALL':<34} {line}" + (f"  {total['false_grantees']}" if kind == "list" else ""))


def tally(by_dim: dict[tuple[str, str], Counter[str]], kind: str, dims: dict[str, str],
          counts: Counter[str]) -> None:
    """A document's counts, added to each of its dimensions' (a sheet's title is no dimension)."""
    for dim, value in dims.items():
        if dim != "sheet_title":
            by_dim[(kind, f"{dim}={value}")].update(counts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--documents", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, help="print this many failures")
    ap.add_argument("--producer", default=None, help="only documents of this producer")
    ap.add_argument("--keep", type=Path, default=None, help="write the documents with failures here")
    ap.add_argument("--no-long", action="store_true", help="skip the 195-page document (a minute or two)")
    args = ap.parse_args()
    by_dim: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    totals = {"table": Counter[str](), "list": Counter[str]()}
    misses: list[str] = []
    skipped: Counter[str] = Counter()
    gen_cpu = read_cpu = 0.0
    for start in range(0, args.documents, CHUNK):
        t0 = time.process_time()
        docs = generate(args.seed, min(CHUNK, args.documents - start), start)
        gen_cpu += time.process_time() - t0
        for doc in docs:
            if args.producer and doc.producer != args.producer:
                continue
            if doc.skipped:
                skipped[f"{doc.producer}: {doc.skipped}"] += 1
                continue
            t0 = time.process_time()
            run = extract(doc.role, doc.data, PUBLISHED)  # type: ignore[arg-type]
            read_cpu += time.process_time() - t0
            score: Score = score_document(doc, run.result)
            if run.error:
                misses.append(f"{doc.name}: extraction failed: {run.error}")
            kind = "table" if doc.tables else "list"
            totals[kind].update(score.counts)
            tally(by_dim, kind, doc.dims, score.counts)
            misses += score.misses
            if args.keep and score.misses:
                args.keep.mkdir(parents=True, exist_ok=True)
                suffix = {"docx": "docx", "xlsx": "xlsx", "xls": "xls", "csv": "csv"}.get(doc.producer, "pdf")
                (args.keep / f"{doc.name}.{suffix}").write_bytes(doc.data)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"bench/layouts.py --documents {args.documents} --seed {args.seed}"
          + (f" --producer {args.producer}" if args.producer else ""))
    office = children.ru_utime + children.ru_stime
    print(f"CPU seconds: generating {gen_cpu:.1f}, extracting {read_cpu:.1f} "
          f"({read_cpu / max(1, args.documents):.2f} a document), LibreOffice {office:.1f}")
    for reason, n in skipped.items():
        print(f"skipped {n} documents ({reason})")
    report(by_dim, totals["table"], "table")
    report(by_dim, totals["list"], "list")
    if not args.no_long:
        misses += long_report(args.seed)
    for line in misses[: args.show]:
        print("  MISS", line[:300])
    sys.stdout.flush()


def long_report(seed: int) -> list[str]:
    """The 195-page bill text of the seed (fixtures/generator/long.py), read as the pipeline
    reads an answer: in a worker under the default budgets (time, memory). Prints whether it
    fitted, the worker's CPU seconds and peak memory, the wall time, and its tables' cells."""
    from vpetl.fixtures.generator.long import long_document
    from vpetl.pipeline.pool import ExtractionPool
    from vpetl.settings import Settings

    doc = long_document(seed)
    settings = Settings().with_(processes=1)
    pool = ExtractionPool(settings)
    with tempfile.TemporaryDirectory(prefix="vpetl-long-") as tmp:
        path = Path(tmp) / "long.pdf"
        path.write_bytes(doc.data)
        pool.pool  # noqa: B018 - the worker started and ready first: the budget counts the reading only
        wall = time.monotonic()
        run = pool.extract("answer", path, PUBLISHED)
        wall = time.monotonic() - wall
    pool.close()
    score = score_document(doc, run.result)
    c = score.counts
    print(f"\nLONG DOCUMENT ({len(doc.tables)} tables in 195 pages; budgets {settings.extract_timeout:g} s, "
          f"{settings.extract_memory_mb} MB): {'read' if run.error is None else 'FAILED: ' + run.error}; "
          f"wall {wall:.1f} s, worker peak {pool.peak_mb:.0f} MB, CPU {pool.cpu_seconds:.1f} s; "
          f"cells {pct(c, 'cells')}, labels {pct(c, 'labels')}, units {pct(c, 'units')}")
    return score.misses


if __name__ == "__main__":
    main()
