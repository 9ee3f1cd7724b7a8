"""Run an experiment: every condition x seed, streamed to disk, resumable, on any backend."""

from __future__ import annotations

import math
import platform
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from tqdm import tqdm

from ..config import ConfigError
from . import backends, storage
from .design import Experiment
from .figures import write_sweep_figures
from .summary import SummaryAccumulator


@dataclass
class SweepReport:
    """What a sweep did."""

    out_dir: Path
    n_runs: int
    n_done_before: int
    n_failed: int
    failures: list[dict[str, Any]] = field(default_factory=list)


def _chunks(tasks: list, workers: int) -> list[list]:
    """Chunks small enough to balance the load and report progress, large enough to keep
    per-chunk overhead low."""
    if not tasks:
        return []
    size = max(1, min(25, math.ceil(len(tasks) / (workers * 8))))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _provenance(experiment: Experiment) -> dict[str, Any]:
    from .. import __version__

    return {"design": experiment.to_json(), "fingerprint": experiment.fingerprint(),
            "alliancesim_version": __version__, "mesa_version": mesa.__version__,
            "numpy_version": np.__version__, "pandas_version": pd.__version__,
            "python_version": platform.python_version()}


def _prepare(experiment: Experiment, out_dir: Path, resume: bool) -> None:
    manifest = out_dir / "experiment.json"
    if out_dir.exists() and any(out_dir.iterdir()):
        if not resume:
            raise ConfigError(f"output folder {out_dir} is not empty; pass --resume to finish "
                              f"that sweep, or choose another --out")
        if manifest.exists():
            import json

            previous = json.loads(manifest.read_text()).get("fingerprint")
            if previous != experiment.fingerprint():
                raise ConfigError(f"{out_dir} holds a different experiment (design changed); "
                                  f"cannot resume it")
    storage.runs_dir(out_dir).mkdir(parents=True, exist_ok=True)
    storage.write_atomic_json({**_provenance(experiment), "status": "running"}, manifest)


def run_experiment(experiment: Experiment, out_dir: str | Path, workers: int = 1,
                   backend: str = "local", scheduler: str | None = None, resume: bool = False,
                   members: bool = False, progress: bool = True) -> SweepReport:
    """Run every condition x seed of ``experiment`` and write the outputs into ``out_dir``.

    Each finished run is on disk at once; with ``resume`` the runs already there are kept and
    only the others run (failed runs are tried again). At the end ``runs.parquet`` (and
    ``members.parquet``), ``summary.csv``, ``figures/`` and ``experiment.json`` are written.
    """
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if backend not in ("local", "dask"):
        raise ConfigError(f"--backend must be 'local' or 'dask', got {backend!r}")
    if scheduler and backend != "dask":
        raise ConfigError("--scheduler goes with --backend dask")
    out = Path(out_dir)
    _prepare(experiment, out, resume)
    tasks = experiment.tasks()
    done = storage.finished_run_ids(out)
    for record in storage.failed_runs(out):  # failed runs are tried again
        storage.error_path(out, record["run_id"]).unlink(missing_ok=True)
    todo = [t for t in tasks if t.run_id not in done]
    chunks = _chunks(todo, workers)
    args = (chunks, str(out), experiment.varied, members)
    if backend == "dask":
        results = backends.dask_cluster(*args, workers=workers, scheduler=scheduler)
    elif workers == 1:
        results = backends.in_process(*args)
    else:
        results = backends.local_pool(*args, workers=workers)
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="run", file=sys.stderr,
               disable=not (progress and sys.stderr.isatty()), dynamic_ncols=True)
    with bar:
        for chunk_result in results:
            bar.update(len(chunk_result))
    return finalise(experiment, out, members, n_done_before=len(tasks) - len(todo))


def finalise(experiment: Experiment, out: Path, members: bool,
             n_done_before: int = 0) -> SweepReport:
    """Merge the per-run files and write the summary, figures and experiment.json."""
    tasks = experiment.tasks()
    ids = [t.run_id for t in tasks]
    finished = storage.finished_run_ids(out)
    done = [i for i in ids if i in finished]
    accumulator = SummaryAccumulator()
    storage.merge(out, done, "timeseries", out / "runs.parquet", on_batch=accumulator.add)
    if members:
        storage.merge(out, done, "members", out / "members.parquet")
    summary = accumulator.frame([c.name for c in experiment.conditions])
    summary.to_csv(out / "summary.csv", index=False)
    figures = out / "figures"
    if figures.exists():
        shutil.rmtree(figures)
    if not summary.empty:
        write_sweep_figures(summary, figures)
    failures = storage.failed_runs(out)
    storage.write_atomic_json({**_provenance(experiment),
                               "status": "complete" if not failures else "failures",
                               "n_runs": len(tasks), "n_finished": len(finished),
                               "failures": [{k: f[k] for k in ("run_id", "condition", "seed",
                                                               "parameters", "error")}
                                            for f in failures]},
                              out / "experiment.json")
    return SweepReport(out, len(tasks), n_done_before, len(failures), failures)
