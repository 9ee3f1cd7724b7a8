"""The sweep's files: one Arrow file per finished chunk of runs, and their merge.

A worker runs a *chunk* of runs (up to 25) and, when the chunk is done, writes its runs as
one Arrow IPC file in ``DIR/runs/`` (``pandas.read_feather`` or ``pyarrow.ipc.open_file``
open it): ``<first run_id>-<random token>.timeseries.arrow``, one row per run-year, and with
``--members`` a ``.members.arrow`` file beside it. Each file is written under a temporary
name and renamed when complete, the timeseries file last: a chunk's runs are finished once
its timeseries file exists, so after a crash (even ``kill -9``) every run is either whole on
disk or absent, and ``--resume`` runs the absent ones. A failed run leaves
``<run_id>.error.json`` with its error and parameters instead.

The chunk files hold ``run_id`` and the run's own columns. The labels (condition, seed,
varied parameters) follow from the design, so the merge adds them while it concatenates the
runs, a batch of :data:`MERGE_BATCH` runs at a time in run-id order, into ``runs.parquet``
(and ``members.parquet``): memory stays flat however many runs there are, and the file is
the same whatever order the runs finished in.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import ConfigError

RUNS = "runs"
#: Runs merged into one Parquet row group (bounds memory, keeps row groups a useful size).
MERGE_BATCH = 200
#: The kinds of table a chunk holds; the last one marks its runs finished.
KINDS = ("members", "timeseries")
SUFFIX = ".arrow"

#: Where a run's rows are: the chunk file's name (without kind and suffix), first row, rows.
Location = tuple[str, int, int]


def runs_dir(out_dir: Path) -> Path:
    return out_dir / RUNS


def error_path(out_dir: Path, run_id: str) -> Path:
    return runs_dir(out_dir) / f"{run_id}.error.json"


def chunk_path(out_dir: Path, name: str, kind: str) -> Path:
    return runs_dir(out_dir) / f"{name}.{kind}{SUFFIX}"


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it if the block succeeds and deleted
    otherwise (e.g. on a full disk), so ``path`` is either complete or untouched."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str))


def check_resumable(out_dir: Path, manifest: Path, fingerprint: str, resume: bool, what: str,
                    changed: str, ignore: Collection[str] = ()) -> None:
    """Refuse to work in ``out_dir`` unless it is empty (but for ``ignore``), or ``resume``
    is set and ``manifest`` holds the same design ``fingerprint``.

    ``what`` names the work ("sweep"), ``changed`` what a different fingerprint means.
    """
    if not any(p.name not in ignore for p in out_dir.iterdir()):
        return
    if not resume:
        raise ConfigError(f"output folder {out_dir} is not empty; pass --resume to finish "
                          f"that {what}, or choose another --out")
    if not manifest.is_file():
        raise ConfigError(f"{out_dir} holds no {what} to resume (no {manifest.name})")
    if json.loads(manifest.read_text()).get("fingerprint") != fingerprint:
        raise ConfigError(f"{out_dir} holds a different {changed}; cannot resume it")


def write_chunk(out_dir: Path, tables: dict[str, pa.Table]) -> str:
    """Write a chunk's tables (by kind; each starts with ``run_id``, its runs contiguous)
    and return the chunk's name. The timeseries file comes last: it marks the runs finished.
    """
    first = tables["timeseries"].column("run_id")[0].as_py()
    name = f"{first}-{secrets.token_hex(6)}"  # unique, also when a chunk is run again
    for kind in KINDS:
        if kind in tables:
            with (atomic_path(chunk_path(out_dir, name, kind)) as tmp,
                  pa.ipc.new_file(tmp, tables[kind].schema) as writer):
                writer.write_table(tables[kind])
    return name


def read_chunk(out_dir: Path, name: str, kind: str) -> pa.Table:
    """A chunk file's table (memory-mapped: read without copying)."""
    with pa.memory_map(str(chunk_path(out_dir, name, kind))) as source:
        return pa.ipc.open_file(source).read_all()


def _runs_of(table: pa.Table) -> Iterator[tuple[str, int, int]]:
    """``(run_id, first row, rows)`` of each run of a chunk's table."""
    counts = pc.value_counts(table.column("run_id"))  # in order of first appearance
    ids, rows = counts.field("values").to_pylist(), counts.field("counts").to_numpy()
    starts = np.concatenate([[0], np.cumsum(rows)[:-1]])
    return zip(ids, starts.tolist(), rows.tolist(), strict=True)


class RunIndex:
    """Where each finished run's rows are, by kind: ``(run_id, kind)`` -> location.

    Filled by :meth:`add` as chunks finish, or by :meth:`scan` of the files on disk (resume).
    A run is finished when it is in a timeseries file. A run found twice (a chunk run again
    after its worker died) keeps its first location: both hold the same run.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.locations: dict[tuple[str, str], Location] = {}

    @classmethod
    def scan(cls, out_dir: Path) -> RunIndex:
        """The index of every chunk file in ``out_dir/runs`` (an unreadable one is left out:
        its runs count as not finished)."""
        index = cls(out_dir)
        folder = runs_dir(out_dir)
        if folder.is_dir():
            for path in sorted(folder.glob(f"*.timeseries{SUFFIX}")):
                index.add(path.name.removesuffix(f".timeseries{SUFFIX}"))
        return index

    def add(self, name: str) -> None:
        """Index a finished chunk's files."""
        for kind in KINDS:
            if not chunk_path(self.out_dir, name, kind).exists():
                continue
            try:
                table = read_chunk(self.out_dir, name, kind)
            except (OSError, pa.ArrowInvalid):
                if kind == "timeseries":
                    return  # e.g. cut short by a power cut: its runs run again
                continue
            for run_id, start, rows in _runs_of(table):
                self.locations.setdefault((run_id, kind), (name, start, rows))

    def finished(self) -> set[str]:
        """The runs whose timeseries rows are on disk."""
        return {run_id for run_id, kind in self.locations if kind == "timeseries"}

    def read(self, keys: list[tuple[str, str]]) -> tuple[pa.Table, list[int]]:
        """The rows of these runs (of one kind) as one table without ``run_id``, and the
        number of rows of each run; each chunk file is opened once."""
        tables: dict[tuple[str, str], pa.Table] = {}
        parts = []
        for run_id, kind in keys:
            name, start, rows = self.locations[(run_id, kind)]
            if (name, kind) not in tables:
                tables[(name, kind)] = read_chunk(self.out_dir, name, kind).drop_columns(
                    ["run_id"])
            parts.append(tables[(name, kind)].slice(start, rows))
        data = pa.concat_tables(parts, promote_options="permissive").combine_chunks()
        return data, [part.num_rows for part in parts]


def remove_partial_files(out_dir: Path) -> int:
    """Delete what writes cut short by a crash left: temporary files, and members files
    of chunks whose timeseries file was never put in place. Returns how many."""
    folder = runs_dir(out_dir)
    partial = [*folder.glob(".*.tmp"), *out_dir.glob(".*.tmp"),
               *(p for p in folder.glob(f"*.members{SUFFIX}") if not p.with_name(
                   p.name.replace(f".members{SUFFIX}", f".timeseries{SUFFIX}")).exists())]
    for path in partial:
        if path.is_dir():  # the figures' temporary folder
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return len(partial)


def finished_run_ids(out_dir: Path) -> set[str]:
    """Runs whose timeseries rows are on disk."""
    return RunIndex.scan(out_dir).finished()


def failed_runs(out_dir: Path) -> list[dict[str, Any]]:
    """The error records of failed runs, by run id."""
    folder = runs_dir(out_dir)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.error.json"))]


class RunMerge:
    """Writes the runs' rows of ``kind`` into one Parquet file, with their labels, as the
    runs finish.

    ``labels`` has one row per run of the design, in the order wanted (run-id order); its
    first column is ``run_id``, and its columns are put before the run's own. Runs are told
    as settled (:meth:`settle`: finished or failed); as soon as the runs up to the next
    :data:`MERGE_BATCH` finished ones are all settled, that batch is read, labelled and
    written as one row group, and handed to ``on_batch`` too (the summary is computed in the
    same pass). So the merge keeps pace with the sweep instead of waiting for its end, and
    its batches (hence the file and the summary) are the same in whatever order the runs
    finish. Runs without rows of ``kind`` in ``index`` are left out (e.g. members of runs
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
        self._tmp = target.with_name(f".{target.name}.tmp")
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> RunMerge:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def settle(self, outcomes: Iterable[tuple[str, bool]]) -> None:
        """Mark runs finished or failed (``(run_id, ok)`` pairs), and merge every batch
        that is then complete."""
        for run_id, finished in outcomes:
            i = self._position[run_id]
            self._settled[i] = True
            self._finished[i] = finished
        self._advance()

    def close(self) -> int:
        """Merge the finished runs left and put the file in place; returns its row count.

        Runs never settled are treated as not finished.
        """
        try:
            self._settled[:] = True
            self._advance()
            if self._batch:
                self._write(self._batch)
                self._batch = []
            if self._writer is not None:
                self._writer.close()
                self._writer = None
                os.replace(self._tmp, self.target)
        except BaseException:
            self.abort()
            raise
        return self.rows

    def abort(self) -> None:
        """Drop the partial file (a sweep cut short merges again when resumed)."""
        if self._writer is not None:
            with suppress(OSError):  # e.g. a full disk: the file is deleted anyway
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
        data, rows = self.index.read([key for _, key in found])
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
