"""Every threshold of the extractors, with its reason: one validated object to read, tune and test.

Sizes are in PDF points (1/72 inch), shares are fractions of 1, heights are in text lines.
`TableSettings` is validated when made (as pdfplumber validates its table settings): a share
outside 0..1, a negative distance or a count that is not a whole number is refused with the
field's name. `tests/test_thresholds.py` proves that every field is read by the extractors.

Budgets (sizes, times, counts that bound the work a document may cost: `sniff.MAX_UNZIPPED`,
`sheets.MAX_CELLS`, `ocr.TIMEOUT`, the run's `Settings.max_pages`) are not heuristics and stay
beside the check they bound."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

SHARES = frozenset({"min_fill", "number_column_share", "wide_chunk_share", "data_line_share", "margin_share",
                    "running_share", "sideways_overlap", "stacked_shared", "overlap_share", "contents_share",
                    "prose_share", "footer_share", "centred_share", "superscript_size", "confidence_ruled",
                    "confidence_open", "confidence_unruled", "confidence_ocr", "confidence_word",
                    "confidence_sheet", "csv_agreement", "csv_split"})
"""The fields that are fractions of a whole: each must lie in 0..1."""


@dataclass(frozen=True)
class TableSettings:
    """Sizes in PDF points (1/72 inch), shares as fractions, heights in text lines."""

    # ruled tables: pdfplumber's line-based finder
    snap_tolerance: float = 3.0  # rules drawn a hair apart (double rules, anti-aliasing) are one rule
    join_tolerance: float = 3.0  # rule segments with gaps this small are one rule
    intersection_tolerance: float = 3.0  # rules that nearly meet still make a cell corner
    min_fill: float = 0.15  # a ruled grid with fewer cells filled is a chart's grid or a form, not a table
    split_band_lines: int = 3  # a band between rules with this many lines of data holds one row a line
    cluster: float = 2.0  # cell edges this close are one column or row boundary

    # open-sided tables: horizontal rules only
    min_rule_width: float = 30.0  # shorter horizontal strokes are underlines, not table rules
    rule_group_gap: float = 90.0  # rules further apart hold one table's body only if the lines between are data
    rule_align: float = 3.0  # rules of one table start and end within this of each other
    collinear_gap: float = 2.0  # segments of one rule drawn a cell at a time touch within this
    collinear_level: float = 1.5  # ... and lie at the same height within this
    outside_row_gap: float = 0.8  # a row this many line heights (or less) outside the rules still belongs

    # unruled tables: aligned text
    unruled_min_lines: int = 3  # fewer aligned lines are a list or a signature, not a table
    block_gap: float = 1.5  # lines further apart (in line heights) start a new block
    number_column_share: float = 0.6  # a column with this share of numbers makes a block a table
    row_size_slack: float = 0.5  # a row of a label alone is set within this (pt) of its table's size
    wrap_gap_slack: float = 0.1  # a cell's wrapped line follows at the table's usual line gap plus this many
    #                              line heights (PDF rounding); a padded heading stands further (Word: 0.13)
    wrap_line_gap: float = 0.5  # ... and at most this many line heights under the line above: a paragraph's
    #                             lines, up to 1.5 line spacing (Word's tables: 0.33); padded rows stand further

    # building a grid from lines
    wide_chunk_share: float = 0.6  # a chunk wider than this share of the table is a title, not a column
    column_gap: float = 1.0  # chunks closer than this horizontally are one column
    min_data_rows: int = 3  # with this many rows of numbers, they alone decide the columns
    data_line_share: float = 0.5  # a line of data: at least half its chunks numbers, in two columns
    aligned_tolerance: float = 12.0  # header lines whose chunks' centres align within this are one row
    aligned_edge: float = 3.0  # ... or whose chunks' left or right edges align within this
    min_single_cells: int = 3  # a grid with fewer one-column cells is prose in chunks

    # a page's tables
    margin_share: float = 0.12  # page headers and footers stand in this top and bottom share of the page
    running_share: float = 0.3  # a margin line on this share of pages (at least two) is a running header
    header_row_gap: float = 2.0  # a repeated table header is at most this many line heights above its next row
    sideways_overlap: float = 0.7  # a grid and text beside it sharing this share of height are one table
    sideways_gap: float = 30.0  # ... when at most this far apart
    stacked_gap: float = 15.0  # a header grid at most this far above a body is its header
    stacked_shared: float = 0.8  # ... when they share this share of width
    stacked_header_rows: int = 3  # ... and it has at most this many rows
    overlap_share: float = 0.5  # two tables sharing this share of area are one found twice
    split_gap: float = 30.0  # one table found as two, one under the other, leaves at most a row (two lines) between
    figure_strokes: int = 15  # curves or slanted lines in a region: a plot, not a table
    figure_rects: int = 50  # this many rectangles ...
    figure_rects_per_cell: float = 20.0  # ... and this many per cell: a bar chart or a map
    contents_max_cols: int = 3  # a table of contents has a title and a page column (and perhaps a number)
    contents_min_numbers: int = 5  # ... with at least this many page numbers
    contents_share: float = 0.8  # ... in this share of its last column, only going up
    contents_max_page: int = 3000  # a page number is no larger (a money column of whole euros is: no contents)
    prose_line: int = 40  # a row that is one cell this long is a line of running text ...
    prose_share: float = 0.6  # ... and a "table" with this share of such rows is prose
    footer_share: float = 0.92  # text below this share of the page height is the footer, not body text

    # footnotes, captions and stitching
    footnote_reach: float = 120.0  # footnote texts stand within this below their table
    footnote_lines: int = 8  # ... in the first this many lines
    note_gap: float = 0.5  # a note's next line follows it within this many line heights ...
    note_size_slack: float = 0.5  # ... set no larger (pt) than the note: the body's text is larger
    group_fit: float = 6.0  # a group header within this (pt) of flush or centred over its columns spans them
    group_slack: float = 2.0  # ... the widest run that fits within this (pt) of the closest one: a header centred
    #                            over two columns may end flush (< 1 pt) with the first one's header by chance
    centred_share: float = 0.1  # a lone header centred within this share of its table's width spans it all
    caption_distance: float = 3.0  # a caption stands within this many line heights above its table
    stitch_column_tolerance: float = 12.0  # a continuation's columns match within this
    stitch_lines_above: int = 3  # a continuation has at most this many lines above it on its page

    # words and lines (layout.py): the geometry every extractor builds on
    word_x_tolerance: float = 1.5  # letters closer than this (pt) are one word: tighter than pdfplumber's 3, so
    #                                close-set columns stay apart (set with the first extractors; not since measured)
    word_y_tolerance: float = 2.0  # ... and their tops differ less than this (pt) (likewise)
    line_tolerance: float = 2.5  # words whose tops differ less than this (pt) share a line
    chunk_gap: float = 0.75  # a gap wider than this many font heights separates two chunks (columns)
    superscript_size: float = 0.85  # a footnote mark is set at most this share of the text's size (marks: 55-70%)
    superscript_raise: float = 1.0  # ... its baseline at least this (pt) above the text's (a subscript is lower)
    mark_touching: float = 1.0  # a mark within this (pt) of a word is part of it
    mark_near: float = 4.0  # a mark is compared with the words within this (pt): about a space at body size

    # labels and confidence (labels.py)
    max_header_rows: int = 3  # a table is headed by at most its first three rows (title, group header, unit row)
    confidence_ruled: float = 0.95  # a grid drawn by the document's own rules: rarely wrong
    confidence_open: float = 0.85  # horizontal rules only: columns are inferred from the text
    confidence_unruled: float = 0.7  # aligned text only: rows and columns both inferred
    confidence_ocr: float = 0.5  # words read from an image: letters and places may be off
    confidence_word: float = 1.0  # a Word table: its cells are the document's own
    confidence_sheet: float = 1.0  # a worksheet: its cells are the document's own

    # scanned pages (ocr.py)
    ocr_dpi: int = 300  # pages are rendered this fine for Tesseract: its documentation's advice for body text
    ocr_min_confidence: float = 30.0  # words Tesseract is less sure of (0-100) are left out

    # worksheets and CSV files (sheets.py, sniff.py)
    sheet_header_search: int = 25  # rows scanned from the top of a sheet for its header (title lines stand above it)
    sheet_min_columns: int = 2  # a "table" of one column is a list of notes
    csv_sample_rows: int = 20  # records looked at to find a CSV file's delimiter: a header, rows under a title or two
    csv_sample_chars: int = 65_536  # of the file's start: more than 20 records of any real annex
    csv_agreement: float = 0.6  # share of the first records split by the delimiter with the same number of fields
    csv_split: float = 0.5  # ... and those split are most of the first records (a title above and notes under
    #                        a three-row table are not: 4 of 7)

    # checks (checks.py)
    title_words: int = 2  # a header names an annex by its title when it shares at least two of its words

    def __post_init__(self) -> None:
        """Refuse a value that cannot mean what its field says, naming the field."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"TableSettings.{f.name} must be a whole number, not {value!r}")
            if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
                raise ValueError(f"TableSettings.{f.name} must be a number, not {value!r}")
            if value < 0 or (f.name in SHARES and value > 1):
                bounds = "from 0 to 1" if f.name in SHARES else "0 or more"
                raise ValueError(f"TableSettings.{f.name} must be {bounds}, not {value!r}")

    def ruled(self) -> dict[str, Any]:
        """pdfplumber's table settings for ruled tables."""
        return {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": self.snap_tolerance,
                "join_tolerance": self.join_tolerance, "intersection_tolerance": self.intersection_tolerance}

    def confidence(self, method: str) -> float:
        """How far a table found by this method is trusted, before its fill is weighed."""
        by_method = {"ruled": self.confidence_ruled, "open": self.confidence_open, "unruled": self.confidence_unruled,
                     "ocr": self.confidence_ocr, "word": self.confidence_word, "sheet": self.confidence_sheet}
        return by_method[method]


DEFAULT = TableSettings()
