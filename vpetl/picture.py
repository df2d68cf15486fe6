"""A fact seen where it was printed: the page region around it with the fact outlined (PDF), or
its table with the cell marked (Word and spreadsheets, which have no pages to draw).

Pure functions from stored bytes (or stored cells) to a picture: the CLI and Datasette show
what they return, and nothing here reads the store.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pdfplumber
from PIL import Image, ImageDraw

RESOLUTION = 110  # dpi: 9 pt body text comes out about 14 px high, readable on a screen and small on disk
MARGIN = 90.0  # pt above and below the fact: a few rows of its table, so the labels are in the picture
OUTLINE = (220, 20, 60)  # crimson: visible on white, black and the grey of shaded headers
FILL = (255, 215, 0, 70)  # a light yellow wash over the fact, like a highlighter
PAD = 2.0  # pt between the fact and its outline, so the outline never covers a glyph
# Pixels one page may be drawn with: an A0 page (2,384 x 3,370 pt) at RESOLUTION is 19 million,
# so twice that holds every real page, and costs at most ~160 MB as RGBA. A 14,400 pt square
# (the largest page the PDF spec allows) would be 480 million (3.9 GB): it is not drawn.
MAX_PIXELS = 40_000_000


def page_pixels(width: float, height: float) -> int:
    """Pixels a page of `width` x `height` points takes at RESOLUTION."""
    return round(width * RESOLUTION / 72) * round(height * RESOLUTION / 72)


def picture_name(fact_id: str, run_id: int, on_page: bool) -> str:
    """The file a fact's picture is written to: one name `vpetl show --all`, `vpetl browse` and
    the Datasette plugin share (a new extraction run of the fact gets a new picture)."""
    return f"{fact_id}-{run_id}.{'png' if on_page else 'html'}"


@dataclass(frozen=True)
class Spot:
    """Where a fact was printed: 1-based page and (x0, top, x1, bottom) in PDF points."""

    fact_id: str
    page: int
    bbox: tuple[float, float, float, float]


def page_regions(pdf_bytes: bytes, spots: Iterable[Spot]) -> Iterator[tuple[str, bytes | str]]:
    """(fact_id, PNG) for each spot: the page's full width, a margin above and below the fact,
    the fact outlined. Each page is rendered once however many facts it holds. A page over
    MAX_PIXELS is not drawn: its spots come with the reason (a str) instead of a PNG."""
    by_page: dict[int, list[Spot]] = {}
    for spot in spots:
        by_page.setdefault(spot.page, []).append(spot)
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for number in sorted(by_page):
            if not 1 <= number <= len(pdf.pages):
                raise ValueError(f"page {number} is not in this document ({len(pdf.pages)} pages)")
            page = pdf.pages[number - 1]
            if (pixels := page_pixels(page.width, page.height)) > MAX_PIXELS:
                reason = (f"page {number} is {page.width:,.0f} x {page.height:,.0f} pt: {pixels / 1e6:,.0f} million "
                          f"pixels at {RESOLUTION} dpi, more than the budget of {MAX_PIXELS / 1e6:.0f} million")
                yield from ((spot.fact_id, reason) for spot in by_page[number])
                continue
            rendered = page.to_image(resolution=RESOLUTION).original.convert("RGB")
            for spot in by_page[number]:
                yield spot.fact_id, _band(rendered, page.bbox, spot.bbox)
            page.close()


def _band(rendered: Image.Image, page_bbox: Sequence[float], bbox: Sequence[float]) -> bytes:
    """The band of the page from MARGIN above the fact to MARGIN below it, the fact outlined, as PNG."""
    x0, top, x1, bottom = bbox
    scale = rendered.height / (page_bbox[3] - page_bbox[1])
    band_top = max(page_bbox[1], top - MARGIN)
    band_bottom = min(page_bbox[3], bottom + MARGIN)
    band = rendered.crop((0, round((band_top - page_bbox[1]) * scale), rendered.width,
                          round((band_bottom - page_bbox[1]) * scale)))

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - page_bbox[0]) * scale, (y - band_top) * scale

    box = [px(x0 - PAD, top - PAD), px(x1 + PAD, bottom + PAD)]
    wash = Image.new("RGBA", band.size)
    ImageDraw.Draw(wash).rectangle(box, fill=FILL)
    band = Image.alpha_composite(band.convert("RGBA"), wash)
    ImageDraw.Draw(band).rectangle(box, outline=OUTLINE, width=2)
    out = io.BytesIO()
    band.convert("RGB").save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class GridCell:
    """A cell of a table as stored: its place and its text."""

    row: int
    col: int
    text: str


def table_html(title: str, cells: Iterable[GridCell], mark: tuple[int, int]) -> str:
    """A small HTML page with the table and the fact's cell (row, col) marked: the picture of a
    fact from a Word table or a worksheet."""
    grid: dict[tuple[int, int], str] = {(c.row, c.col): c.text for c in cells}
    if not grid:
        raise ValueError("a table with no cells has nothing to show")
    rows = max(r for r, _ in grid) + 1
    cols = max(c for _, c in grid) + 1
    body = "\n".join(
        "<tr>" + "".join(
            f'<td{" class=fact" if (r, c) == mark else ""}>{html.escape(grid.get((r, c), ""))}</td>'
            for c in range(cols)) + "</tr>"
        for r in range(rows))
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            "<style>body{font:14px sans-serif;margin:1em}table{border-collapse:collapse}"
            "td{border:1px solid #bbb;padding:2px 6px}"
            ".fact{outline:3px solid rgb(220,20,60);background:rgba(255,215,0,.3)}</style>"
            f"<h1 style='font-size:16px'>{html.escape(title)}</h1><table>\n{body}\n</table>\n")
