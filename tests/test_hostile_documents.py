"""Hostile documents: each case is a small file built here that once broke a reader, and what
must hold for it now (the red team's findings of issue 22).

- a Word table whose first column is one vertical merge of 3,000 rows: read (it ended in
  RecursionError, after quadratic time);
- a PDF whose page tree nests past Python's stack: an unreadable document, not a bug;
- a 60-page PDF whose page tree says `/Count 1`: over a 10-page budget;
- a page 200,000 pt square (and one of 14,400 pt, the largest the spec allows): its pictures
  are skipped with one line, the other documents' pictures are drawn."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from vpetl import extractors
from vpetl.pipeline import pictures
from vpetl.schema.blobs import BlobStore
from vpetl.schema.queries import Placed

from .conftest import FILES
from .hostile import pdf_of


def text_page(width: float, height: float, parent: int = 2, font: int = 4, contents: int = 5) -> bytes:
    return (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (parent, width, height, font, contents))


def stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def merged_docx(rows: int) -> bytes:
    """A table of `rows` x 2 whose first column is one vertical merge."""
    document = docx.Document()
    table = document.add_table(rows=rows, cols=2)
    for r, row in enumerate(table.rows):
        first, second = row.cells
        merge = OxmlElement("w:vMerge")
        if r == 0:
            merge.set(qn("w:val"), "restart")
            first.text = "Vlaanderen"
        first._tc.get_or_add_tcPr().append(merge)
        second.text = str(1000 + r)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_column_merged_over_3000_rows_is_read():
    [table] = extractors.extract_tables_of(merged_docx(3000))
    merged = [c for c in table.cells if c.text == "Vlaanderen"]
    assert len(merged) == 1 and merged[0].row_span == 3000 and merged[0].col == 0
    assert sorted(int(c.text) for c in table.cells if c.col == 1) == list(range(1000, 4000))


def test_merges_across_and_down_keep_their_extent():
    document = docx.Document()
    t = document.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(1, 1)).text = "Blok"  # two rows, two columns
    t.cell(2, 0).text, t.cell(0, 2).text = "Onder", "Rechts"
    out = io.BytesIO()
    document.save(out)
    [table] = extractors.extract_tables_of(out.getvalue())
    spans = {c.text: (c.row, c.col, c.row_span, c.col_span) for c in table.cells}
    assert spans["Blok"] == (0, 0, 2, 2) and spans["Onder"] == (2, 0, 1, 1) and spans["Rechts"] == (0, 2, 1, 1)


DEPTH = 5000  # page-tree levels: past Python's default recursion limit of 1,000


def nested_page_tree(depth: int) -> bytes:
    """One page under `depth` levels of /Pages nodes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        node = level + 2
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (node + 1))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 200 200] >>" % (depth + 1))
    return pdf_of(objects)


@pytest.mark.parametrize("kind", ["answer", "annex"])
def test_a_page_tree_nested_past_the_stack_is_an_unreadable_document(kind):
    out = extractors.extract(kind, nested_page_tree(DEPTH), max_pages=2000)
    assert out.result is None and out.error == extractors.TOO_DEEP


def test_a_recursion_error_in_any_reader_is_an_unreadable_document(monkeypatch):
    def deep(*args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(extractors, "_read", deep)
    out = extractors.extract("annex", b"%PDF-1.4")
    assert out.result is None and out.error == extractors.TOO_DEEP


def lying_count(pages: int, claimed: int) -> bytes:
    """`pages` pages whose page tree claims `/Count claimed`."""
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, claimed)]
    objects += [text_page(200, 200, font=pages + 3, contents=pages + 4) for _ in range(pages)]
    return pdf_of([*objects, FONT, stream(b"BT /F1 12 Tf 20 100 Td (Bladzijde) Tj ET")])


def test_the_page_budget_counts_pages_not_what_the_tree_claims():
    data = lying_count(60, 1)
    assert extractors.count_pages(data) == 60
    out = extractors.extract("annex", data, max_pages=10)
    assert out.result is None and out.error == "more pages than the budget of 10 per document"
    assert extractors.extract("annex", lying_count(3, 1), max_pages=10).error is None  # within it: read


def huge_page(side: float) -> bytes:
    """One page `side` pt square with a number near its top left."""
    text = b"BT /F1 12 Tf 100 %g Td (1.234,50) Tj ET" % (side - 100)
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   text_page(side, side), FONT, stream(text)])


@pytest.mark.parametrize("side", [200_000, 14_400])
def test_a_huge_page_is_not_drawn_and_the_other_pictures_are(side, tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    huge, good = blobs.put(huge_page(side)), blobs.put((FILES / "1402290.pdf").read_bytes())
    facts = [Placed("huge-1", 1, huge, 1, [100, 88, 140, 100], "huge", [], (0, 0)),
             Placed("huge-2", 1, huge, 1, [100, 88, 150, 100], "huge", [], (0, 1)),
             Placed("good", 2, good, 1, [100, 300, 200, 312], "good", [], (0, 0))]
    lines: list[str] = []
    written, kept = pictures.write_all(facts, blobs, tmp_path / "pictures", skipped=lines.append)
    assert (written, kept) == (1, 0)
    assert [p.name for p in (tmp_path / "pictures").iterdir()] == ["good-2.png"]
    assert len(lines) == 1 and lines[0].startswith(f"2 pictures of document {huge[:12]} not drawn: page 1 is ")
    with pytest.raises(pictures.PictureSkipped, match="more than the budget of 40 million"):
        pictures.draw(facts[0], blobs)


def enlarged(data: bytes, side: float) -> bytes:
    """The PDF with each page `side` pt square, its content where it was at the top left."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        height = float(page.mediabox.height)
        page.mediabox = RectangleObject([0, height - side, side, height])
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_show_all_skips_a_huge_page_in_one_line_and_draws_the_rest(tmp_path):
    """Through the command: an annex whose page is 14,400 pt square (its table read as usual)
    beside an ordinary one; `vpetl show --all` draws the ordinary one's pictures, says in one
    line what it skipped, and exits 0."""
    from typer.testing import CliRunner

    from vpetl.cli import app

    huge = tmp_path / "huge.pdf"
    huge.write_bytes(enlarged((FILES / "1402518.pdf").read_bytes(), 14_400))
    common = ["--db", f"sqlite:///{tmp_path / 's.sqlite'}", "--data-dir", str(tmp_path / "d")]
    for path in (huge, FILES / "1402519.pdf"):
        done = CliRunner().invoke(app, ["ingest", "--file", str(path), *common])
        assert done.exit_code == 0, done.output
    result = CliRunner().invoke(app, ["show", "--all", *common])
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if " not drawn: " in line]
    assert len(skipped) == 1 and "page 1 is 14,400 x 14,400 pt" in skipped[0], result.output
    drawn = list((tmp_path / "d" / "pictures").glob("*.png"))
    assert drawn and f"{len(drawn)} pictures written" in result.output
