"""Where the runs execute: this process, a pool of local worker processes, or a Dask cluster.

A backend runs chunks of tasks, yielding each chunk's results as it completes, and maps small
jobs (the figures) over its workers. Results are the same whatever the backend or the number
of workers: a run depends only on its config and seed, and each run writes its own file.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from typing import Any

from ..config import ConfigError
from .design import Task
from .worker import ChunkResult, run_chunk

#: Most runs sent to a worker at once: per-chunk overhead is paid once per chunk, while
#: smaller chunks balance the load at the end and keep the progress bar moving.
MAX_CHUNK = 25
#: A chunk holds about this share of the runs left per worker (guided scheduling): chunks
#: shrink towards the end, down to single runs, so the workers finish together instead of
#: one waiting while another works through a full last chunk.
CHUNKS_PER_WORKER = 8

#: How long to try to reach a Dask scheduler given by address.
SCHEDULER_TIMEOUT = "10s"

#: Chunks queued per worker ahead of time: enough to keep workers busy, few enough that a
#: huge design is not held in the pool's queues all at once.
QUEUED_PER_WORKER = 3


def chunks[Runs: Sequence](runs: Runs, workers: int) -> list[Runs]:
    """Consecutive chunks of ``runs`` (a list or an array), each about 1/8 of the runs left
    per worker, at most :data:`MAX_CHUNK` runs."""
    parts = []
    start = 0
    while start < len(runs):
        left = len(runs) - start
        size = min(MAX_CHUNK, math.ceil(left / (workers * CHUNKS_PER_WORKER)))
        parts.append(runs[start:start + size])
        start += size
    return parts


class SweepAbortedError(RuntimeError):
    """The sweep cannot go on (e.g. a worker process died); finished runs stay on disk."""


class Backend:
    """Runs in this process, one chunk after the other (``--workers 1``)."""

    parallelism = 1

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the workers."""

    def run_chunks(self, chunks: Iterable[list[Task]], out_dir: str,
                   members: bool) -> Iterator[ChunkResult]:
        """Run every chunk; yield each chunk's result as it completes."""
        for chunk in chunks:
            yield run_chunk(chunk, out_dir, members)

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """``[fn(item) for item in items]``, spread over the workers."""
        return [fn(item) for item in items]


def _worker_setup() -> None:
    """Pool initializer: leave Ctrl-C to the sweep process, and end this worker when the
    sweep process dies, even by ``kill -9`` (orphaned workers would otherwise wait for work
    forever).

    A Ctrl-C in a terminal reaches every process of the foreground group; the sweep process
    then lets the running chunks finish (see :meth:`LocalPool.close`), so their runs are
    kept. SIGTERM ends a worker at once, as by default (the pool itself ends workers with
    it; a handler of the sweep process's, copied by the fork, would get in the way).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-sweep", daemon=True).start()


class LocalPool(Backend):
    """A pool of ``workers`` processes on this machine (the standard library's, with its
    default start method)."""

    def __init__(self, workers: int) -> None:
        self.parallelism = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_setup)

    def close(self) -> None:
        """Drop the chunks not started, and wait for the running ones (a fraction of a
        second: chunks are small), whose runs are then on disk."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def run_chunks(self, chunks: Iterable[list[Task]], out_dir: str,
                   members: bool) -> Iterator[ChunkResult]:
        pending: set[Future] = set()
        queue = iter(chunks)
        try:
            while True:
                while len(pending) < self.parallelism * QUEUED_PER_WORKER:
                    chunk = next(queue, None)
                    if chunk is None:
                        break
                    pending.add(self._pool.submit(run_chunk, chunk, out_dir, members))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BrokenProcessPool:
            raise SweepAbortedError("a worker process died (out of memory, or killed?)") from None

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        try:
            return list(self._pool.map(fn, items))
        except BrokenProcessPool:
            raise SweepAbortedError("a worker process died (out of memory, or killed?)") from None


class DaskCluster(Backend):
    """A Dask distributed cluster: the one at ``scheduler``, or a local one started here.

    Its workers must be able to import alliancesim and write to the output folder (a shared
    file system when the cluster spans machines).
    """

    def __init__(self, workers: int, scheduler: str | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError("--backend dask needs the 'distributed' package: "
                              "pip install 'alliancesim[distributed]'") from None
        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
            except (OSError, TimeoutError) as err:
                raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: "
                                  f"{err}") from None
            threads = self._client.nthreads()
            self.parallelism = max(1, sum(threads.values()))
        else:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
            self.parallelism = workers

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            with suppress(Exception):
                self._cluster.close()

    def run_chunks(self, chunks: Iterable[list[Task]], out_dir: str,
                   members: bool) -> Iterator[ChunkResult]:
        from distributed import as_completed

        futures = self._client.map(run_chunk, list(chunks), out_dir=out_dir, members=members,
                                   pure=False)
        completed = as_completed(futures)
        del futures  # each future is released once read, so the cluster's memory stays flat
        try:
            for future in completed:
                yield future.result()
                future.release()
        except Exception as err:
            if type(err).__name__ == "KilledWorker":
                raise SweepAbortedError(f"Dask workers died running a chunk: {err}") from None
            raise

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        return self._client.gather(self._client.map(fn, items, pure=False))


def open_backend(name: str, workers: int, scheduler: str | None) -> Backend:
    """The backend for ``--backend``, ``--workers`` and ``--scheduler``."""
    if name == "dask":
        return DaskCluster(workers, scheduler)
    if workers == 1:
        return Backend()
    return LocalPool(workers)
