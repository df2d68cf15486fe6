"""Every threshold of the table finder, with its reason: one object to read, tune and test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    prose_line: int = 40  # a row that is one cell this long is a line of running text ...
    prose_share: float = 0.6  # ... and a "table" with this share of such rows is prose
    footer_share: float = 0.92  # text below this share of the page height is the footer, not body text

    # footnotes, captions and stitching
    footnote_reach: float = 120.0  # footnote texts stand within this below their table
    footnote_lines: int = 8  # ... in the first this many lines
    note_gap: float = 0.5  # a note's next line follows it within this many line heights ...
    note_size_slack: float = 0.5  # ... set no larger (pt) than the note: the body's text is larger
    group_fit: float = 6.0  # a group header within this (pt) of flush or centred over its columns spans them
    centred_share: float = 0.1  # a lone header centred within this share of its table's width spans it all
    caption_distance: float = 3.0  # a caption stands within this many line heights above its table
    stitch_column_tolerance: float = 12.0  # a continuation's columns match within this
    stitch_lines_above: int = 3  # a continuation has at most this many lines above it on its page
    superscript_size: float = 0.85  # a mark set at most this share of its neighbour's size ...
    superscript_raise: float = 0.5  # ... and raised at least this (pt) is a footnote mark

    def ruled(self) -> dict[str, Any]:
        """pdfplumber's table settings for ruled tables."""
        return {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": self.snap_tolerance,
                "join_tolerance": self.join_tolerance, "intersection_tolerance": self.intersection_tolerance}


DEFAULT = TableSettings()
