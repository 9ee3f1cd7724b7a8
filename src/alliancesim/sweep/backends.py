"""Where the runs execute: this process, a local process pool, or a Dask cluster.

Each backend takes chunks of tasks and yields each chunk's results as it completes. Results
are the same whatever the backend or the number of workers: a run depends only on its config
and seed.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import suppress

from ..config import ConfigError
from .design import Task
from .worker import run_chunk

Result = list[tuple[str, bool]]


def in_process(chunks: list[list[Task]], out_dir: str, varied: list[str],
               members: bool) -> Iterator[Result]:
    """Run every chunk here, one after the other (``--workers 1``)."""
    for chunk in chunks:
        yield run_chunk(chunk, out_dir, varied, members)


def local_pool(chunks: list[list[Task]], out_dir: str, varied: list[str], members: bool,
               workers: int) -> Iterator[Result]:
    """Run chunks in a pool of worker processes on this machine.

    Uses a forkserver that has already imported the model, so workers start fast, without
    changing the global multiprocessing start method (``mesa.batch_run`` forces "spawn").
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["alliancesim.sweep.worker"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_chunk, chunk, out_dir, varied, members) for chunk in chunks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def dask_cluster(chunks: list[list[Task]], out_dir: str, varied: list[str], members: bool,
                 workers: int, scheduler: str | None) -> Iterator[Result]:
    """Run chunks on a Dask distributed cluster: ``scheduler`` if given, else a local one.

    The workers must be able to import alliancesim and write to ``out_dir`` (a shared file
    system when the cluster spans machines).
    """
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ConfigError("--backend dask needs the 'distributed' package: "
                          "pip install 'alliancesim[distributed]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(run_chunk, chunks, out_dir=out_dir, varied=varied,
                             members=members, pure=False)
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            with suppress(Exception):
                cluster.close()
