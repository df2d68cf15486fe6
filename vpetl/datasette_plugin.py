"""A Datasette plugin: a fact's id links to its picture (written by `vpetl show --all`).

Registered through the `datasette` entry point; it does nothing unless the metadata names a
pictures folder (as `vpetl browse` does), so other databases are left as they are.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from datasette import hookimpl
from markupsafe import Markup

from vpetl.picture import picture_name


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """The fact's id as a link to its picture, where there is one for the fact's run."""
    if column != "fact_id" or not value or row is None or "run_id" not in row.keys():
        return None
    config = datasette.plugin_config("vpetl", database=database, table=table) or {}
    folder = config.get("pictures")
    if not folder or row["run_id"] is None:
        return None
    for on_page in (True, False):
        name = picture_name(str(value), int(row["run_id"]), on_page)
        if (Path(folder) / name).exists():
            href = f"/{config.get('mount', 'pictures')}/{name}"
            return Markup(f'<a href="{html.escape(href)}" title="see it on its page">{html.escape(str(value))}</a>')
    return None
