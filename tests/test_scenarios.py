"""Every shipped scenario runs and tells the story it is named for."""

from __future__ import annotations

import pytest

from alliancesim import AllianceModel, load_scenario
from alliancesim.config import list_scenarios
from alliancesim.results import TIMESERIES_COLUMNS


def _final(scenario: str, seeds=range(1, 4)):
    frames = []
    for seed in seeds:
        model = AllianceModel(load_scenario(scenario), seed=seed)
        model.run_model()
        frames.append(model.results())
    return frames


@pytest.mark.parametrize("scenario", sorted(list_scenarios()))
def test_every_scenario_runs_to_its_end_year(scenario):
    cfg = load_scenario(scenario)
    model = AllianceModel(cfg, seed=1)
    model.run_model()
    res = model.results()
    assert list(res.timeseries["year"]) == list(cfg.years)
    assert tuple(res.timeseries.columns) == TIMESERIES_COLUMNS
    assert not res.members.empty and not res.capabilities.empty


def test_the_coalition_loses_more_contributors_than_the_alliance_operation():
    alliance = sum(r.timeseries["defections"].iloc[-1] for r in _final("isaf"))
    coalition = sum(r.timeseries["defections"].iloc[-1] for r in _final("isaf_coalition"))
    assert coalition > alliance


def test_austerity_abandons_more_areas_than_the_baseline_and_smart_defence_keeps_more():
    def final(name: str, column: str) -> float:
        return sum(r.timeseries[column].iloc[-1] for r in _final(name))

    assert final("austerity", "areas_abandoned") > final("baseline", "areas_abandoned")
    assert (final("smart_defence", "europe_capability_index")
            > final("austerity", "europe_capability_index"))


def test_the_pivot_makes_the_other_allies_spend_more():
    def allies_spending(name: str) -> float:
        total = 0.0
        for r in _final(name):
            m = r.members.query("member != 'USA' and year == 2030")
            total += m["budget_usd"].sum()
        return total

    assert allies_spending("us_pivot") > allies_spending("baseline")


def test_a_threat_shock_raises_frontline_burdens_most():
    res = _final("threat_shock", seeds=[1])[0].members
    change = (res.query("year == 2020").set_index("member")["burden_pct"]
              - res.query("year == 2013").set_index("member")["burden_pct"])
    frontline = ["EST", "LVA", "LTU", "POL", "NOR"]
    assert change[frontline].mean() > change.drop([*frontline, "USA"]).mean()
