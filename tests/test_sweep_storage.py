"""Chunk files and their merge: every run is whole on disk or absent, and the merge follows
the runs as they finish, in any order, giving the same file as a merge at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliancesim.sweep import storage

YEARS = 4


def _chunk(run_ids: list[str], seeds: list[int]) -> pa.Table:
    """A chunk's timeseries table: YEARS rows per run, with random values."""
    parts = [pa.table({"run_id": [run_id] * YEARS, "year": np.arange(2000, 2000 + YEARS),
                       "value": np.random.default_rng(seed).normal(size=YEARS)})
             for run_id, seed in zip(run_ids, seeds, strict=True)]
    return pa.concat_tables(parts)


def _write_runs(out: Path, n: int, failed: frozenset[int] = frozenset(),
               per_chunk: int = 4) -> tuple[pa.Table, storage.RunIndex]:
    """Chunk files of ``per_chunk`` runs each (the runs in ``failed`` are left out), the
    runs' labels in run-id order, and the index of the chunks."""
    storage.runs_dir(out).mkdir(parents=True, exist_ok=True)
    run_ids = [f"c0000-s{seed:08d}" for seed in range(n)]
    index = storage.RunIndex(out)
    for start in range(0, n, per_chunk):
        seeds = [s for s in range(start, min(n, start + per_chunk)) if s not in failed]
        if seeds:
            index.add(storage.write_chunk(out, {"timeseries": _chunk(
                [run_ids[s] for s in seeds], seeds)}))
    labels = pa.table({"run_id": run_ids, "condition": ["only"] * n,
                       "seed": pa.array(range(n), pa.int64())})
    return labels, index


def _merge(index: storage.RunIndex, labels: pa.Table, target: Path,
           settlements: list[tuple[str, bool]], batches: list[pa.Table]) -> None:
    with storage.RunMerge(index, labels, "timeseries", target, batches.append) as merge:
        for start in range(0, len(settlements), 3):  # a few runs at a time, as chunks come
            merge.settle(settlements[start:start + 3])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 25), data=st.data())
def test_the_merge_is_the_same_whatever_order_the_runs_finish_in(tmp_path_factory, n, data):
    out = tmp_path_factory.mktemp("sweep")
    failed = frozenset(data.draw(st.sets(st.integers(0, n - 1), max_size=n - 1)))
    labels, index = _write_runs(out, n, failed)
    order = data.draw(st.permutations(range(n)))
    in_order, shuffled = [], []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "MERGE_BATCH", 3)
        settle = [(labels["run_id"][i].as_py(), i not in failed) for i in range(n)]
        _merge(index, labels, out / "a.parquet", settle, in_order)
        _merge(index, labels, out / "b.parquet", [settle[i] for i in order], shuffled)
    a, b = pq.ParquetFile(out / "a.parquet"), pq.ParquetFile(out / "b.parquet")
    assert a.read().equals(b.read())
    assert a.metadata.num_row_groups == b.metadata.num_row_groups == -(-(n - len(failed)) // 3)
    assert [t.to_pydict() for t in in_order] == [t.to_pydict() for t in shuffled]
    assert a.read().column("run_id").to_pylist() == [
        r for r, ok in settle if ok for _ in range(YEARS)]


def _ok(run_ids: list[str], ok: bool = True) -> list[tuple[str, bool]]:
    return [(run_id, ok) for run_id in run_ids]


def test_a_batch_is_written_as_soon_as_every_run_up_to_it_is_settled(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MERGE_BATCH", 4)
    labels, index = _write_runs(tmp_path, 10)
    ids = labels.column("run_id").to_pylist()
    merge = storage.RunMerge(index, labels, "timeseries", tmp_path / "runs.parquet")
    merge.settle(_ok(ids[1:5]))
    assert merge.rows == 0  # the first run is still running
    merge.settle(_ok([ids[0]]))
    assert merge.rows == 4 * YEARS
    merge.settle(_ok([ids[5]], ok=False))
    merge.settle(_ok(ids[6:9]))
    assert merge.rows == 8 * YEARS  # runs 0-4 and 6-8, with the failed run 5 left out
    # Run 9 is on disk but was never settled (a sweep cut short): it is not merged.
    assert merge.close() == 8 * YEARS
    assert pq.read_table(tmp_path / "runs.parquet").num_rows == 8 * YEARS


def test_a_merge_cut_short_leaves_no_partial_file(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MERGE_BATCH", 2)
    labels, index = _write_runs(tmp_path, 5)
    target = tmp_path / "runs.parquet"
    with pytest.raises(KeyboardInterrupt), storage.RunMerge(
            index, labels, "timeseries", target) as merge:
        merge.settle(_ok(labels.column("run_id").to_pylist()[:3]))
        assert merge.rows > 0
        raise KeyboardInterrupt
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]


def test_resume_deletes_what_writes_cut_short_by_kill_9_left(tmp_path):
    labels, index = _write_runs(tmp_path, 3)
    with storage.RunMerge(index, labels, "timeseries", tmp_path / "runs.parquet") as merge:
        merge.settle(_ok(labels.column("run_id").to_pylist()))
    runs = storage.runs_dir(tmp_path)
    (tmp_path / ".runs.parquet.tmp").write_bytes(b"PAR1 cut short")  # killed while merging
    (runs / ".c0000-s00000009-abc.timeseries.arrow.tmp").write_bytes(b"ARROW1")  # writing
    # Killed between putting a chunk's members file in place and its timeseries file:
    (runs / "c0000-s00000009-abc.members.arrow").write_bytes(b"ARROW1")
    (tmp_path / ".figures.tmp").mkdir()
    assert storage.remove_partial_files(tmp_path) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "runs.parquet"]
    assert len(list(runs.iterdir())) == 1
    assert storage.RunIndex.scan(tmp_path).locations == index.locations


def test_scanning_the_files_finds_every_chunk_the_workers_reported(tmp_path):
    labels, index = _write_runs(tmp_path, 10, failed=frozenset({3}), per_chunk=4)
    assert len(list(storage.runs_dir(tmp_path).glob("*.timeseries.arrow"))) == 3
    scanned = storage.RunIndex.scan(tmp_path)
    assert scanned.locations == index.locations
    assert scanned.finished() == set(labels["run_id"].to_pylist()) - {"c0000-s00000003"}


def test_chunk_files_are_plain_arrow_files_pandas_can_read(tmp_path):
    _write_runs(tmp_path, 3, per_chunk=3)
    (path,) = storage.runs_dir(tmp_path).glob("*.timeseries.arrow")
    frame = pd.read_feather(path)
    assert list(frame.columns) == ["run_id", "year", "value"] and len(frame) == 3 * YEARS
    np.testing.assert_array_equal(frame.loc[frame["run_id"] == "c0000-s00000001", "value"],
                                  np.random.default_rng(1).normal(size=YEARS))


def test_an_unreadable_chunk_file_counts_as_not_finished(tmp_path):
    # e.g. a power cut after the rename but before the data reached the disk
    _write_runs(tmp_path, 6, per_chunk=3)
    _, second = sorted(storage.runs_dir(tmp_path).glob("*.timeseries.arrow"))
    second.write_bytes(second.read_bytes()[:100])
    assert storage.finished_run_ids(tmp_path) == {f"c0000-s{s:08d}" for s in range(3)}


def test_a_chunk_that_cannot_be_written_leaves_no_file(tmp_path, monkeypatch):
    storage.runs_dir(tmp_path).mkdir()
    real_new_file = pa.ipc.new_file

    def full_disk(sink, schema):  # a few bytes reach the file, then the disk is full
        Path(sink).write_bytes(b"ARROW1")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pa.ipc, "new_file", full_disk)
    with pytest.raises(OSError, match="No space"):
        storage.write_chunk(tmp_path, {"timeseries": _chunk(["c0000-s00000000"], [0])})
    assert list(storage.runs_dir(tmp_path).iterdir()) == []
    monkeypatch.setattr(pa.ipc, "new_file", real_new_file)
    storage.write_chunk(tmp_path, {"timeseries": _chunk(["c0000-s00000000"], [0])})
    assert storage.finished_run_ids(tmp_path) == {"c0000-s00000000"}
