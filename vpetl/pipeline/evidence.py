"""Which of a question's files is its answer, and which of its files are one document.

Nothing guarantees the order of a record's `bestand-ordered`, and one annex may be reached
twice (a short link printed in the answer, a file in the record). So the answer is chosen on
evidence, in order of trust: the search hit's `documenttype`, the file's content (an answer's
header), the record's own word for the file, and only then its position (recorded as a guess);
and files are one document when their bytes are (sha256), whatever URL led to them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from vpetl.schema.load import DocumentIn

ANSWER_TYPES = ("antwoord", "vraag en antwoord")  # a document type, in a hit or a record, that is the answer
PFILE_ID = re.compile(r"[?&]id=(\d{1,18})(?:&|$)")


class Evidence(StrEnum):
    """How the answer was told apart from the annexes (stored with the question)."""

    hit = "search hit"
    content = "content"
    record = "record"
    position = "position (a guess)"


@dataclass(frozen=True)
class Candidate:
    """A file the record names, as fetched (document None when it could not be)."""

    url: str
    document: DocumentIn | None
    record_type: str | None  # the record's word for it
    hit_type: str | None  # the search hit's documenttype for its pfile id


def pfile_id(url: str | None) -> int | None:
    """The document id of a `pfile?id=N` URL (None for other URLs)."""
    m = PFILE_ID.search(url or "") if url and "pfile" in url else None
    return int(m[1]) if m else None


def hit_type(hit_types: dict[int, str], url: str, document: DocumentIn | None) -> str | None:
    """The search hit's documenttype for a file, by the pfile id of its URL or of where it led."""
    for candidate in (url, document.final_url if document else None):
        if (pid := pfile_id(candidate)) is not None and pid in hit_types:
            return hit_types[pid]
    return None


def choose_answer(candidates: list[Candidate], has_answer_header: Callable[[DocumentIn], bool]
                  ) -> tuple[Candidate | None, Evidence | None]:
    """The candidate that is the answer, and on what evidence. `has_answer_header` reads a
    document's content (it is only called when no search hit says which file is the answer)."""
    if not candidates:
        return None, None
    for c in candidates:
        if (c.hit_type or "").lower() in ANSWER_TYPES:
            return c, Evidence.hit
    for c in candidates:
        if c.document is not None and has_answer_header(c.document):
            return c, Evidence.content
    for c in candidates:
        if (c.record_type or "").lower() in ANSWER_TYPES:
            return c, Evidence.record
    return candidates[0], Evidence.position
