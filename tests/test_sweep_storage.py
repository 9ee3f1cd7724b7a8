"""The merge of per-run files: it follows the runs as they finish, in any order, and gives
the same file as a merge of everything at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliancesim.sweep import storage

YEARS = 4


def _write_runs(out: Path, n: int) -> pa.Table:
    """``n`` runs' files, and their labels in run-id order."""
    storage.runs_dir(out).mkdir(parents=True, exist_ok=True)
    run_ids = [f"c0000-s{seed:08d}" for seed in range(n)]
    for seed, run_id in enumerate(run_ids):
        rng = np.random.default_rng(seed)
        storage.write_atomic_columns({"year": np.arange(2000, 2000 + YEARS),
                                      "value": rng.normal(size=YEARS)},
                                     storage.run_path(out, run_id))
    return pa.table({"run_id": run_ids, "condition": ["only"] * n,
                     "seed": pa.array(range(n), pa.int64())})


def _merge(out: Path, labels: pa.Table, target: Path, settlements: list[tuple[str, bool]],
           batches: list[pa.Table]) -> None:
    with storage.RunMerge(out, labels, "timeseries", target, batches.append) as merge:
        for start in range(0, len(settlements), 3):  # a few runs at a time, as chunks come
            merge.settle_results(settlements[start:start + 3])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 25), data=st.data())
def test_the_merge_is_the_same_whatever_order_the_runs_finish_in(tmp_path_factory, n, data):
    out = tmp_path_factory.mktemp("sweep")
    labels = _write_runs(out, n)
    failed = data.draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    for i in failed:  # a failed run has no file
        storage.run_path(out, labels["run_id"][i].as_py()).unlink()
    order = data.draw(st.permutations(range(n)))
    in_order, shuffled = [], []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "MERGE_BATCH", 3)
        settle = [(labels["run_id"][i].as_py(), i not in failed) for i in range(n)]
        _merge(out, labels, out / "a.parquet", settle, in_order)
        _merge(out, labels, out / "b.parquet", [settle[i] for i in order], shuffled)
    a, b = pq.ParquetFile(out / "a.parquet"), pq.ParquetFile(out / "b.parquet")
    assert a.read().equals(b.read())
    assert a.metadata.num_row_groups == b.metadata.num_row_groups == -(-(n - len(failed)) // 3)
    assert [t.to_pydict() for t in in_order] == [t.to_pydict() for t in shuffled]
    assert a.read().column("run_id").to_pylist() == [
        r for r, ok in settle if ok for _ in range(YEARS)]


def test_a_batch_is_written_as_soon_as_every_run_up_to_it_is_settled(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MERGE_BATCH", 4)
    labels = _write_runs(tmp_path, 10)
    ids = labels.column("run_id").to_pylist()
    merge = storage.RunMerge(tmp_path, labels, "timeseries", tmp_path / "runs.parquet")
    merge.settle([ids[1], ids[2], ids[3], ids[4]])
    assert merge.rows == 0  # the first run is still running
    merge.settle([ids[0]])
    assert merge.rows == 4 * YEARS
    merge.settle([ids[5]], finished=False)
    merge.settle(ids[6:9])
    assert merge.rows == 8 * YEARS  # runs 0-4 and 6-8, with the failed run 5 left out
    # Run 9 has a file but was never settled (a sweep cut short): it is not merged.
    assert merge.close() == 8 * YEARS
    assert pq.read_table(tmp_path / "runs.parquet").num_rows == 8 * YEARS


def test_a_merge_cut_short_leaves_no_partial_file(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MERGE_BATCH", 2)
    labels = _write_runs(tmp_path, 5)
    target = tmp_path / "runs.parquet"
    with pytest.raises(KeyboardInterrupt), storage.RunMerge(
            tmp_path, labels, "timeseries", target) as merge:
        merge.settle(labels.column("run_id").to_pylist()[:3])
        assert merge.rows > 0
        raise KeyboardInterrupt
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]


def test_resume_deletes_a_merge_file_cut_short_by_kill_9(tmp_path):
    labels = _write_runs(tmp_path, 3)
    merge = storage.RunMerge(tmp_path, labels, "timeseries", tmp_path / "runs.parquet")
    merge.settle(labels.column("run_id").to_pylist())
    merge.close()
    (tmp_path / ".runs.parquet.tmp").write_bytes(b"PAR1 cut short")
    assert storage.remove_partial_files(tmp_path) == 1
    assert not (tmp_path / ".runs.parquet.tmp").exists()
    assert (tmp_path / "runs.parquet").exists()
