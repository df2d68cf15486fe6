"""What vpetl raises on purpose, in three families, so that a caller tells apart whose doing a
failure was:

- `SourceError`: the parliament's service (a fetch that failed, a search page or record that
  cannot be read). Recorded with the question; the next run tries again.
- `UnreadableDocument`: a document's bytes (a damaged PDF, a Word file that is not one, an
  archive bomb). A property of the document, recorded with its extraction run.
  `UnreadableValue` is the case of a document that can be read but says something impossible
  (`31 februari 2020`); `OcrError` a page Tesseract could not read.
- everything else under `VpetlError` (the store, the run lock, a review, a budget): said as
  it is.

Any other exception is a bug in vpetl and is reported as one ("bug in vpetl: ..."), never as
bad input. `Step` names where a failure happened; each recorded failure carries its step."""

from __future__ import annotations

from typing import Literal

Step = Literal["fetch", "extract", "load"]


class VpetlError(Exception):
    """The root of every error vpetl raises on purpose."""


class SourceError(VpetlError):
    """The source (the parliament's open-data service or its document server) failed us."""


class UnreadableDocument(VpetlError):
    """A document's bytes cannot be read: a property of the document, not of vpetl."""


class UnreadableValue(UnreadableDocument):
    """A document that reads, but states a value that cannot be what it says (an impossible date)."""


class OcrError(UnreadableDocument):
    """Tesseract failed on a page (a non-zero exit, or over its time budget)."""

