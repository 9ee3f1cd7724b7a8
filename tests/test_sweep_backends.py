"""Same results whatever the number of workers or the backend; Dask on a real LocalCluster."""

from __future__ import annotations

import os
import threading

import pandas as pd
import pytest
from test_sweep import SMALL, run_experiment, write_experiment

from alliancesim import sweep
from alliancesim.cli import main
from alliancesim.config import ConfigError
from alliancesim.sweep import backends, experiment_from_dict, runner


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """runs.parquet and summary.csv of SMALL, run in this process."""
    out = tmp_path_factory.mktemp("reference") / "o"
    run_experiment(experiment_from_dict(SMALL), out)
    return pd.read_parquet(out / "runs.parquet"), pd.read_csv(out / "summary.csv")


def _assert_same(out, reference) -> None:
    runs, summary = reference
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), summary)


def test_results_are_identical_whatever_the_number_of_workers(tmp_path, reference):
    for workers in (2, 3):
        run_experiment(experiment_from_dict(SMALL), tmp_path / f"w{workers}", workers=workers)
        _assert_same(tmp_path / f"w{workers}", reference)


def test_a_sweep_leaves_no_thread_behind(tmp_path):
    before = set(threading.enumerate())
    sweep.run_experiment(experiment_from_dict(SMALL), tmp_path / "o", workers=2,
                         progress=True)
    assert set(threading.enumerate()) <= before  # the pool's, and tqdm's monitor, are gone


def test_no_more_workers_than_runs_and_a_warning_above_the_cpu_count(tmp_path, monkeypatch,
                                                                    capsys):
    opened = []
    real = runner.open_backend
    monkeypatch.setattr(runner, "open_backend",
                        lambda name, workers, scheduler: opened.append(workers) or real(
                            name, workers, scheduler))
    exp = experiment_from_dict({**SMALL, "replicates": {"count": 1, "base_seed": 5}})
    run_experiment(exp, tmp_path / "o", workers=1000)
    assert opened == [2]  # 2 runs: 2 workers, not 1000
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert main(["sweep", str(write_experiment(tmp_path)), "--out", str(tmp_path / "p"),
                 "--workers", "1000"]) == 0
    assert opened[-1] == 6
    assert capsys.readouterr().err.splitlines()[0] == (
        "warning: --workers 1000 is more than the 1 CPUs of this machine; the extra workers "
        "only share them")


def test_figures_are_drawn_by_the_workers_too(tmp_path, reference):
    run_experiment(experiment_from_dict(SMALL), tmp_path / "o", workers=2)
    one = run_experiment(experiment_from_dict(SMALL), tmp_path / "p")
    names = {p.name for p in (one.out_dir / "figures").glob("*.png")}
    assert names and names == {p.name for p in (tmp_path / "o" / "figures").glob("*.png")}


def test_dask_backend_on_a_cluster_it_starts_itself(tmp_path, reference):
    pytest.importorskip("distributed")
    path = write_experiment(tmp_path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "dask"), "--backend", "dask",
                 "--workers", "2"]) == 0
    _assert_same(tmp_path / "dask", reference)


def test_dask_backend_on_an_existing_cluster_by_its_address(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    path = write_experiment(tmp_path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert main(["sweep", str(path), "--out", str(tmp_path / "remote"), "--backend",
                     "dask", "--scheduler", cluster.scheduler_address]) == 0
        _assert_same(tmp_path / "remote", reference)
        with distributed.Client(cluster) as client:  # the user's cluster is left running
            assert client.submit(sum, [1, 2]).result() == 3


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(backends, "SCHEDULER_TIMEOUT", "1s")
    with pytest.raises(ConfigError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        run_experiment(experiment_from_dict(SMALL), tmp_path / "o", backend="dask",
                       scheduler="tcp://127.0.0.1:9")
