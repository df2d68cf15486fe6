"""Everything vpetl prints passes here: text from outside never reaches the terminal raw.

Titles, URLs, redirect targets, failure reasons and table cells come from servers and
documents. An ESC in one of them is a terminal command (clear the screen, set the window
title, write the clipboard, draw a fake "all loaded" line), a C1 control is the same in one
byte (`\\x9b` is CSI), and a bidi override makes a line read differently from what it holds.
So every console, every table and every line written to stdout or stderr removes them, in
one place, whatever the command and whatever the column; JSON keeps them, escaped (`\\u009b`),
so the data stays exact and the terminal stays untouched."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional marks, embeddings,
# overrides and isolates (U+061C, U+200E/F, U+202A-E, U+2066-9). A carriage return goes too: it
# lets a line overwrite the one before it.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What `json.dumps(ensure_ascii=False)` leaves raw (it escapes C0 itself).
UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """`text` as a string, without the characters that can command a terminal or reorder a line."""
    return UNSAFE.sub("", str(text))


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON as exact as `json.dumps`, with every character a terminal could act on escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


class SafeConsole(Console):
    """A rich console that cleans every string and `Text` it is given to print (styles are
    ours, given with `style=`, and still apply). Markup and highlighting stay off: a "[/x]"
    from outside prints as it is."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(soft_wrap=True, markup=False, highlight=False, **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(_safe(o) for o in objects), **kwargs)


def _safe(item: Any) -> Any:
    if isinstance(item, str):
        return clean(item)
    if isinstance(item, Text):
        return Text(clean(item.plain), style=item.style)
    return item


def table(columns: Sequence[str], rows: Iterable[Sequence[object]], title: str | None = None,
          right: Sequence[str] = ()) -> RichTable:
    """A rich table whose every cell is cleaned; the columns named in `right` are right-aligned."""
    out = RichTable(title=clean(title) if title else None)
    for col in columns:
        out.add_column(clean(col), overflow="fold", justify="right" if col in right else "left")
    for row in rows:
        out.add_row(*(clean(v) for v in row))
    return out


def write(text: str, stream: IO[str] | None = None) -> None:
    """Plain text to stdout (or `stream`), cleaned: for output read by programs, not a console."""
    (stream or sys.stdout).write(clean(text))


def write_json(value: Any, indent: int | None = None) -> None:
    """One JSON document on stdout, its terminal-acting characters escaped."""
    sys.stdout.write(dumps(value, indent) + "\n")


console = SafeConsole()
errors = SafeConsole(stderr=True)  # stdout may be data (--json)
