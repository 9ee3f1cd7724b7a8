"""Run an experiment: every condition x seed, streamed to disk, resumable, on any backend."""

from __future__ import annotations

import itertools
import json
import os
import platform
import shutil
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pyarrow as pa
from filelock import FileLock, Timeout

from ..config import ConfigError
from . import storage
from .backends import Backend, chunks, open_backend
from .design import Experiment, Task
from .figures import draw_figures, figure_jobs
from .progress import progress_bar
from .summary import SummaryAccumulator
from .worker import task_config

#: The output folder's lock file (left in place: waiters must share its inode).
LOCK = ".sweep.lock"


@dataclass
class SweepReport:
    """What a sweep did: runs in the design, runs found finished on disk, failures."""

    out_dir: Path
    n_runs: int
    n_done_before: int
    n_failed: int
    failures: list[dict[str, Any]] = field(default_factory=list)


def _provenance(experiment: Experiment) -> dict[str, Any]:
    from .. import __version__

    return {"design": experiment.to_json(), "fingerprint": experiment.fingerprint(),
            "alliancesim_version": __version__, "mesa_version": mesa.__version__,
            "numpy_version": np.__version__, "pandas_version": pd.__version__,
            "python_version": platform.python_version()}


def _prepare(experiment: Experiment, out_dir: Path, resume: bool) -> None:
    """Check the output folder (locked by this sweep), and write experiment.json marked
    "running", with this process as the holder."""
    manifest = out_dir / "experiment.json"
    storage.check_resumable(out_dir, manifest, experiment.fingerprint(), resume, "sweep",
                            "experiment (design changed)", ignore={LOCK})
    # The manifest comes first: a folder with runs in it always says which design they are.
    storage.write_atomic_json({**_provenance(experiment), "status": "running",
                               "holder": _holder()}, manifest)
    storage.runs_dir(out_dir).mkdir(exist_ok=True)
    storage.remove_partial_files(out_dir)


def _holder() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname()}


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (``DIR/.sweep.lock``) for the block: a second sweep on
    the same folder is refused at once, with the holder named."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is a file, not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out_dir / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        try:
            holder = json.loads((out_dir / "experiment.json").read_text())["holder"]
            who = f"process {holder['pid']} on {holder['host']}"
        except (OSError, ValueError, KeyError, TypeError):
            who = "another process"
        raise ConfigError(f"--out {out_dir} is in use by another sweep ({who}); wait for it "
                          f"to end, or choose another --out") from None
    try:
        yield
    finally:
        lock.release()


def _check_options(workers: int, backend: str, scheduler: str | None) -> None:
    if workers < 1:
        raise ConfigError(f"--workers = {workers}: expected at least 1")
    if backend not in ("local", "dask"):
        raise ConfigError(f"--backend = {backend!r}: expected 'local' or 'dask'")
    if scheduler and backend != "dask":
        raise ConfigError("--scheduler ADDRESS goes with --backend dask")


def run_experiment(experiment: Experiment, out_dir: str | Path, workers: int = 1,
                   backend: str = "local", scheduler: str | None = None, resume: bool = False,
                   members: bool = False, progress: bool = True) -> SweepReport:
    """Run every condition x seed of ``experiment`` and write the outputs into ``out_dir``.

    Each finished run is on disk at once (``out_dir/runs/``); with ``resume`` the runs already
    there are kept and only the others run (failed runs are tried again). Runs go in run-id
    order, and this process merges them into ``runs.parquet`` (and ``members.parquet``) and
    the summary as they finish; at the end it writes ``summary.csv``, ``figures/`` and
    ``experiment.json``.

    Args:
        experiment: the design (see :func:`~alliancesim.sweep.load_experiment`).
        out_dir: output folder; must be empty or absent unless ``resume``.
        workers: local worker processes, or Dask workers of the cluster started here.
        backend: ``"local"`` or ``"dask"``.
        scheduler: address of an existing Dask scheduler (with ``backend="dask"``).
        resume: finish the sweep already in ``out_dir``.
        members: also write ``members.parquet`` (one row per run-member-year).
        progress: show a progress bar on stderr when it is a terminal.

    Raises:
        ConfigError: bad options, a non-empty ``out_dir`` without ``resume``, or a different
            design in ``out_dir``.
        SweepAbortedError: a worker process died; the finished runs stay on disk for ``resume``.
    """
    _check_options(workers, backend, scheduler)
    out = Path(out_dir)
    with _locked(out):
        _prepare(experiment, out, resume)
        try:
            return _run(experiment, out, workers, backend, scheduler, members, progress)
        except BaseException:
            # The workers are gone: delete what those ended mid-write left (e.g. by SIGTERM).
            storage.remove_partial_files(out)
            raise


def _run(experiment: Experiment, out: Path, workers: int, backend: str,
         scheduler: str | None, members: bool, progress: bool) -> SweepReport:
    """The runs of :func:`run_experiment` not on disk yet, merged as they finish."""
    tasks = sorted(experiment.tasks(), key=lambda t: t.run_id)
    index = storage.RunIndex.scan(out)
    done = index.finished()
    for record in storage.failed_runs(out):  # failed runs are tried again
        storage.error_path(out, record["run_id"]).unlink(missing_ok=True)
    todo = [t for t in tasks if t.run_id not in done]
    n_done_before = len(tasks) - len(todo)
    # Runs finished before (resume) are merged a batch per chunk result, while the
    # workers run, rather than all before the first chunk.
    backlog = iter([(t.run_id, True) for t in tasks if t.run_id in done])
    # No more workers than runs to do: a worker without work costs a process for nothing.
    with open_backend(backend, min(workers, max(1, len(todo))), scheduler) as pool:
        with _merges(experiment, index, tasks, members) as (merges, summary):
            with progress_bar(len(tasks), n_done_before, progress) as bar:
                for name, outcomes in pool.run_chunks(chunks(todo, pool.parallelism),
                                                      str(out), members):
                    bar.update(len(outcomes))
                    if name is not None:
                        index.add(name)
                    earlier = list(itertools.islice(backlog, storage.MERGE_BATCH))
                    for merge in merges:
                        merge.settle(earlier)
                        merge.settle(outcomes)
            rest = list(backlog)
            for merge in merges:
                merge.settle(rest)
        return _write_outputs(experiment, index, summary, n_done_before, pool)


def finalise(experiment: Experiment, out: Path, members: bool, n_done_before: int = 0,
             pool: Backend | None = None) -> SweepReport:
    """Merge the chunk files found in ``out`` and write the summary, figures and
    experiment.json (what :func:`run_experiment` does as the runs finish, and at the end).

    ``pool`` draws the figures on its workers; this process draws them without one.
    """
    with _locked(out):
        tasks = sorted(experiment.tasks(), key=lambda t: t.run_id)
        index = storage.RunIndex.scan(out)
        finished = index.finished()
        with _merges(experiment, index, tasks, members) as (merges, summary):
            for merge in merges:
                merge.settle((t.run_id, True) for t in tasks if t.run_id in finished)
        return _write_outputs(experiment, index, summary, n_done_before, pool or Backend())


@contextmanager
def _merges(experiment: Experiment, index: storage.RunIndex, tasks: list[Task],
            members: bool) -> Iterator[tuple[list[storage.RunMerge], SummaryAccumulator]]:
    """The merges into runs.parquet (feeding the summary) and members.parquet, closed on
    leaving (or their partial files deleted after an error)."""
    labels = run_labels(tasks, experiment.varied)
    summary = SummaryAccumulator()
    with ExitStack() as stack:
        out = index.out_dir
        merges = [stack.enter_context(storage.RunMerge(index, labels, "timeseries",
                                                       out / "runs.parquet", summary.add))]
        if members:
            merges.append(stack.enter_context(storage.RunMerge(index, labels, "members",
                                                               out / "members.parquet")))
        yield merges, summary


def _write_outputs(experiment: Experiment, index: storage.RunIndex,
                   accumulator: SummaryAccumulator, n_done_before: int,
                   pool: Backend) -> SweepReport:
    """summary.csv, the figures and the final experiment.json, once the merge is done."""
    out = index.out_dir
    tasks = experiment.tasks()
    summary = accumulator.frame([c.name for c in experiment.conditions])
    with storage.atomic_path(out / "summary.csv") as tmp:
        summary.to_csv(tmp, index=False)
    _write_figures(summary, out / "figures", pool)
    failures = storage.failed_runs(out)
    n_finished = len(index.finished() & {t.run_id for t in tasks})
    storage.write_atomic_json({**_provenance(experiment),
                               "status": "complete" if not failures else "failures",
                               "n_runs": len(tasks), "n_finished": n_finished,
                               "failures": [{k: f[k] for k in ("run_id", "condition", "seed",
                                                               "parameters", "error")}
                                            for f in failures]},
                              out / "experiment.json")
    return SweepReport(out, len(tasks), n_done_before, len(failures), failures)


def run_labels(tasks: list[Task], varied: list[str]) -> pa.Table:
    """One row per run: ``run_id, condition, seed`` and each varied parameter's value.

    The value is the one in the run's config (as validated, e.g. 2 given for a float
    parameter is 2.0), so every run of a condition has the same; each column's type is
    inferred from all its values at once, so it is the same for every batch of the merge.
    """
    values: dict[str, list[Any]] = {name: [] for name in varied}
    for task in tasks:
        config = task_config(task)
        for name in varied:
            values[name].append(config.get(name))
    return pa.table({"run_id": [t.run_id for t in tasks],
                     "condition": [t.condition for t in tasks],
                     "seed": pa.array([t.seed for t in tasks], pa.int64()),
                     **{name: pa.array(column) for name, column in values.items()}})


def _write_figures(summary: pd.DataFrame, folder: Path, pool: Backend) -> None:
    """The figures, drawn into a temporary folder that then replaces ``folder``."""
    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        if not summary.empty:
            pool.map(draw_figures, figure_jobs(summary, tmp, pool.parallelism))
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
