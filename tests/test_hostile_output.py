"""No terminal command from the source reaches the terminal: every command's output, on a store
filled from a hostile server and a hostile file, holds no ESC, no C1 control, no bidi override.

The hostile texts are the red team's: OSC 0 (window title), CSI 2J (clear screen), a fake green
"all questions loaded" line, OSC 8 links, OSC 52 clipboard writes, CSI in one byte (U+009B) and
a right-to-left override; they sit in a record's title, a file URL (its failure is kept in
`ingest_runs.counts`, a JSON column), a redirect's Location and a spreadsheet's cells."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from vpetl import output, pipeline
from vpetl.schema import models as m
from vpetl.schema.db import open_store

from . import hostile
from .conftest import pdf
from .hostile import Reply, as_json, record

ESC = "\x1b"
TITLE = "\x1b]0;pwned\x07\x1b[2J\x1b[32mvpetl: all questions loaded\x1b[0m \u202eevil\u202c \x9b2J"
CELLS = ["\x1b]8;;http://evil.example\x1b\\klik\x1b]8;;\x1b\\", "\x1b]52;c;ZXZpbA==\x07", "\x1b[5mblink\x1b[0m",
         "\u202e1.234,50\u202c", "\x9b2J", "12"]
# What no output may hold: ESC, the other C0 controls but tab and newline, C1, bidi controls.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_clean_removes_controls_and_bidi_and_keeps_the_rest():
    assert output.clean(TITLE) == "]0;pwned[2J[32mvpetl: all questions loaded[0m evil 2J"
    plain = "Vraag\tover fietspaden\nen wegen: € 1.234,50"
    assert output.clean(plain) == plain


def test_json_keeps_the_text_exact_and_escaped():
    text = output.dumps({"t": TITLE})
    assert not FORBIDDEN.search(text)
    assert json.loads(text) == {"t": TITLE}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store filled through `vpetl ingest` from a hostile server, and a hostile CSV file ingested too."""
    from vpetl import cli
    from vpetl.flows import ingest as flows

    tmp = tmp_path_factory.mktemp("output")
    site = hostile.HostileSite()
    good = hostile.pdf(pdf(1402290))
    qid = hostile.FIRST_ID
    site.question(as_json(record(qid, titel=TITLE)), good)
    qid += 1
    site.question(as_json(record(qid, files=[f"https://docs.vlaamsparlement.be/files/pfile?id=404{TITLE}"])))
    qid += 1
    site.question(as_json(record(qid)), Reply(302, {"Location": f"/nowhere?{TITLE}"}))
    csv_file = tmp / "hostile.csv"
    csv_file.write_text("Gemeente;Bedrag\n" + "".join(f"{c};{i}\n" for i, c in enumerate(CELLS)), encoding="utf-8")
    db, data = f"sqlite:///{tmp / 'o.sqlite'}", str(tmp / "data")
    common = ["--db", db]
    outputs: dict[str, str] = {}
    mp = pytest.MonkeyPatch()
    mp.setattr(cli, "_prepare_flows", lambda settings: None)  # the core without Prefect, as the CLI's flow runs it
    mp.setattr(flows, "for_settings", lambda flow, settings: pipeline.execute)
    runner = CliRunner()
    try:
        outputs["ingest"] = runner.invoke(cli.app, ["ingest", "--session", hostile.SESSION, "--api-base", site.base,
                                                    "--data-dir", data, "--rate", "0", *common],
                                          env={"VPETL_RETRIES": "1"}).output
        outputs["ingest --file"] = runner.invoke(cli.app, ["ingest", "--file", str(csv_file), "--data-dir", data,
                                                           *common]).output
    finally:
        site.close()
        mp.undo()
    yield db, data, csv_file, outputs


def strings(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def _fact(db: str) -> str:
    with open_store(db)() as session:
        return session.scalars(select(m.TableCell.fact_id).where(m.TableCell.raw_text.contains("\u202e"))).first()


def test_the_hostile_texts_are_in_the_store(store):
    """The case is real: what the commands print comes from a store that holds the hostile texts."""
    db = store[0]
    with open_store(db)() as session:
        assert any(ESC in "".join(strings(r.counts)) for r in session.scalars(select(m.IngestRun)))
        assert any("\u202e" in (q.title or "") for q in session.scalars(select(m.Question)))
    assert _fact(db)


COMMANDS = {
    "status": lambda db, data, csv, fact: ["status", "--db", db],
    "tables": lambda db, data, csv, fact: ["tables", csv],
    "tables --json": lambda db, data, csv, fact: ["tables", csv, "--json"],
    "trace": lambda db, data, csv, fact: ["trace", fact, "--db", db],
    "trace --format json": lambda db, data, csv, fact: ["trace", fact, "--db", db, "--format", "json"],
    "trace --format prov": lambda db, data, csv, fact: ["trace", fact, "--db", db, "--format", "prov"],
    "review": lambda db, data, csv, fact: ["review", fact, "--action", "dispute", "--by", "\x1b[2Jann",
                                           "--why", TITLE, "--db", db],
    "show": lambda db, data, csv, fact: ["show", fact, "--png", f"{data}/fact{TITLE}.png", "--db", db,
                                         "--data-dir", data],
    "export": lambda db, data, csv, fact: ["export", "--out", f"{data}/export{TITLE}", "--db", db],
    "reextract": lambda db, data, csv, fact: ["reextract", "--all", "--db", db, "--data-dir", data],
    "diff": lambda db, data, csv, fact: ["diff", "1", "2", "--db", db],
    "diff --json": lambda db, data, csv, fact: ["diff", "1", "2", "--db", db, "--json"],
    "unknown option": lambda db, data, csv, fact: ["status", f"--x{TITLE}"],
}


@pytest.mark.parametrize("command", ["ingest", "ingest --file", *COMMANDS])
def test_no_command_prints_a_control_character_from_the_source(store, command):
    from vpetl import cli

    db, data, csv_file, outputs = store
    if command in outputs:
        out = outputs[command]
    else:
        args = COMMANDS[command](db, data, str(csv_file), _fact(db))
        out = CliRunner().invoke(cli.app, args, env={"COLUMNS": "200"}).output
    assert out.strip()
    assert not FORBIDDEN.search(out), repr(FORBIDDEN.findall(out)[:5])
