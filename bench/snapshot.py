"""Extraction output of every corpus PDF, written once and compared after a change: a change
made for speed must leave every record as it was.

    python bench/snapshot.py write  before.json [--generated 40] [--synthetic 12]
    python bench/snapshot.py compare before.json          # prints "0/N differ" when nothing moved

The PDFs: the ICDAR 2013 half (../shared/bench), the real corpus (../shared/corpus/real), the
layout fixtures and the mirror's files (fixtures/), the first documents of the layout
generator (seed 1, the PDFs it makes without LibreOffice) and of a small synthetic session.
Each is read by both real entry points (`extract("answer", ...)`, `extract("annex", ...)`) and
its records are written without the run's times. Also prints the CPU seconds of extraction
(time.process_time, not wall time: the machine may be loaded) per page."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from vpetl.extractors import count_pages, extract

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PUBLISHED = date(2024, 6, 1)  # a fixed date: NIS codes and call years must not depend on today


def documents(generated: int, synthetic: int) -> Iterator[tuple[str, bytes]]:
    """(name, PDF bytes) of every corpus PDF, in a fixed order."""
    folders = [("icdar", SHARED / "bench" / "icdar2013-dev"), ("real", SHARED / "corpus" / "real"),
               ("layouts", ROOT / "fixtures" / "layouts"), ("mirror", ROOT / "fixtures" / "mirror" / "files")]
    for label, folder in folders:
        for path in sorted(folder.glob("*.pdf")):
            yield f"{label}/{path.name}", path.read_bytes()
    if generated:
        from vpetl.fixtures.generator import generate_one
        for i in range(generated):
            doc = generate_one(1, i)
            if doc.producer == "reportlab":
                yield f"generated/{doc.name}", doc.data
    if synthetic:
        from vpetl.fixtures import synthetic as session
        with tempfile.TemporaryDirectory() as tmp:
            session.generate(Path(tmp), synthetic, seed=1)
            for path in sorted((Path(tmp) / "files").glob("*.pdf")):
                yield f"synthetic/{path.name}", path.read_bytes()


def records(data: bytes) -> tuple[dict[str, Any], float]:
    """Both extractors' records of one PDF (without times and versions), and their CPU seconds."""
    out: dict[str, Any] = {}
    cpu = 0.0
    for role in ("answer", "annex"):
        started = time.process_time()
        run = extract(role, data, PUBLISHED)  # type: ignore[arg-type]
        cpu += time.process_time() - started
        result = dataclasses.asdict(run.result) if run.result else None
        if result:
            result.pop("version")
        out[role] = {"error": run.error, "result": result}
    return json.loads(json.dumps(out, default=str)), cpu


def snapshot(generated: int, synthetic: int) -> tuple[dict[str, Any], float, int]:
    """Every document's records, with the CPU seconds and pages read in all."""
    out: dict[str, Any] = {}
    cpu, pages = 0.0, 0
    for name, data in documents(generated, synthetic):
        out[name], seconds = records(data)
        cpu += seconds
        pages += count_pages(data)
    return out, cpu, pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["write", "compare"])
    ap.add_argument("path", type=Path)
    ap.add_argument("--generated", type=int, default=40, help="documents of the layout generator (seed 1)")
    ap.add_argument("--synthetic", type=int, default=12, help="questions of a synthetic session (seed 1)")
    args = ap.parse_args()
    if args.action == "compare":
        saved = json.loads(args.path.read_text())
        args.generated, args.synthetic = saved["generated"], saved["synthetic"]
    now, cpu, pages = snapshot(args.generated, args.synthetic)
    print(f"{len(now)} PDFs, {pages} pages, both extractors: {cpu:.1f} CPU-s, "
          f"{cpu / max(1, 2 * pages):.3f} CPU-s per page and extractor")
    if args.action == "write":
        args.path.write_text(json.dumps({"generated": args.generated, "synthetic": args.synthetic,
                                         "documents": now}, indent=1, sort_keys=True))
        print(f"written to {args.path}")
        return
    before = saved["documents"]
    differ = sorted(name for name in before.keys() | now.keys() if before.get(name) != now.get(name))
    for name in differ:
        print(f"  differs: {name}")
    print(f"{len(differ)}/{len(before.keys() | now.keys())} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
