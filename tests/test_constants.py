"""Behavioural constants that used to be literals in the model's code are schema fields
(issue 14, item 5): each one is declared with unit, range and source, the sensitivity design
samples it, and setting it to another value within its range changes a run -- so the model
really reads it (a field the code ignored would leave the run as it was)."""

from __future__ import annotations

import pandas as pd
import pytest

from alliancesim import AllianceModel, load_scenario
from alliancesim.analysis.sensitivity import design_from_dict
from alliancesim.config import CAPABILITY_AREAS, parameter_table
from alliancesim.data import _read, multinational_fleets

#: The constants moved from the code into the schema, each with a value inside its range,
#: the scenario and settings in which it acts, and the output (table, column) it moves.
MOVED = [
    ("opinion.economic_stress_weight", 0.3, "isaf", {}, ("members", "support_operation")),
    ("opinion.defence_support_baseline", 0.65, "baseline", {}, ("members", "support_defence")),
    ("economy.full_stress_shortfall", 0.02, "baseline", {}, ("members", "burden_pct")),
    ("incentives.norm_pull_rate", 0.6, "baseline", {}, ("members", "burden_pct")),
    ("incentives.reputation_full_marks_burden", 2.0, "baseline", {}, ("members", "reputation")),
    ("incentives.reputation_spending_weight", 0.8, "isaf", {}, ("members", "reputation")),
    ("incentives.reputation_caveat_discount", 0.0, "isaf", {}, ("members", "reputation")),
    ("pledge.conformity_reference_share", 0.1, "baseline", {}, ("members", "burden_pct")),
    ("pledge.conformity_cap", 1.0, "baseline", {"pledge.conformity_reference_share": 0.05},
     ("members", "burden_pct")),
    ("capabilities.priority_tilt", 4.0, "austerity", {}, ("capabilities", "stock")),
    ("capabilities.threat_pressure_scale", 0.05, "threat_shock", {}, ("capabilities", "stock")),
    ("smart_defence.prioritisation_strength", 8.0, "baseline",
     {"smart_defence.prioritisation": True}, ("capabilities", "stock")),
    ("air_campaign.baseline_weight", 1.0, "libya", {}, ("contributions", "contributed")),
    ("threat.neighbour_exposure", 0.0, "baseline", {}, ("members", "burden_pct")),
    ("smart_defence.pooling_need_limit", 4.0, "baseline", {"smart_defence.pooling": True},
     ("capabilities", "pooled")),
]
SHORT = {"isaf": 2014, "libya": 2012}


def _run(scenario: str, overrides: dict) -> dict[str, pd.DataFrame]:
    end = SHORT.get(scenario, 2020)
    cfg = load_scenario(scenario, {"run.end_year": end, **overrides})
    model = AllianceModel(cfg, seed=3)
    model.run_model()
    res = model.results()
    return {"members": res.members, "capabilities": res.capabilities,
            "contributions": res.contributions}


@pytest.mark.parametrize("name", [m[0] for m in MOVED])
def test_each_moved_constant_is_a_documented_behavioural_field(name):
    row = {r["name"]: r for r in parameter_table()}[name]
    assert row["behavioural"] and row["unit"] and row["source"] and row["description"]
    assert row["min"] is not None and row["max"] is not None
    assert row["min"] <= row["default"] <= row["max"]
    assert name in design_from_dict({"scenario": "isaf"}).parameters  # sampled by default


def test_the_integer_keeper_count_is_a_documented_field_too():
    row = {r["name"]: r for r in parameter_table()}["smart_defence.specialisation_keepers"]
    assert row["behavioural"] and row["type"] == "int" and row["min"] <= row["default"]


@pytest.mark.parametrize(("name", "value", "scenario", "extra", "output"), MOVED,
                         ids=[m[0] for m in MOVED])
def test_setting_a_moved_constant_changes_the_run(name, value, scenario, extra, output):
    row = {r["name"]: r for r in parameter_table()}[name]
    assert row["min"] <= value <= row["max"] and value != row["default"]
    table, column = output
    before = _run(scenario, extra)[table][column]
    after = _run(scenario, {**extra, name: value})[table][column]
    assert not before.equals(after)


def test_the_multinational_fleets_of_2012_are_a_sourced_data_table():
    # moved unchanged from the code (capabilities.LEGACY_FLEETS): same platforms, now with
    # a source per row
    assert multinational_fleets() == {"strategic_airlift": 3.0, "isr": 17.0,
                                      "command_control": 2.0}
    table = _read("multinational_fleets_2012.csv")
    assert set(table["area"]) <= set(CAPABILITY_AREAS)
    assert table["source"].str.len().gt(10).all() and table["fleet"].str.len().gt(10).all()
