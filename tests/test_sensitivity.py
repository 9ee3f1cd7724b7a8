"""Sensitivity analysis: design validation, the SALib round trip, and the command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliancesim.analysis.sensitivity import (
    analyse,
    design_from_dict,
    load_sensitivity,
    point_outputs,
)
from alliancesim.cli import main
from alliancesim.config import ConfigError

TINY = {"scenario": "isaf", "years": 3, "seeds": [1],
        "outputs": ["troops_deployed:final", "mean_support_operation:mean"],
        "morris": {"trajectories": 2, "levels": 4},
        "parameters": {"include": ["opinion.elite_consensus", "operation.troop_adjustment",
                                   "opinion.fatigue"],
                       "bounds": {"opinion.elite_consensus": [0.2, 0.9]}}}


def test_default_design_varies_every_behavioural_float_within_schema_ranges():
    design = design_from_dict({"scenario": "isaf"})
    assert "opinion.elite_consensus" in design.parameters
    assert "operation.framework" not in design.parameters
    assert design.parameters["opinion.elite_consensus"] == (0.0, 1.0)


@pytest.mark.parametrize(("change", "fragment"), [
    ({"parameters": {"include": ["opinion.nonsense", "opinion.fatigue"]}}, "opinion.nonsense"),
    ({"parameters": {"include": ["opinion.fatigue", "opinion.inertia"],
                     "bounds": {"opinion.fatigue": [0.5, 0.1]}}}, "bounds"),
    ({"outputs": ["nonsense:final"]}, "output"),
    ({"method": "fast"}, "method"),
    ({"morris": {"trajectories": 1}}, "morris.trajectories"),
    ({"parameters": {"include": ["operation.framework", "opinion.fatigue"]}}, "not a bounded"),
])
def test_bad_sensitivity_designs_are_rejected(change, fragment):
    with pytest.raises(ConfigError) as err:
        design_from_dict({**TINY, **change})
    assert fragment in str(err.value)


def test_morris_ranks_an_influential_parameter_above_an_inert_one():
    design = design_from_dict({**TINY, "outputs": ["troops_deployed:final"]})
    samples = design.sample()
    names = list(design.parameters)
    # a synthetic model: the output depends on the first parameter only
    runs = pd.DataFrame({"condition": [f"p{i:05d}" for i in range(len(samples))],
                         "seed": 1, "year": 2006,
                         "troops_deployed": 10 * samples[:, names.index(
                             "opinion.elite_consensus")]})
    indices = analyse(design, samples, runs)
    mu = indices[indices["index"] == "mu_star"].set_index("parameter")["value"]
    # elementary effects are per unit of the normalised range: 10 x (0.9 - 0.2)
    assert mu["opinion.elite_consensus"] == pytest.approx(7.0)
    assert mu["opinion.fatigue"] == pytest.approx(0.0)


def test_point_outputs_reduce_each_run_then_average_seeds():
    runs = pd.DataFrame({"condition": ["p0"] * 4, "seed": [1, 1, 2, 2], "year": [1, 2, 1, 2],
                         "x": [1.0, 3.0, 5.0, np.nan]})
    assert point_outputs(runs, "x", "final")["p0"] == pytest.approx((3.0 + 5.0) / 2)
    assert point_outputs(runs, "x", "mean")["p0"] == pytest.approx((2.0 + 5.0) / 2)


def test_sensitivity_command_writes_indices_and_figures(tmp_path):
    path = tmp_path / "sens.toml"
    path.write_text(
        'scenario = "isaf"\nyears = 3\nseeds = [1]\n'
        'outputs = ["troops_deployed:final"]\n[morris]\ntrajectories = 2\n'
        '[parameters]\ninclude = ["opinion.elite_consensus", "operation.troop_adjustment"]\n')
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--method", "morris", "--out", str(out)]) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["output", "parameter", "index", "value", "conf"]
    assert set(table["parameter"]) == {"opinion.elite_consensus", "operation.troop_adjustment"}
    assert (out / "figures" / "troops_deployed_final.png").read_bytes()[:4] == b"\x89PNG"
    assert len(pd.read_csv(out / "samples.csv")) == 2 * 3


def test_shipped_sensitivity_experiment_is_valid():
    design = load_sensitivity("experiments/sensitivity.toml")
    assert design.method == "morris" and len(design.parameters) > 30
    assert ("cohesion_index", "mean") in design.outputs
