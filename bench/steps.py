"""Where extraction's CPU time goes: a profile by step, as a table.

    python bench/steps.py [--questions 150] [--real ../shared/corpus/real]

Extracts the PDFs of a synthetic session (what bench/pipeline.py's workers read: answers with
`extract("answer", ...)`, annexes with `extract("annex", ...)`) and, apart, the real PDFs as
`vpetl tables` reads them, under cProfile, in this process. Prints per step its inclusive CPU
seconds (a step's share includes the steps it calls, so shares do not add up to 100%) and the
CPU seconds per page (time.process_time, not wall time: the machine may be loaded)."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vpetl.extractors import count_pages, extract, extract_tables_of

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

STEPS = [  # (step, module suffix, function): inclusive time of that function
    ("parse the page (pdfminer layout, objects)", "extractors/pdfpage.py", "page_objects"),
    ("words (pdfplumber extract_words)", "pdfplumber/utils/text.py", "extract_words"),
    ("footnote marks (glue_marks)", "extractors/layout.py", "glue_marks"),
    ("group lines", "extractors/layout.py", "group_lines"),
    ("running headers", "extractors/tables/page.py", "running_lines"),
    ("a page's tables (all layouts)", "extractors/tables/page.py", "page_tables"),
    ("  ruled (incl. find_tables)", "extractors/tables/ruled.py", "ruled_tables"),
    ("    pdfplumber's table finder", "extractors/pdfpage.py", "find_tables"),
    ("  open-sided", "extractors/tables/opensided.py", "open_tables"),
    ("  unruled", "extractors/tables/unruled.py", "unruled_tables"),
    ("  figure check", "extractors/tables/filters.py", "is_figure"),
    ("labels, numbers, units", "extractors/tables/labels.py", "label"),
    ("answer text (questions, answers, links)", "extractors/answer.py", "parse_answer"),
    ("beneficiary lists", "extractors/beneficiaries.py", "read_list"),
    ("textless pages check", "extractors/pdf.py", "textless_pages"),
]


def profiled(work: Callable[[], int]) -> tuple[pstats.Stats, float, int]:
    """Run `work` (returns pages read) under cProfile: the stats, CPU seconds and pages."""
    prof = cProfile.Profile(time.process_time)
    started = time.process_time()
    prof.enable()
    pages = work()
    prof.disable()
    return pstats.Stats(prof), time.process_time() - started, pages


def inclusive(stats: pstats.Stats, suffix: str, name: str) -> float:
    """Cumulative seconds of the function `name` in a file ending in `suffix` (of the outermost,
    where a file has two of that name, one calling the other: pdfplumber's `extract_words`)."""
    raw = stats.stats  # type: ignore[attr-defined]
    return max((ct for (path, _, fn), (_, _, _, ct, _) in raw.items() if fn == name and path.endswith(suffix)),
               default=0.0)


def table(title: str, stats: pstats.Stats, cpu: float, pages: int) -> None:
    print(f"\n{title}: {pages} pages, {cpu:.1f} CPU-s under the profiler, {cpu / max(pages, 1):.4f} CPU-s/page")
    print(f"| {'step':<42} | {'share':>6} | {'CPU-s/page':>10} |")
    print(f"|{'-' * 44}|{'-' * 8}|{'-' * 12}|")
    for label, suffix, name in STEPS:
        seconds = inclusive(stats, suffix, name)
        if not seconds:  # renamed or no longer called: said, not left out (a missing row hid the largest step)
            print(f"| {label:<42} | {'-':>6} | {'not called':>10} |")
            continue
        print(f"| {label:<42} | {seconds / cpu:>6.1%} | {seconds / max(pages, 1):>10.4f} |")


def synthetic_session(site: Path) -> Callable[[], int]:
    def work() -> int:
        pages = 0
        for path in sorted((site / "files").glob("*.pdf")):
            data = path.read_bytes()
            role = "answer" if int(path.stem) % 10 == 0 else "annex"  # synthetic.py's file ids
            extract(role, data)
            pages += count_pages(data)
        return pages
    return work


def real_tables(folder: Path) -> Callable[[], int]:
    def work() -> int:
        pages = 0
        for path in sorted(folder.glob("*.pdf")):
            data = path.read_bytes()
            extract_tables_of(data)
            pages += count_pages(data)
        return pages
    return work


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=150)
    ap.add_argument("--real", type=Path, default=SHARED / "corpus" / "real")
    ap.add_argument("--no-real", action="store_true")
    args = ap.parse_args()
    from vpetl.fixtures import synthetic
    with tempfile.TemporaryDirectory() as tmp:
        synthetic.generate(Path(tmp), args.questions, seed=1)  # generated before the profile starts
        table(f"synthetic session, {args.questions} questions (the pipeline's workers)",
              *profiled(synthetic_session(Path(tmp))))
    if not args.no_real:
        table(f"vpetl tables on {args.real}", *profiled(real_tables(args.real)))


if __name__ == "__main__":
    main()
