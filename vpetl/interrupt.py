"""Ctrl-C at a terminal: one line, exit 130, at once.

By the time the command hears of it, a run has recorded itself as interrupted with its counts
(`vpetl.pipeline.run.open_run`); what it loaded is kept (each question is one transaction).
Threads still in a question (a request waiting on a slow server) would hold the process open
until they finish, so the installed command ends its process without waiting for them: an
unfinished transaction is rolled back by the database, and the run lock is the OS's to free.
Inside a test's CliRunner (HARD_EXIT false) it exits the ordinary way."""

from __future__ import annotations

import os
import sys

HARD_EXIT = False  # set by `vpetl.cli.main`, the installed command
CODE = 130  # 128 + SIGINT, as a shell reports a command ended by Ctrl-C
LINE = "vpetl: interrupted (Ctrl-C); what was loaded is kept, and `vpetl status` shows the run"


def stop() -> None:
    """Say so in one line and end with exit code 130."""
    sys.stderr.write(LINE + "\n")
    if HARD_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        _release_semaphores()
        os._exit(CODE)
    sys.exit(CODE)


def _release_semaphores() -> None:
    """The extraction pool's queues hold named semaphores that multiprocessing unlinks at a
    normal exit; without this the resource tracker warns of them, after our one line."""
    from multiprocessing import util

    try:
        util._run_finalizers(0)  # type: ignore[attr-defined]  # what multiprocessing's own atexit runs
    except Exception:  # best effort: the exit must happen whatever this does
        pass
