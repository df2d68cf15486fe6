"""Word and Excel extraction speed: a Word answer, and a workbook of 5,000 beneficiary rows.

    python bench/office.py [--rows 5000] [--repeat 5]

Runs the extractors in this process (one core) and prints the median seconds of each, with
what was read (tables, cells, beneficiaries), so a regression shows as a number."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from vpetl import extractors

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "mirror" / "files"
PLACES = ["Gent", "Antwerpen", "Brugge", "Leuven", "Hasselt", "Mechelen", "Aalst", "Kortrijk", "Genk", "Ninove"]


def workbook(rows: int, path: Path) -> None:
    """An annex as departments make them: a title line, a header, `rows` lines, a total."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Begunstigden")
    ws.append(["Toegekende subsidies"])
    ws.append([])
    ws.append(["Gemeente", "Organisatie", "Subsidie (euro)"])
    for i in range(rows):
        ws.append([PLACES[i % len(PLACES)], f"Vereniging {i}", 1000 + i * 0.25])
    ws.append(["Totaal", None, sum(1000 + i * 0.25 for i in range(rows))])
    wb.save(path)


def timed(kind: extractors.Role, data: bytes, repeat: int) -> tuple[float, extractors.Extraction]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = extractors.extract(kind, data)
        times.append(time.perf_counter() - started)
    assert out is not None
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    seconds, ex = timed("answer", (FILES / "1402456.docx").read_bytes(), args.repeat)
    r = ex.result
    assert r is not None
    print(f"Word answer (1402456.docx): {seconds * 1000:.0f} ms; {len(r.tables)} table, "
          f"{sum(len(t.cells) for t in r.tables)} cells, question {r.header.number if r.header else None}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "annex.xlsx"
        workbook(args.rows, path)
        seconds, ex = timed("annex", path.read_bytes(), max(1, args.repeat // 2))
    r = ex.result
    assert r is not None
    rows = sum(len(b.rows) for b in r.beneficiary_lists)
    print(f"workbook of {args.rows:,} rows ({path.name}): {seconds:.2f} s; {sum(len(t.cells) for t in r.tables):,} "
          f"cells, {rows:,} beneficiaries ({rows / seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
