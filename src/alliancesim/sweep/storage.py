"""Per-run files written atomically, the list of finished runs, and the final merge.

Each finished run is one small Parquet file in ``DIR/runs/`` (written to a temporary name and
renamed, so a file is either whole or absent); a failed run leaves a JSON file with its error
and parameters instead. Merging streams the files one by one, so memory stays flat however
many runs there are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

RUNS = "runs"


def runs_dir(out_dir: Path) -> Path:
    return out_dir / RUNS


def run_path(out_dir: Path, run_id: str, kind: str = "timeseries") -> Path:
    suffix = ".parquet" if kind == "timeseries" else f".{kind}.parquet"
    return runs_dir(out_dir) / f"{run_id}{suffix}"


def error_path(out_dir: Path, run_id: str) -> Path:
    return runs_dir(out_dir) / f"{run_id}.error.json"


def write_atomic_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file so that it is either complete or absent."""
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def write_atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


def finished_run_ids(out_dir: Path) -> set[str]:
    """Runs whose timeseries file is on disk (the file written last for a run)."""
    folder = runs_dir(out_dir)
    if not folder.is_dir():
        return set()
    return {p.name[: -len(".parquet")] for p in folder.glob("*.parquet")
            if p.name.count(".") == 1}


def failed_runs(out_dir: Path) -> list[dict[str, Any]]:
    """The error records of failed runs, by run id."""
    folder = runs_dir(out_dir)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.error.json"))]


def merge(out_dir: Path, run_ids: list[str], kind: str, target: Path) -> int:
    """Concatenate the per-run files of ``kind`` in run-id order into one Parquet file.

    Returns the number of rows written; writes nothing when there is no file.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    writer: pq.ParquetWriter | None = None
    rows = 0
    try:
        for run_id in sorted(run_ids):
            path = run_path(out_dir, run_id, kind)
            if not path.exists():
                continue
            table = pq.read_table(path)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            elif table.schema != writer.schema:
                table = table.cast(writer.schema)
            writer.write_table(table)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is not None:
        os.replace(tmp, target)
    return rows


def empty_table_like(columns: list[str]) -> pa.Table:
    return pa.table({c: pa.array([], pa.float64()) for c in columns})
