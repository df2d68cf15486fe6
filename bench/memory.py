"""Peak memory of extracting one long document, in a worker under the pipeline's memory budget.

    python bench/memory.py [--pages 195] [--memory-mb 1024] [--seed 7]

Generates a long report with the layout generator (fixtures/generator: prose and tables of
every drawn layout, with a running header and footer, about `--pages` pages), then extracts it
with `extract("annex", ...)` in a child process whose address space is limited as the
pipeline's extraction workers' is (RLIMIT_AS, settings.extract_memory_mb). Prints the pages,
whether it fitted, the child's peak resident memory and its CPU seconds (not wall time)."""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PUBLISHED = date(2024, 6, 1)
PROSE = ("De gegevens per entiteit worden hieronder weergegeven, met de ramingen voor het begrotingsjaar en "
         "de aanpassingen die in de loop van het jaar werden doorgevoerd. ") * 6


def long_document(pages: int, seed: int) -> tuple[bytes, int]:
    """A report of about `pages` pages: paragraphs of prose between generated tables."""
    from vpetl.extractors import count_pages
    from vpetl.fixtures.generator.dimensions import draw_table_dims
    from vpetl.fixtures.generator.pdf import render_pdf
    from vpetl.fixtures.generator.render import Block, Layout
    from vpetl.fixtures.generator.tables import draw_table

    rng = random.Random(seed)
    blocks: list[Block] = []
    data, n = b"", 0
    while n < pages:
        for _ in range(max(4, (pages - n) // 2)):  # about two pages of prose and a table each
            blocks += [PROSE, PROSE, draw_table(rng, draw_table_dims(rng)), PROSE]
        data = render_pdf(blocks, Layout(running="Wetsontwerp houdende de begroting - Memorie van toelichting"))
        n = count_pages(data)
    return data, n


def child(path: Path, memory_mb: int) -> None:
    """Extract the document under the memory budget; print the outcome, peak RSS and CPU."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from vpetl.extractors import extract

    started = time.process_time()
    run = extract("annex", path.read_bytes(), PUBLISHED)
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome = f"{len(run.result.tables)} tables" if run.result else f"failed: {run.error}"
    print(f"{outcome}; peak RSS {peak:.0f} MB; {cpu:.1f} CPU-s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=195)
    ap.add_argument("--memory-mb", type=int, default=1024, help="the workers' address space (extract_memory_mb)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.memory_mb)
        return
    data, pages = long_document(args.pages, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.pdf"
        path.write_bytes(data)
        print(f"a generated report of {pages} pages ({len(data) / 1e6:.1f} MB), extracted under "
              f"{args.memory_mb} MB of address space:", flush=True)
        done = subprocess.run([sys.executable, __file__, "--child", str(path), "--memory-mb", str(args.memory_mb)],
                              capture_output=True, text=True)
    if done.returncode:  # the worker died: what it died of is the last line of its traceback
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"the worker died ({last}); peak RSS of the dead worker "
              f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
    else:
        print(done.stdout.strip())


if __name__ == "__main__":
    main()
