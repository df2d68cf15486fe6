"""The `vpetl` command: a thin skin over the flows, the store and the extractors."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table as RichTable
from typer._click import exceptions as usage  # the exceptions Typer raises (it carries its own click)
from typer.core import TyperGroup, TyperOption

from . import output
from .output import console, errors
from .settings import Settings, environment_variable, prefect_offline, redact
from .vlpar.forms import printable


class OneLineErrors(TyperGroup):
    """A mistake on the command line is one line (what is wrong, how to ask for help) and exit
    2, not a framed panel; everything else runs as Typer runs it."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except usage.NoArgsIsHelpError as exc:
            typer.echo(output.clean(exc.ctx.get_help() if exc.ctx else exc.format_message()))
            sys.exit(2)
        except usage.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "vpetl"
            typer.echo(output.clean(f"{command}: {exc.format_message()} (see {command} --help)"), err=True)
            sys.exit(2)
        except usage.ClickException as exc:
            typer.echo(output.clean(f"Error: {exc.format_message()}"), err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(1)
        except OSError as exc:
            from .filesystem import is_filesystem, one_line

            if not is_filesystem(exc):
                raise
            typer.echo(output.clean(f"vpetl: {one_line(exc)}"), err=True)  # the disk's doing: one line, exit 1
            sys.exit(1)
        if code == INTERRUPTED:  # Typer's word for Ctrl-C: a run records itself as interrupted first
            interrupted()
        sys.exit(code if isinstance(code, int) else 0)


INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)


def interrupted() -> None:
    from .interrupt import stop

    stop()


_option_type = TyperOption.display_type_rich


def _flag_has_no_type(self: TyperOption, ctx: Any) -> str | None:
    """Typer 0.29 labels every flag, --help too, with a type ("<bool>"); a flag takes no value,
    so none is shown."""
    return None if self.is_flag else _option_type(self, ctx)


TyperOption.display_type_rich = _flag_has_no_type  # type: ignore[method-assign]


app = typer.Typer(help="ETL for the Flemish Parliament's written questions.", no_args_is_help=True,
                  add_completion=False, cls=OneLineErrors)
def _show_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"vpetl {__version__}")
        raise typer.Exit()


@app.callback()
def _every_command(version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                                help="Print vpetl's version and exit.")) -> None:
    """ETL for the Flemish Parliament's written questions."""
    from .environment import warnings

    for line in warnings():  # a misspelt VPETL_* variable would otherwise be ignored in silence
        errors.print(line, style="yellow")


mirror_app = typer.Typer(help="A local mirror of the parliament's services.", no_args_is_help=True)
app.add_typer(mirror_app, name="mirror")
# `console` and `errors` (stderr: stdout may be data, --json) come from `output`: nothing printed
# is read as markup, and no control character or bidi override from outside reaches the terminal.
# Colour is given with `style=`.
DEMO_SESSION = "2019-2020"
DEMO_RATE = 50.0  # the mirror is local: no need to be gentle with it
DEMO_BACKOFF = 0.1  # nor to wait a second before retrying its deliberately broken answer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from .pipeline import DocumentOutcome, RunSummary


def setting(name: str, *flags: str) -> Any:
    """A CLI option for a setting: its help, variable and default come from `Settings`, so they
    are written once. Unset (None), it leaves the environment's value or the default alone."""
    field = Settings.model_fields[name]
    default = field.default if not isinstance(field.default, tuple) else ",".join(field.default) or "none"
    return typer.Option(None, *flags, help=f"{field.description} [{environment_variable(name)}; default {default}]",
                        show_default=False)


def settings_from(**options: Any) -> Settings:
    """The environment's settings with the options given on the command line on top."""
    try:
        return Settings().with_(**options)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        console.print(f"bad setting: {problems}", style="red")
        raise typer.Exit(2) from exc


def _print_summary(result: RunSummary, seconds: float) -> None:
    console.print(f"vpetl: {_count(result.loaded, 'question')} loaded, {result.unchanged} unchanged, "
                  f"{result.failed} failed, of {result.discovered} found, in {seconds:.1f} s "
                  f"(ingest run {result.ingest_run_id}; {_count(result.new_documents, 'new document')}, "
                  f"{len(result.changed_documents)} republished, {_count(result.extractions, 'extraction')}, "
                  f"{_count(result.retries, 'retry')})")
    console.print(output.table(("in the store", "count"), [(key.replace("_", " "), n) for key, n in
                                                          result.store.items()], right=("count",)))
    if result.dropped:
        console.print(f"dropped: {_dropped(result.dropped)} (search hits of another kind than a written question)")
    if result.people:
        p = result.people
        console.print(f"who asked: {_count(p['member_records_read'], 'member record')} read, "
                      f"{p['member_records_unchanged']} unchanged, {p['member_records_failed']} failed; "
                      f"{_count(p['questions_with_party'], 'question')} with their asker's party on the day asked")
    for url in result.changed_documents:
        console.print(f"republished: {url} (new version stored, its facts re-extracted)")
    for f in result.failures:
        console.print(f"not loaded: question {f.question_id} ({f.step}): {f.url}: {f.reason} (the next run retries)",
                      style="yellow")
    for f in result.people_failures:
        console.print(f"no party for question {f.question_id}: {f.url}: {escape(printable(f.reason))} (the next run "
                      "asks again)", style="yellow")
    if result.discovery_error:
        console.print(f"discovery stopped early, so questions may be missing: {result.discovery_error}",
                      style="red")
    for line in result.not_stored:
        console.print(f"not stored: {line} (the next ingest or sync fetches it again)", style="red")


def _print_by_party(db: str) -> None:
    """Questions and the grants their annexes list, by the asker's party on the day asked."""
    from .schema.queries import by_party

    with _store(db)() as session:
        rows = by_party(session)
    table = RichTable(title="questions by party (the asker's, on the day asked)")
    for name, justify in (("session year", "left"), ("party", "left"), ("questions", "right"), ("askers", "right"),
                          ("grants", "right"), ("total EUR", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        party = escape(printable(r.party_name)) if r.party_name else "(not known)"
        then = sorted(set((r.names_then or "").split(",")) - {"", r.party_name})
        party += f" (then {escape(printable(', '.join(then)))})" if then else ""
        table.add_row(r.session_year or "", party, str(r.questions), str(r.askers), str(r.grants), r.total_eur or "")
    console.print(table)


def _dropped(counts: dict[str, int]) -> str:
    """Search hits dropped by kind, as one phrase: "1 Vraag om uitleg, 2 soort VI"."""
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def _quiet_prefect_console() -> None:
    """Flows run at a terminal print their own summary and one line per error; Prefect's console
    handler would add a traceback for each. Its API handler still sends every log to the UI."""
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler):
            handler.setLevel(logging.CRITICAL)


@contextmanager
def _guard(doing: str) -> Iterator[None]:
    """Run a flow; a failed search or fetch, or a busy database, is one clear line and exit 1 or 2.
    `doing` says what may fail: "search https://ws.vlpar.be", "fetch URL"."""
    from .schema.lock import LockBusy, LockLost
    from .vlpar.api import SearchError
    from .vlpar.client import FetchError

    try:
        yield
    except FetchError as exc:
        console.print(f"cannot {doing}: {exc.reason}", style="red")
        raise typer.Exit(1) from exc
    except SearchError as exc:
        console.print(f"cannot {doing}: {exc}", style="red")
        raise typer.Exit(1) from exc
    except LockBusy as exc:
        console.print(f"{exc}; try again later, or pass --wait SECONDS", style="red")
        raise typer.Exit(2) from exc
    except LockLost as exc:  # the run is recorded as failed with the reason; nothing more was loaded
        console.print(f"run stopped: {exc}", style="red")
        raise typer.Exit(1) from exc


DB = setting("database_url", "--db")
DATA_DIR = setting("data_dir", "--data-dir")
API_BASE = setting("api_base", "--api-base")
RATE = setting("rate", "--rate")
TIMEOUT = setting("timeout", "--timeout")
WAIT = setting("lock_wait", "--wait")
PROCESSES = setting("processes", "--processes")
PREFECT = typer.Option(False, "--prefect", help="Run as a Prefect flow, seen in its UI (on the server "
                       "PREFECT_API_URL names, else a temporary one); without it, and without PREFECT_API_URL, "
                       "the run starts at once.")


LEGACY_FORMS_HELP = ("Serve the forms vpetl's first mirror served (dates without offset, flags as booleans, "
                     "record-level dates, hits per file only) instead of the attested ones.")


@app.command()
def demo(db: str = DB, data_dir: Path = DATA_DIR,
         fixtures: Path = typer.Option(None, help="Mirror root (default: the bundled fixtures)."),
         legacy_forms: bool = typer.Option(False, "--legacy-forms", help=LEGACY_FORMS_HELP),
         prefect: bool = PREFECT) -> None:
    """Start the bundled mirror on 127.0.0.1 and ingest its whole corpus: no internet needed.

    The mirror serves the live service's attested forms; `--legacy-forms` serves the first
    mirror's instead, so a run over both shows that vpetl reads either alike."""
    from .vlpar import mirror

    server, base = mirror.start(fixtures or mirror.DEFAULT_ROOT, legacy_forms=legacy_forms)
    console.print(f"mirror serving {fixtures or mirror.DEFAULT_ROOT} at {base}"
                  + (" (legacy forms)" if legacy_forms else ""))
    settings = settings_from(api_base=base, database_url=db, data_dir=data_dir, rate=DEMO_RATE,
                             backoff=DEMO_BACKOFF)
    settings = _data_dir(settings, data_dir, write=True)
    prefect = _prepare(settings, prefect)
    from .oneoff import run_ingest
    from .pipeline import progress
    from .vlpar.api import Query

    progress.use(progress.for_terminal())
    started = time.monotonic()
    try:
        with _guard(f"search {base}"):
            result = run_ingest(Query(session_year=DEMO_SESSION), settings, prefect)
    finally:
        server.shutdown()
    _print_summary(result, time.monotonic() - started)
    _print_by_party(settings.database_url)


@app.command()
def ingest(session: str = typer.Option(None, "--session", help="Session year, e.g. 2019-2020."),
           question: int = typer.Option(None, help="Only this question number."),
           since: datetime = typer.Option(None, formats=["%Y-%m-%d"], help="Published on or after this day."),
           until: datetime = typer.Option(None, formats=["%Y-%m-%d"], help="Published on or before this day."),
           term: str = typer.Option(None, help="Search words."),
           url: str = typer.Option(None, help="One document: a link?id= or pfile URL, as printed in answers."),
           file: Path = typer.Option(None, exists=True, dir_okay=False, help="One PDF you already have."),
           api_base: str = API_BASE, db: str = DB, data_dir: Path = DATA_DIR, rate: float = RATE,
           allow_host: list[str] = typer.Option([], help="Another host documents may come from (repeatable; "
                                                         "added to the parliament's) [VPETL_ALLOWED_HOSTS]."),
           timeout: float = TIMEOUT, wait: float = WAIT, runner: str = setting("runner", "--runner"),
           dask_address: str = setting("dask_address", "--dask-address"), processes: int = PROCESSES,
           extract_timeout: float = setting("extract_timeout", "--extract-timeout"),
           extract_memory_mb: int = setting("extract_memory_mb", "--extract-memory-mb"),
           max_pages: int = setting("max_pages", "--max-pages"), prefect: bool = PREFECT) -> None:
    """Ingest written questions (by session year, dates, number or words), or one document."""
    settings = settings_from(api_base=api_base, database_url=db, data_dir=data_dir, rate=rate,
                             allowed_hosts=tuple(allow_host) or None, timeout=timeout, lock_wait=wait,
                             runner=runner, dask_address=dask_address, processes=processes,
                             extract_timeout=extract_timeout, extract_memory_mb=extract_memory_mb,
                             max_pages=max_pages)
    if url or file:
        _ingest_document(_data_dir(settings, data_dir, write=True), url, file)
        return
    if not (session or since or until or term or question):
        raise typer.BadParameter("say what to ingest: --session, --since/--until, --term, --question, --url or --file")
    if question and not session:  # numbers start again each session year: 289 alone names several questions
        raise typer.BadParameter("a question number is one session year's: give --session too, e.g. "
                                 "--session 2019-2020 --question 289", param_hint="--question")
    _session_years([session] if session else [])
    settings = _data_dir(settings, data_dir, write=True)
    prefect = _prepare(settings, prefect)
    from .oneoff import run_ingest
    from .pipeline import progress
    from .vlpar.api import Query, SearchError

    query = Query(session, since.date() if since else None, until.date() if until else None, question, term)
    progress.use(progress.for_terminal())
    started = time.monotonic()
    with _guard(f"search {redact(settings.api_base)}"):
        try:
            result = run_ingest(query, settings, prefect)
        except SearchError:
            raise  # the source's doing: one line, from the guard
        except ValueError as exc:  # the dask runner without an address
            raise typer.BadParameter(str(exc)) from exc
    _print_summary(result, time.monotonic() - started)
    _exit_if_incomplete([result])


def _exit_if_incomplete(results: list[RunSummary]) -> None:
    """Exit 1 when a search stopped early (the run's questions were loaded, but not all were
    found), or when bytes fetched could not be kept (disk full, data dir removed)."""
    if not all(r.complete for r in results):
        raise typer.Exit(1)


def _ingest_document(settings: Settings, url: str | None, file: Path | None) -> None:
    """One document, at once: no orchestration to start for a command run at a terminal."""
    from .pipeline import ingest_document

    _open_store(settings.database_url, create=True)
    with _guard(f"fetch {redact(url)}" if url else "read a file"):
        r: DocumentOutcome = ingest_document(settings, url=url, path=file)
    if r.held_by:
        console.print(f"{r.source_url}: sha256 {r.sha256}; already in the store as {r.held_by[0]} (question "
                      f"{r.held_by[1]}): its facts are counted there, once; nothing added")
        return
    read = bool(r.extractor and not r.error)
    how = (f"read by {r.extractor}: {_count(r.tables, 'table')}, {_count(r.beneficiaries, 'beneficiary')}" if read
           else f"not read: {r.error or f'not a document vpetl reads ({r.media_type})'}")
    console.print(f"{r.source_url}: sha256 {r.sha256}; {how}", style=None if read else "yellow")
    if not read:  # kept, with the reason, but nothing was loaded from it
        raise typer.Exit(1)


def _count(n: int, word: str) -> str:
    """ "1 table", "2 tables", "1 beneficiary", "3 beneficiaries"."""
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {word if n == 1 else plural}"


@app.command()
def sync(session: list[str] = typer.Option([], "--session", help="Session years (default: current and previous)."),
         api_base: str = API_BASE, db: str = DB, data_dir: Path = DATA_DIR, rate: float = RATE,
         timeout: float = TIMEOUT, wait: float = WAIT, processes: int = PROCESSES, prefect: bool = PREFECT) -> None:
    """Pick up only what is new or changed since the last run (conditional requests)."""
    settings = settings_from(api_base=api_base, database_url=db, data_dir=data_dir, rate=rate, timeout=timeout,
                             lock_wait=wait, processes=processes)
    from .pipeline.runner import current_session_years

    years = _session_years(session) or current_session_years()
    console.print(f"sync: session years {', '.join(years)}")
    settings = _data_dir(settings, data_dir, write=True)
    prefect = _prepare(settings, prefect)
    from .oneoff import run_sync
    from .pipeline import progress

    progress.use(progress.for_terminal())
    started = time.monotonic()
    with _guard(f"search {redact(settings.api_base)}"):
        results = run_sync(years, settings, prefect)
    for result in results:
        _print_summary(result, time.monotonic() - started)
    _exit_if_incomplete(results)


@app.command()
def serve(cron: str = typer.Option(None, help='A cron schedule, e.g. "0 6 * * *" (06:00 every day).'),
          interval: float = typer.Option(None, help="Or: every this many seconds."),
          session: list[str] = typer.Option([], "--session", help="Session years (default: current and previous)."),
          api_base: str = API_BASE, db: str = DB, data_dir: Path = DATA_DIR, rate: float = RATE,
          name: str = typer.Option("vpetl-nightly", help="The deployment's name in Prefect.")) -> None:
    """Register the sync flow on a schedule with a Prefect server and run it when due.

    Needs a running server: `prefect server start`, and PREFECT_API_URL pointing at it."""
    if (cron is None) == (interval is None):
        raise typer.BadParameter("give --cron or --interval")
    from cronsim import CronSim, CronSimError  # what Prefect checks schedules with

    try:
        if cron is not None:
            CronSim(cron, datetime.now())
    except CronSimError as exc:
        raise typer.BadParameter(f"{cron!r} is not a cron schedule; e.g. \"0 6 * * *\" is 06:00 every day",
                                 param_hint="--cron") from exc
    _session_years(session)
    if not os.environ.get("PREFECT_API_URL"):
        console.print("no PREFECT_API_URL: start `prefect server start` and set "
                      "PREFECT_API_URL=http://127.0.0.1:4200/api", style="red")
        raise typer.Exit(2)
    settings = settings_from(api_base=api_base, database_url=db, data_dir=data_dir, rate=rate, lock_wait=600.0)
    settings = settings.with_(data_dir=settings.data_dir.resolve())  # the served flow may run elsewhere
    prefect_offline()
    from .flows.ingest import sync as flow
    from .pipeline import progress

    progress.use(progress.Progress())  # a line every few seconds, in the served process's output
    params = {"session_years": session or None, "settings": settings.model_dump(mode="json")}
    console.print(f"serving {name}: " + (f"cron {cron!r}" if cron else f"every {interval:g} s"))
    flow.serve(name=name, cron=cron, interval=interval, parameters=params, limit=1)


def _print_rows(columns: tuple[str, ...], rows: list[list[str]], title: str | None = None) -> None:
    """A table at a terminal; piped, tab-separated lines with every value whole (a table would
    cut them to fit 80 columns)."""
    if not console.is_terminal:
        output.write("".join("\t".join(row) + "\n" for row in [list(columns), *rows]))
        return
    console.print(output.table(columns, rows, title))


@app.command()
def status(db: str = DB, runs: int = typer.Option(5, help="How many recent runs to show.")) -> None:
    """Recent runs, what failed and will be retried, and the fetch log's tally."""
    from .schema.status import status as read

    with _store(db)() as session:
        st = read(session, runs)
    columns = ("run", "started", "status", "query", "found", "loaded", "unchanged", "failed", "retries")
    rows = [[str(r["id"]), r["started_at"], r["status"], r["query"],
             *(str((r["counts"] or {}).get(k, "")) for k in ("discovered", "loaded", "unchanged", "failed", "retries"))]
            for r in st["runs"]]
    _print_rows(columns, rows, "recent runs")
    for r in st["runs"]:
        if r["status"] != "ok" and r["error"]:
            console.print(f"run {r['id']} {r['status']}: {r['error']}", style="red")
        if (dropped := (r["counts"] or {}).get("dropped")) and isinstance(dropped, dict):
            console.print(f"run {r['id']} dropped: {_dropped(dropped)} (search hits of another kind)")
    for q in st["incomplete"]:
        console.print(f"incomplete: question {q['question_id']}: {q['label']} {q['url']}: {q['detail']}",
                      style="yellow")
    for f in st["last_failures"]:
        console.print(f"failed in the last run: question {f.get('question_id')} ({f.get('step', '?')}): {f['url']}: "
                      f"{f['reason']}",
                      style="yellow")
    console.print(f"fetch log: {_count(st['requests'], 'request')}, {_count(st['request_errors'], 'error')}, "
                  f"{st['bytes']:,} bytes downloaded")


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def export(format: Format = typer.Option(Format.jsonl, "--format", help="jsonl (exact) or csv."),
           out: Path = typer.Option(..., "--out", help="Folder to write one file per record kind into."),
           raw: bool = typer.Option(False, "--raw", help="CSV cells exactly as stored: no neutralising of "
                                    "text a spreadsheet would run as a formula, no removing of control characters."),
           force: bool = typer.Option(False, "--force", help="Replace an export already in --out (its files "
                                                             "are removed first; nothing else there is touched)."),
           db: str = DB) -> None:
    """Write questions, table cells, beneficiaries and validations, as the export contract says."""
    from .schema.export import clear, existing
    from .schema.export import export as write

    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file; name a folder (it is made if missing)", param_hint="--out")
    if (found := existing(out)) and not force:
        console.print(f"{out} holds an export already ({', '.join(p.name for p in found)}): pass --force to "
                      "replace it, or name another folder", style="red")
        raise typer.Exit(1)
    with _store(db)() as session:
        clear(out)
        counts = write(session, out, format.value, raw)
    for kind, n in counts.items():
        console.print(f"{out / f'{kind}.{format.value}'}: {_count(n, 'record')}")
    _report_orphans(db)


@app.command()
def tables(pdf: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="FILE",
                                     help="A PDF, Word, spreadsheet or CSV file."),
           as_json: bool = typer.Option(False, "--json", help="The table format score_tables.py reads.")) -> None:
    """Print the tables of any document: PDF (one entry per table and page), Word (.docx; .doc
    with LibreOffice), spreadsheet (.xlsx, .xls; .ods with LibreOffice) or CSV (with `sheet`)."""
    from .errors import UnreadableDocument
    from .pipeline.pool import ExtractionPool, OverBudget, tables_of_file

    settings = settings_from()
    pool = ExtractionPool(settings.with_(processes=1))  # under the same budgets as a run's extraction
    try:
        found = pool.call(tables_of_file, str(pdf), settings.max_pages)
    except (UnreadableDocument, OverBudget, MemoryError) as exc:
        reason = "ran out of its memory budget" if isinstance(exc, MemoryError) else str(exc)
        errors.print(f"{pdf}: {reason}", style="red")  # stdout holds the JSON or nothing
        raise typer.Exit(1) from exc
    finally:
        pool.close()
    if as_json:
        from .extractors.tables import per_page_json

        output.write_json(per_page_json(found))
        return
    for t in found:
        sheet = next((c.sheet for c in t.cells if c.sheet), None)
        where = f"pages {t.pages}" if t.pages else f"sheet {sheet!r}" if sheet else "no pages"
        console.print(f"table {t.index}: {where}, {t.n_rows}x{t.n_cols}, {t.method} ({t.confidence})")
        for row in t.grid():
            console.print("  | " + " | ".join(v or "" for v in row))


@app.command()
def reextract(extractor: str = typer.Option(None, help="Only this extractor (vpetl.answer, vpetl.annex)."),
              question: list[int] = typer.Option([], help="Only these question ids."),
              all_: bool = typer.Option(False, "--all", help="Every stored question."),
              db: str = DB, data_dir: Path = DATA_DIR) -> None:
    """Run the current extractors over stored documents (no HTTP); print what changed.

    At once, without Prefect: a one-off command need not wait for orchestration (the flow
    `vpetl.flows.ingest.reextract` is there for schedules and the UI)."""
    from .extractors import NAMES
    from .pipeline import reextract as run

    if not (question or all_):
        raise typer.BadParameter("name --question ID (repeatable) or --all")
    if extractor is not None and extractor not in NAMES.values():
        raise typer.BadParameter(f"{extractor!r} is not an extractor; vpetl has {', '.join(NAMES.values())}",
                                 param_hint="--extractor")
    settings = _data_dir(settings_from(database_url=db, data_dir=data_dir), data_dir, write=True)
    with _guard("re-extract"):
        rows = run(settings, questions=question or None, only=extractor)
    failed = [r for r in rows if r.error]
    for r in rows:
        if r.error:
            console.print(f"question {r.question_id}: {r.error} (nothing stored; the next reextract tries again)",
                          style="red")
            continue
        change = ("first run" if r.previous_run_id is None else
                  f"vs run {r.previous_run_id}: +{r.added} ~{r.changed} -{r.removed}")
        console.print(f"question {r.question_id}: run {r.run_id} {change}")
    console.print(f"{_count(len(rows) - len(failed), 'new extraction run')}"
                  + (f", {_count(len(failed), 'question')} failed" if failed else ""))
    _report_orphans(db)
    if failed:
        raise typer.Exit(1)


def _store(db: str | None, create: bool = False) -> sessionmaker[Session]:
    """The store the option or the settings name; one that cannot be opened (or, unless
    `create`, does not exist yet) is one line and exit 1, never a new empty store."""
    return _open_store(settings_from(database_url=db).database_url, create)


def _open_store(url: str, create: bool) -> sessionmaker[Session]:
    from .schema.db import StoreError, open_store

    try:  # only `vpetl migrate` changes a store's schema (a new store is still made)
        return open_store(url, create=create, upgrade=False)
    except StoreError as exc:
        console.print(str(exc), style="red")
        raise typer.Exit(1) from exc


def _data_dir(settings: Settings, option: Path | None, write: bool = False, needs_bytes: bool = False) -> Settings:
    """The settings with the data dir the store records (or the one named, with a warning when
    it is not the store's); see `vpetl.datadir`."""
    from .datadir import DataDirMissing, settle

    store = _open_store(settings.database_url, create=write)
    try:
        settings, note = settle(settings, option, store, write, needs_bytes)
    except DataDirMissing as exc:
        console.print(str(exc), style="red")
        raise typer.Exit(1) from exc
    if note:
        errors.print(note, style="yellow")
    return settings


def _prepare(settings: Settings, prefect: bool) -> bool:
    """Before a one-off run: the store opens (or is made); with Prefect (asked for, or named by
    PREFECT_API_URL, or the Dask runner) also what `_prepare_flows` does. True for a flow run."""
    from .oneoff import server_notice, wants_prefect

    if not wants_prefect(prefect, settings):
        _open_store(settings.database_url, create=True)
        return False
    _prepare_flows(settings)
    if notice := server_notice():
        errors.print(notice)
    return True


def _prepare_flows(settings: Settings) -> None:
    """Before a flow starts: the store opens (or is made), the Prefect server named by
    PREFECT_API_URL answers, and Prefect's console keeps to vpetl's own lines."""
    _open_store(settings.database_url, create=True)
    prefect_offline()
    api = os.environ.get("PREFECT_API_URL")
    if api:
        import httpx

        try:
            httpx.get(f"{api.rstrip('/')}/health", timeout=5).raise_for_status()
        except httpx.HTTPError as exc:
            console.print(f"cannot reach the Prefect server at {api} (PREFECT_API_URL): {type(exc).__name__}; "
                          "start it with `prefect server start`, or unset PREFECT_API_URL", style="red")
            raise typer.Exit(1) from exc
    from .flows import ingest  # noqa: F401  (configures Prefect's logging, which the next line adjusts)

    _quiet_prefect_console()


SESSION_YEAR = re.compile(r"(\d{4})-(\d{4})")


def _session_years(values: list[str]) -> list[str]:
    """Session years as the parliament writes them ("2019-2020"); anything else is refused."""
    for value in values:
        m = SESSION_YEAR.fullmatch(value)
        if not m or int(m[2]) != int(m[1]) + 1:
            raise typer.BadParameter(f"{value!r} is not a session year: write it as 2019-2020", param_hint="--session")
    return values


def _report_orphans(db: str | None) -> None:
    from .schema.review import orphans

    with _store(db)() as session:
        for r in orphans(session):
            console.print(f"review of {r.fact_id} ({r.action} by {r.reviewer}): the fact is gone", style="yellow")


@app.command()
def diff(run_a: int = typer.Argument(..., help="An extraction run's id (see `vpetl trace` or `reextract`)."),
         run_b: int = typer.Argument(..., help="Another, usually the later one."), db: str = DB,
         as_json: bool = typer.Option(False, "--json", help="Print the difference as one JSON object.")) -> None:
    """Facts added, changed (old and new) and removed between two extraction runs."""
    from .schema import models as m
    from .schema.diff import diff_runs

    with _store(db)() as session:
        missing = [run for run in (run_a, run_b) if session.get(m.ExtractionRun, run) is None]
        if missing:
            console.print(f"no extraction run {', '.join(map(str, missing))} in this store", style="red")
            raise typer.Exit(1)
        urls = [session.get_one(m.ExtractionRun, run).document.source_url for run in (run_a, run_b)]
        if urls[0] != urls[1]:  # fact ids are per document: every fact would be "removed" and "added"
            console.print(f"runs {run_a} and {run_b} read different documents ({redact(urls[0])}, "
                          f"{redact(urls[1])}): diff compares two runs over one document or its versions", style="red")
            raise typer.Exit(1)
        d = diff_runs(session, run_a, run_b)
    if as_json:
        output.write_json({"run_a": run_a, "run_b": run_b, "added": d.added, "changed": d.changed,
                           "removed": d.removed})
        return
    console.print(d.summary())
    for f in d.added:
        console.print(f"+ {f['fact_id']} {f.get('raw_text') or f.get('name')}")
    for f in d.changed:
        console.print(f"~ {f['fact_id']} {f['old']} -> {f['new']}")
    for f in d.removed:
        console.print(f"- {f['fact_id']} {f.get('raw_text') or f.get('name')}")


def _decimal(value: str) -> str:
    """A corrected value as the store keeps numbers: "1.234,5" (as printed) is "1234.5"."""
    from .extractors.numbers import parse_number

    parsed = parse_number(value)
    return str(parsed.value) if parsed.value is not None else value


class Action(StrEnum):
    verify = "verify"
    dispute = "dispute"
    correct = "correct"


@app.command()
def review(fact_id: str = typer.Argument(None, help="A fact's id, as the export gives it."),
           action: Action = typer.Option(None, help="verify (the value is right), dispute (it is not) or "
                                                    "correct (it is --value)."),
           value: str = typer.Option(None, help="The corrected value (with --action correct)."),
           by: str = typer.Option(None, help="Who reviews."), why: str = typer.Option(None, help="Why."),
           import_file: Path = typer.Option(None, "--import", help="Add the reviews of a corrections file."),
           export_file: Path = typer.Option(None, "--export", help="Write every review to a corrections file."),
           db: str = DB) -> None:
    """Mark a fact verified or disputed, or correct its value; or move reviews to/from a file."""
    from .schema import review as rv
    from .schema.lock import run_lock

    if value is not None:
        value = _decimal(value)
    if not (fact_id or import_file or export_file):
        raise typer.BadParameter("name a FACT_ID (with --action and --by), or --import FILE or --export FILE")
    store = _store(db)
    try:
        with _guard("review"), run_lock(store.kw["bind"]), store() as session, session.begin():  # a writer too
            if import_file:
                console.print(f"{_count(rv.import_file(session, import_file), 'review')} added from {import_file}")
            if fact_id:
                if action is None or not by:
                    raise typer.BadParameter("a review needs --action and --by")
                rv.add_review(session, fact_id, action.value, by, why, value)
                console.print(_review_line(fact_id, action.value, value, by, why))
        if export_file:
            with store() as session:
                console.print(f"{_count(rv.export_file(session, export_file), 'review')} written to {export_file}")
    except rv.ReviewError as exc:
        console.print(f"{exc}", style="red")
        raise typer.Exit(1) from exc
    _report_orphans(db)


def _review_line(fact_id: str | None, action: str, value: str | None, by: str, why: str | None) -> str:
    """ "FACT: correct 1234.5 by ann: a typo in the total"; no value, no reason: nothing printed for them."""
    words = [f"{fact_id}: {action}" if fact_id else action, value, f"by {by}"]
    return " ".join(w for w in words if w) + (f": {why}" if why else "")


class TraceFormat(StrEnum):
    text = "text"
    json = "json"
    prov = "prov"


@app.command()
def trace(fact_id: str = typer.Argument(..., help="A fact's id, as the export gives it."),
          format: TraceFormat = typer.Option(TraceFormat.text, help="text, json or prov (W3C PROV-O JSON-LD)."),
          db: str = DB) -> None:
    """The whole chain behind a fact: value, cell, page, bbox, document, fetch, extraction, flow run."""
    from .schema.trace import as_prov
    from .schema.trace import trace as chain

    with _store(db)() as session:
        t = chain(session, fact_id)
    if t is None:
        console.print(f"no fact with id {fact_id}", style="red")
        raise typer.Exit(1)
    if format in ("json", "prov"):
        output.write_json(as_prov(t) if format == "prov" else t, indent=1)
        return
    for i, r in enumerate(t["runs"]):
        doc, run = r["document"], r["extraction_run"]
        state = "current" if run["current"] else "not current"
        console.print(f"{fact_id} ({state})" if i == 0 else f"earlier: {state}", style="bold" if i == 0 else None)
        for label, value in [("value", f"{r['value']} {r['unit'] or ''}"), ("as printed", r["raw_text"]),
                             ("labels", f"{r.get('row_label')} / {r.get('column_label')}"),
                             ("where", f"sheet {r['sheet']!r}, cell {r['cell']}" if r.get("sheet") or r.get("cell")
                              else f"page {r['page']}, bbox {r['bbox']}" if r["page"] is not None
                              else f"table {r.get('table_index')}, row {r.get('row')}, col {r.get('col')}"),
                             ("document", f"sha256 {doc['sha256']}, {doc['size']} bytes, "
                                          f"{doc.get('media_type') or doc['content_type']}"),
                             ("url", doc["source_url"]), ("final url", doc["final_url"]),
                             ("fetched", f"{doc['fetched_at']}, HTTP {doc['http_status']}"),
                             ("extraction", f"run {run['id']}, {run['extractor']} {run['extractor_version']}, "
                                            f"{run['finished_at']}"),
                             ("flow run", run["flow_run_id"])] + [
                             ("review", _review_line(None, v["action"], v["value"], v["reviewer"], v["reason"]))
                             for v in r["reviews"]]:
            console.print(f"  {label:11s} {value}")


@app.command()
def show(fact_id: str = typer.Argument(None, help="A fact's id, as the export gives it."),
         png: Path = typer.Option(None, "--png", dir_okay=False,
                                  help="Write the fact's picture here: the page region with the fact outlined. "
                                       "A fact from a Word table or a worksheet has no page: its table is "
                                       "written as HTML, beside it with .html."),
         every: bool = typer.Option(False, "--all", help="Write every current fact's picture into --dir "
                                                         "(those already there are kept)."),
         out_dir: Path = typer.Option(None, "--dir", file_okay=False,
                                      help="Where --all writes (default: DATA_DIR/pictures, where "
                                           "`vpetl browse` serves them from)."),
         db: str = DB, data_dir: Path = DATA_DIR) -> None:
    """See a fact where it was printed, drawn from the stored bytes (nothing is fetched)."""
    from .pipeline.pictures import PictureSkipped, draw, write_all
    from .pipeline.pool import ExtractionPool
    from .schema.blobs import BlobStore
    from .schema.queries import placed_facts

    if every == (fact_id is not None) or (fact_id is not None and png is None):
        raise typer.BadParameter("give FACT_ID with --png FILE, or --all", param_hint="FACT_ID")
    settings = _data_dir(settings_from(database_url=db, data_dir=data_dir), data_dir, needs_bytes=True)
    blobs = BlobStore(settings.blob_dir)
    pool = ExtractionPool(settings.with_(processes=1))  # pages are drawn under the extraction budgets
    try:
        with _store(db)() as session, _blobs_there(settings):
            if every:
                target = out_dir or settings.data_dir / "pictures"
                written, kept = write_all(placed_facts(session), blobs, target, pool.call, _skipped)
                console.print(f"{_count(written, 'picture')} written, {kept} already there, in {target}")
                return
            fact = next(placed_facts(session, fact_id), None)
            if fact is None:
                console.print(f"no current fact with id {fact_id}", style="red")
                raise typer.Exit(1)
            try:
                data = draw(fact, blobs, pool.call)
            except PictureSkipped as exc:
                console.print(f"{fact_id}: not drawn: {exc}", style="red")
                raise typer.Exit(1) from exc
    finally:
        pool.close()
    path = png if fact.on_page else png.with_suffix(".html")
    path.write_bytes(data)
    where = f"page {fact.page}" if fact.page is not None else "its table (no page: a Word table or a worksheet)"
    console.print(f"{path}: {fact.title}, {where}")


def _skipped(line: str) -> None:
    console.print(line, style="yellow")


@contextmanager
def _blobs_there(settings: Settings) -> Iterator[None]:
    """A document's bytes missing from the blob folder is one line: the usual cause is another --data-dir."""
    try:
        yield
    except FileNotFoundError as exc:
        console.print(f"the stored bytes are not in {settings.blob_dir} ({exc.filename}): was the store "
                      "filled with another --data-dir?", style="red")
        raise typer.Exit(1) from exc


@app.command()
def browse(db: str = DB, data_dir: Path = DATA_DIR,
           host: str = typer.Option("127.0.0.1", help="Address to serve on (0.0.0.0: every interface)."),
           port: int = typer.Option(8001, help="Port to serve on."),
           pictures: bool = typer.Option(True, help="Draw the facts' pictures first (those already drawn are "
                                                    "kept), so each fact links to its page.")) -> None:
    """Browse the store in Datasette: the views with titles and facets, canned queries, pictures."""
    from sqlalchemy.engine import make_url

    from .browse import PICTURES_MOUNT, metadata, port_taken
    from .pipeline.pictures import write_all
    from .pipeline.pool import ExtractionPool
    from .schema.blobs import BlobStore
    from .schema.queries import placed_facts

    settings = _data_dir(settings_from(database_url=db, data_dir=data_dir), data_dir, needs_bytes=True)
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise typer.BadParameter("Datasette reads SQLite stores; give --db sqlite:///FILE", param_hint="--db")
    try:
        import datasette  # noqa: F401
    except ImportError as exc:
        console.print("Datasette is not installed: pip install 'vpetl[browse]'", style="red")
        raise typer.Exit(1) from exc
    if taken := port_taken(host, port):
        console.print(f"cannot serve on {host}:{port}: {taken} (another program has it? --port N takes another)",
                      style="red")
        raise typer.Exit(1)
    folder = settings.data_dir / "pictures"
    if pictures:
        pool = ExtractionPool(settings.with_(processes=1))  # pages are drawn under the extraction budgets
        try:
            with _store(db)() as session, _blobs_there(settings):
                written, kept = write_all(placed_facts(session), BlobStore(settings.blob_dir), folder, pool.call,
                                          _skipped)
        finally:
            pool.close()
        console.print(f"pictures: {written} drawn, {kept} already there, in {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    meta = settings.data_dir / "datasette.json"
    meta.write_text(json.dumps(metadata(Path(url.database).stem, folder), indent=1), encoding="utf-8")
    console.print(f"Datasette at http://{host}:{port}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "datasette", "serve", url.database, "--metadata", str(meta),
                              "--static", f"{PICTURES_MOUNT}:{folder}", "--host", host, "--port", str(port)])


@app.command("migrate")
def migrate_store(db: str = DB) -> None:
    """Bring the store's schema to this vpetl's (no other command changes it); a SQLite store is
    copied aside first, so that the vpetl that made it can still open the copy."""
    from .schema.db import StoreError, upgrade_store

    url = settings_from(database_url=db).database_url
    try:
        was, now, copy = upgrade_store(url)
    except StoreError as exc:
        console.print(str(exc), style="red")
        raise typer.Exit(1) from exc
    if was == now:
        console.print(f"the store {redact(url)} is at schema {now} already: nothing to do")
        return
    console.print(f"the store {redact(url)}: schema {was} -> {now}" + (f" (the store as it was: {copy})" if copy
                                                                          else ""))


@app.command("settings")
def show_settings() -> None:
    """Every setting: its variable, its value here (from the environment or the default), what it does."""
    current = settings_from()
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(current, name)
        shown = ",".join(value) if isinstance(value, tuple) else str(value)
        rows.append([environment_variable(name), redact(shown), field.description or ""])
    _print_rows(("variable", "value", "what it is for"), rows)


@mirror_app.command("serve")
def mirror_serve(port: int = typer.Option(8765, help="Port (0: a free one)."),
                 host: str = typer.Option("127.0.0.1", help="Address to serve on (0.0.0.0: every interface)."),
                 root: Path = typer.Option(None, help="Mirror root (default: the bundled fixtures)."),
                 faults: str = typer.Option(None, help="'0.2' (20% of requests, transient kinds) or "
                                                       "'503=0.1,hang=0.05,foreign=0.01,...'"),
                 seed: int = typer.Option(0, help="Seed of the fault draws."),
                 hang: float = typer.Option(3.0, help="Seconds a 'hang' fault waits."),
                 max_hits: int = typer.Option(10_000, help="Most hits one search serves."),
                 legacy_forms: bool = typer.Option(False, "--legacy-forms", help=LEGACY_FORMS_HELP)) -> None:
    """Serve the parliament's API, records, documents and short links from fixtures."""
    from .vlpar import mirror

    try:
        plan = mirror.Faults.parse(faults, seed, hang)
    except ValueError as exc:
        raise typer.BadParameter(f"{faults!r}: {exc} (a share is a number from 0 to 1: 0.2, or 503=0.1)",
                                 param_hint="--faults") from exc
    try:
        server = mirror.make_server(root or mirror.DEFAULT_ROOT, host, port, plan, max_hits, legacy_forms)
    except OSError as exc:
        console.print(f"cannot serve on {host}:{port}: {exc.strerror or exc} (another program has it? "
                      "--port 0 takes a free one)", style="red")
        raise typer.Exit(1) from exc
    console.print(f"mirror at http://{host}:{server.server_address[1]}"
                  + (f" with faults {plan.rates}" if plan.rates else "") + " (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main() -> None:
    """The `vpetl` command, as installed: its process ends at once on Ctrl-C (see `interrupted`)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from . import interrupt

    interrupt.HARD_EXIT = True
    app()


if __name__ == "__main__":
    main()
