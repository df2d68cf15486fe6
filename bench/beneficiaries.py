"""Beneficiary lists alone, measured over the generator's list dimensions (fixtures/generator).

    python bench/beneficiaries.py --lists 200 --seed 1000 [--show 20] [--producer reportlab]

Generates the seed's list documents only (the odd ones: bench/layouts.py measures both kinds),
reads each through vpetl's real entry point (`extract`, as the pipeline does) and prints, per
list form and overall: grantees exact (name, granted amount, NIS codes or, for an organisation,
its place, as the export contract gives them), grantees exact where the name column's header
is a word no code has seen, granted read beside requested, subtotals read and checked, lists
in answer tables found, and rows exported as grantees that are none (group rows, subtotals,
totals). Seeds 1000 and up are report seeds: quote them, never tune on them."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from datetime import date

from vpetl.extractors import extract
from vpetl.fixtures.generator import generate_one
from vpetl.fixtures.generator.score import score_document
from vpetl.fixtures.generator.word import soffice, to_pdf

PUBLISHED = date(2024, 6, 1)  # the generated documents' date (their NIS codes are the 2019-2024 ones)
CHUNK = 40  # Word documents converted by one LibreOffice run
KEYS = ("lists", "grantees", "grantees_unseen_header", "granted_not_requested", "subtotals_checked")


def line(label: str, c: Counter[str]) -> str:
    cols = [f"{100 * c[k + '_ok'] / c[k]:6.2f}% of {c[k]:<5}" if c[k] else f"{'-':>7} {'':8}" for k in KEYS]
    return f"  {label:<28} " + "  ".join(cols) + f"  {c['false_grantees']}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lists", type=int, default=100, help="list documents to generate")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--show", type=int, default=0, help="print this many failures")
    ap.add_argument("--producer", default=None, help="only documents of this producer")
    args = ap.parse_args()
    by_form: dict[str, Counter[str]] = defaultdict(Counter)
    total: Counter[str] = Counter()
    misses: list[str] = []
    skipped = 0
    indexes = [2 * k + 1 for k in range(args.lists)]
    for start in range(0, len(indexes), CHUNK):
        docs = [generate_one(args.seed, i) for i in indexes[start:start + CHUNK]]
        docs = [d for d in docs if not args.producer or d.producer == args.producer]
        converted = to_pdf({d.name: d.data for d in docs if d.producer == "docx-pdf"}) if soffice() else {}
        for doc in docs:
            if doc.producer == "docx-pdf":
                doc.data = converted.get(doc.name, b"")
                if not doc.data:
                    skipped += 1
                    continue
            run = extract(doc.role, doc.data, PUBLISHED)  # type: ignore[arg-type]
            score = score_document(doc, run.result)
            for key in (doc.dims["list_form"], f"producer={doc.producer}", f"name_header={doc.dims['name_header']}"):
                by_form[key].update(score.counts)
            total.update(score.counts)
            misses += [m for m in score.misses if "table" not in m.split(":")[0]]
    print(f"bench/beneficiaries.py --lists {args.lists} --seed {args.seed}"
          + (f" --producer {args.producer}" if args.producer else ""))
    if skipped:
        print(f"skipped {skipped} Word->PDF documents (LibreOffice absent or failed)")
    print(f"  {'':<28} " + "  ".join(f"{k:<17}" for k in KEYS) + "  false grantees")
    for key in sorted(by_form):
        print(line(key, by_form[key]))
    print(line("OVERALL", total))
    for miss in misses[: args.show]:
        print("  MISS", miss[:300])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
