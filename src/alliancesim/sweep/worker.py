"""What a worker process does: run its tasks and write each result as soon as it is done.

This module is imported by the worker processes (local pool or Dask), so it keeps its imports
to what a run needs, and loads the model's compiled kernels.
"""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..config import Config, load_scenario
from ..model import AllianceModel, load_kernels
from ..results import timeseries_table
from . import storage
from .design import Task

# Loaded once, on import: workers forked from this process (the local pool) or from the
# forkserver that preloads this module share the machine code instead of each loading a
# private copy (~0.5 s and ~150 MB per worker).
load_kernels()


@lru_cache(maxsize=256)
def _config(scenario: str, overrides: tuple[tuple[str, Any], ...]) -> Config:
    return load_scenario(scenario, dict(overrides))


def task_config(task: Task) -> Config:
    """The config of a task's run (cached: the tasks of a condition share it)."""
    return _config(task.scenario, task.overrides)


def run_one(config: Config, seed: int) -> pd.DataFrame:
    """One run in this process; returns its timeseries table."""
    model = AllianceModel(config, seed=seed)
    model.run_model()
    return model.results().timeseries


#: What a run reports: ``(run_id, ok, where its frames are, by kind)``.
RunResult = tuple[str, bool, dict[str, storage.Location]]


def run_task(task: Task, out_dir: str, members: bool, log: storage.RunLog) -> RunResult:
    """Run one task and append it to the chunk's log; a failure is written as an error
    record instead. Returns ``(run_id, ok, where its frames are)``.

    Only the run's own columns are written: the merge adds the labels (run id, condition,
    seed and varied parameters) from the design.
    """
    out = Path(out_dir)
    try:
        model = AllianceModel(task_config(task), seed=task.seed)
        model.run_model()
        locations = {}
        if members:
            frame = model.results().members
            locations["members"] = log.append(task.run_id, "members", storage.arrow_bytes(
                pa.Table.from_pandas(frame, preserve_index=False)))
        # The timeseries frame comes last: it marks the run finished.
        locations["timeseries"] = log.append(task.run_id, "timeseries",
                                             storage.npy_bytes(timeseries_table(model)))
        return task.run_id, True, locations
    except Exception as err:
        storage.write_atomic_json({
            "run_id": task.run_id, "condition": task.condition, "seed": task.seed,
            "parameters": dict(task.overrides), "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(limit=8)}, storage.error_path(out, task.run_id))
        return task.run_id, False, {}


def run_chunk(tasks: list[Task], out_dir: str, members: bool) -> list[RunResult]:
    """Run a chunk of tasks in order (one call per worker round-trip), into one run log."""
    with storage.RunLog(Path(out_dir), tasks[0].run_id) as log:
        return [run_task(t, out_dir, members, log) for t in tasks]
