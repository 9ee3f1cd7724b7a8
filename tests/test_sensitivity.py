"""Sensitivity analysis: design validation, the SALib round trip, the design batch, and the
command (outputs, intervals, workers, Dask, resume, bad input)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from alliancesim.analysis import sensitivity
from alliancesim.analysis.sensitivity import (
    CONVERGENCE_COLUMNS,
    INDEX_COLUMNS,
    analyse,
    design_from_dict,
    load_sensitivity,
    run_sensitivity,
    sample_outputs,
)
from alliancesim.cli import main
from alliancesim.config import ConfigError, parameter_table
from alliancesim.sweep import batch as batch_module
from alliancesim.sweep.backends import Backend
from alliancesim.sweep.batch import reduce_years

PARAMETERS = ["opinion.elite_consensus", "operation.troop_adjustment", "opinion.fatigue"]
TINY = {"scenario": "isaf", "years": 2, "seeds": [1],
        "outputs": ["troops_deployed_europe:final", "mean_support_operation:mean"],
        "morris": {"trajectories": 2, "levels": 4},
        "sobol": {"base_samples": 4},
        "parameters": {"include": PARAMETERS,
                       "bounds": {"opinion.elite_consensus": [0.2, 0.9]}}}
TOML = """scenario = "isaf"
years = 2
seeds = [1, 2]
outputs = ["troops_deployed_europe:final", "mean_support_operation:mean"]
[sobol]
base_samples = 4
[morris]
trajectories = 2
[parameters]
include = ["opinion.elite_consensus", "operation.troop_adjustment", "opinion.fatigue"]
"""


def write_design(tmp_path, text=TOML, name="sens.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def read_outputs(out):
    """Everything an analysis wrote that a user reads, as bytes (must be identical)."""
    return {name: (out / name).read_bytes() for name in
            ("sensitivity.csv", "convergence.csv", "batch/samples.parquet",
             "batch/runs.parquet")}


# --------------------------------------------------------------------------- the design


def test_default_design_varies_every_behavioural_float_of_the_schema_within_its_range():
    design = design_from_dict({"scenario": "isaf"})
    expected = {r["name"]: (r["min"], r["max"]) for r in parameter_table()
                if r["behavioural"] and r["type"] == "float"}
    assert design.parameters == expected
    assert "opinion.elite_consensus" in design.parameters
    assert "operation.framework" not in design.parameters


@pytest.mark.parametrize(("change", "fragment"), [
    ({"parameters": {"include": ["opinion.nonsense", "opinion.fatigue"]}}, "opinion.nonsense"),
    ({"parameters": {"include": ["opinion.fatigue", "opinion.inertia"],
                     "bounds": {"opinion.fatigue": [0.5, 0.1]}}}, "bounds"),
    ({"parameters": {"include": ["opinion.fatigue", "opinion.inertia"],
                     "bounds": {"opinion.fatigue": [0.0, 2.0]}}}, "schema range"),
    ({"parameters": {"include": ["opinion.fatigue", "opinion.inertia"],
                     "bounds": {"opinion.fatigue": "wide"}}}, "bounds"),
    ({"outputs": ["nonsense:final"]}, "output"),
    ({"outputs": ["troops_deployed_europe:median"]}, "final|mean|max|min"),
    ({"outputs": ["troops_deployed_europe:final", "troops_deployed_europe"]}, "twice"),
    ({"method": "fast"}, "method"),
    ({"morris": {"trajectories": 1}}, "morris.trajectories"),
    ({"morris": {"trajectory": 4}}, "[morris] allows only"),
    ({"method": "sobol", "sobol": {"base_samples": 12}}, "power of two"),
    ({"sobol": {"second_order": "yes"}}, "second_order"),
    ({"seeds": [1, 1]}, "seeds"),
    ({"sample_seed": -1}, "sample_seed"),
    ({"parameters": {"include": ["operation.framework", "opinion.fatigue"]}}, "not a bounded"),
])
def test_bad_sensitivity_designs_are_rejected(change, fragment):
    with pytest.raises(ConfigError) as err:
        design_from_dict({**TINY, **change})
    assert fragment in str(err.value)


def test_sobol_design_has_the_saltelli_layout_with_pairs():
    design = design_from_dict({**TINY, "method": "sobol"})
    assert design.second_order and design.block == 2 * 3 + 2
    assert design.sample().shape == (4 * design.block, 3)
    first_only = design_from_dict({**TINY, "method": "sobol",
                                   "sobol": {"base_samples": 4, "second_order": False}})
    assert first_only.sample().shape == (4 * (3 + 2), 3)


# --------------------------------------------------------------------------- the analysis


def _runs_of(y):
    return pd.DataFrame({"sample": np.arange(len(y)), "seed": 1, "out:final": y})


def test_morris_ranks_an_influential_parameter_above_an_inert_one():
    design = design_from_dict({**TINY, "outputs": ["troops_deployed_europe:final"]})
    samples = design.sample()
    y = 10 * samples[:, PARAMETERS.index("opinion.elite_consensus")]
    runs = pd.DataFrame({"sample": np.arange(len(y)), "seed": 1, "troops_deployed_europe:final": y})
    indices, convergence, _ = analyse(design, samples, runs)
    mu = indices[indices["index"] == "mu_star"].set_index("parameter")["value"]
    # elementary effects are per unit of the normalised range: 10 x (0.9 - 0.2)
    assert mu["opinion.elite_consensus"] == pytest.approx(7.0)
    assert mu["opinion.fatigue"] == pytest.approx(0.0)
    assert set(convergence["samples"]) == {2}


def test_sobol_finds_first_order_and_pair_effects_of_a_known_function():
    design = design_from_dict({**TINY, "method": "sobol",
                               "outputs": ["troops_deployed_europe:final"],
                               "sobol": {"base_samples": 256},
                               "parameters": {"include": PARAMETERS}})
    x = design.sample()
    low, high = np.array(list(design.parameters.values())).T
    u = (x - low) / (high - low)
    # u0 acts alone, u1 and u2 only together: variance 4/3 + 64/144, so S1(u0) = 0.75,
    # S2(u1, u2) = 0.25, and every other index 0
    y = 4 * u[:, 0] + 8 * (u[:, 1] - 0.5) * (u[:, 2] - 0.5)
    runs = pd.DataFrame({"sample": np.arange(len(y)), "seed": 1, "troops_deployed_europe:final": y})
    indices, convergence, _ = analyse(design, x, runs)
    by = indices.set_index(["index", "parameter", "parameter_2"])["value"]
    first = by.loc["S1"]
    assert first.loc["opinion.elite_consensus", ""] == pytest.approx(0.75, abs=0.1)
    assert abs(first.loc["opinion.fatigue", ""]) < 0.05
    pairs = by.loc["S2"]
    assert len(pairs) == 3  # every pair once
    assert pairs.loc["operation.troop_adjustment", "opinion.fatigue"] == pytest.approx(
        0.25, abs=0.1)
    assert abs(pairs.loc["opinion.elite_consensus", "opinion.fatigue"]) < 0.05
    # the convergence table estimates on 4, 8, ..., 256 base samples; the last is the design
    assert sorted(set(convergence["samples"])) == [4, 8, 16, 32, 64, 128, 256]
    last = convergence[(convergence["samples"] == 256) & (convergence["index"] == "S1")]
    # (the same estimate, up to SALib standardising the outputs over all rows it is given)
    np.testing.assert_allclose(last["value"], indices[indices["index"] == "S1"]["value"],
                               rtol=1e-4, atol=1e-6)
    assert (last["runs"] == len(x)).all()


def test_sample_outputs_average_seeds_ignoring_missing_values():
    runs = pd.DataFrame({"sample": [0, 0, 1, 1], "seed": [1, 2, 1, 2],
                         "x": [1.0, 3.0, 5.0, np.nan]})
    np.testing.assert_allclose(sample_outputs(runs, 3, "x"), [2.0, 5.0, np.nan])


def test_a_run_is_reduced_over_its_years_ignoring_missing_years():
    years = np.array([1.0, 3.0, np.nan])
    assert reduce_years(years, "final") == 3.0
    assert reduce_years(years, "mean") == 2.0
    assert (reduce_years(years, "max"), reduce_years(years, "min")) == (3.0, 1.0)
    assert np.isnan(reduce_years(np.array([np.nan, np.nan]), "final"))


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def sobol_one_worker(tmp_path_factory):
    """A small Sobol analysis (with pairs), run in this process through the command."""
    tmp = tmp_path_factory.mktemp("sobol1")
    out = tmp / "out"
    assert main(["sensitivity", str(write_design(tmp)), "--method", "sobol", "--out",
                 str(out)]) == 0
    return out


def test_sobol_command_writes_indices_with_intervals_pairs_and_figures(sobol_one_worker):
    out = sobol_one_worker
    table = pd.read_csv(out / "sensitivity.csv", keep_default_na=False, na_values=[""])
    assert list(table.columns) == INDEX_COLUMNS
    assert set(table["index"]) == {"S1", "ST", "S2"}
    assert set(table["output"]) == {"troops_deployed_europe:final", "mean_support_operation:mean"}
    pairs = table[table["index"] == "S2"]
    assert len(pairs) == 2 * 3  # 3 pairs per output
    assert pairs["parameter_2"].notna().all()
    assert np.isfinite(table[["value", "conf"]]).all().all() and (table["conf"] >= 0).all()
    np.testing.assert_allclose(table["ci_low"], table["value"] - table["conf"])
    np.testing.assert_allclose(table["ci_high"], table["value"] + table["conf"])
    convergence = pd.read_csv(out / "convergence.csv")
    assert list(convergence.columns) == CONVERGENCE_COLUMNS
    # the design, once; one row of outputs per run; no per-sample summaries
    samples = pd.read_parquet(out / "batch" / "samples.parquet")
    assert list(samples.columns) == PARAMETERS and len(samples) == 4 * 8
    runs = pd.read_parquet(out / "batch" / "runs.parquet")
    assert list(runs.columns) == ["run", "sample", "seed", "troops_deployed_europe:final",
                                  "mean_support_operation:mean"]
    assert len(runs) == 4 * 8 * 2 and runs["run"].tolist() == list(range(len(runs)))
    assert not (out / "summary.csv").exists() and not (out / "batch" / "parts").exists()
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == ["convergence.png", "mean_support_operation_mean.png",
                       "troops_deployed_europe_final.png"]
    assert all((out / "figures" / f).read_bytes()[:4] == b"\x89PNG" for f in figures)
    assert json.loads((out / "batch" / "batch.json").read_text())["status"] == "complete"
    # no temporary file or folder left behind, beside the folder or in it
    assert not list(out.glob(".*")) and not list((out / "batch").glob(".*"))
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_a_run_in_the_batch_gives_what_the_model_gives_for_that_config(sobol_one_worker):
    from alliancesim import AllianceModel, load_scenario
    from alliancesim.results import timeseries_table

    samples = pd.read_parquet(sobol_one_worker / "batch" / "samples.parquet")
    run = pd.read_parquet(sobol_one_worker / "batch" / "runs.parquet").iloc[5]
    start = load_scenario("isaf").run.start_year
    overrides = {**samples.iloc[int(run["sample"])].to_dict(), "run.end_year": start + 2}
    model = AllianceModel(load_scenario("isaf", overrides), seed=int(run["seed"]))
    model.run_model()
    final = timeseries_table(model)["troops_deployed_europe"][-1]
    assert run["troops_deployed_europe:final"] == final


def test_results_are_identical_with_one_or_two_workers(tmp_path, sobol_one_worker):
    out = tmp_path / "w2"
    assert main(["sensitivity", str(write_design(tmp_path)), "--method", "sobol", "--out",
                 str(out), "--workers", "2"]) == 0
    assert read_outputs(out) == read_outputs(sobol_one_worker)


def test_dask_backend_on_a_local_cluster_gives_the_same_results(tmp_path, sobol_one_worker):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    assert main(["sensitivity", str(write_design(tmp_path)), "--method", "sobol", "--out",
                 str(out), "--backend", "dask", "--workers", "2"]) == 0
    assert read_outputs(out) == read_outputs(sobol_one_worker)


class _InterruptAfter(Backend):
    """This process, interrupted (as by Ctrl-C) after ``waves`` waves."""

    def __init__(self, waves: int) -> None:
        self.left = waves

    def map(self, fn, items):
        if fn is batch_module.run_chunk:
            if self.left == 0:
                raise KeyboardInterrupt
            self.left -= 1
        return super().map(fn, items)


def test_an_interrupted_analysis_resumes_to_the_same_result(tmp_path, monkeypatch,
                                                            sobol_one_worker):
    design = load_sensitivity(write_design(tmp_path), method="sobol")
    out = tmp_path / "out"
    monkeypatch.setattr(batch_module, "WAVE_RUNS_PER_WORKER", 10)
    monkeypatch.setattr("alliancesim.sweep.backends.open_backend",
                        lambda *args: _InterruptAfter(3))
    with pytest.raises(KeyboardInterrupt):
        run_sensitivity(design, out, progress=False)
    assert len(list((out / "batch" / "parts").glob("*.parquet"))) == 3
    assert not (out / "sensitivity.csv").exists()
    monkeypatch.undo()
    with pytest.raises(ConfigError, match="--resume"):
        run_sensitivity(design, out, progress=False)
    report = run_sensitivity(design, out, resume=True, progress=False)
    assert report.n_done_before == 30
    assert read_outputs(out) == read_outputs(sobol_one_worker)


def test_a_failed_run_stops_the_analysis_and_resume_runs_it_again(tmp_path, monkeypatch,
                                                                  capsys):
    path = write_design(tmp_path)
    out = tmp_path / "out"
    real = batch_module.run_outputs

    def broken(config, seed, outputs):
        if seed == 2:
            raise RuntimeError("model blew up")
        return real(config, seed, outputs)

    monkeypatch.setattr(batch_module, "run_outputs", broken)
    assert main(["sensitivity", str(path), "--method", "sobol", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "32 of 64 run(s) failed" in err and "model blew up" in err and "--resume" in err
    failures = json.loads((out / "batch" / "failures.json").read_text())["failures"]
    assert {f["seed"] for f in failures} == {2} and set(failures[0]["parameters"]) == set(
        PARAMETERS)
    assert not (out / "sensitivity.csv").exists()
    monkeypatch.undo()
    assert main(["sensitivity", str(path), "--method", "sobol", "--out", str(out),
                 "--resume"]) == 0
    assert not (out / "batch" / "failures.json").exists()
    assert len(pd.read_parquet(out / "batch" / "runs.parquet")) == 64


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    path = write_design(tmp_path)
    for resume in ([], ["--resume"]):
        assert main(["sensitivity", str(path), "--out", str(out), *resume]) == 2
        assert "not an earlier alliancesim sensitivity output" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


def test_resuming_with_a_changed_design_is_refused(tmp_path, sobol_one_worker, capsys):
    changed = write_design(tmp_path, TOML.replace("seeds = [1, 2]", "seeds = [1, 3]"))
    before = read_outputs(sobol_one_worker)
    assert main(["sensitivity", str(changed), "--method", "sobol", "--out",
                 str(sobol_one_worker), "--resume"]) == 2
    assert "different design" in capsys.readouterr().err
    assert read_outputs(sobol_one_worker) == before


@pytest.mark.parametrize(("text", "fragments"), [
    (TOML.replace('"opinion.fatigue"]', '"opinion.fatige"]'),
     ["unknown parameter 'opinion.fatige'", "alliancesim describe"]),
    (TOML + '[parameters.bounds]\n"opinion.fatigue" = [0.0, 5.0]\n',
     ["bounds for 'opinion.fatigue' = [0.0, 5.0]", "schema range [{min}, {max}]"]),
])
def test_bad_input_exits_2_with_one_clear_message_and_writes_nothing(tmp_path, capsys, text,
                                                                     fragments):
    out = tmp_path / "out"
    assert main(["sensitivity", str(write_design(tmp_path, text)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    schema = {r["name"]: r for r in parameter_table()}["opinion.fatigue"]
    assert all(f.format(**schema) in err for f in fragments), err
    assert not out.exists()


def test_morris_command_ranks_by_mu_star(tmp_path, capsys, sobol_one_worker):
    out = tmp_path / "out"
    path = write_design(tmp_path)
    assert main(["sensitivity", str(path), "--method", "morris", "--out", str(out)]) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["index"]) == {"mu_star", "mu", "sigma"}
    assert table.loc[table["index"] == "mu_star", "conf"].notna().all()
    assert len(pd.read_parquet(out / "batch" / "samples.parquet")) == 2 * 4
    assert "(mu_star)" in capsys.readouterr().out
    # Without --resume an earlier analysis is replaced as a whole, once the new one is done.
    assert main(["sensitivity", str(path), "--method", "sobol", "--out", str(out)]) == 0
    assert read_outputs(out) == read_outputs(sobol_one_worker)


def test_shipped_sensitivity_experiments_are_valid():
    design = load_sensitivity("experiments/sensitivity.toml")
    assert len(design.parameters) > 30
    assert ("cohesion_index", "mean") in design.outputs
    assert sensitivity.RANKING_INDEX[design.method]
    # The Sobol follow-up names its parameters: each must still be in the schema.
    sobol = load_sensitivity("experiments/sensitivity_sobol.toml")
    assert sobol.method == "sobol" and 5 <= len(sobol.parameters) < len(design.parameters)
    assert set(sobol.parameters) <= set(design.parameters)


def test_an_output_no_parameter_moves_is_reported_not_analysed():
    design = design_from_dict({**TINY, "method": "sobol"})
    x = design.sample()
    runs = pd.DataFrame({"sample": np.arange(len(x)), "seed": 1,
                         "troops_deployed_europe:final": 3.0,
                         "mean_support_operation:mean": np.where(np.arange(len(x)) == 2,
                                                                 np.nan, x[:, 0])})
    indices, _, notes = analyse(design, x, runs)
    assert set(indices["output"]) == {"mean_support_operation:mean"}
    assert "in every run" in notes["troops_deployed_europe:final"]
    assert "no value in 1 of" in notes["mean_support_operation:mean"]
