"""What a worker process does: run a chunk of tasks and write its finished runs to disk.

This module is imported by the worker processes (local pool or Dask), so it keeps its imports
to what a run needs.
"""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..config import Config, load_scenario
from ..model import AllianceModel
from ..results import timeseries_table
from . import storage
from .design import Task


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


#: What a chunk reports: the name of its files (None if no run finished), and
#: ``(run_id, finished)`` for each of its runs.
ChunkResult = tuple[str | None, list[tuple[str, bool]]]


def _with_run_id(run_id: str, table: pa.Table) -> pa.Table:
    return table.add_column(0, "run_id", pa.array([run_id] * table.num_rows, pa.string()))


def run_chunk(tasks: list[Task], out_dir: str, members: bool) -> ChunkResult:
    """Run a chunk of tasks in order (one call per worker round-trip) and write the finished
    runs as one chunk file (see :mod:`.storage`); a failed run leaves an error record.

    Only the runs' own columns and ``run_id`` are written: the merge adds the labels
    (condition, seed and varied parameters) from the design.
    """
    out = Path(out_dir)
    outcomes = []
    tables: dict[str, list[pa.Table]] = {"timeseries": [], "members": []}
    for task in tasks:
        try:
            model = AllianceModel(task_config(task), seed=task.seed)
            model.run_model()
            timeseries = pa.table(timeseries_table(model))
            member_table = (pa.Table.from_pandas(model.results().members, preserve_index=False)
                            if members else None)
        except Exception as err:
            storage.write_atomic_json({
                "run_id": task.run_id, "condition": task.condition, "seed": task.seed,
                "parameters": dict(task.overrides), "error": f"{type(err).__name__}: {err}",
                "traceback": traceback.format_exc(limit=8)}, storage.error_path(out, task.run_id))
            outcomes.append((task.run_id, False))
            continue
        tables["timeseries"].append(_with_run_id(task.run_id, timeseries))
        if member_table is not None:
            tables["members"].append(_with_run_id(task.run_id, member_table))
        outcomes.append((task.run_id, True))
    if not tables["timeseries"]:
        return None, outcomes
    name = storage.write_chunk(out, {kind: pa.concat_tables(parts, promote_options="permissive")
                                     for kind, parts in tables.items() if parts})
    return name, outcomes
