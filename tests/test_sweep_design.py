"""Experiment designs: grid expansion, replicates, run length, validation, ids, summary maths."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliancesim.config import ConfigError, load_scenario, parameter_table
from alliancesim.sweep import Condition, Experiment, experiment_from_dict
from alliancesim.sweep.backends import MAX_CHUNK, chunks
from alliancesim.sweep.summary import METRICS, SummaryAccumulator

#: Parameters with a [0, 1] range (from the schema): any grid of values in it is valid.
UNIT_PARAMETERS = [r["name"] for r in parameter_table()
                   if r["type"] == "float" and r["min"] == 0 and r["max"] == 1][:6]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(UNIT_PARAMETERS), min_size=1, max_size=3, unique=True),
       st.data())
def test_a_grid_expands_to_every_combination_once(keys, data):
    grid = {k: data.draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=1,
                                  max_size=3, unique=True), label=k) for k in keys}
    exp = experiment_from_dict({"scenario": "classroom", "years": 1, "grid": grid})
    assert len(exp.conditions) == math.prod(len(v) for v in grid.values())
    assert exp.varied == keys
    combos = {tuple(c.overrides[k] for k in keys) for c in exp.conditions}
    assert len(combos) == len(exp.conditions)  # every combination, none twice
    for condition in exp.conditions:
        assert condition.name == ",".join(f"{k}={condition.overrides[k]}" for k in keys)
    ids = [t.run_id for t in exp.tasks()]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)


def test_grid_condition_names_follow_the_contract():
    exp = experiment_from_dict({"scenario": "isaf", "grid": {
        "opinion.elite_consensus": [0.3], "opinion.casualty_sensitivity": [0.01]}})
    assert [c.name for c in exp.conditions] == [
        "opinion.elite_consensus=0.3,opinion.casualty_sensitivity=0.01"]


@pytest.mark.parametrize(("replicates", "seeds"), [
    ({"count": 4, "base_seed": 10}, [10, 11, 12, 13]),
    ({"count": 3}, [1, 2, 3]),
    ({"seeds": [8, 3, 5]}, [8, 3, 5]),
    ({}, [1]),
])
def test_replicates_give_the_documented_seeds(replicates, seeds):
    exp = experiment_from_dict({"scenario": "classroom", "replicates": replicates})
    assert exp.seeds == seeds
    assert [t.seed for t in exp.tasks()] == seeds


@pytest.mark.parametrize(("replicates", "fragment"), [
    ({"seeds": [1, 1]}, "distinct"),
    ({"seeds": [-1]}, "non-negative"),
    ({"seeds": [1], "count": 2}, "not both"),
    ({"count": "30"}, "replicates.count = '30'"),
    ({"count": 2.5}, "replicates.count = 2.5"),
    ({"base_seed": -3}, "replicates.base_seed = -3"),
    ({"seed": [1]}, "unknown key 'replicates.seed'"),
    ({"seeds": []}, "replicates.seeds"),
])
def test_bad_replicates_are_named_in_the_error(replicates, fragment):
    with pytest.raises(ConfigError) as err:
        experiment_from_dict({"scenario": "classroom", "replicates": replicates}, "exp.toml")
    assert fragment in str(err.value) and "exp.toml" in str(err.value)


@pytest.mark.parametrize(("data", "fragment"), [
    ({"years": 0}, "years = 0"),
    ({"years": "ten"}, "years = 'ten'"),
    ({"grid": {"opinion.fatigue": []}}, "grid.\"opinion.fatigue\" is empty"),
    ({"conditions": [{"set": {}}]}, "conditions.0.name is missing"),
    ({"conditions": [{"name": "a", "sett": {}}]}, "unknown key 'conditions.0.sett'"),
    ({"conditions": [{"name": "a"}, {"name": "a"}]}, "repeated: ['a']"),
    ({"conditions": [{"name": "a", "set": {"operation.framework": "nato"}}]},
     "operation.framework"),
])
def test_bad_designs_are_named_in_the_error(data, fragment):
    with pytest.raises(ConfigError) as err:
        experiment_from_dict({"scenario": "isaf", **data})
    assert fragment in str(err.value)


def test_years_sets_the_run_length_from_each_conditions_start():
    exp = Experiment(scenario="baseline", seeds=[1], years=4, conditions=[
        Condition("default"), Condition("later", {"run.start_year": 2013})])
    assert exp.config_for(exp.conditions[0]).run.end_year == 2016
    assert exp.config_for(exp.conditions[1]).run.end_year == 2017
    assert Experiment(scenario="baseline", seeds=[1], conditions=[]).config_for(
        Condition("own")).run.end_year == load_scenario("baseline").run.end_year


def test_the_fingerprint_follows_the_runs_not_the_name():
    def make(name: str, seeds: list[int]) -> Experiment:
        return Experiment(scenario="classroom", seeds=seeds, conditions=[], name=name)

    assert make("a", [1, 2]).fingerprint() == make("b", [1, 2]).fingerprint()
    assert make("a", [1, 2]).fingerprint() != make("a", [1, 3]).fingerprint()


def test_run_ids_depend_only_on_the_design():
    exp = experiment_from_dict({"scenario": "isaf", "replicates": {"seeds": [7, 2]},
                                "conditions": [{"name": "x"}, {"name": "y"}]})
    assert [t.run_id for t in exp.tasks()] == ["c0000-s00000007", "c0000-s00000002",
                                               "c0001-s00000007", "c0001-s00000002"]


@given(st.integers(1, 3000), st.integers(1, 8))
def test_chunks_cover_every_task_once_in_order(n, workers):
    tasks = list(range(n))
    parts = chunks(tasks, workers)
    assert [t for part in parts for t in part] == tasks
    assert max(len(p) for p in parts) <= MAX_CHUNK


@given(st.integers(1, 3000), st.integers(1, 8))
def test_chunks_shrink_to_single_runs_at_the_end(n, workers):
    sizes = [len(part) for part in chunks(list(range(n)), workers)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-min(n, workers * 4):] == [1] * min(n, workers * 4)


def _rows(draw_values: list[float], conditions: int, years: int) -> pa.Table:
    n = conditions * years
    values = np.resize(np.array(draw_values, dtype=float), (n, len(METRICS)))
    data = {"condition": [f"c{i // years}" for i in range(n)],
            "year": [2000 + i % years for i in range(n)]}
    data.update({m: values[:, k] for k, m in enumerate(METRICS)})
    return pa.table(data)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e3, 1e3), st.just(float("nan"))), min_size=1,
                max_size=40),
       st.integers(1, 3), st.integers(1, 4), st.integers(1, 5))
def test_the_summary_does_not_depend_on_how_runs_are_batched(values, conditions, years,
                                                              batches):
    runs = [_rows(values[i:] + values[:i], conditions, years) for i in range(5)]
    one = SummaryAccumulator()
    one.add(pa.concat_tables(runs))
    split = SummaryAccumulator()
    for start in range(0, 5, batches):
        split.add(pa.concat_tables(runs[start:start + batches]))
    names = [f"c{i}" for i in range(conditions)]
    expected = pa.concat_tables(runs).to_pandas().groupby(["condition", "year"])
    a, b = one.frame(names), split.frame(names)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-6)
    first = a.iloc[0]
    column = expected.get_group((first["condition"], first["year"]))[first["metric"]]
    assert first["n"] == column.notna().sum()
    if first["n"] >= 1:
        assert first["mean"] == pytest.approx(column.mean(), rel=1e-9, abs=1e-6)
    if first["n"] >= 2:
        assert first["sd"] == pytest.approx(column.std(ddof=1), rel=1e-6, abs=1e-6)
        assert first["ci_low"] <= first["mean"] <= first["ci_high"]


def test_the_summary_keeps_small_spreads_around_large_means():
    values = 27_000.0 + np.array([0.1, 0.4, 0.2, 0.3, 0.25, 0.15])
    accumulator = SummaryAccumulator()
    for batch in np.array_split(values, 3):
        accumulator.add(pa.table({"condition": ["a"] * len(batch), "year": [2011] * len(batch),
                                  **{m: batch for m in METRICS}}))
    row = accumulator.frame(["a"]).iloc[0]
    assert row["sd"] == pytest.approx(values.std(ddof=1), rel=1e-9)
    constant = SummaryAccumulator()
    for _ in range(3):
        constant.add(pa.table({"condition": ["a"] * 2, "year": [2011] * 2,
                               **{m: [0.906, 0.906] for m in METRICS}}))
    row = constant.frame(["a"]).iloc[0]
    assert row["sd"] == 0 and row["ci_low"] == row["mean"] == row["ci_high"] == 0.906
