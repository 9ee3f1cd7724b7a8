"""Per-run files written atomically, the list of finished runs, and the final merge.

Each finished run is one small Arrow IPC file in ``DIR/runs/`` (written to a temporary name and
renamed, so a file is either whole or absent; Arrow IPC because it is the cheapest format to
write, and these files are only read back by the merge); a failed run leaves a JSON file with
its error and parameters instead. Merging streams the files in batches of runs, so memory
stays flat however many runs there are.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

RUNS = "runs"
#: Runs merged into one Parquet row group (bounds memory, keeps row groups a useful size).
MERGE_BATCH = 200


def runs_dir(out_dir: Path) -> Path:
    return out_dir / RUNS


def run_path(out_dir: Path, run_id: str, kind: str = "timeseries") -> Path:
    suffix = ".arrow" if kind == "timeseries" else f".{kind}.arrow"
    return runs_dir(out_dir) / f"{run_id}{suffix}"


def error_path(out_dir: Path, run_id: str) -> Path:
    return runs_dir(out_dir) / f"{run_id}.error.json"


def write_atomic_table(table: pa.Table, path: Path) -> None:
    """Write an Arrow IPC file so that it is either complete or absent."""
    tmp = path.with_name(f".{path.name}.tmp")
    feather.write_feather(table, tmp, compression="uncompressed")
    os.replace(tmp, path)


def write_atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


def remove_partial_files(out_dir: Path) -> int:
    """Delete the temporary files of writes cut short by a crash; returns how many."""
    partial = list(runs_dir(out_dir).glob(".*.tmp"))
    for path in partial:
        path.unlink(missing_ok=True)
    return len(partial)


def finished_run_ids(out_dir: Path) -> set[str]:
    """Runs whose timeseries file is on disk (the file written last for a run)."""
    folder = runs_dir(out_dir)
    if not folder.is_dir():
        return set()
    return {p.name[: -len(".arrow")] for p in folder.glob("*.arrow")
            if p.name.count(".") == 1}


def failed_runs(out_dir: Path) -> list[dict[str, Any]]:
    """The error records of failed runs, by run id."""
    folder = runs_dir(out_dir)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.error.json"))]


def merge(out_dir: Path, run_ids: list[str], kind: str, target: Path,
          on_batch: Callable[[pa.Table], None] | None = None) -> int:
    """Concatenate the per-run files of ``kind`` in run-id order into one Parquet file.

    Reads :data:`MERGE_BATCH` runs at a time and hands each batch to ``on_batch`` as well
    (the summary is computed in the same pass). Returns the number of rows written; writes
    nothing when there is no file.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    writer: pq.ParquetWriter | None = None
    rows = 0
    paths = [p for p in (run_path(out_dir, r, kind) for r in sorted(run_ids)) if p.exists()]
    try:
        for start in range(0, len(paths), MERGE_BATCH):
            tables = [feather.read_table(p) for p in paths[start:start + MERGE_BATCH]]
            if writer is None:
                writer = pq.ParquetWriter(tmp, tables[0].schema)
            # One contiguous chunk per column: writing and summarising a thousand one-run
            # chunks costs several times more.
            batch = pa.concat_tables([t.cast(writer.schema) if t.schema != writer.schema
                                      else t for t in tables]).combine_chunks()
            writer.write_table(batch)
            if on_batch is not None:
                on_batch(batch)
            rows += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is not None:
        os.replace(tmp, target)
    return rows
