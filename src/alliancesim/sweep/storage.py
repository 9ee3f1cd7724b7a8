"""Per-run files written atomically, the list of finished runs, and their merge.

Each finished run is one small file in ``DIR/runs/``, written to a temporary name and renamed,
so a file is either whole or absent; a failed run leaves a JSON file with its error and
parameters instead. The files hold only what the run computed: the labels (run id,
condition, seed, varied parameters) are the same for every row of a run and follow from the
design, so the merge adds them, a batch of runs at a time, instead of every run writing
them. The merge follows the sweep, reading the files a batch of runs at a time as soon as
the batch is finished, so memory stays flat however many runs there are, and little merging
is left when the last run ends.

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
from collections.abc import Callable, Iterable
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
    partial = [*runs_dir(out_dir).glob(".*.tmp"), *out_dir.glob(".*.tmp")]
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


class RunMerge:
    """Writes the per-run files of ``kind`` into one Parquet file, with their labels, as the
    runs finish.

    ``labels`` has one row per run of the design, in the order wanted (run-id order); its
    first column is ``run_id``, and its columns are put before the run's own. Runs are told
    as settled (:meth:`settle`: finished or failed); as soon as the runs up to the next
    :data:`MERGE_BATCH` finished ones are all settled, that batch is read, labelled and
    written as one row group, and handed to ``on_batch`` too (the summary is computed in the
    same pass). So the merge keeps pace with the sweep instead of waiting for its end, and
    its batches (hence the file and the summary) are the same in whatever order the runs
    finish. Runs without a file of ``kind`` are left out (e.g. members of runs finished
    before ``--members`` was given).

    Use it as a context manager: on leaving, :meth:`close` merges what is left and puts the
    file in place (a file with no row is not written); after an error the partial file is
    deleted instead.
    """

    def __init__(self, out_dir: Path, labels: pa.Table, kind: str, target: Path,
                 on_batch: Callable[[pa.Table], None] | None = None) -> None:
        self.out_dir, self.labels, self.kind, self.target = out_dir, labels, kind, target
        self.on_batch = on_batch
        self.rows = 0
        run_ids = labels.column("run_id").to_pylist()
        self._position = {run_id: i for i, run_id in enumerate(run_ids)}
        self._paths = [run_path(out_dir, run_id, kind) for run_id in run_ids]
        self._finished = np.zeros(len(run_ids), bool)
        self._settled = np.zeros(len(run_ids), bool)
        self._next = 0  # the first run not yet looked at by the merge
        self._batch: list[int] = []  # finished runs looked at, not yet written
        self._tmp = _temporary(target)
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> RunMerge:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def settle(self, run_ids: Iterable[str], finished: bool = True) -> None:
        """Mark runs finished (or failed), and merge every batch that is then complete."""
        for run_id in run_ids:
            i = self._position[run_id]
            self._settled[i] = True
            self._finished[i] = finished
        self._advance()

    def settle_results(self, results: Iterable[tuple[str, bool]]) -> None:
        """:meth:`settle` with a chunk's ``(run_id, ok)`` pairs."""
        results = list(results)
        self.settle((r for r, ok in results if ok), finished=True)
        self.settle((r for r, ok in results if not ok), finished=False)

    def close(self) -> int:
        """Merge the finished runs left and put the file in place; returns its row count.

        Runs never settled are treated as not finished.
        """
        self._settled[:] = True
        self._advance()
        if self._batch:
            self._write(self._batch)
            self._batch = []
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            os.replace(self._tmp, self.target)
        return self.rows

    def abort(self) -> None:
        """Drop the partial file (a sweep cut short merges again when resumed)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._tmp.unlink(missing_ok=True)

    def _advance(self) -> None:
        settled, end = self._settled, len(self._settled)
        while self._next < end and settled[self._next]:
            if self._finished[self._next]:
                self._batch.append(self._next)
                if len(self._batch) == MERGE_BATCH:
                    self._write(self._batch)
                    self._batch = []
            self._next += 1

    def _write(self, positions: list[int]) -> None:
        present = [i for i in positions if self._paths[i].exists()]
        if not present:
            return
        data, rows = READERS[self.kind]([self._paths[i] for i in present])
        # Each run's labels repeated over its rows: one vectorised take per batch.
        taken = self.labels.take(pa.array(np.repeat(np.array(present, dtype=np.int64), rows)))
        batch = pa.Table.from_arrays([*taken.combine_chunks().columns, *data.columns],
                                     names=[*taken.column_names, *data.column_names])
        if self._writer is None:
            # Dictionary encoding pays only for the labels (a value per run, repeated): on
            # the run's own columns it makes writing and reading ~40% slower.
            self._writer = pq.ParquetWriter(self._tmp, batch.schema,
                                            use_dictionary=self.labels.column_names)
        elif batch.schema != self._writer.schema:
            batch = batch.cast(self._writer.schema)
        self._writer.write_table(batch)
        if self.on_batch is not None:
            self.on_batch(batch)
        self.rows += batch.num_rows
