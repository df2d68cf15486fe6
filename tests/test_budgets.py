"""Extraction budgets: a document over its page, time or memory budget fails with the reason,
and the run goes on."""

from __future__ import annotations

import functools
import zlib
from pathlib import Path

import pytest

from vpetl.fixtures.synthetic import PdfWriter, generate
from vpetl.pipeline.pool import ExtractionPool
from vpetl.settings import Settings

from .conftest import FILES

# Budgets far above what these documents need on a busy machine, except where a test is about them.
ROOMY = Settings(processes=2, extract_timeout=60.0, extract_memory_mb=600, max_pages=2000)


@pytest.fixture(scope="module")
def pool():
    p = ExtractionPool(ROOMY)
    yield p
    p.close()


def test_a_normal_document_is_extracted_in_a_worker(pool):
    out = pool.extract("answer", FILES / "1402290.pdf")
    assert out.result is not None and out.result.header.number == 289 and pool.cpu_seconds > 0


def test_twenty_thousand_pages_are_over_the_page_budget(pool, tmp_path):
    pdf = PdfWriter()
    for _ in range(19_999):
        pdf.new_page()
    path = tmp_path / "huge.pdf"
    path.write_bytes(pdf.tobytes())
    out = pool.extract("annex", path)
    assert out.result is None and "more pages than the budget of 2000 per document" in out.error


def bomb(path: Path, megabytes: int) -> None:
    """A one-page PDF whose content stream inflates from a few hundred kB to `megabytes` MB."""
    stream = _compressed(megabytes)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))


@functools.cache
def _compressed(megabytes: int) -> bytes:
    """The bomb's stream, compressed once per test process (two tests use it; it takes seconds)."""
    return zlib.compress(b"0 0 m " * (megabytes * 1024 * 1024 // 6), 9)


def test_a_decompression_bomb_fails_on_memory_or_time_and_the_pool_goes_on(pool, tmp_path):
    path = tmp_path / "bomb.pdf"
    bomb(path, 900)
    assert path.stat().st_size < 2_000_000
    out = pool.extract("annex", path)
    assert out.result is None
    assert any(word in out.error for word in ("memory", "budget", "died")), out.error
    after = pool.extract("annex", FILES / "1402518.pdf")  # the next document is read as usual
    assert after.result is not None and len(after.result.beneficiary_lists[0].rows) == 38


def test_a_slow_document_is_stopped_at_its_time_budget(tmp_path):
    generate(tmp_path / "site", 400, seed=5)
    biggest = max((tmp_path / "site" / "files").glob("*.pdf"), key=lambda p: p.stat().st_size)
    slow = ExtractionPool(ROOMY.with_(processes=1, extract_timeout=0.3))
    try:
        out = slow.extract("annex", biggest)
        assert out.result is None and "took more than the budget of 0.3 s" in out.error
        slow.settings = ROOMY  # a fresh worker takes the next one (with time to spare on a busy machine)
        again = slow.extract("answer", FILES / "1402290.pdf")
        assert again.result is not None
    finally:
        slow.close()


def test_one_off_commands_extract_under_the_same_budgets(tmp_path):
    """`vpetl tables` and `vpetl ingest --file` run the extractor in a worker with the run's budgets."""
    from typer.testing import CliRunner

    from vpetl.cli import app

    bombed = tmp_path / "bomb.pdf"
    bomb(bombed, 900)
    env = {"VPETL_EXTRACT_MEMORY_MB": "600", "VPETL_EXTRACT_TIMEOUT": "60", "VPETL_MAX_PAGES": "2000"}
    tables = CliRunner().invoke(app, ["tables", str(bombed)], env=env)
    assert tables.exit_code == 1 and tables.output.startswith(f"{bombed}: ")
    assert any(word in tables.output for word in ("memory", "budget", "died")), tables.output
    over = CliRunner().invoke(app, ["tables", str(FILES / "1402341.pdf")], env={**env, "VPETL_MAX_PAGES": "1"})
    assert over.exit_code == 1 and "more pages than the budget of 1 per document" in over.output
    by_file = CliRunner().invoke(app, ["ingest", "--file", str(bombed), "--db", f"sqlite:///{tmp_path / 'b.sqlite'}",
                                       "--data-dir", str(tmp_path / "d")], env=env)
    assert by_file.exit_code == 1 and "not read: " in by_file.output, by_file.output  # kept, nothing loaded


def test_workers_end_with_the_process_that_started_them(tmp_path):
    """A run killed with SIGKILL leaves no extraction workers behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("from vpetl.pipeline.pool import ExtractionPool\nfrom vpetl.settings import Settings\n"
              "pool = ExtractionPool(Settings(processes=2))\n"
              "print(*[p.pid for p in pool.pool._processes.values()], flush=True)\nimport time\ntime.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in proc.stdout.readline().split()]
    assert len(workers) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 30  # the forkserver sees its parent go, then the kernel ends the workers

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"

    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


def test_the_workers_import_the_extractors_not_the_pipeline():
    """The forkserver imports the pool's module before its first worker, in every process that
    extracts (each `vpetl` command, each run): that is the extractors, not the store, the
    fetching, the CLI or Prefect (which made every pool's start about 1.5 CPU-s dearer)."""
    import subprocess
    import sys

    heavy = ["alembic", "prefect", "pydantic_settings", "requests", "sqlalchemy", "typer", "vpetl.cli",
             "vpetl.schema", "vpetl.vlpar"]
    script = (f"import sys, vpetl.pipeline.pool\nprint(sorted(m for m in {heavy!r} if m in sys.modules))\n"
              "print('pdfplumber' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["[]", "True"]


@pytest.mark.parametrize("quiet", [True, False])
def test_the_resource_tracker_writes_nothing_after_the_command(quiet):
    """A Ctrl-C between a semaphore's removal and its sign-off left it listed, and the tracker
    warned at exit, after the command's last line (about one Ctrl-C in 25). Here a semaphore that
    is already gone is listed on purpose: the tracker vpetl starts says nothing of it."""
    import subprocess
    import sys

    start = ("from vpetl.pipeline.pool import _start_quiet_resource_tracker as start; start()" if quiet else
             "from multiprocessing import resource_tracker; resource_tracker.ensure_running()")
    script = f"{start}\nimport multiprocessing.resource_tracker as t\nt.register('/mp-vpetl-gone', 'semaphore')"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    assert (run.stderr == "") is quiet, run.stderr
