"""What a worker process does: run its tasks and write each result as soon as it is done.

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


def run_one(config: Config, seed: int) -> pd.DataFrame:
    """One run in this process; returns its timeseries table."""
    model = AllianceModel(config, seed=seed)
    model.run_model()
    return model.results().timeseries


def _labels(task: Task, config: Config, varied: list[str], rows: int) -> dict[str, pa.Array]:
    labels: dict[str, Any] = {"run_id": task.run_id, "condition": task.condition,
                              "seed": task.seed}
    labels.update({name: config.get(name) for name in varied})
    return {k: pa.array([v] * rows) for k, v in labels.items()}


def run_task(task: Task, out_dir: str, varied: list[str], members: bool) -> tuple[str, bool]:
    """Run one task and write its files; a failure is written as an error record instead."""
    out = Path(out_dir)
    try:
        config = _config(task.scenario, task.overrides)
        model = AllianceModel(config, seed=task.seed)
        model.run_model()
        if members:
            frame = model.results().members
            table = pa.Table.from_pandas(frame, preserve_index=False)
            labels = _labels(task, config, varied, len(frame))
            storage.write_atomic_table(pa.table({**labels, **dict(zip(
                table.column_names, table.columns, strict=True))}),
                storage.run_path(out, task.run_id, "members"))
        columns = timeseries_table(model)
        rows = len(columns["year"])
        # The timeseries file is written last: its presence marks the run finished.
        storage.write_atomic_table(pa.table({**_labels(task, config, varied, rows), **columns}),
                                   storage.run_path(out, task.run_id))
        return task.run_id, True
    except Exception as err:
        storage.write_atomic_json({
            "run_id": task.run_id, "condition": task.condition, "seed": task.seed,
            "parameters": dict(task.overrides), "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(limit=8)}, storage.error_path(out, task.run_id))
        return task.run_id, False


def run_chunk(tasks: list[Task], out_dir: str, varied: list[str],
              members: bool) -> list[tuple[str, bool]]:
    """Run a chunk of tasks in order (one call per worker round-trip)."""
    return [run_task(t, out_dir, varied, members) for t in tasks]
