"""The Libya-like air campaign: who takes part follows the members' rules, the leader fills the
gaps, and the pattern of 2011 can fail under other parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliancesim import AllianceModel, load_scenario
from alliancesim import air_campaign as air


def _campaign(overrides: dict | None = None, seeds=(1, 2, 3)):
    rows = []
    for seed in seeds:
        model = AllianceModel(load_scenario("libya", overrides or {}), seed=seed)
        model.run_model()
        res = model.results()
        year = res.timeseries.set_index("year").loc[2011]
        rows.append((float(year["leader_share_of_enablers"]), int(year["european_strikers"]),
                     res.contributions))
    return rows


@pytest.fixture(scope="module")
def libya():
    return _campaign()


def test_the_libya_scenario_has_the_28_allies_of_2011_and_a_tidy_contributions_table(libya):
    model = AllianceModel(load_scenario("libya"), seed=1)
    assert int(model.state.active.sum()) == 28
    table = libya[0][2]
    assert tuple(table.columns) == air.CONTRIBUTION_COLUMNS
    assert set(table["area"]) == set(air.CAMPAIGN_AREAS)
    assert set(table["year"]) == {2011} and (table["contributed"] >= 0).all()
    assert table["member"].nunique() == 28


def test_few_european_allies_strike_and_most_of_the_enablers_come_from_the_leader(libya):
    for share, strikers, table in libya:
        assert 3 <= strikers <= 9  # the source: six European allies struck ground targets
        tankers = table[table["area"] == "air_refuelling"]
        assert tankers.set_index("member")["contributed"]["USA"] > 0.5 * tankers[
            "contributed"].sum()
        assert 0.3 < share < 0.9
    # "most of the enablers came from the leader": on average over refuelling, ISR,
    # munitions and SEAD, and for the munitions the striking allies drop
    assert np.mean([share for share, _, _ in libya]) > 0.5
    for _, _, table in libya:
        loads = table[table["area"] == "precision_munitions"].set_index("member")["contributed"]
        assert loads["USA"] > 0.4 * loads.sum()


def test_munitions_depth_is_counted_per_strike_aircraft():
    """Guided munitions cost much the same whoever buys them, jets do not: an ally spending
    as much on munitions as another but flying twice the jets has half the loads per jet."""
    pgm = np.array([10.0, 10.0, 100.0])
    jets = np.array([20.0, 40.0, 100.0])
    leader = np.array([False, False, True])
    depth = air.munitions_depth(pgm, jets, np.ones(3, bool), leader)
    assert np.isclose(depth[0], 0.5) and np.isclose(depth[1], 0.25) and depth[2] == 1.0
    assert air.munitions_depth(pgm, jets, np.array([True, False, True]), leader)[1] == 0.0


def test_the_leader_is_the_largest_single_supplier_of_every_enabler_it_is_asked_for(libya):
    for _, _, table in libya:
        for area in ("air_refuelling", "isr"):
            by_member = table[table["area"] == area].set_index("member")["contributed"]
            assert by_member.idxmax() == "USA", area


def test_allies_supply_first_and_the_leader_only_fills_the_gap():
    demand = np.array([10.0, 4.0])
    offers = np.array([[6.0, 1.0], [5.0, 0.0], [0.0, 0.0]])
    leader = np.array([False, False, True])
    out = air.supply(demand, offers, leader, np.array([100.0, 100.0]))
    assert np.allclose(out.sum(axis=0), demand)
    assert out[2, 0] == 0.0 and out[2, 1] == 3.0  # the leader fills only what is missing
    assert np.isclose(out[0, 0] / out[1, 0], 6 / 5)  # over-supply scaled pro rata


def test_participation_follows_the_rules_not_a_list():
    """Weaker appetite or a coalition framework means fewer European strikers."""
    base = sum(s for _, s, _ in _campaign())
    coalition = sum(s for _, s, _ in _campaign({"air_campaign.framework": "coalition"}))
    assert coalition < base
    caveated = sum(s for _, s, _ in _campaign({"air_campaign.strike_caveat_limit": 0.05}))
    assert caveated < base


def test_the_2011_pattern_fails_when_europeans_are_willing_and_can_deploy_their_fleets():
    ready = {"air_campaign.deployable_share": 0.8, "air_campaign.join_threshold": 0.0,
             "air_campaign.strike_caveat_limit": 1.0}
    for share, strikers, _ in _campaign(ready, seeds=(1, 2)):
        assert strikers > 9 and share < 0.3


def test_no_campaign_means_an_empty_table_and_empty_indicators():
    model = AllianceModel(load_scenario("baseline", {"run.end_year": 2014}), seed=1)
    model.run_model()
    res = model.results()
    assert res.contributions.empty
    assert res.timeseries["european_strikers"].isna().all()
    assert isinstance(res.contributions, pd.DataFrame)
