"""Run logs written as runs finish, the index of finished runs, and their merge.

Each chunk of runs a worker takes writes one append-only *run log* in ``DIR/runs/``; each run
is appended as one frame as soon as it finishes. A frame is self-checking (length and CRC32),
so after a crash, even ``kill -9`` mid-write, a log holds whole frames and at most one frame
cut short, which readers ignore: every run is either whole or absent. One file per chunk
instead of one per run matters where creating a file is slow: on network and parallel file
systems of clusters (and on some virtual disks) a file creation costs ~0.1-1 ms, as much as
a tenth of a run. A failed run leaves a JSON file with its error and parameters instead.

The frames hold only what the run computed: the labels (run id, condition, seed, varied
parameters) are the same for every row of a run and follow from the design, so the merge
adds them, a batch of runs at a time. The merge follows the sweep, reading a batch of runs as
soon as the batch is finished, so memory stays flat however many runs there are, and little
merging is left when the last run ends.

A frame's payload is, by kind:

* ``timeseries``: a NumPy ``.npy`` file (version 1.0) of one record per year (every column
  is numeric). Writing it is a header (made once per column layout and length) and one
  buffer, several times cheaper than an Arrow file; it is appended last for a run, so its
  presence marks the run finished.
* ``members``: with ``--members``, the member table as an Arrow IPC file (it has string
  columns, which ``.npy`` cannot hold without pickling).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RUNS = "runs"
#: Runs merged into one Parquet row group (bounds memory, keeps row groups a useful size).
MERGE_BATCH = 200
#: The suffix of run logs.
LOG_SUFFIX = ".log"
#: The kinds of frame, and their code in a frame's header.
KINDS = {"timeseries": 0, "members": 1}
KIND_NAMES = {code: name for name, code in KINDS.items()}
#: A frame's header: magic, kind, run id length, payload length, CRC32 of run id + payload;
#: then the run id (UTF-8) and the payload.
FRAME = struct.Struct("<4sBHII")
FRAME_MAGIC = b"ASR1"
#: The first bytes of an .npy file of format version 1.0 (the only version written here).
NPY_MAGIC = b"\x93NUMPY\x01\x00"


def runs_dir(out_dir: Path) -> Path:
    return out_dir / RUNS


def error_path(out_dir: Path, run_id: str) -> Path:
    return runs_dir(out_dir) / f"{run_id}.error.json"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


# --------------------------------------------------------------------------- payloads


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


def npy_bytes(columns: dict[str, np.ndarray]) -> bytes:
    """Equal-length numeric columns as the bytes of an .npy file of records."""
    dtype = _record_dtype(tuple((name, values.dtype.str) for name, values in columns.items()))
    if dtype.hasobject:
        raise TypeError("run columns must be numeric; an object column cannot be written")
    rows = len(next(iter(columns.values())))
    records = np.empty(rows, dtype)
    for name, values in columns.items():
        records[name] = values
    return _npy_header(dtype, rows) + records.tobytes()


@lru_cache(maxsize=256)
def _parse_npy_header(header: bytes) -> tuple[np.dtype, int]:
    """The dtype and length of an .npy header, from its length field on.

    Parsing one costs ~0.3 ms, as much as the rest of reading a run: done once each.
    """
    shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(io.BytesIO(header))
    if fortran_order or len(shape) != 1:
        raise ValueError("not a run's records: expected a one-dimensional array of records")
    return dtype, shape[0]


def parse_records(data: bytes | memoryview) -> np.ndarray:
    """The records of what :func:`npy_bytes` wrote (read-only, no copy)."""
    data = memoryview(data)
    if bytes(data[:len(NPY_MAGIC)]) != NPY_MAGIC:
        raise ValueError("not an .npy file of version 1.0")
    at = len(NPY_MAGIC)  # then the header's length (2 bytes, little-endian) and the header
    start = at + 2 + int.from_bytes(data[at:at + 2], "little")
    dtype, rows = _parse_npy_header(bytes(data[at:start]))
    if len(data) != start + rows * dtype.itemsize:
        raise ValueError("the records are truncated or have trailing bytes")
    return np.frombuffer(data, dtype, count=rows, offset=start)


def arrow_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of an Arrow IPC file."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


# --------------------------------------------------------------------------- run logs


@dataclass(frozen=True, slots=True)
class Location:
    """Where a frame is: its log's file name in ``runs/``, its offset and total size."""

    log: str
    offset: int
    size: int


def _frame(run_id: str, kind: str, payload: bytes) -> bytes:
    key = run_id.encode()
    crc = zlib.crc32(payload, zlib.crc32(key))
    return FRAME.pack(FRAME_MAGIC, KINDS[kind], len(key), len(payload), crc) + key + payload


class RunLog:
    """The append-only log of one chunk of runs, created on its first frame.

    Its name is the chunk's first run id and a random token, so that it is unique among
    the workers of a sweep, on however many machines, and of the sweeps resuming it (a
    chunk retried after its worker died gets a log of its own): a log is only ever written
    by one chunk.
    """

    def __init__(self, out_dir: Path, first_run_id: str) -> None:
        self._folder, self._first = runs_dir(out_dir), first_run_id
        self._fd: int | None = None
        self._start_file()

    def _start_file(self) -> None:
        self.name = f"{self._first}-{secrets.token_hex(6)}{LOG_SUFFIX}"
        self.path = self._folder / self.name
        self._size = 0

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def append(self, run_id: str, kind: str, payload: bytes) -> Location:
        """Append one frame (one write, so it reaches the file whole unless the process
        dies mid-write); returns where it is. A failed write (e.g. a full disk) raises, and
        the next frame starts a new file."""
        frame = memoryview(_frame(run_id, kind, payload))
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND,
                               0o644)
        location = Location(self.name, self._size, len(frame))
        try:
            while frame:
                frame = frame[os.write(self._fd, frame):]
        except OSError:
            # Part of the frame may be in the file, and readers stop there: the runs that
            # follow go to a new file.
            self.close()
            self._start_file()
            raise
        self._size += location.size
        return location

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _payload(data: memoryview, at: int) -> tuple[str, str, memoryview, int] | None:
    """The frame at ``at`` of a log's bytes: run id, kind, payload and the frame's size;
    None where no whole frame starts (the end of the log, or a frame cut short)."""
    if len(data) - at < FRAME.size:
        return None
    magic, kind, key_size, payload_size, crc = FRAME.unpack_from(data, at)
    start = at + FRAME.size
    end = start + key_size + payload_size
    if magic != FRAME_MAGIC or end > len(data) or kind not in KIND_NAMES:
        return None
    key, payload = data[start:start + key_size], data[start + key_size:end]
    if zlib.crc32(payload, zlib.crc32(key)) != crc:
        return None
    return bytes(key).decode(), KIND_NAMES[kind], payload, end - at


def frames(path: Path) -> Iterator[tuple[str, str, Location]]:
    """``(run_id, kind, location)`` of each whole frame of a log, up to one cut short."""
    data = memoryview(path.read_bytes())
    at = 0
    while (frame := _payload(data, at)) is not None:
        run_id, kind, _, size = frame
        yield run_id, kind, Location(path.name, at, size)
        at += size


def read_frame(data: bytes | memoryview, location: Location) -> memoryview:
    """The payload of the frame at ``location`` in its log's bytes ``data``."""
    frame = _payload(memoryview(data), location.offset)
    if frame is None or frame[3] != location.size:
        raise ValueError(f"run log {location.log}: no whole frame at byte {location.offset}")
    return frame[2]


class RunIndex:
    """Where the frames of the runs are: ``(run_id, kind)`` -> :class:`Location`.

    Filled from the results the workers send back, or by :meth:`scan` of the logs on disk
    (resume). A run is finished when its timeseries frame is there. A run found twice (a
    chunk retried after its worker died) keeps its first frame: both are the same run.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.locations: dict[tuple[str, str], Location] = {}

    @classmethod
    def scan(cls, out_dir: Path) -> RunIndex:
        """The index of every whole frame of the logs in ``out_dir/runs``."""
        index = cls(out_dir)
        folder = runs_dir(out_dir)
        if not folder.is_dir():
            return index
        for path in sorted(folder.glob(f"*{LOG_SUFFIX}")):
            for run_id, kind, location in frames(path):
                index.locations.setdefault((run_id, kind), location)
        return index

    def add(self, run_id: str, locations: dict[str, Location]) -> None:
        for kind, location in locations.items():
            self.locations.setdefault((run_id, kind), location)

    def finished(self) -> set[str]:
        """The runs whose timeseries frame is in a log."""
        return {run_id for run_id, kind in self.locations if kind == "timeseries"}

    def payloads(self, keys: list[tuple[str, str]]) -> list[memoryview]:
        """The payloads of these frames, reading each log once."""
        by_log: dict[str, bytes] = {}
        out = []
        for key in keys:
            location = self.locations[key]
            if location.log not in by_log:
                by_log[location.log] = (runs_dir(self.out_dir) / location.log).read_bytes()
            out.append(read_frame(by_log[location.log], location))
        return out


# --------------------------------------------------------------------------- other files


def write_atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)


def remove_partial_files(out_dir: Path) -> int:
    """Delete the temporary files of writes cut short by a crash; returns how many.

    (A run log cut short needs nothing: readers stop at its last whole frame.)
    """
    partial = [*runs_dir(out_dir).glob(".*.tmp"), *out_dir.glob(".*.tmp")]
    for path in partial:
        path.unlink(missing_ok=True)
    return len(partial)


def finished_run_ids(out_dir: Path) -> set[str]:
    """Runs whose timeseries frame is whole in a log on disk."""
    return RunIndex.scan(out_dir).finished()


def failed_runs(out_dir: Path) -> list[dict[str, Any]]:
    """The error records of failed runs, by run id."""
    folder = runs_dir(out_dir)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.error.json"))]


# --------------------------------------------------------------------------- reading


def _read_timeseries(payloads: list[memoryview]) -> tuple[pa.Table, list[int]]:
    """The runs' records as one table (a contiguous chunk per column), and rows per run."""
    parts = [parse_records(p) for p in payloads]
    dtype = parts[0].dtype
    # Joined as bytes: numpy concatenates records field by field in Python, ~0.1 ms a run.
    records = np.concatenate([(r if r.dtype == dtype else r.astype(dtype)).view(np.uint8)
                              for r in parts]).view(dtype)
    table = pa.table({name: np.ascontiguousarray(records[name]) for name in dtype.names})
    return table, [len(r) for r in parts]


def _read_arrow(payloads: list[memoryview]) -> tuple[pa.Table, list[int]]:
    """The runs' Arrow files as one table (a contiguous chunk per column), and rows per run."""
    tables = [pa.ipc.open_file(pa.py_buffer(p)).read_all() for p in payloads]
    return pa.concat_tables(tables, promote_options="permissive").combine_chunks(), [
        t.num_rows for t in tables]


READERS: dict[str, Callable[[list[memoryview]], tuple[pa.Table, list[int]]]] = {
    "timeseries": _read_timeseries, "members": _read_arrow}


# --------------------------------------------------------------------------- merging


class RunMerge:
    """Writes the runs' frames of ``kind`` into one Parquet file, with their labels, as the
    runs finish.

    ``labels`` has one row per run of the design, in the order wanted (run-id order); its
    first column is ``run_id``, and its columns are put before the run's own. Runs are told
    as settled (:meth:`settle`: finished or failed); as soon as the runs up to the next
    :data:`MERGE_BATCH` finished ones are all settled, that batch is read, labelled and
    written as one row group, and handed to ``on_batch`` too (the summary is computed in the
    same pass). So the merge keeps pace with the sweep instead of waiting for its end, and
    its batches (hence the file and the summary) are the same in whatever order the runs
    finish. Runs without a frame of ``kind`` in ``index`` are left out (e.g. members of runs
    finished before ``--members`` was given).

    Use it as a context manager: on leaving, :meth:`close` merges what is left and puts the
    file in place (a file with no row is not written); after an error the partial file is
    deleted instead.
    """

    def __init__(self, index: RunIndex, labels: pa.Table, kind: str, target: Path,
                 on_batch: Callable[[pa.Table], None] | None = None) -> None:
        self.index, self.labels, self.kind, self.target = index, labels, kind, target
        self.on_batch = on_batch
        self.rows = 0
        self._run_ids = labels.column("run_id").to_pylist()
        self._position = {run_id: i for i, run_id in enumerate(self._run_ids)}
        self._finished = np.zeros(len(self._run_ids), bool)
        self._settled = np.zeros(len(self._run_ids), bool)
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
        self._mark((run_id, finished) for run_id in run_ids)

    def settle_results(self, results: Iterable[tuple[Any, ...]]) -> None:
        """:meth:`settle` with a chunk's results, each starting ``(run_id, ok)``."""
        self._mark((result[0], result[1]) for result in results)

    def _mark(self, outcomes: Iterable[tuple[str, bool]]) -> None:
        for run_id, finished in outcomes:
            i = self._position[run_id]
            self._settled[i] = True
            self._finished[i] = finished
        self._advance()

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
        found = [(i, (self._run_ids[i], self.kind)) for i in positions]
        found = [(i, key) for i, key in found if key in self.index.locations]
        if not found:
            return
        present = [i for i, _ in found]
        data, rows = READERS[self.kind](self.index.payloads([key for _, key in found]))
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
