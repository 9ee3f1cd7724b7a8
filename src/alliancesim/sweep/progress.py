"""The sweep's progress on stderr: a bar in a terminal, a line every few seconds in a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

#: Seconds between two progress lines when stderr is not a terminal (a log, CI).
LINE_INTERVAL = 5.0


class _Bar(tqdm):
    # No monitor thread (tqdm starts one for every bar): it would outlive the sweep, and
    # worker processes forked while it runs could inherit a lock it holds.
    monitor_interval = 0


class ProgressLines:
    """Runs done, rate and time left as a line every :data:`LINE_INTERVAL` seconds: what a
    log or a CI job shows of the sweep (a bar redrawn with carriage returns would not do)."""

    def __init__(self, total: int, done: int, file: TextIO, enabled: bool = True) -> None:
        self.total, self.done, self.file, self.enabled = total, done, file, enabled
        self._start_done = done
        self._start = self._last = time.monotonic()

    def __enter__(self) -> ProgressLines:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._last >= LINE_INTERVAL:
            self._last = now
            print(self.line(now), file=self.file, flush=True)

    def line(self, now: float) -> str:
        """``sweep: 340/2000 runs (17%), 52.3 runs/s, 00:32 left``."""
        rate = (self.done - self._start_done) / max(now - self._start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta = tqdm.format_interval(left) if left == left else "?"
        return (f"sweep: {self.done}/{self.total} runs ({self.done / self.total:.0%}), "
                f"{rate:.1f} runs/s, {eta} left")


def progress_bar(total: int, done: int, enabled: bool = True) -> tqdm | ProgressLines:
    """The progress of a sweep of ``total`` runs of which ``done`` are already on disk, on
    stderr: a bar in a terminal, otherwise :class:`ProgressLines`; nothing if not
    ``enabled``."""
    if enabled and sys.stderr.isatty():
        return _Bar(total=total, initial=done, unit="run", desc="sweep", file=sys.stderr,
                    dynamic_ncols=True, smoothing=0.05, mininterval=0.1)
    return ProgressLines(total, done, sys.stderr, enabled)
