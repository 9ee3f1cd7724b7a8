"""Capability dynamics at national scale: what austerity, threat and each smart-defence lever
do to the capability Europe holds (not only to its labels). Small runs: 2-3 seeds to 2024-2030.
"""

from __future__ import annotations

import numpy as np
import pytest

from alliancesim import AllianceModel, load_scenario

AUSTERITY = {"economy.shock_start_year": 2013, "economy.shock_years": 4,
             "economy.shock_scope": "europe", "economy.austerity_cut": 0.06}


def _last(scenario: str, overrides: dict, column: str, seeds=(1, 2)) -> np.ndarray:
    values = []
    for seed in seeds:
        model = AllianceModel(load_scenario(scenario, overrides), seed=seed)
        model.run_model()
        values.append(float(model.results().timeseries[column].iloc[-1]))
    return np.array(values)


def test_small_allies_hold_niche_areas_at_national_scale():
    model = AllianceModel(load_scenario("baseline"), seed=1)
    held = dict(zip(model.codes, model.state.held.sum(axis=1), strict=True))
    # Denmark's and Belgium's strike jets are real capability, not invisible
    assert held["DNK"] >= 4 and held["BEL"] >= 3
    assert sum(v == 0 for c, v in held.items() if c != "USA") <= 6  # ALB EST ISL LVA LUX ...


def test_austerity_raises_losses_of_national_viability():
    plain = _last("baseline", {}, "viability_losses")
    cut = _last("baseline", AUSTERITY, "viability_losses")
    assert (cut > plain).all()


@pytest.mark.parametrize("lever", ["prioritisation", "pooling", "specialisation", "two_plus",
                                   "ring_fencing"])
def test_each_smart_defence_lever_alone_changes_capability_held(lever):
    base = _last("baseline", AUSTERITY, "europe_capability_index")
    alone = _last("baseline", {**AUSTERITY, f"smart_defence.{lever}": True},
                  "europe_capability_index")
    assert np.abs(alone - base).mean() > 1e-3, lever


def test_the_reinvestment_fund_alone_keeps_pooled_savings_in_defence():
    """Alone it can only recycle the savings of the 2012 fleets: money stays in defence,
    capability barely moves (it is a complement of pooling; see the test below)."""
    base = _last("baseline", AUSTERITY, "mean_burden_pct")
    fund = _last("baseline", {**AUSTERITY, "smart_defence.reinvestment_fund": True},
                 "mean_burden_pct")
    assert (fund > base + 1e-3).all()


def test_pooling_with_the_fund_keeps_more_capability_and_without_it_is_a_cut():
    base = _last("baseline", AUSTERITY, "europe_capability_index")
    pooled = {**AUSTERITY, "smart_defence.pooling": True}
    assert (_last("baseline", {**pooled, "smart_defence.reinvestment_fund": True},
                  "europe_capability_index") > base).all()
    assert (_last("baseline", pooled, "mean_burden_pct")
            < _last("baseline", AUSTERITY, "mean_burden_pct")).all()


def test_trust_and_assured_access_change_what_pooling_is_worth():
    """A small sweep over assured access: pooled capability is worth what access makes it."""
    levers = {**AUSTERITY, "smart_defence.pooling": True, "smart_defence.reinvestment_fund": True}
    values = [_last("baseline", {**levers, "smart_defence.assured_access": a},
                    "europe_capability_index").mean() for a in (0.0, 0.5, 1.0)]
    assert values[0] < values[1] < values[2]
    joined = [_last("baseline", {**levers, "smart_defence.assured_access": a},
                    "pooled_holdings").mean() for a in (0.0, 1.0)]
    assert joined[0] < joined[1]  # members weigh dependence on partners before they join


def test_under_a_threat_shock_abandoned_areas_can_be_rebuilt_unless_rebuilding_is_too_dear():
    threat = {**AUSTERITY, "threat.shock_year": 2018, "threat.shock_size": 0.4}
    seeds = (1, 2, 3)
    assert _last("threat_shock", threat, "areas_rebuilt", seeds).sum() >= 1
    dear = {**threat, "capabilities.rebuild_cost_multiplier": 10.0}
    assert _last("threat_shock", dear, "areas_rebuilt", seeds).sum() == 0


def test_a_threat_shock_raises_spending_most_on_the_frontline():
    model = AllianceModel(load_scenario("threat_shock", {"run.end_year": 2020}), seed=1)
    model.run_model()
    m = model.results().members
    change = (m.query("year == 2020").set_index("member")["burden_pct"]
              - m.query("year == 2013").set_index("member")["burden_pct"])
    exposed = model.data.frontline > 0
    codes = np.array(model.codes)
    frontline = change[codes[exposed]].mean()
    inland = change[codes[~exposed & ~model.leader_mask]].mean()
    assert frontline > inland > -0.5
