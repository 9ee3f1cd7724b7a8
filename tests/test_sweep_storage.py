"""The merge of per-run files: it follows the runs as they finish, in any order, and gives
the same file as a merge of everything at the end."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliancesim.sweep import storage

YEARS = 4


def _write_runs(out: Path, n: int, failed: frozenset[int] = frozenset(),
               per_log: int = 4) -> tuple[pa.Table, storage.RunIndex]:
    """Logs of ``per_log`` runs each (the runs in ``failed`` have no frame), the runs'
    labels in run-id order, and the index of their frames."""
    storage.runs_dir(out).mkdir(parents=True, exist_ok=True)
    run_ids = [f"c0000-s{seed:08d}" for seed in range(n)]
    index = storage.RunIndex(out)
    for start in range(0, n, per_log):
        with storage.RunLog(out, run_ids[start]) as log:
            for seed in range(start, min(n, start + per_log)):
                if seed in failed:
                    continue
                rng = np.random.default_rng(seed)
                payload = storage.npy_bytes({"year": np.arange(2000, 2000 + YEARS),
                                             "value": rng.normal(size=YEARS)})
                index.add(run_ids[seed], {"timeseries": log.append(run_ids[seed],
                                                                   "timeseries", payload)})
    labels = pa.table({"run_id": run_ids, "condition": ["only"] * n,
                       "seed": pa.array(range(n), pa.int64())})
    return labels, index


def _merge(index: storage.RunIndex, labels: pa.Table, target: Path,
           settlements: list[tuple[str, bool]], batches: list[pa.Table]) -> None:
    with storage.RunMerge(index, labels, "timeseries", target, batches.append) as merge:
        for start in range(0, len(settlements), 3):  # a few runs at a time, as chunks come
            merge.settle_results(settlements[start:start + 3])


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


def test_a_batch_is_written_as_soon_as_every_run_up_to_it_is_settled(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MERGE_BATCH", 4)
    labels, index = _write_runs(tmp_path, 10)
    ids = labels.column("run_id").to_pylist()
    merge = storage.RunMerge(index, labels, "timeseries", tmp_path / "runs.parquet")
    merge.settle([ids[1], ids[2], ids[3], ids[4]])
    assert merge.rows == 0  # the first run is still running
    merge.settle([ids[0]])
    assert merge.rows == 4 * YEARS
    merge.settle([ids[5]], finished=False)
    merge.settle(ids[6:9])
    assert merge.rows == 8 * YEARS  # runs 0-4 and 6-8, with the failed run 5 left out
    # Run 9 has a frame but was never settled (a sweep cut short): it is not merged.
    assert merge.close() == 8 * YEARS
    assert pq.read_table(tmp_path / "runs.parquet").num_rows == 8 * YEARS


def test_a_merge_cut_short_leaves_no_partial_file(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MERGE_BATCH", 2)
    labels, index = _write_runs(tmp_path, 5)
    target = tmp_path / "runs.parquet"
    with pytest.raises(KeyboardInterrupt), storage.RunMerge(
            index, labels, "timeseries", target) as merge:
        merge.settle(labels.column("run_id").to_pylist()[:3])
        assert merge.rows > 0
        raise KeyboardInterrupt
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]


def test_resume_deletes_a_merge_file_cut_short_by_kill_9(tmp_path):
    labels, index = _write_runs(tmp_path, 3)
    merge = storage.RunMerge(index, labels, "timeseries", tmp_path / "runs.parquet")
    merge.settle(labels.column("run_id").to_pylist())
    merge.close()
    (tmp_path / ".runs.parquet.tmp").write_bytes(b"PAR1 cut short")
    assert storage.remove_partial_files(tmp_path) == 1
    assert not (tmp_path / ".runs.parquet.tmp").exists()
    assert (tmp_path / "runs.parquet").exists()


def test_scanning_the_logs_finds_every_frame_the_workers_reported(tmp_path):
    labels, index = _write_runs(tmp_path, 10, failed=frozenset({3}), per_log=4)
    assert len(list(storage.runs_dir(tmp_path).glob("*.log"))) == 3
    scanned = storage.RunIndex.scan(tmp_path)
    assert scanned.locations == index.locations
    assert scanned.finished() == set(labels["run_id"].to_pylist()) - {"c0000-s00000003"}


@pytest.mark.parametrize("cut", [1, storage.FRAME.size - 1, storage.FRAME.size + 5, 40])
def test_a_log_cut_short_mid_frame_keeps_its_whole_frames(tmp_path, cut):
    _, index = _write_runs(tmp_path, 3, per_log=3)
    (log,) = storage.runs_dir(tmp_path).glob("*.log")
    last = index.locations[("c0000-s00000002", "timeseries")]
    log.write_bytes(log.read_bytes()[:last.offset + cut])  # killed while writing the third
    assert storage.finished_run_ids(tmp_path) == {"c0000-s00000000", "c0000-s00000001"}


def test_a_corrupted_frame_is_not_taken_for_a_finished_run(tmp_path):
    _, index = _write_runs(tmp_path, 3, per_log=3)
    (log,) = storage.runs_dir(tmp_path).glob("*.log")
    data = bytearray(log.read_bytes())
    second = index.locations[("c0000-s00000001", "timeseries")]
    data[second.offset + second.size - 3] ^= 0xFF  # a byte of its payload
    log.write_bytes(bytes(data))
    assert storage.finished_run_ids(tmp_path) == {"c0000-s00000000"}
    with pytest.raises(ValueError, match="no whole frame"):
        index.payloads([("c0000-s00000001", "timeseries")])


def test_run_records_keep_every_value_and_type():
    columns = {"year": np.arange(2012, 2016), "count": np.array([0, 3, -1, 7]),
               "share": np.array([0.25, np.nan, np.inf, -0.0])}
    payload = storage.npy_bytes(columns)
    records = storage.parse_records(payload)
    assert records.dtype.names == tuple(columns)
    for name, values in columns.items():
        assert records[name].dtype == values.dtype
        np.testing.assert_array_equal(records[name], values)
    assert np.signbit(records["share"][3])
    plain = np.load(io.BytesIO(payload))  # the payload is a plain .npy file
    assert plain.dtype == records.dtype and plain.tobytes() == records.tobytes()
    with pytest.raises(ValueError, match="truncated"):
        storage.parse_records(payload[:-8])
    with pytest.raises(TypeError, match="numeric"):
        storage.npy_bytes({"member": np.array(["DEU"], dtype=object)})


def test_after_a_failed_write_the_next_runs_go_to_a_new_log(tmp_path, monkeypatch):
    storage.runs_dir(tmp_path).mkdir()
    payload = storage.npy_bytes({"year": np.arange(3)})
    real_write = storage.os.write
    with storage.RunLog(tmp_path, "c0000-s00000000") as log:
        log.append("c0000-s00000000", "timeseries", payload)

        def half_then_full(fd, data):  # half the frame reaches the file, then the disk is full
            real_write(fd, bytes(data[:len(data) // 2]))
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(storage.os, "write", half_then_full)
        with pytest.raises(OSError, match="No space"):
            log.append("c0000-s00000001", "timeseries", payload)
        monkeypatch.setattr(storage.os, "write", real_write)
        log.append("c0000-s00000002", "timeseries", payload)
    assert len(list(storage.runs_dir(tmp_path).glob("*.log"))) == 2
    assert storage.finished_run_ids(tmp_path) == {"c0000-s00000000", "c0000-s00000002"}
