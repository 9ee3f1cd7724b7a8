"""The sweep runner: designs, outputs, failures, resume after kill -9, workers and Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from alliancesim.cli import main
from alliancesim.config import ConfigError
from alliancesim.results import TIMESERIES_COLUMNS
from alliancesim.sweep import (
    Condition,
    Experiment,
    experiment_from_dict,
    load_experiment,
    run_experiment,
)

CANONICAL = ("framework_cohesion", "austerity_smart_defence", "us_pivot", "opinion_and_elites")
SMALL = {"scenario": "isaf", "years": 3, "replicates": {"count": 3, "base_seed": 5},
         "conditions": [{"name": "alliance"},
                        {"name": "coalition", "set": {"operation.framework": "coalition"}}]}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["run_id", "year"]).reset_index(drop=True)


def test_grid_expands_to_every_combination_with_stable_ids():
    exp = experiment_from_dict({"scenario": "baseline", "years": 2,
                                "replicates": {"seeds": [3, 5]},
                                "grid": {"opinion.elite_consensus": [0.3, 0.7],
                                         "smart_defence.pooling": [False, True]}})
    assert len(exp.conditions) == 4 and exp.seeds == [3, 5]
    assert exp.varied == ["opinion.elite_consensus", "smart_defence.pooling"]
    ids = [t.run_id for t in exp.tasks()]
    assert len(set(ids)) == 8 and ids == [t.run_id for t in exp.tasks()]
    assert all(dict(t.overrides)["run.end_year"] == 2014 for t in exp.tasks())


@pytest.mark.parametrize(("data", "fragment"), [
    ({**SMALL, "scenario": "atlantis"}, "scenario = 'atlantis'"),
    ({**SMALL, "conditions": [{"name": "x", "set": {"opinion.nonsense": 1}}]},
     "opinion.nonsense"),
    ({**SMALL, "conditions": [{"name": "x", "set": {"opinion.elite_consensus": 3.0}}]},
     "opinion.elite_consensus"),
    ({**SMALL, "replicates": {"count": 0}}, "replicates.count"),
    ({**SMALL, "grid": {"opinion.fatigue": [0.1]}}, "not both"),
    ({**SMALL, "colour": "red"}, "unknown key"),
])
def test_a_bad_design_is_rejected_before_any_run(data, fragment):
    with pytest.raises(ConfigError) as err:
        experiment_from_dict(data)
    assert fragment in str(err.value)


def test_bad_experiment_file_exits_2_without_traceback_or_runs(tmp_path):
    path = _write(tmp_path, 'scenario = "isaf"\n[grid]\n"opinion.elite_consensus" = [0.5, 9]\n')
    proc = subprocess.run([sys.executable, "-m", "alliancesim.cli", "sweep", str(path),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "opinion.elite_consensus" in proc.stderr and "9" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_sweep_writes_runs_summary_figures_and_provenance(tmp_path):
    exp = experiment_from_dict(SMALL)
    report = run_experiment(exp, tmp_path / "o", members=True, progress=False)
    assert report.n_runs == 6 and report.n_failed == 0
    out = tmp_path / "o"
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs.columns[:4]) == ["run_id", "condition", "seed", "operation.framework"]
    assert set(TIMESERIES_COLUMNS) <= set(runs.columns)
    assert len(runs) == 6 * 4 and set(runs["seed"]) == {5, 6, 7}
    assert set(runs.loc[runs["condition"] == "coalition", "operation.framework"]) == {
        "coalition"}
    members = pd.read_parquet(out / "members.parquet")
    assert {"run_id", "condition", "seed", "member", "burden_pct"} <= set(members.columns)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["condition", "year", "metric", "n", "mean", "sd",
                                     "ci_low", "ci_high"]
    row = summary.query("condition == 'alliance' and year == 2005 and "
                        "metric == 'troops_deployed'").iloc[0]
    values = runs.query("condition == 'alliance' and year == 2005")["troops_deployed"]
    assert row["n"] == 3 and row["mean"] == pytest.approx(values.mean())
    assert row["sd"] == pytest.approx(values.std(ddof=1))
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert (out / "figures" / "defections.png").read_bytes()[:4] == b"\x89PNG"
    meta = json.loads((out / "experiment.json").read_text())
    assert meta["status"] == "complete" and meta["design"]["seeds"] == [5, 6, 7]
    assert meta["mesa_version"].startswith("3.5")


def test_results_are_identical_whatever_the_number_of_workers(tmp_path):
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "one", workers=1, progress=False)
    run_experiment(exp, tmp_path / "two", workers=2, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "runs.parquet"),
                                  pd.read_parquet(tmp_path / "two" / "runs.parquet"))


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    from alliancesim.sweep import worker

    real = worker.AllianceModel

    def exploding(config, seed):
        if seed == 6:
            raise RuntimeError("boom at seed 6")
        return real(config, seed=seed)

    monkeypatch.setattr(worker, "AllianceModel", exploding)
    report = run_experiment(experiment_from_dict(SMALL), tmp_path / "o", progress=False)
    assert report.n_failed == 2  # seed 6 in both conditions
    assert {f["seed"] for f in report.failures} == {6}
    assert "boom at seed 6" in report.failures[0]["error"]
    runs = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    assert set(runs["seed"]) == {5, 7}
    meta = json.loads((tmp_path / "o" / "experiment.json").read_text())
    assert meta["status"] == "failures" and len(meta["failures"]) == 2
    # resuming after the fault is fixed runs just the failed ones
    monkeypatch.setattr(worker, "AllianceModel", real)
    again = run_experiment(experiment_from_dict(SMALL), tmp_path / "o", resume=True,
                           progress=False)
    assert again.n_failed == 0 and again.n_done_before == 4


def test_cli_exit_code_is_nonzero_when_runs_fail(tmp_path, monkeypatch, capsys):
    from alliancesim.sweep import worker

    monkeypatch.setattr(worker, "AllianceModel", lambda config, seed: 1 / 0)
    path = _write(tmp_path, 'scenario = "classroom"\nyears = 2\n[replicates]\ncount = 2\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_an_existing_output_folder_needs_resume_and_the_same_design(tmp_path):
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "o", progress=False)
    with pytest.raises(ConfigError, match="--resume"):
        run_experiment(exp, tmp_path / "o", progress=False)
    other = Experiment(scenario="isaf", seeds=[1], years=2, conditions=[Condition("a")])
    with pytest.raises(ConfigError, match="different experiment"):
        run_experiment(other, tmp_path / "o", resume=True, progress=False)


def test_kill_9_then_resume_completes_without_redoing_finished_runs(tmp_path):
    text = ('scenario = "isaf"\n[replicates]\ncount = 40\nbase_seed = 1\n'
            '[[conditions]]\nname = "alliance"\n'
            '[[conditions]]\nname = "coalition"\nset = { "operation.framework" = "coalition" }\n')
    path = _write(tmp_path, text)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "alliancesim.cli", "sweep", str(path),
                             "--out", str(out), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    runs = out / "runs"
    deadline = time.time() + 120
    while time.time() < deadline:
        if runs.is_dir() and len(list(runs.glob("*.arrow"))) >= 10:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, at once
    proc.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.arrow")}
    assert 10 <= len(finished) < 80 and not (out / "runs.parquet").exists()
    assert main(["sweep", str(path), "--out", str(out), "--resume"]) == 0
    for name, mtime in finished.items():  # finished runs were kept, not redone
        assert (runs / name).stat().st_mtime_ns == mtime
    resumed = pd.read_parquet(out / "runs.parquet")
    assert main(["sweep", str(path), "--out", str(tmp_path / "clean")]) == 0
    clean = pd.read_parquet(tmp_path / "clean" / "runs.parquet")
    assert len(resumed) == 80 * 12 and (resumed["run_id"].value_counts() == 12).all()
    pd.testing.assert_frame_equal(_sorted(resumed), _sorted(clean))
    pd.testing.assert_frame_equal(resumed, clean)


def test_dask_backend_on_a_local_cluster_gives_the_same_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "local", progress=False)
    run_experiment(exp, tmp_path / "dask", workers=2, backend="dask", progress=False)
    expected = pd.read_parquet(tmp_path / "local" / "runs.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / "runs.parquet"),
                                  expected)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run_experiment(exp, tmp_path / "remote", backend="dask",
                       scheduler=cluster.scheduler_address, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "remote" / "runs.parquet"),
                                  expected)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        run_experiment(experiment_from_dict(SMALL), tmp_path / "o", backend="dask",
                       scheduler="tcp://127.0.0.1:9", progress=False)


def test_canonical_experiments_are_valid_designs():
    root = Path(__file__).resolve().parents[1] / "experiments"
    for name in CANONICAL:
        exp = load_experiment(root / f"{name}.toml")
        assert len(exp.seeds) >= 20 and len(exp.conditions) >= 2
