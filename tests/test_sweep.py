"""The sweep's outputs and command line: runs.parquet, members, summary, figures, provenance."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from alliancesim.cli import main
from alliancesim.config import ConfigError
from alliancesim.results import TIMESERIES_COLUMNS
from alliancesim.sweep import Condition, Experiment, experiment_from_dict, load_experiment, storage
from alliancesim.sweep import run_experiment as _run_experiment
from alliancesim.sweep.figures import HEADLINE_METRICS, write_sweep_figures

CANONICAL = ("framework_cohesion", "austerity_smart_defence", "us_pivot", "opinion_and_elites")
#: A small design used by the sweep tests: 2 conditions x 3 seeds of a 3-year ISAF replay.
SMALL = {"scenario": "isaf", "years": 3, "replicates": {"count": 3, "base_seed": 5},
         "conditions": [{"name": "alliance"},
                        {"name": "coalition", "set": {"operation.framework": "coalition"}}]}
SMALL_TOML = """scenario = "isaf"
years = 3
[replicates]
count = 3
base_seed = 5
[[conditions]]
name = "alliance"
[[conditions]]
name = "coalition"
set = { "operation.framework" = "coalition" }
"""


def run_experiment(*args, **kwargs):
    """The runner without a progress bar (tests are not a terminal anyway)."""
    return _run_experiment(*args, progress=False, **kwargs)


def write_experiment(tmp_path: Path, text: str = SMALL_TOML) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


def cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``alliancesim ARGS`` in a fresh process, as a user types it."""
    return subprocess.run([sys.executable, "-m", "alliancesim.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


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
    path = write_experiment(tmp_path, 'scenario = "isaf"\n[grid]\n'
                                      '"opinion.elite_consensus" = [0.5, 9]\n')
    proc = cli("sweep", str(path), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "opinion.elite_consensus" in proc.stderr and "9" in proc.stderr
    assert "[0.0, 1.0]" in proc.stderr or "[0, 1]" in proc.stderr  # what is allowed
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("options", "fragment"), [
    (["--workers", "0"], "--workers = 0"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler ADDRESS goes with --backend dask"),
])
def test_bad_options_exit_2_before_any_run(tmp_path, options, fragment, capsys):
    path = write_experiment(tmp_path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), *options]) == 2
    assert fragment in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_missing_experiment_file_exits_2(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "experiment file not found" in capsys.readouterr().err


def test_sweep_writes_runs_summary_figures_and_provenance(tmp_path):
    exp = experiment_from_dict(SMALL)
    report = run_experiment(exp, tmp_path / "o", members=True)
    assert report.n_runs == 6 and report.n_failed == 0
    out = tmp_path / "o"
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs.columns[:4]) == ["run_id", "condition", "seed", "operation.framework"]
    assert list(runs.columns[4:]) == list(TIMESERIES_COLUMNS)
    assert len(runs) == 6 * 4 and set(runs["seed"]) == {5, 6, 7}
    assert runs["run_id"].is_monotonic_increasing
    assert set(runs.loc[runs["condition"] == "coalition", "operation.framework"]) == {
        "coalition"}
    members = pd.read_parquet(out / "members.parquet")
    assert {"run_id", "condition", "seed", "member", "burden_pct"} <= set(members.columns)
    assert members.groupby("run_id")["year"].nunique().eq(4).all()
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["condition", "year", "metric", "n", "mean", "sd",
                                     "ci_low", "ci_high"]
    row = summary.query("condition == 'alliance' and year == 2005 and "
                        "metric == 'troops_deployed'").iloc[0]
    values = runs.query("condition == 'alliance' and year == 2005")["troops_deployed"]
    assert row["n"] == 3 and row["mean"] == pytest.approx(values.mean())
    assert row["sd"] == pytest.approx(values.std(ddof=1))
    half = 4.302653 * values.std(ddof=1) / 3 ** 0.5  # t(0.975, 2 dof)
    assert row["ci_low"] == pytest.approx(values.mean() - half)
    assert row["ci_high"] == pytest.approx(values.mean() + half)
    figures = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert "defections" in figures and set(figures) <= set(HEADLINE_METRICS)
    assert (out / "figures" / "defections.png").read_bytes()[:4] == b"\x89PNG"
    meta = json.loads((out / "experiment.json").read_text())
    assert meta["status"] == "complete" and meta["design"]["seeds"] == [5, 6, 7]
    assert meta["design"]["varied"] == ["operation.framework"]
    assert meta["mesa_version"].startswith("3.5") and meta["alliancesim_version"]


def test_runs_equal_single_runs_in_this_process(tmp_path):
    from alliancesim.sweep import run_one

    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "o")
    runs = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    alone = run_one(exp.config_for(exp.conditions[1]), seed=6)
    swept = runs[(runs["condition"] == "coalition") & (runs["seed"] == 6)]
    pd.testing.assert_frame_equal(swept[list(alone.columns)].reset_index(drop=True),
                                  alone.reset_index(drop=True), check_dtype=False)


def test_labels_are_each_runs_config_values_however_long_the_run(tmp_path):
    exp = Experiment(scenario="classroom", seeds=[2, 1], conditions=[
        Condition("short", {"run.end_year": 2022, "opinion.elite_consensus": 1}),
        Condition("long", {"run.end_year": 2024, "economy.shock_scope": "europe"})])
    run_experiment(exp, tmp_path / "o", members=True)
    runs = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    assert list(runs.columns[:6]) == ["run_id", "condition", "seed", "run.end_year",
                                      "opinion.elite_consensus", "economy.shock_scope"]
    assert runs["run.end_year"].dtype == np.int64 and runs["seed"].dtype == np.int64
    assert runs["opinion.elite_consensus"].dtype == np.float64  # 1 given, 1.0 in the config
    for condition in exp.conditions:
        config = exp.config_for(condition)
        rows = runs[runs["condition"] == condition.name]
        assert sorted(set(rows["seed"])) == [1, 2]
        assert (rows.groupby("seed")["year"].agg(list) == [list(range(
            config.run.start_year, config.run.end_year + 1))] * 2).all()
        for name in exp.varied:
            assert set(rows[name]) == {config.get(name)}
    members = pd.read_parquet(tmp_path / "o" / "members.parquet")
    assert list(members.columns[:6]) == list(runs.columns[:6])
    assert (members.groupby("run_id")["year"].max() == runs.groupby("run_id")["year"].max()).all()


def test_runs_finished_without_members_are_left_out_of_members_parquet(tmp_path):
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "o")  # without --members
    first = sorted(t.run_id for t in exp.tasks())[0]
    (chunk,) = storage.runs_dir(tmp_path / "o").glob(f"{first}-*.timeseries.arrow")
    chunk.unlink()  # so resuming runs it again, this time with its members
    report = run_experiment(exp, tmp_path / "o", members=True, resume=True)
    assert report.n_done_before == 5
    members = pd.read_parquet(tmp_path / "o" / "members.parquet")
    assert set(members["run_id"]) == {first}
    assert pd.read_parquet(tmp_path / "o" / "runs.parquet")["run_id"].nunique() == 6


def _summary(conditions: int, metrics: dict[str, range]) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [(f"c{c}", year, metric, 3, mean, 1.0, mean - 0.5, mean + 0.5)
            for c in range(conditions) for metric, years in metrics.items() for year in years
            for mean in [rng.normal(c, 1)]]
    return pd.DataFrame(rows, columns=["condition", "year", "metric", "n", "mean", "sd",
                                       "ci_low", "ci_high"])


@pytest.mark.parametrize("conditions", [2, 14])
def test_figures_are_png_files_of_each_metric_in_the_summary(tmp_path, conditions):
    years = {"leader_share": range(2000, 2010), "defections": range(2000, 2004),
             "mean_caveat": range(2000, 2010), "not_a_headline_metric": range(2000, 2010)}
    paths = write_sweep_figures(_summary(conditions, years), tmp_path)
    assert [p.stem for p in paths] == ["leader_share", "defections", "mean_caveat"]
    for path in paths:
        image = Image.open(path)
        assert image.format == "PNG" and image.size == (1200, 675)  # 8 x 4.5 in at 150 dpi
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.1)


def test_many_conditions_are_drawn_without_bands(tmp_path):
    exp = Experiment(scenario="classroom", seeds=[1], years=1, conditions=[
        Condition(f"p{i}", {"opinion.elite_consensus": i / 20}) for i in range(14)])
    run_experiment(exp, tmp_path / "o")
    assert (tmp_path / "o" / "figures" / "mean_burden_pct.png").stat().st_size > 1000


def test_cli_sweep_prints_a_summary_and_only_progress_lines_when_not_a_terminal(tmp_path):
    proc = cli("sweep", str(write_experiment(tmp_path)), "--out", str(tmp_path / "o"),
               "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    assert "6 runs (2 conditions x 3 seeds); 6 run now, 0 kept from before" in proc.stdout
    # No bar redrawn with carriage returns in a pipe, no warnings: at most progress lines
    # (every few seconds, so likely none in a sweep this short).
    assert all(line.startswith("sweep: ") for line in proc.stderr.splitlines()), proc.stderr
    assert "\r" not in proc.stderr


def test_progress_lines_give_runs_done_rate_and_time_left(tmp_path, monkeypatch, capsys):
    from alliancesim.sweep import progress

    monkeypatch.setattr(progress, "LINE_INTERVAL", 0.0)
    _run_experiment(experiment_from_dict(SMALL), tmp_path / "o")  # stderr: not a terminal
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 6 and lines[-1].startswith("sweep: 6/6 runs (100%), ")
    assert lines[0].startswith("sweep: 1/6 runs (17%), ") and lines[0].endswith(" left")
    log = progress.ProgressLines(total=1000, done=100, file=None)
    log.done = 400  # 300 runs in 10 s: 30 runs/s, 600 left
    assert log.line(log._start + 10) == "sweep: 400/1000 runs (40%), 30.0 runs/s, 00:20 left"


def test_canonical_experiments_are_valid_designs():
    root = Path(__file__).resolve().parents[1] / "experiments"
    for name in CANONICAL:
        exp = load_experiment(root / f"{name}.toml")
        assert len(exp.seeds) >= 20 and len(exp.conditions) >= 2
        page = (root / f"{name}.md").read_text()
        assert f"experiments/{name}.toml" in page and "95%" in page
        for figure in (root / "figures").glob(f"{name}_*.png"):
            assert figure.stat().st_size < 150_000  # committed figures stay small
            assert f"figures/{figure.name}" in page
