"""Pictures of facts, written beside the store: the PNG of a PDF fact's page region, the HTML of a
Word or worksheet fact's table. A picture is named by fact and extraction run
(`<fact_id>-<run_id>.png`), so a re-extraction that moves a fact gets a new one and an
unchanged fact is never drawn twice."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

from vpetl import picture
from vpetl.picture import picture_name
from vpetl.schema.blobs import BlobStore
from vpetl.schema.queries import Placed


def draw(placed: Placed, blobs: BlobStore) -> bytes:
    """One fact's picture: PNG bytes when it has a page, else the HTML of its table."""
    if placed.page is not None and placed.bbox is not None:  # (as on_page, written out for the type checker)
        spot = picture.Spot(placed.fact_id, placed.page, _box(placed.bbox))
        return next(picture.page_regions(blobs.get(placed.sha256), [spot]))[1]
    cells = [picture.GridCell(r, c, t) for r, c, t in placed.cells]
    return picture.table_html(placed.title, cells, placed.mark).encode()


def write_all(facts: Iterable[Placed], blobs: BlobStore, out_dir: Path) -> tuple[int, int]:
    """Every fact's picture that is not there yet; (written, already there). Each PDF is opened
    and each of its pages rendered once."""
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
            for fact_id, png in picture.page_regions(blobs.get(sha256), spots):
                _write(paths[fact_id], png)
                written += 1
    return written, kept


def _box(bbox: list[float]) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = bbox
    return x0, top, x1, bottom


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a picture being written is never served half-drawn."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
