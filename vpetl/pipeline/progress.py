"""Progress of a long run: a rich bar in a terminal, a log line every few seconds otherwise,
nothing for a library caller who did not ask (the CLI chooses)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Counts, rate and time left, written as log lines (for CI, files, Prefect logs)."""

    every = 10.0  # seconds between lines

    def start(self, total: int, what: str = "questions") -> None:
        self.total, self.what, self.done = total, what, 0
        self.started = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            sys.stderr.write(self.line() + "\n")  # not print: a flow's prints go to its (quiet) logger
            sys.stderr.flush()

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
        self.bar = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.speed}/s"),
                            TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
        self.task = self.bar.add_task(what, total=total)
        self.bar.start()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self.bar.advance(self.task, n)

    def close(self) -> None:
        self.bar.stop()


class Quiet(Progress):
    """Counts only."""

    def advance(self, n: int = 1) -> None:
        self.done += n


_current: Progress | None = None


def current() -> Progress:
    """The reporter chosen with `use` (by the CLI: a bar in a terminal), else none."""
    return _current or Quiet()


def use(progress: Progress | None) -> None:
    global _current
    _current = progress


def for_terminal() -> Progress:
    return RichProgress() if sys.stdout.isatty() else Progress()
