"""Capability dynamics at national scale: what austerity, threat and each smart-defence lever
do to the capability Europe holds (not only to its labels). Small runs: 2-3 seeds to 2024-2030.
"""

from __future__ import annotations

import numpy as np
import pytest

from alliancesim import AllianceModel, load_scenario
from alliancesim.capabilities import EXPEDITIONARY_AREAS
from alliancesim.config import CAPABILITY_AREAS

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


def _series(scenario: str, overrides: dict, column: str, seed: int):
    model = AllianceModel(load_scenario(scenario, overrides), seed=seed)
    model.run_model()
    return model.results().timeseries.set_index("year")[column]


def test_austerity_raises_losses_of_national_viability():
    plain = _last("baseline", {}, "viability_losses")
    cut = _last("baseline", AUSTERITY, "viability_losses")
    assert (cut > plain).all()


def test_losses_stop_once_the_portfolio_fits_the_budget_again():
    """A past cut does not keep starving small holdings for ever: a member concentrates its
    money only while its budget cannot sustain what it holds now. With a uniform shock (no
    ally that spent more in the crisis and then cuts, see the note on the personnel split),
    the shock's losses come during it and the recovery, and once budgets have recovered
    (2021-2030) there are about as few as without the shock. (Under the old rule, which
    compared the budget with the start-year force, 12-17 more came in 2021-2030.)"""
    uniform = {**AUSTERITY, "economy.shock_dispersion": 0.0}
    for seed in (1, 2):
        base = _series("baseline", {}, "viability_losses", seed)
        cut = _series("baseline", uniform, "viability_losses", seed)
        assert cut[2020] - base[2020] >= 3  # the shock abandons holdings...
        assert (cut[2030] - cut[2020]) <= (base[2030] - base[2020]) + 1  # ...and then stops


def test_austerity_thins_europes_coverage_of_the_enablers_without_leaving_single_providers():
    """The source's thin coverage (Keohane, seed lines 1400-1405: Europe lacks tankers, ISR,
    airlift) as the model has it: austerity takes European providers out of refuelling,
    airlift and ISR, but from 7-9 providers in 2012 none of them falls to two or fewer by 2030
    -- Europe's shortage there is depth (the largest gaps), not the number of holders."""
    enablers = ("air_refuelling", "strategic_airlift", "isr")
    lost = []
    for seed in (1, 2, 3, 4):
        plain = [_series("baseline", {}, f"providers_{a}", seed) for a in enablers]
        cut = [_series("baseline", AUSTERITY, f"providers_{a}", seed) for a in enablers]
        lost.append(sum(p[2030] for p in plain) - sum(c[2030] for c in cut))
        assert min(c[2030] for c in cut) >= 3
        assert _series("baseline", AUSTERITY, "single_provider_areas", seed)[2030] == 0
        gaps = {a: _series("baseline", {}, f"gap_europe_{a}", seed)[2012]
                for a in ("air_refuelling", "land_combat", "air_strike")}
        assert gaps["air_refuelling"] > max(gaps["land_combat"], gaps["air_strike"])
    # a provider lost in most seeds, none gained in any (seeds 1-8 on 2026-12-01: 0-3 lost)
    assert min(lost) >= 0 and sum(lost) >= 2


def _europe_gaps(overrides: dict, seed: int) -> np.ndarray:
    model = AllianceModel(load_scenario("baseline", overrides), seed=seed)
    model.run_model()
    last = model.results().timeseries.iloc[-1]
    return np.array([last[f"gap_europe_{area}"] for area in CAPABILITY_AREAS])


@pytest.mark.parametrize("lever", ["prioritisation", "pooling", "specialisation", "two_plus",
                                   "ring_fencing"])
def test_each_smart_defence_lever_alone_changes_capability_held(lever):
    """Capability held, area by area (Europe's gap in each of the ten areas, 2030), not only
    labels: some levers change how much Europe holds, some mainly where (prioritisation moves
    money toward the gaps, specialisation hands areas over), all change what it holds. The
    fund alone has almost nothing to act on (below)."""
    for seed in (1, 2):
        base = _europe_gaps(AUSTERITY, seed)
        alone = _europe_gaps({**AUSTERITY, f"smart_defence.{lever}": True}, seed)
        assert np.abs(alone - base).sum() > 0.03, lever


def test_the_reinvestment_fund_alone_keeps_pooled_savings_in_defence():
    """Alone it can only recycle the savings of the 2012 fleets: money stays in defence,
    capability barely moves (it is a complement of pooling; see the test below)."""
    base = _last("baseline", AUSTERITY, "mean_burden_pct")
    fund = _last("baseline", {**AUSTERITY, "smart_defence.reinvestment_fund": True},
                 "mean_burden_pct")
    assert (fund > base + 1e-3).all()
    # what it recycles is in proportion to the cooperation there is: almost nothing alone
    # (the 2012 fleets; over 20 seeds +0.0004 [0.0001, 0.0007] on the capability index,
    # experiments/austerity_smart_defence.md), much more with pooling
    index = "europe_capability_index"
    plain = _last("baseline", AUSTERITY, index)
    alone = _last("baseline", {**AUSTERITY, "smart_defence.reinvestment_fund": True}, index)
    pooled = {**AUSTERITY, "smart_defence.pooling": True}
    with_pool = (_last("baseline", {**pooled, "smart_defence.reinvestment_fund": True}, index)
                 - _last("baseline", pooled, index))
    assert with_pool.mean() > 0.01 and abs((alone - plain).mean()) < 0.1 * with_pool.mean()


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


def _activists_expeditionary_share(overrides: dict, seeds=(1, 2)) -> np.ndarray:
    """Mean share of the activists' (not the leader's) 2030 stock in expeditionary areas."""
    expeditionary = [a for a, e in zip(CAPABILITY_AREAS, EXPEDITIONARY_AREAS, strict=True) if e]
    shares = []
    for seed in seeds:
        model = AllianceModel(load_scenario("austerity", overrides), seed=seed)
        model.run_model()
        table = model.results().capabilities.query("year == 2030")
        activists = [c for c, p, lead in zip(model.codes, model.postures, model.leader_mask,
                                             strict=True) if p == "activist" and not lead]
        table = table[table["member"].isin(activists)]
        by_member = table.groupby("member")["stock"].sum()
        share = table[table["area"].isin(expeditionary)].groupby("member")["stock"].sum()
        shares.append(float((share / by_member).mean()))
    return np.array(shares)


def test_austerity_moves_activists_toward_territorial_defence_unless_priorities_stay_put():
    """Keohane (seed lines 1469-1473): defenders focus on territory "partly because of
    austerity". The declared posture is an input and stays; what austerity changes is the
    priorities, and with them the portfolio (and the revealed posture in the members table):
    activists keep less of their stock in expeditionary areas. With no priority drift it does
    not happen."""
    calm = _activists_expeditionary_share({"economy.shock_start_year": 0})
    cut = _activists_expeditionary_share({})
    assert (cut < calm - 0.03).all()
    still = {"capabilities.priority_drift": 0.0}
    calm_still = _activists_expeditionary_share({**still, "economy.shock_start_year": 0})
    assert np.abs(_activists_expeditionary_share(still) - calm_still).max() < 0.01
