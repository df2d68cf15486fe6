"""Used as a person would, round 3: through the real `vpetl` command, each thing a user met,
with the one line it now prints and its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from vpetl.cli import app
from vpetl.schema import models as m
from vpetl.schema.db import open_store

VPETL = str(Path(sys.executable).parent / "vpetl")


def vpetl(args: list[str], tmp: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed command, in `tmp`, with no Prefect server named and Prefect's home in `tmp`."""
    environ = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL" and not k.startswith("VPETL_")}
    environ.update(PREFECT_HOME=str(tmp / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   VPETL_BACKOFF="0.05", COLUMNS="200", **env)
    return subprocess.run([VPETL, *args], capture_output=True, text=True, cwd=tmp, env=environ, timeout=timeout)


def test_a_one_off_ingest_runs_without_prefect(tmp_path, mirror_base):
    """No PREFECT_API_URL and no --prefect: the core runs at once; no temporary Prefect server is
    started (it would make its database under PREFECT_HOME) and the run has no flow run."""
    args = ["ingest", "--session", "2019-2020", "--question", "289", "--api-base", mirror_base, "--db",
            f"sqlite:///{tmp_path / 's.sqlite'}", "--data-dir", str(tmp_path / "data")]
    first = vpetl([*args, "--rate", "0"], tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "vpetl: 1 question loaded, 0 unchanged, 0 failed, of 1 found" in first.stdout
    started = time.monotonic()
    again = vpetl(args, tmp_path)  # the question unchanged: the README's one-off timing
    print(f"unchanged question, without Prefect: {time.monotonic() - started:.1f} s")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 questions loaded, 1 unchanged" in again.stdout and "0 new documents" in again.stdout
    assert "Prefect" not in again.stdout + again.stderr
    assert not (tmp_path / "prefect-home").exists() or not list((tmp_path / "prefect-home").glob("*.db"))
    with open_store(f"sqlite:///{tmp_path / 's.sqlite'}")() as s:
        assert s.scalars(select(m.IngestRun.flow_run_id)).all() == [None, None]


def test_prefect_is_used_when_asked_for(tmp_path, mirror_base, prefect):
    """--prefect runs the flow (here on the tests' Prefect server): the run has a flow run."""
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(app, ["ingest", "--session", "2019-2020", "--question", "289", "--api-base",
                                      mirror_base, "--db", db, "--data-dir", str(tmp_path / "d"), "--rate", "0",
                                      "--prefect"])
    assert result.exit_code == 0, result.output
    with open_store(db)() as s:
        assert s.scalars(select(m.IngestRun.flow_run_id)).one() is not None


def totals(db: str) -> list[tuple]:
    from sqlalchemy import text

    with open_store(db, create=False)() as s:
        return [tuple(r) for r in s.execute(text("SELECT * FROM v_municipality_totals ORDER BY nis_code, year"))]


def test_a_file_already_in_the_store_joins_it_and_money_counts_once(tmp_path, mirror_base, monkeypatch):
    """`vpetl demo`, then `ingest --file` (and `--url`) of one of its annexes: the totals stay.
    The demo shows its progress, counted in questions (not in batches of ten)."""
    from vpetl.pipeline import progress

    monkeypatch.setattr(progress.Progress, "every", 0.0)  # a line at every step, not every ten seconds
    db, data = f"sqlite:///{tmp_path / 'd.sqlite'}", str(tmp_path / "data")
    demo = CliRunner().invoke(app, ["demo", "--db", db, "--data-dir", data])
    assert demo.exit_code == 0, demo.output
    steps = [line.split()[0] for line in demo.output.splitlines() if " questions, " in line or
             line.endswith(" questions")]
    assert steps == [f"{n}/15" for n in range(1, 16)], demo.output
    before = totals(db)
    assert before and sum(r[4] for r in before) > 0
    from .conftest import FILES

    by_file = CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402519.pdf"), "--db", db,
                                       "--data-dir", data])
    assert by_file.exit_code == 0, by_file.output
    assert by_file.output.strip().endswith("already in the store as http://www.vlaamsparlement.be/link?id=9682 "
                                           "(question 1402289): its facts are counted there, once; nothing added")
    by_url = CliRunner().invoke(app, ["ingest", "--url", "http://www.vlaamsparlement.be/link?id=9682", "--db", db,
                                      "--data-dir", data, "--api-base", mirror_base, "--rate", "0"])
    assert by_url.exit_code == 0 and "nothing added" in by_url.output, by_url.output
    assert totals(db) == before
    with open_store(db)() as s:
        assert not s.scalars(select(m.Document).where(m.Document.standalone)).all()


def one_line(args: list[str], **env: str) -> tuple[int, str]:
    """Exit code and the whole output, which must be one line without a traceback."""
    result = CliRunner().invoke(app, args, env={"VPETL_DATABASE_URL": "", **env})
    output = result.output.strip()
    assert "\n" not in output and "Traceback" not in output, output
    return result.exit_code, output


def test_a_data_dir_that_cannot_be_made_is_one_line(tmp_path, mirror_base):
    from .conftest import FILES

    (tmp_path / "a-file").write_text("not a folder")
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    bad = str(tmp_path / "a-file" / "data")
    code, output = one_line(["ingest", "--file", str(FILES / "1402290.pdf"), "--db", db, "--data-dir", bad])
    assert code == 1 and f"{bad}/blobs" in output and "Not a directory" in output
    code, output = one_line(["ingest", "--session", "2019-2020", "--question", "289", "--api-base", mirror_base,
                             "--db", db, "--data-dir", bad, "--rate", "0"])
    assert code == 1 and f"{bad}/blobs" in output  # the run stops at once: not "bug in vpetl" for each question


def test_a_picture_into_a_missing_folder_is_one_line(tmp_path):
    from sqlalchemy import text

    from .conftest import FILES

    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402290.pdf"), "--db", db, "--data-dir",
                                    str(tmp_path / "d")]).exit_code == 0
    with open_store(db)() as s:
        fact = s.scalar(text("SELECT fact_id FROM v_table_cells LIMIT 1"))
    target = tmp_path / "missing" / "f.png"
    code, output = one_line(["show", fact, "--png", str(target), "--db", db, "--data-dir", str(tmp_path / "d")])
    assert (code, output) == (1, f"vpetl: cannot use {target}: no such file or folder (No such file or directory)")


def test_ctrl_c_records_the_run_as_interrupted_and_exits_130(tmp_path, mirror_base):
    """Ctrl-C (SIGINT to the command's process group, as a terminal sends it) during an ingest:
    one line, exit 130, no worker's traceback, and the run recorded as interrupted with its counts."""
    import signal

    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    environ = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL" and not k.startswith("VPETL_")}
    environ.update(PREFECT_HOME=str(tmp_path / "p"), VPETL_RATE="2")  # 15 questions take a while at 2/s
    proc = subprocess.Popen([VPETL, "ingest", "--session", "2019-2020", "--api-base", mirror_base, "--db", db,
                             "--data-dir", str(tmp_path / "d")], cwd=tmp_path, env=environ, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_as_at_a_terminal)
    try:
        deadline = time.monotonic() + 240
        while not _a_question_loaded(tmp_path / "s.sqlite") and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)
        interrupted = time.monotonic()
        out, err = proc.communicate(timeout=60)
        print(f"Ctrl-C to exit: {time.monotonic() - interrupted:.1f} s")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, out + err
    assert err.strip().splitlines()[-1] == ("vpetl: interrupted (Ctrl-C); what was loaded is kept, and `vpetl "
                                            "status` shows the run")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    with open_store(db)() as s:
        run = s.scalars(select(m.IngestRun)).one()
        loaded = s.scalars(select(m.Question.id)).all()
    assert (run.status, run.error) == ("interrupted", "interrupted (Ctrl-C)")
    assert run.counts["discovered"] == 15 and run.counts["loaded"] <= len(loaded) < 15


def _as_at_a_terminal() -> None:
    """Ctrl-C's default action, as a command started at a terminal has it. A child inherits an
    ignored SIGINT (POSIX: a background job of `sh` ignores it, and Python then keeps it ignored),
    and the test runner's process may have it ignored: the command would then rightly not stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _a_question_loaded(path: Path) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM questions").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def test_version():
    from vpetl import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, f"vpetl {__version__}\n")


def test_a_misspelt_variable_is_named_in_a_warning(tmp_path):
    """VPETL_DATABSE_URL would be ignored in silence, and `ingest` would make a new store here."""
    run = vpetl(["status"], tmp_path, VPETL_DATABSE_URL=f"sqlite:///{tmp_path / 'mine.sqlite'}", VPETL_FOO="1")
    assert run.returncode == 1  # the store it meant is not used: there is none here
    assert run.stderr.splitlines()[:2] == [
        "vpetl: warning: VPETL_DATABSE_URL is not a vpetl setting and is ignored (did you mean VPETL_DATABASE_URL?)",
        "vpetl: warning: VPETL_FOO is not a vpetl setting and is ignored; `vpetl settings` lists them"]
    quiet = vpetl(["settings"], tmp_path, VPETL_RATE="2", VPETL_TEST_POSTGRES_URL="x")
    assert quiet.returncode == 0 and quiet.stderr == ""


def older_store(path: Path) -> tuple[str, str]:
    """A SQLite store at the schema before this vpetl's: (its URL, that schema)."""
    from alembic import command
    from alembic.config import Config

    from vpetl.schema import versions
    from vpetl.schema.db import make_engine

    before = str(versions.scripts().get_revision(versions.head()).down_revision)
    url = f"sqlite:///{path}"
    cfg = Config()
    cfg.set_main_option("script_location", str(versions.MIGRATIONS))
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, before)
    engine.dispose()
    return url, before


def schema_of(url: str) -> str | None:
    from vpetl.schema import versions
    from vpetl.schema.db import make_engine

    return versions.current(make_engine(url))


def test_read_commands_never_migrate_and_migrate_backs_up_first(tmp_path):
    from vpetl.schema import versions

    url, before = older_store(tmp_path / "old.sqlite")
    for command in (["status"], ["export", "--out", str(tmp_path / "x")], ["trace", "abc"]):
        code, output = one_line([*command, "--db", url])
        assert (code, output) == (1, f"the store {url} has schema {before}, this vpetl needs {versions.head()}: run "
                                     f"`vpetl migrate --db {url}` (a SQLite store is copied aside first)")
    assert schema_of(url) == before  # looked at, not changed
    code, output = one_line(["migrate", "--db", url])
    copy = tmp_path / f"old.sqlite.schema-{before}.bak"
    assert (code, output) == (0, f"the store {url}: schema {before} -> {versions.head()} (the store as it was: "
                                 f"{copy})")
    assert schema_of(url) == versions.head() and schema_of(f"sqlite:///{copy}") == before
    assert CliRunner().invoke(app, ["status", "--db", url]).exit_code == 0
    assert one_line(["migrate", "--db", url]) == (0, f"the store {url} is at schema {versions.head()} already: "
                                                     "nothing to do")


def on_a_read_only_disk(folder: Path, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Each command run with `folder` mounted read-only (a private mount namespace: nothing else
    sees it; root may write any file, but not on a read-only disk). Skips where that is not allowed."""
    import shlex
    import shutil

    import pytest

    if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("needs `unshare -m` (root, or a user namespace) to mount a folder read-only")
    mount = (f"mount --bind {shlex.quote(str(folder))} {shlex.quote(str(folder))} && "
             f"mount -o remount,ro,bind {shlex.quote(str(folder))}")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VPETL_")}
    return [subprocess.run(["unshare", "-m", "sh", "-c", f"{mount} && exec {shlex.join([VPETL, *c])}"],
                           capture_output=True, text=True, timeout=300, env=environ) for c in commands]


def test_a_read_only_store_opens_for_reading(tmp_path):
    from .conftest import FILES

    folder = tmp_path / "archive"
    folder.mkdir()
    db = f"sqlite:///{folder / 's.sqlite'}"
    loaded = vpetl(["ingest", "--file", str(FILES / "1402519.pdf"), "--db", db, "--data-dir", str(tmp_path / "d")],
                   tmp_path)  # a process of its own: its last connection folds the WAL into the store, as usual
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    status, export, ingest = on_a_read_only_disk(
        folder, ["status", "--db", db], ["export", "--db", db, "--out", str(tmp_path / "x")],
        ["ingest", "--file", str(FILES / "1402290.pdf"), "--db", db, "--data-dir", str(tmp_path / "d")])
    assert status.returncode == 0, status.stdout + status.stderr
    assert export.returncode == 0 and (tmp_path / "x" / "beneficiaries.jsonl").read_text().count("\n") == 56
    assert (ingest.returncode, ingest.stdout.strip()) == (1, f"the store {db} is read-only (its file or disk): it "
                                                             "can be read (status, export, trace, show), not written")


def test_export_refuses_a_folder_holding_another_export_unless_forced(tmp_path):
    from .conftest import FILES

    db, out = f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path / "out"
    assert CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402519.pdf"), "--db", db, "--data-dir",
                                    str(tmp_path / "d")]).exit_code == 0
    assert CliRunner().invoke(app, ["export", "--out", str(out), "--db", db]).exit_code == 0
    (out / "notes.txt").write_text("mine")
    code, output = one_line(["export", "--format", "csv", "--out", str(out), "--db", db])
    from vpetl.schema.export import KINDS

    assert (code, output) == (1, f"{out} holds an export already ({', '.join(f'{k}.jsonl' for k in KINDS)}): "
                                 "pass --force to replace it, or name another folder")
    forced = CliRunner().invoke(app, ["export", "--format", "csv", "--out", str(out), "--db", db, "--force"])
    assert forced.exit_code == 0, forced.output
    assert sorted(p.name for p in out.iterdir()) == sorted(["notes.txt", *(f"{k}.csv" for k in KINDS)])


def test_diff_refuses_runs_of_two_different_documents(tmp_path):
    from .conftest import FILES

    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    for name in ("1402290.pdf", "1402519.pdf"):
        assert CliRunner().invoke(app, ["ingest", "--file", str(FILES / name), "--db", db, "--data-dir",
                                        str(tmp_path / "d")]).exit_code == 0
    with open_store(db)() as s:
        (a, url_a), (b, url_b) = s.execute(select(m.ExtractionRun.id, m.Document.source_url)
                                           .join(m.Document, m.Document.id == m.ExtractionRun.document_id)
                                           .order_by(m.ExtractionRun.id)).all()
    assert one_line(["diff", str(a), str(b), "--db", db]) == (
        1, f"runs {a} and {b} read different documents ({url_a}, {url_b}): diff compares two runs over one "
           "document or its versions")
    assert one_line(["diff", str(a), str(a), "--db", db]) == (0, f"run {a} -> {a}: +0 ~0 -0")


def test_the_export_contract_ships_in_the_wheel(tmp_path):
    import zipfile

    from .conftest import ROOT, wheel

    with zipfile.ZipFile(wheel()) as whl:
        shipped = whl.read("vpetl/docs/export.md").decode()
    assert shipped == (ROOT / "docs" / "export.md").read_text()


def test_the_store_records_its_data_dir_and_says_when_it_is_not_there(tmp_path):
    """An absolute --db used from another folder keeps its bytes beside the store, and finds them
    from anywhere; a store whose data dir is gone says so in one line."""
    from sqlalchemy import text

    from .conftest import FILES

    (tmp_path / "store").mkdir()
    (tmp_path / "elsewhere").mkdir()
    db = f"sqlite:///{tmp_path / 'store' / 's.sqlite'}"
    loaded = vpetl(["ingest", "--file", str(FILES / "1402290.pdf"), "--db", db], tmp_path / "elsewhere")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    data = tmp_path / "store" / "vpetl-data"
    assert (data / "blobs").is_dir() and not (tmp_path / "elsewhere" / "vpetl-data").exists()
    with open_store(db)() as s:
        fact = s.scalar(text("SELECT fact_id FROM v_table_cells LIMIT 1"))
    shown = vpetl(["show", fact, "--png", str(tmp_path / "f.png"), "--db", db], tmp_path / "elsewhere")
    assert shown.returncode == 0 and (tmp_path / "f.png").stat().st_size > 0, shown.stdout + shown.stderr

    data.rename(tmp_path / "moved")
    code, output = one_line(["show", fact, "--png", str(tmp_path / "g.png"), "--db", db])
    assert (code, output) == (1, f"this store keeps its raw bytes in {data}, which is not there (was the store "
                                 "copied or moved without it?): pass --data-dir where they are now")
    named = CliRunner().invoke(app, ["show", fact, "--png", str(tmp_path / "g.png"), "--db", db, "--data-dir",
                                     str(tmp_path / "moved")])
    assert named.exit_code == 0, named.output
    assert named.output.splitlines()[0] == (f"vpetl: warning: this store keeps its raw bytes in {data}; "
                                            f"{tmp_path / 'moved'} was named (--data-dir or VPETL_DATA_DIR), so bytes "
                                            "kept in the other are not found here")


def test_a_file_loaded_before_its_question_counts_once(tmp_path, mirror_base):
    """`ingest --file` of an annex, then the question that holds it: its grants count once."""
    from sqlalchemy import text

    from .conftest import FILES

    db, data = f"sqlite:///{tmp_path / 's.sqlite'}", str(tmp_path / "d")
    first = CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402519.pdf"), "--db", db, "--data-dir", data])
    assert first.exit_code == 0 and "56 beneficiaries" in first.output, first.output
    then = CliRunner().invoke(app, ["ingest", "--session", "2019-2020", "--question", "289", "--db", db,
                                    "--data-dir", data, "--api-base", mirror_base, "--rate", "0"])
    assert then.exit_code == 0, then.output
    with open_store(db)() as s:
        per_question = dict(s.execute(text("SELECT coalesce(question_id, 0), count(*) FROM v_beneficiaries "
                                           "GROUP BY question_id")).all())
        exported = s.scalar(text("SELECT sum(beneficiaries) FROM v_municipality_totals"))
    assert per_question == {1402289: 94}, then.output  # the annex's 56 and the answer's 38, none on their own
    assert exported <= 94


def test_two_first_runs_on_a_new_store_wait_for_each_other(tmp_path):
    """Both made the new SQLite store's tables at once ("table documents already exists"); now
    the second waits for the first to make them, then for its run lock (--wait)."""
    from .conftest import FILES

    db = f"sqlite:///{tmp_path / 'new.sqlite'}"
    environ = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL" and not k.startswith("VPETL_")}
    procs = [subprocess.Popen([VPETL, "ingest", "--file", str(FILES / name), "--db", db, "--wait", "300"],
                              cwd=tmp_path, env=environ, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name in ("1402290.pdf", "1402519.pdf")]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    with open_store(db)() as s:
        assert len(s.scalars(select(m.Document)).all()) == 2


def test_a_question_number_needs_its_session_year(tmp_path):
    code, output = one_line(["ingest", "--question", "289", "--db", f"sqlite:///{tmp_path / 's.sqlite'}"])
    assert code == 2 and output.endswith("ingest: Invalid value for --question: a question number is one session "
                                         "year's: give --session too, e.g. --session 2019-2020 --question 289 (see "
                                         f"{output.split()[0]} ingest --help)")  # the program's name, as run
    assert not (tmp_path / "s.sqlite").exists()


def test_browse_on_a_taken_port_is_one_line(tmp_path):
    import socket

    from .conftest import FILES

    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert CliRunner().invoke(app, ["ingest", "--file", str(FILES / "1402519.pdf"), "--db", db]).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = one_line(["browse", "--db", db, "--port", str(port), "--no-pictures"])
    assert (code, output) == (1, f"cannot serve on 127.0.0.1:{port}: Address already in use (another program has "
                                 "it? --port N takes another)")
