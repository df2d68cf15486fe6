"""Progress of a long run: a rich bar in a terminal, a log line every few seconds otherwise,
nothing for a library caller who did not ask (the CLI chooses)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import ProgressColumn, Task
from rich.text import Text


class Progress:
    """Counts, rate and time left, written as a line every few seconds (for CI, files, Prefect
    logs) to stderr and to whoever listens (`also_to`)."""

    every = 10.0  # seconds between lines: a line a question would drown a 7,000-question run's log

    def __init__(self) -> None:
        self.lock = threading.Lock()  # questions are done on several threads at once
        self.start(0)

    def start(self, total: int, what: str = "questions") -> None:
        self.total, self.what, self.done = total, what, 0
        self.started = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        """`n` more done (a question, as each one ends, so the count is of questions, not batches)."""
        with self.lock:
            self.done += n
            self.show(n)
            now = time.monotonic()
            due = now - self.last >= self.every or self.done == self.total
            if due:
                self.last = now
        if due:
            self.report(self.line())

    def show(self, n: int) -> None:
        """Move a bar, where there is one."""

    def report(self, line: str) -> None:
        sys.stderr.write(line + "\n")  # not print: a flow's prints go to its (quiet) logger
        sys.stderr.flush()
        _tell(line)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else float("inf")
        return (f"{self.done}/{self.total} {self.what}, {rate * 60:.0f}/min, "
                f"{left:.0f} s left" if left != float("inf") else f"{self.done}/{self.total} {self.what}")

    def close(self) -> None:
        pass


class RichProgress(Progress):
    """A progress bar with counts, rate and time left, for a terminal."""

    def start(self, total: int, what: str = "questions") -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        super().start(total, what)
        self.bar = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), PerMinute(),
                            TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
        self.task = self.bar.add_task(what, total=total)
        self.bar.start()

    def show(self, n: int) -> None:
        self.bar.advance(self.task, n)

    def report(self, line: str) -> None:
        _tell(line)  # the bar says it on the terminal

    def close(self) -> None:
        self.bar.stop()


class PerMinute(ProgressColumn):
    """Questions a minute, once rich has measured a speed (before that, nothing: not "None/s")."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed * 60:.0f}/min" if task.speed else "")


class Quiet(Progress):
    """Nothing on the terminal; the lines go to listeners only."""

    def report(self, line: str) -> None:
        _tell(line)


_listeners: list[Callable[[str], None]] = []


def _tell(line: str) -> None:
    for listener in _listeners:
        listener(line)


@contextmanager
def also_to(listener: Callable[[str], None]) -> Iterator[None]:
    """While inside, every progress line also goes to `listener` (a flow's run logger, so that
    the flow run's page shows how far the run is)."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


_current: Progress | None = None


def current() -> Progress:
    """The reporter chosen with `use` (by the CLI: a bar in a terminal), else none."""
    return _current or Quiet()


def use(progress: Progress | None) -> None:
    global _current
    _current = progress


def for_terminal() -> Progress:
    return RichProgress() if sys.stdout.isatty() else Progress()
