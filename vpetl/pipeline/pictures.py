"""Pictures of facts, written beside the store: the PNG of a PDF fact's page region, the HTML of a
Word or worksheet fact's table. A picture is named by fact and extraction run
(`<fact_id>-<run_id>.png`), so a re-extraction that moves a fact gets a new one and an
unchanged fact is never drawn twice.

Drawing a page is the costliest thing vpetl does with a document's bytes (a 14,400 pt page
takes 3.9 GB), so pages are drawn where extraction runs, under the same budgets: `call` is an
extraction pool's (time, memory), and a page over `picture.MAX_PIXELS` is not drawn at all. A
picture over a budget is skipped with one line (`skipped`), and the others are drawn."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import groupby
from pathlib import Path
from typing import Any

from vpetl import picture
from vpetl.picture import picture_name
from vpetl.pipeline.pool import OverBudget
from vpetl.schema.blobs import BlobStore
from vpetl.schema.queries import Placed

Call = Callable[..., Any]
"""How to run a function under the extraction budgets: `ExtractionPool.call`, or `here`."""


class PictureSkipped(Exception):
    """A picture over a budget: the message says which."""


def here(fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn(*args)` in this process (no budgets): for trusted documents and tests."""
    return fn(*args)


def regions(path: str, spots: list[picture.Spot]) -> list[tuple[str, bytes | str]]:
    """(fact_id, PNG or the reason it was not drawn) for the spots of the PDF at `path`: run in a
    worker, which reads the bytes itself."""
    return list(picture.page_regions(Path(path).read_bytes(), spots))


def draw(placed: Placed, blobs: BlobStore, call: Call = here) -> bytes:
    """One fact's picture: PNG bytes when it has a page, else the HTML of its table; raises
    PictureSkipped when its page is over a budget."""
    if placed.page is not None and placed.bbox is not None:  # (as on_page, written out for the type checker)
        spot = picture.Spot(placed.fact_id, placed.page, _box(placed.bbox))
        [(_, png)] = _regions(call, blobs, placed.sha256, [spot])
        if isinstance(png, str):
            raise PictureSkipped(png)
        return png
    cells = [picture.GridCell(r, c, t) for r, c, t in placed.cells]
    return picture.table_html(placed.title, cells, placed.mark).encode()


def _regions(call: Call, blobs: BlobStore, sha256: str, spots: list[picture.Spot]) -> list[tuple[str, bytes | str]]:
    """The pictures of one document's spots, under the budgets; over one, every spot gets the reason."""
    try:
        result: list[tuple[str, bytes | str]] = call(regions, str(blobs.path(sha256)), spots)
        return result
    except MemoryError:
        reason = "drawing it ran out of the memory budget"
    except OverBudget as exc:
        reason = f"drawing it: {exc}"
    return [(spot.fact_id, reason) for spot in spots]


def write_all(facts: Iterable[Placed], blobs: BlobStore, out_dir: Path, call: Call = here,
              skipped: Callable[[str], None] = lambda line: None) -> tuple[int, int]:
    """Every fact's picture that is not there yet; (written, already there). Each PDF is opened
    and each of its pages rendered once; pictures over a budget are told to `skipped`, a line
    per document and reason."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = kept = 0
    for sha256, group in groupby(facts, key=lambda p: p.sha256):
        todo = []
        for p in group:
            path = out_dir / picture_name(p.fact_id, p.run_id, p.on_page)
            if path.exists():
                kept += 1
            elif path.suffix == ".png":
                todo.append((p, path))
            else:
                _write(path, draw(p, blobs))
                written += 1
        if todo:
            paths = {p.fact_id: path for p, path in todo}
            spots = [picture.Spot(p.fact_id, p.page, _box(p.bbox)) for p, _ in todo if p.page and p.bbox]
            reasons: dict[str, int] = {}
            for fact_id, png in _regions(call, blobs, sha256, spots):
                if isinstance(png, str):
                    reasons[png] = reasons.get(png, 0) + 1
                    continue
                _write(paths[fact_id], png)
                written += 1
            for reason, n in reasons.items():
                skipped(f"{n} picture{'s' if n > 1 else ''} of document {sha256[:12]} not drawn: {reason}")
    return written, kept


def _box(bbox: list[float]) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = bbox
    return x0, top, x1, bottom


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a picture being written is never served half-drawn."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
