"""The `vpetl` command: a thin skin over the flows, the store and the extractors."""

from __future__ import annotations

import json
import os
import sys
import time
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from .settings import Settings, prefect_offline

app = typer.Typer(help="ETL for the Flemish Parliament's written questions.", no_args_is_help=True,
                  add_completion=False)
mirror_app = typer.Typer(help="A local mirror of the parliament's services.", no_args_is_help=True)
app.add_typer(mirror_app, name="mirror")
console = Console()
DEMO_SESSION = "2019-2020"
DEMO_RATE = 50.0  # the mirror is local: no need to be gentle with it


def _print_summary(result: dict, seconds: float) -> None:
    console.print(f"vpetl: {result['loaded']}/{result['discovered']} questions loaded in {seconds:.1f} s "
                  f"(ingest run {result['ingest_run_id']})")
    table = RichTable()
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("questions", "documents", "tables", "cells", "beneficiaries", "validations_passed",
                "validations_failed", "extraction_issues"):
        table.add_row(key.replace("_", " "), str(result[key]))
    console.print(table)
    for f in result["failures"]:
        console.print(f"[yellow]not fetched[/]: question {f['question_id']}: {f['url']}: {f['reason']}")


def _run_ingest(session_year: str, question: int | None, api_base: str, db: str | None, data_dir: Path,
                rate: float, allowed_hosts: list[str]) -> dict:
    prefect_offline()
    from vlpar.client import FetchError

    from .ingest import ingest

    try:
        return ingest(session_year=session_year, question=question, api_base=api_base, database_url=db,
                      data_dir=str(data_dir), rate=rate, allowed_hosts=allowed_hosts)
    except FetchError as exc:  # discovery itself failed: nothing was loaded, the run is stored as failed
        console.print(f"[red]cannot search {api_base}: {exc.reason}[/]", highlight=False)
        raise typer.Exit(1) from exc


@app.command()
def demo(db: str = typer.Option(None, help="Database URL (default ./vpetl.sqlite, or VPETL_DATABASE_URL)."),
         data_dir: Path = typer.Option(Path("vpetl-data"), help="Where raw documents are kept."),
         fixtures: Path = typer.Option(None, help="Mirror root (default: the bundled fixtures).")) -> None:
    """Start the bundled mirror on 127.0.0.1 and ingest its whole corpus: no internet needed."""
    from vlpar import mirror

    server, base = mirror.start(fixtures or mirror.DEFAULT_ROOT)
    console.print(f"mirror serving {fixtures or mirror.DEFAULT_ROOT} at {base}")
    started = time.monotonic()
    try:
        result = _run_ingest(DEMO_SESSION, None, base, db, data_dir, DEMO_RATE, [])
    finally:
        server.shutdown()
    _print_summary(result, time.monotonic() - started)


@app.command()
def ingest(session: str = typer.Option(..., "--session", help="Session year, e.g. 2019-2020."),
           question: int = typer.Option(None, help="Only this question number."),
           api_base: str = typer.Option(None, help="Base URL of the services (or VPETL_API_BASE)."),
           db: str = typer.Option(None, help="Database URL (or VPETL_DATABASE_URL)."),
           data_dir: Path = typer.Option(Path("vpetl-data"), help="Where raw documents are kept."),
           rate: float = typer.Option(1.0, help="Requests per second per host."),
           allow_host: list[str] = typer.Option([], help="Another host documents may come from.")) -> None:
    """Ingest the written questions of a session year from the parliament (or a mirror)."""
    settings = Settings()
    started = time.monotonic()
    result = _run_ingest(session, question, api_base or settings.api_base, db, data_dir, rate, allow_host)
    _print_summary(result, time.monotonic() - started)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def export(format: Format = typer.Option(Format.jsonl, "--format"), out: Path = typer.Option(..., "--out"),
           db: str = typer.Option(None, help="Database URL (or VPETL_DATABASE_URL).")) -> None:
    """Write questions, table cells, beneficiaries and validations, as the export contract says."""
    from schema.db import open_store
    from schema.export import export as write

    with open_store(db)() as session:
        counts = write(session, out, format.value)
    for kind, n in counts.items():
        console.print(f"{out / f'{kind}.{format.value}'}: {n} records")


@app.command()
def tables(pdf: Path = typer.Argument(..., exists=True, dir_okay=False),
           as_json: bool = typer.Option(False, "--json", help="The table format score_tables.py reads.")) -> None:
    """Print the tables of any PDF (one entry per table and page)."""
    import extractors

    try:
        found = extractors.extract_pdf_tables(pdf.read_bytes())
    except extractors.PdfError as exc:
        console.print(f"[red]{pdf}: {exc}[/]", highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        from extractors.tables import per_page_json

        sys.stdout.write(json.dumps(per_page_json(found), ensure_ascii=False) + "\n")
        return
    for t in found:
        console.print(f"table {t.index}: pages {t.pages}, {t.n_rows}x{t.n_cols}, {t.method} ({t.confidence})")
        for row in t.grid():
            console.print("  | " + " | ".join(v or "" for v in row), highlight=False)


@mirror_app.command("serve")
def mirror_serve(port: int = typer.Option(8765, help="Port (0: a free one)."),
                 host: str = typer.Option("127.0.0.1"),
                 root: Path = typer.Option(None, help="Mirror root (default: the bundled fixtures).")) -> None:
    """Serve the parliament's API, records, documents and short links from fixtures."""
    from vlpar import mirror

    server = mirror.make_server(root or mirror.DEFAULT_ROOT, host, port)
    console.print(f"mirror at http://{host}:{server.server_address[1]} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    app()
