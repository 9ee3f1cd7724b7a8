"""Burden dynamics: heterogeneous shocks, the leader's budget as an input, pledges and
conformity, each able to fail under another setting."""

from __future__ import annotations

import numpy as np

from alliancesim import AllianceModel, load_scenario, norms
from alliancesim.config import Config
from alliancesim.data import real_members

SHOCK = {"run.end_year": 2018, "economy.shock_start_year": 2013, "economy.shock_years": 3,
         "economy.shock_scope": "europe", "economy.austerity_cut": 0.06}


def _europe_change_sd(overrides: dict, seed: int = 1) -> float:
    model = AllianceModel(load_scenario("baseline", overrides), seed=seed)
    model.run_model()
    budget = model.history.member["budget"]
    europe = model.europeans & (budget[0] > 0)
    change = np.log(budget[4, europe] / budget[0, europe])
    return float(np.nanstd(change[np.isfinite(change)]))


def test_a_crisis_hits_allies_unequally_only_with_dispersion():
    unequal = _europe_change_sd({**SHOCK, "economy.shock_dispersion": 2.11})
    equal = _europe_change_sd({**SHOCK, "economy.shock_dispersion": 0.0})
    assert unequal > 2 * equal


def test_some_allies_spend_more_through_a_crisis_when_it_hits_unequally():
    model = AllianceModel(load_scenario("baseline", SHOCK), seed=3)
    model.run_model()
    budget = model.history.member["budget"]
    europe = model.europeans & (budget[0] > 0)
    change = budget[3, europe] / budget[0, europe] - 1.0
    assert (change > 0.05).any() and (change < -0.2).any()


def test_the_leader_budget_path_follows_sipri_then_the_announced_cuts():
    cfg = load_scenario("baseline", {"leader.budget_path": "sipri", "run.end_year": 2016})
    model = AllianceModel(cfg, seed=1)
    model.run_model()
    leader = model.leader_mask
    budget = model.history.member["budget"][:, leader][:, 0]
    usa = real_members(2012, 2012, Config().threat.neighbour_exposure).spending_by_year
    observed = usa[2013][leader][0] / usa[2012][leader][0] - 1.0
    assert np.isclose(budget[1] / budget[0] - 1.0, observed, atol=1e-9)
    assert np.isclose(budget[3] / budget[2] - 1.0, -cfg.leader.budget_cut_per_year)
    free = AllianceModel(load_scenario("baseline", {"run.end_year": 2016}), seed=1)
    free.run_model()
    assert free.history.member["budget"][1, leader][0] > budget[1]


def test_a_pledge_pulls_harder_as_its_deadline_nears():
    assert norms.pledge_urgency(2013, 2014, 2024) == 0.0
    assert 0 < norms.pledge_urgency(2015, 2014, 2024) < norms.pledge_urgency(2023, 2014, 2024)
    assert norms.pledge_urgency(2030, 2014, 2024) == 1.0
    assert norms.norm_level(2015, 2.0, 2014, 2.5) == 2.5


def test_peers_press_harder_the_more_allies_meet_the_norm():
    p = Config().pledge
    rule = (p.conformity_reference_share, p.conformity_cap)
    assert norms.peer_strength(0.3, 0.5, 0.5, *rule) > norms.peer_strength(0.3, 0.1, 0.5, *rule)
    assert norms.peer_strength(0.3, 0.5, 0.0, *rule) == norms.peer_strength(0.3, 0.1, 0.0, *rule)


def test_a_pledge_raises_allies_burdens_unless_it_carries_no_weight():
    def allies_burden(overrides: dict) -> float:
        model = AllianceModel(load_scenario("baseline", {"run.end_year": 2024, **overrides}),
                              seed=1)
        model.run_model()
        m = model.results().members
        return float(m.query("year == 2024 and member != 'USA'")["burden_pct"].mean())

    none = allies_burden({})
    pledged = allies_burden({"pledge.pledge_year": 2014})
    empty = allies_burden({"pledge.pledge_year": 2014, "pledge.weight": 0.0,
                           "pledge.level_pct": 2.0})
    assert pledged > none + 0.01
    assert abs(empty - none) < 0.01
