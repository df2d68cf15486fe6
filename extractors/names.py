"""Person and organisation names as people write them."""

from __future__ import annotations

import re
import unicodedata

# Lower-case after "Van"/"Vanden"...: "VAN DEN BOSSCHE" -> "Van den Bossche" (Flemish usage).
_PARTICLES = {"de", "den", "der", "het", "ten", "ter", "t"}
_LEGAL_FORMS = {"vzw": "vzw", "nv": "nv", "bv": "bv", "bvba": "bvba", "cv": "cv", "cvba": "cvba",
                "ivzw": "ivzw", "sa": "SA", "asbl": "asbl"}
_DASHES = re.compile(r"[‐‑‒–—―]")


def person_name(text: str) -> str:
    """'MAURITS VANDE REYDE' -> 'Maurits Vande Reyde'; keeps names already in mixed case."""
    text = " ".join(text.split())
    if not text.isupper():
        return text
    words = text.lower().split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        after_van = i > 0 and words[i - 1] in {"van", "vanden", "vander"} | _PARTICLES and out
        if word in _PARTICLES and after_van and i < len(words) - 1:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def normalise_text(text: str) -> str:
    """Unicode NFC, one kind of dash and quote, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _DASHES.sub("-", text).replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def organisation_name(text: str) -> str:
    """A stable form of an organisation's name: normalised text, legal forms lower-cased."""
    words = normalise_text(text).split(" ")
    return " ".join(_LEGAL_FORMS.get(w.lower().strip("."), w) for w in words)


def fold(text: str) -> str:
    """A key for matching names: no accents, no case, no punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
