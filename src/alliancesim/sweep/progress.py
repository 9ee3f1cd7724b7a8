"""The sweep's progress bar: runs done, rate and time left, on stderr; quiet when not a terminal."""

from __future__ import annotations

import sys

from tqdm import tqdm


class _Bar(tqdm):
    # No monitor thread (tqdm starts one for every bar, even a disabled one): it would
    # outlive the sweep, and a process running another thread cannot safely fork, so a
    # second sweep in the same process would have to start its workers the slow way.
    monitor_interval = 0


def progress_bar(total: int, done: int, enabled: bool = True) -> tqdm:
    """A progress bar over ``total`` runs of which ``done`` are already on disk.

    It is drawn only when ``enabled`` and stderr is a terminal, so logs and pipes stay clean.
    """
    return _Bar(total=total, initial=done, unit="run", desc="sweep", file=sys.stderr,
                disable=not (enabled and sys.stderr.isatty()), dynamic_ncols=True,
                smoothing=0.05)
