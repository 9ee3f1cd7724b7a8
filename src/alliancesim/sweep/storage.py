"""Per-run files written atomically, the list of finished runs, and the final merge.

Each finished run is one small file in ``DIR/runs/``, written to a temporary name and renamed,
so a file is either whole or absent; a failed run leaves a JSON file with its error and
parameters instead. The files hold only what the run computed: the labels (run id,
condition, seed, varied parameters) are the same for every row of a run and follow from the
design, so the merge adds them, a batch of runs at a time, instead of every run writing
them. Merging streams the files in batches of runs, so memory stays flat however many runs
there are.

* ``<run_id>.npy``: the timeseries, as a NumPy ``.npy`` file of one record per year (every
  column is numeric). Writing it is a header (made once per column layout and length) and
  one buffer, several times cheaper than an Arrow file; it is written last for a run, so its
  presence marks the run finished.
* ``<run_id>.members.arrow``: with ``--members``, the member table as an Arrow IPC file (it
  has string columns, which ``.npy`` cannot hold without pickling).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RUNS = "runs"
#: Runs merged into one Parquet row group (bounds memory, keeps row groups a useful size).
MERGE_BATCH = 200
#: The suffix of each kind of per-run file.
SUFFIXES = {"timeseries": ".npy", "members": ".members.arrow"}
#: The first bytes of an .npy file of format version 1.0 (the only version written here).
NPY_MAGIC = b"\x93NUMPY\x01\x00"


def runs_dir(out_dir: Path) -> Path:
    return out_dir / RUNS


def run_path(out_dir: Path, run_id: str, kind: str = "timeseries") -> Path:
    return runs_dir(out_dir) / f"{run_id}{SUFFIXES[kind]}"


def error_path(out_dir: Path, run_id: str) -> Path:
    return runs_dir(out_dir) / f"{run_id}.error.json"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


# --------------------------------------------------------------------------- writing


@lru_cache(maxsize=64)
def _record_dtype(fields: tuple[tuple[str, str], ...]) -> np.dtype:
    return np.dtype(list(fields))


@lru_cache(maxsize=256)
def _npy_header(dtype: np.dtype, rows: int) -> bytes:
    """The .npy (version 1.0) header of ``rows`` records of ``dtype``."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {
        "descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
        "shape": (rows,)})
    return buffer.getvalue()


def write_atomic_columns(columns: dict[str, np.ndarray], path: Path) -> None:
    """Write equal-length numeric columns as an .npy file of records, complete or absent."""
    dtype = _record_dtype(tuple((name, values.dtype.str) for name, values in columns.items()))
    if dtype.hasobject:
        raise TypeError("run columns must be numeric; an object column cannot be written")
    rows = len(next(iter(columns.values())))
    records = np.empty(rows, dtype)
    for name, values in columns.items():
        records[name] = values
    tmp = _temporary(path)
    with open(tmp, "wb") as f:
        f.write(_npy_header(dtype, rows))
        f.write(records.data)
    os.replace(tmp, path)


def write_atomic_table(table: pa.Table, path: Path) -> None:
    """Write an Arrow IPC file so that it is either complete or absent."""
    tmp = _temporary(path)
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    os.replace(tmp, path)


def write_atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


# --------------------------------------------------------------------------- what is on disk


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
    suffix = SUFFIXES["timeseries"]
    return {p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}")
            if not p.name.startswith(".") and p.name.count(".") == 1}


def failed_runs(out_dir: Path) -> list[dict[str, Any]]:
    """The error records of failed runs, by run id."""
    folder = runs_dir(out_dir)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.error.json"))]


# --------------------------------------------------------------------------- reading


@lru_cache(maxsize=256)
def _parse_npy_header(header: bytes) -> tuple[np.dtype, int]:
    """The dtype and length of an .npy header, from its length field on.

    Parsing one costs ~0.3 ms, as much as the rest of reading the file: done once each.
    """
    shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(io.BytesIO(header))
    if fortran_order or len(shape) != 1:
        raise ValueError("not a run file: expected a one-dimensional array of records")
    return dtype, shape[0]


def read_records(path: Path) -> np.ndarray:
    """The records of a run's .npy file (what :func:`write_atomic_columns` wrote)."""
    data = path.read_bytes()
    if not data.startswith(NPY_MAGIC):
        raise ValueError(f"{path} is not an .npy file of version 1.0")
    at = len(NPY_MAGIC)  # then the header's length (2 bytes, little-endian) and the header
    start = at + 2 + int.from_bytes(data[at:at + 2], "little")
    dtype, rows = _parse_npy_header(data[at:start])
    if len(data) != start + rows * dtype.itemsize:
        raise ValueError(f"{path} is truncated or has trailing bytes")
    return np.frombuffer(data, dtype, count=rows, offset=start)


def _read_timeseries(paths: list[Path]) -> tuple[pa.Table, list[int]]:
    """The runs' records as one table (a contiguous chunk per column), and rows per run."""
    parts = [read_records(p) for p in paths]
    dtype = parts[0].dtype
    # Joined as bytes: numpy concatenates records field by field in Python, ~0.1 ms a run.
    records = np.concatenate([(r if r.dtype == dtype else r.astype(dtype)).view(np.uint8)
                              for r in parts]).view(dtype)
    table = pa.table({name: np.ascontiguousarray(records[name]) for name in dtype.names})
    return table, [len(r) for r in parts]


def _read_arrow(paths: list[Path]) -> tuple[pa.Table, list[int]]:
    """The runs' Arrow files as one table (a contiguous chunk per column), and rows per run."""
    tables = []
    for path in paths:
        with pa.memory_map(str(path)) as source:
            tables.append(pa.ipc.open_file(source).read_all())
    return pa.concat_tables(tables, promote_options="permissive").combine_chunks(), [
        t.num_rows for t in tables]


READERS: dict[str, Callable[[list[Path]], tuple[pa.Table, list[int]]]] = {
    "timeseries": _read_timeseries, "members": _read_arrow}


# --------------------------------------------------------------------------- merging


def _batches(out_dir: Path, labels: pa.Table, kind: str) -> Iterator[pa.Table]:
    """The labelled rows of :data:`MERGE_BATCH` runs at a time, in the order of ``labels``.

    Runs without a file of ``kind`` are left out (e.g. members of runs finished before
    ``--members`` was given).
    """
    on_disk = set(os.listdir(runs_dir(out_dir)))  # one listing, not a stat per run
    for start in range(0, labels.num_rows, MERGE_BATCH):
        batch = labels.slice(start, MERGE_BATCH)
        paths = [run_path(out_dir, r, kind) for r in batch.column("run_id").to_pylist()]
        present = [i for i, p in enumerate(paths) if p.name in on_disk]
        if not present:
            continue
        data, rows = READERS[kind]([paths[i] for i in present])
        # Each run's labels repeated over its rows: one vectorised take per batch.
        taken = batch.take(pa.array(np.repeat(np.array(present, dtype=np.int64), rows)))
        yield pa.Table.from_arrays([*taken.combine_chunks().columns, *data.columns],
                                   names=[*taken.column_names, *data.column_names])


def merge(out_dir: Path, labels: pa.Table, kind: str, target: Path,
          on_batch: Callable[[pa.Table], None] | None = None) -> int:
    """Write the per-run files of ``kind`` into one Parquet file, with their labels.

    ``labels`` has one row per finished run, in the order wanted (run-id order); its first
    column is ``run_id``, and its columns are put before the run's own. Reads
    :data:`MERGE_BATCH` runs at a time and hands each batch to ``on_batch`` as well (the
    summary is computed in the same pass). Returns the number of rows written; writes
    nothing when there is no file.
    """
    tmp = _temporary(target)
    writer: pq.ParquetWriter | None = None
    rows = 0
    try:
        for batch in _batches(out_dir, labels, kind):
            if writer is None:
                # Dictionary encoding pays only for the labels (a value per run, repeated):
                # on the run's own columns it makes writing and reading ~40% slower.
                writer = pq.ParquetWriter(tmp, batch.schema, use_dictionary=labels.column_names)
            elif batch.schema != writer.schema:
                batch = batch.cast(writer.schema)
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
