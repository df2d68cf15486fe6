"""Mistakes at the command line: one clear line and a non-zero exit, never a traceback, and
nothing done that was not asked for (no empty store made by a command that only reads)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vpetl.cli import app

from .conftest import FILES, ROOT


def one_line(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str]:
    """Exit code and the whole output, which must be one line."""
    import os

    before = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = CliRunner().invoke(app, args, env={"VPETL_DATABASE_URL": "", **(env or {})})
    finally:
        os.chdir(before)
    output = result.output.strip()
    assert "\n" not in output and "Traceback" not in output, output
    return result.exit_code, output


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """A store with the seed answer's facts, loaded by `ingest --file`."""
    tmp = tmp_path_factory.mktemp("store")
    url = f"sqlite:///{tmp / 's.sqlite'}"
    result = CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402290.pdf"), "--db", url, "--data-dir",
                                      str(tmp / "d")])
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.parametrize("db, says", [
    ("foo", "'foo' is not a database URL vpetl can use; e.g. sqlite:///vpetl.sqlite"),
    ("postgres://u@h/db", "(SQLAlchemy wants postgresql+psycopg://...)"),
    ("sqlite:////no/such/folder/s.sqlite", "cannot make the store /no/such/folder/s.sqlite: the folder "
                                            "/no/such/folder does not exist"),
    ("postgresql+psycopg://postgres@127.0.0.1:1/x", "cannot open the store postgresql+psycopg://postgres@127.0.0.1:1/x"),
])
def test_a_store_that_cannot_be_opened(db, says):
    code, output = one_line(["status", "--db", db])
    assert code == 1 and says in output


@pytest.mark.parametrize("command", [["status"], ["export", "--out", "out"], ["trace", "abc"]])
def test_reading_commands_never_make_an_empty_store(tmp_path, command):
    code, output = one_line(command, cwd=tmp_path)
    assert code == 1 and output == ("no store at vpetl.sqlite: run `vpetl demo` or `vpetl ingest` first, "
                                    "or pass --db URL")
    assert not (tmp_path / "vpetl.sqlite").exists()


@pytest.mark.parametrize("session", ["2019-20", "2019", "2020-2019", "foo"])
def test_a_session_year_is_written_as_the_parliament_writes_it(session, tmp_path):
    code, output = one_line(["ingest", "--session", session, "--db", f"sqlite:///{tmp_path / 's.sqlite'}"])
    assert code == 2 and f"'{session}' is not a session year: write it as 2019-2020" in output


@pytest.mark.parametrize("args, says", [
    (["serve", "--cron", "every day"], "'every day' is not a cron schedule"),
    (["mirror", "serve", "--faults", "20%"], "'20%' is not a share"),
    (["trace", "abc", "--format", "xml"], "'xml' is not one of 'text', 'json', 'prov'"),
    (["review"], "name a FACT_ID (with --action and --by), or --import FILE or --export FILE"),
    (["reextract", "--all", "--extractor", "vpetl.nosuch"], "'vpetl.nosuch' is not an extractor; vpetl has "
                                                            "vpetl.answer, vpetl.annex"),
])
def test_usage_mistakes(args, says):
    code, output = one_line(args)
    assert code == 2 and says in output and output.endswith("--help)")


def test_export_onto_a_file(store, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    code, output = one_line(["export", "--out", str(target), "--db", store])
    assert code == 2 and "is a file; name a folder" in output


def test_diff_of_runs_that_do_not_exist(store):
    code, output = one_line(["diff", "9", "999", "--db", store])
    assert (code, output) == (1, "no extraction run 9, 999 in this store")


def test_a_file_that_is_not_a_document_is_kept_but_fails(store, tmp_path):
    code, output = one_line(["ingest", "--file", str(ROOT / "pyproject.toml"), "--db", store])  # its own data dir
    assert code == 1 and "not read: not a document vpetl reads" in output


def test_the_mirrors_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = one_line(["mirror", "serve", "--port", str(port)])
    assert code == 1 and output.startswith(f"cannot serve on 127.0.0.1:{port}: Address already in use")


def test_a_prefect_server_that_does_not_answer(tmp_path):
    code, output = one_line(["ingest", "--session", "2019-2020", "--db", f"sqlite:///{tmp_path / 's.sqlite'}"],
                            env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert code == 1 and output.startswith("cannot reach the Prefect server at http://127.0.0.1:9/api")


def test_a_corrected_value_is_stored_as_the_number_it_means(store):
    from sqlalchemy import select

    from vpetl.schema import models as m
    from vpetl.schema.db import open_store

    with open_store(store)() as s:
        fact = s.scalars(select(m.TableCell.fact_id).where(m.TableCell.value.is_not(None))).first()
    result = CliRunner().invoke(app, ["review", fact, "--action", "correct", "--value", "1.234,5", "--by", "a",
                                      "--db", store])
    assert result.exit_code == 0 and result.output == f"{fact}: correct 1234.5 by a\n", result.output
    with open_store(store)() as s:
        assert s.scalars(select(m.Review.value).where(m.Review.fact_id == fact)).one() == "1234.5"


def test_every_option_says_what_it_is_for_and_no_flag_shows_a_type():
    import typer

    group = typer.main.get_command(app)
    commands = [(name, cmd) for name, cmd in group.commands.items() if name != "mirror"]
    commands += [(f"mirror {name}", cmd) for name, cmd in group.commands["mirror"].commands.items()]
    for name, command in commands:
        missing = [p.name for p in command.params if not getattr(p, "help", None)]
        assert not missing, f"vpetl {name}: no help for {missing}"
        shown = CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"}).output
        assert "<bool>" not in shown and "%%" not in shown, shown


def test_sync_says_which_session_years_it_searches(tmp_path, prefect):
    from vpetl.pipeline.runner import current_session_years

    result = CliRunner().invoke(app, ["sync", "--api-base", "http://127.0.0.1:9", "--timeout", "1", "--db",
                                      f"sqlite:///{tmp_path / 's.sqlite'}", "--data-dir", str(tmp_path / "d")],
                                env={"VPETL_RETRIES": "1"})
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 2, result.output
    assert lines[0] == f"sync: session years {', '.join(current_session_years())}"
    assert lines[1].startswith("cannot search http://127.0.0.1:9: ")


def test_a_busy_store_is_one_line(tmp_path, prefect, mirror_base):
    from vpetl.schema.db import make_engine, open_store
    from vpetl.schema.lock import run_lock

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    open_store(url)
    with run_lock(make_engine(url)):  # another run holds the store
        code, output = one_line(["ingest", "--session", "2019-2020", "--question", "289", "--api-base", mirror_base,
                                 "--db", url, "--data-dir", str(tmp_path / "d")])
    assert code == 2 and output.startswith("another vpetl run is loading into")
    assert output.endswith("; try again later, or pass --wait SECONDS")
