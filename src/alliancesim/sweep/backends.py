"""Where the runs execute: this process, a pool of local worker processes, or a Dask cluster.

A backend runs chunks of tasks, yielding each chunk's results as it completes, and maps small
jobs (the figures) over its workers. Results are the same whatever the backend or the number
of workers: a run depends only on its config and seed, and each run writes its own file.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from typing import Any

from ..config import ConfigError
from .design import Task
from .worker import RunResult, run_chunk

#: A chunk's result: what each of its runs reports.
Result = list[RunResult]

#: How long to try to reach a Dask scheduler given by address.
SCHEDULER_TIMEOUT = "10s"

#: Chunks queued per worker ahead of time: enough to keep workers busy, few enough that a
#: huge design is not held in the pool's queues all at once.
QUEUED_PER_WORKER = 3


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
                   members: bool) -> Iterator[Result]:
        """Run every chunk; yield each chunk's result as it completes."""
        for chunk in chunks:
            yield run_chunk(chunk, out_dir, members)

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """``[fn(item) for item in items]``, spread over the workers."""
        return [fn(item) for item in items]


def start_method() -> str:
    """The start method of the local pool, chosen without touching the global default.

    "fork" starts workers at once with the model already imported, so short sweeps gain
    from a second worker too. It is used only where it is safe: on Linux, and while this
    process runs no other Python thread (one could hold a lock the child then waits on
    forever). The native threads of numpy's BLAS and of Arrow's allocator, present in every
    process that imports them, register fork handlers, and are not counted. Elsewhere a
    forkserver that imports the model once (spawn where there is no forkserver).
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _warm_up() -> int:
    return os.getpid()


def _exit_with_parent() -> None:
    """Pool initializer: end this worker when the sweep process dies, even by ``kill -9``.

    Otherwise orphaned workers would wait for work forever.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-sweep", daemon=True).start()


class LocalPool(Backend):
    """A pool of ``workers`` processes on this machine."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context(start_method())
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["alliancesim.sweep.worker"])
        self.parallelism = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                         initializer=_exit_with_parent)
        # Start the workers now (all at once, as a forking pool does on its first task),
        # before any thread of ours exists. Python warns of a fork whenever the OS counts
        # more than one thread; here the others are native pools (numpy's and scipy's
        # OpenBLAS, Arrow's jemalloc) that register fork handlers: see start_method().
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r"This process .* is multi-threaded",
                                    DeprecationWarning)
            self._pool.submit(_warm_up).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self._stop_now()

    def _stop_now(self) -> None:
        """Stop at once (Ctrl-C, an error): queued chunks are dropped and workers ended.

        A worker ended mid-write leaves only a temporary file (writes are atomic), which
        resume deletes. ``ProcessPoolExecutor`` has no public way to end its workers
        before Python 3.14, hence the private ``_processes``.
        """
        processes = getattr(self._pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def run_chunks(self, chunks: Iterable[list[Task]], out_dir: str,
                   members: bool) -> Iterator[Result]:
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
                   members: bool) -> Iterator[Result]:
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
