"""LibreOffice on a leash: a canary on 127.0.0.1 that no request reaches, no process and no
folder left behind when a conversion ends, runs out of its budget, or its run is killed.

Every document here is built by hand (a few lines of ODF XML), so what it links to is known:
a picture, a linked section and a WEBSERVICE() formula, all at the canary. The control case
runs LibreOffice off the leash on the same document and sees the canary called, so the canary
test can fail."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vpetl.extractors import leash, libreoffice, sniff
from vpetl.vlpar import mirror

pytestmark = pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
WAIT = 60.0  # seconds to wait for LibreOffice to start or end on a loaded machine (a bound, not a measure)

ODF = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
       'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
       'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
       'office:version="1.2"')


def odf(media: str, body: str) -> bytes:
    """An ODF package: mimetype first and stored, a manifest, the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), media, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media}"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                   "</manifest:manifest>")
        z.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}>'
                   f"<office:body>{body}</office:body></office:document-content>")
    return out.getvalue()


def linked_odt(base: str) -> bytes:
    """A text whose picture and section are at `base`, with a small table vpetl reads."""
    return odf("application/vnd.oasis.opendocument.text", f"""<office:text>
        <text:p>Antwoord <draw:frame draw:name="p" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char">
        <draw:image xlink:href="{base}/picture.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>
        </draw:frame></text:p>
        <text:section text:name="s"><text:section-source xlink:href="{base}/section.odt" xlink:type="simple"/>
        <text:p>oud</text:p></text:section>
        <table:table table:name="t"><table:table-column table:number-columns-repeated="2"/>
        <table:table-row><table:table-cell><text:p>Gemeente</text:p></table:table-cell>
        <table:table-cell><text:p>Bedrag</text:p></table:table-cell></table:table-row>
        <table:table-row><table:table-cell><text:p>Gent</text:p></table:table-cell>
        <table:table-cell><text:p>1.000</text:p></table:table-cell></table:table-row></table:table>
        </office:text>""")


def formula_ods(base: str) -> bytes:
    """A sheet whose cached values differ from what its formulas would give now: 1+1 cached as 5,
    an unknown function cached as 0, and a WEBSERVICE() call at `base` cached as 'cached'."""
    def cell(formula: str, value: str, kind: str = "float") -> str:
        attr = f'office:value="{value}"' if kind == "float" else f'office:string-value="{value}"'
        return (f'<table:table-cell table:formula="{formula}" office:value-type="{kind}" {attr}>'
                f"<text:p>{value}</text:p></table:table-cell>")
    return odf("application/vnd.oasis.opendocument.spreadsheet", f"""<office:spreadsheet>
        <table:table table:name="Blad1"><table:table-row>{cell("of:=1+1", "5")}{cell("of:=ONBEKEND(1)", "0")}
        {cell(f'of:=WEBSERVICE(&quot;{base}/ws&quot;)', "cached", "string")}</table:table-row></table:table>
        </office:spreadsheet>""")


class Canary:
    """An HTTP server on 127.0.0.1 that records every request, of any method."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def __getattr__(self, name: str):  # do_GET, do_OPTIONS, do_PROPFIND, ...
                if not name.startswith("do_"):
                    raise AttributeError(name)
                return self.answer

            def answer(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(mirror.SHUTDOWN_POLL,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture
def tmp_root(tmp_path, monkeypatch):
    """Conversions in a folder of this test's own, so what is left there is this test's."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def processes_under(root: Path) -> list[str]:
    """Command lines of the live processes that name `root` (LibreOffice names its profile there)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(root) in cmdline and state != "Z":
            found.append(f"{pid}: {cmdline[:200]}")
    return found


def gone(root: Path, wait: float = WAIT) -> list[str]:
    """What is still running under `root` once it had `wait` seconds to end (empty: nothing)."""
    deadline = time.monotonic() + wait
    while (left := processes_under(root)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.mark.skipif(not leash.isolated(), reason="no network namespace on this machine")
def test_a_linked_picture_section_and_formula_reach_no_canary(canary, tmp_root):
    data, media = libreoffice.convert(linked_odt(canary.base), sniff.ODT)
    assert media == sniff.DOCX and data[:2] == b"PK"
    libreoffice.convert(formula_ods(canary.base), sniff.ODS)
    assert canary.requests == []
    assert list(tmp_root.iterdir()) == [] and gone(tmp_root, 0) == []


def test_off_the_leash_the_same_document_calls_the_canary(canary, tmp_path):
    """The control: LibreOffice as vpetl used to run it (its own profile, nothing else) fetches
    what the document links to. Were this not so, the test above would prove nothing."""
    source = tmp_path / "document.odt"
    source.write_bytes(linked_odt(canary.base))
    subprocess.run([libreoffice.soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", "docx", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=120, check=False, env={**os.environ, "HOME": str(tmp_path)})
    assert any("/picture.png" in r or "/section.odt" in r for r in canary.requests), canary.requests


def test_formulas_are_not_recalculated(canary, tmp_root):
    from openpyxl import load_workbook

    data, media = libreoffice.convert(formula_ods(canary.base), sniff.ODS)
    sheet = load_workbook(io.BytesIO(data), data_only=True).active
    assert [sheet.cell(1, c).value for c in (1, 2, 3)] == [5, 0, "cached"]


def big_odt(rows: int) -> bytes:
    """One table of `rows` rows: minutes of LibreOffice's time, in half a megabyte."""
    row = ("<table:table-row><table:table-cell><text:p>Gemeente</text:p></table:table-cell>"
           "<table:table-cell><text:p>1.234,50</text:p></table:table-cell></table:table-row>")
    return odf("application/vnd.oasis.opendocument.text",
               f'<office:text><table:table table:name="t"><table:table-column table:number-columns-repeated="2"/>'
               f"{row * rows}</table:table></office:text>")


BIG = 60_000  # rows: LibreOffice takes minutes over them (the red team's case), far past the budgets below


def test_a_conversion_past_its_budget_is_killed_with_everything_it_started(tmp_root, monkeypatch):
    monkeypatch.setattr(libreoffice, "CONVERT_TIMEOUT", 3.0)
    with pytest.raises(libreoffice.NeedsConversion, match="did not convert the .odt file in 3 s"):
        libreoffice.convert(big_odt(BIG), sniff.ODT)
    assert gone(tmp_root) == []
    assert list(tmp_root.iterdir()) == []


KILLED_RUN = textwrap.dedent("""
    import sys, tempfile
    tempfile.tempdir = sys.argv[1]
    from vpetl.extractors import libreoffice, sniff
    libreoffice.convert(open(sys.argv[2], "rb").read(), sniff.ODT)
""")


def test_a_run_killed_with_sigkill_takes_libreoffice_with_it(tmp_root, tmp_path):
    document = tmp_path / "big.odt"
    document.write_bytes(big_odt(BIG))
    run = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(tmp_root), str(document)])
    try:
        deadline = time.monotonic() + WAIT
        while not any("soffice" in p or "oosplash" in p for p in processes_under(tmp_root)):
            assert time.monotonic() < deadline and run.poll() is None, "LibreOffice never started"
            time.sleep(0.2)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(WAIT)
        assert gone(tmp_root) == []
        assert len(list(tmp_root.iterdir())) == 1  # the killed run could not clean up ...
        leash.sweep(tmp_root)
        assert list(tmp_root.iterdir()) == []  # ... the next conversion's sweep does
    finally:
        if run.poll() is None:
            run.kill()


RUN_BUDGET = 45.0  # seconds per document: ample for a small conversion on a busy machine, far short of BIG's
BIG_BUDGET = 3.0  # seconds for BIG in the second run: far short of its minutes (a longer wait proves no more)


@pytest.mark.slow
@pytest.mark.skipif(not leash.isolated(), reason="no network namespace on this machine")
def test_an_ingest_of_the_libreoffice_cases_leaves_nothing_behind(canary, tmp_path):
    """`vpetl ingest` (the installed command, with a TMPDIR of its own) over a server whose
    answers are an .odt and a .doc linking to the canary (a host vpetl refuses), then, in a
    second run on a short budget, an .odt too big to convert within it: no request at the
    canary, no LibreOffice process, no conversion folder afterwards; the two small ones are read."""
    from sqlalchemy import select

    from vpetl.schema import models as m
    from vpetl.schema.db import open_store

    from . import hostile

    odt = linked_odt(canary.base)
    with leash.workspace() as work:  # a Word 97 file with the same links, made on the leash (no fetch)
        (work / "linked.odt").write_bytes(odt)
        leash.run(libreoffice.soffice() or "soffice", ["--convert-to", "doc", "--outdir", str(work),
                                                       str(work / "linked.odt")], work, 120)
        doc = (work / "linked.doc").read_bytes()
    site = hostile.HostileSite()
    kinds = {"odt": "application/vnd.oasis.opendocument.text", "doc": "application/msword"}
    ids = {}

    def serve(name: str, data: bytes) -> None:
        ids[name] = site.question(hostile.as_json(hostile.record(hostile.FIRST_ID + len(site.questions))),
                                  hostile.Reply(body=data, headers={"Content-Type": kinds.get(name, kinds["odt"])}))

    # A short TMPDIR: the worker pool's forkserver puts its socket there, and a socket's path
    # has at most 107 bytes (pytest's tmp_path under xdist comes close to it).
    root = Path(tempfile.mkdtemp(prefix="vpetl-t-", dir="/tmp"))
    db = f"sqlite:///{tmp_path / 'l.sqlite'}"
    vpetl = str(Path(sys.executable).parent / "vpetl")

    def ingest(budget: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run([vpetl, "ingest", "--session", hostile.SESSION, "--api-base", site.base, "--db", db,
                               "--data-dir", str(tmp_path / "data"), "--rate", "0", "--processes", "1",
                               "--extract-timeout", str(budget)],
                              env={**os.environ, "TMPDIR": str(root), "VPETL_RETRIES": "1", "VPETL_DATABASE_URL": ""},
                              capture_output=True, text=True, timeout=600, cwd=tmp_path)
    try:
        serve("odt", odt)
        serve("doc", doc)
        small = ingest(RUN_BUDGET)
        serve("big", big_odt(BIG))
        big = ingest(BIG_BUDGET)
    finally:
        site.close()
    running, leftovers = gone(root, 0), sorted(p.name for p in root.iterdir())
    shutil.rmtree(root, ignore_errors=True)
    assert small.returncode == 0, (small.stdout + small.stderr)[-2000:]
    assert "2 questions loaded" in small.stdout, small.stdout
    assert big.returncode == 0, (big.stdout + big.stderr)[-2000:]
    assert "3 questions loaded" in big.stdout and "1 new document" in big.stdout, big.stdout  # BIG; the rest as read
    assert canary.requests == []
    assert running == []
    assert [name for name in leftovers if name.startswith(leash.PREFIX)] == []
    with open_store(db)() as session:
        runs = {q.id: session.scalars(select(m.ExtractionRun).where(
            m.ExtractionRun.document_id == q.answer_document_id)).one() for q in session.scalars(select(m.Question))}
    assert runs[ids["odt"]].status != "failed" and runs[ids["doc"]].status != "failed", {
        k: (r.status, r.error) for k, r in runs.items()}
    assert runs[ids["big"]].status == "failed" and "budget of 3 s" in runs[ids["big"]].error
