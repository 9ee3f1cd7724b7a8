"""The model end to end: initialisation from data, determinism, invariants, the Python API."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliancesim import AllianceModel, ConfigError, load_scenario
from alliancesim.agents import AllianceLeader, MemberState
from alliancesim.results import CAPABILITY_COLUMNS, MEMBER_COLUMNS, TIMESERIES_COLUMNS


def _run(scenario: str, seed: int, **overrides) -> AllianceModel:
    model = AllianceModel(load_scenario(scenario, overrides or None), seed=seed)
    model.run_model()
    return model


def test_baseline_starts_from_the_28_allies_of_2012_in_nato_data(baseline_run):
    first = baseline_run.results().members.query("year == 2012")
    assert len(first) == 28 and "MNE" not in set(first["member"])
    usa = first.set_index("member").loc["USA"]
    assert usa["burden_pct"] == pytest.approx(4.3662, abs=1e-3)
    ts = baseline_run.results().timeseries.iloc[0]
    assert ts["members_at_2pct"] == 3                       # USA, GBR, GRC
    assert ts["leader_share"] == pytest.approx(0.74, abs=0.01)
    assert ts["exploitation_rho"] == pytest.approx(0.32, abs=0.02)


def test_every_declared_posture_comes_from_the_shipped_table(baseline_run):
    postures = baseline_run.results().members.drop_duplicates("member").set_index("member")
    assert postures.loc["DEU", "posture"] == "defender"
    assert postures.loc["LUX", "posture"] == "free-rider"
    assert set(postures["posture"]) == {"activist", "defender", "free-rider"}


def test_members_join_in_their_accession_year(isaf_run):
    members = isaf_run.results().members
    first_year = members.groupby("member")["year"].min()
    assert first_year["FRA"] == 2003
    assert first_year["EST"] == 2004 and first_year["ROU"] == 2004
    assert first_year["ALB"] == 2009 and first_year["HRV"] == 2009
    assert isaf_run.results().timeseries.set_index("year").loc[2003, "members"] == 19


def test_the_leader_and_members_are_mesa_agents(baseline_run):
    agents = list(baseline_run.agents)
    assert len(agents) == 28
    assert all(isinstance(a, MemberState) for a in agents)
    leaders = [a for a in agents if isinstance(a, AllianceLeader)]
    assert [a.code for a in leaders] == ["USA"]
    assert isinstance(baseline_run, mesa.Model)


def test_stepping_with_mesa_advances_one_year_per_step():
    model = AllianceModel(load_scenario("baseline"), seed=2)
    start = model.year
    for _ in range(3):
        model.step()
    assert model.year == start + 3 and model.steps == 3
    assert len(model.results().timeseries) == 4
    model.run_model()
    assert model.year == 2030 and not model.running


def test_results_have_the_documented_columns(baseline_run):
    res = baseline_run.results()
    assert tuple(res.timeseries.columns) == TIMESERIES_COLUMNS
    assert tuple(res.members.columns) == MEMBER_COLUMNS
    assert tuple(res.capabilities.columns) == CAPABILITY_COLUMNS
    assert len(res.timeseries) == 19
    assert len(res.members) == 19 * 28
    assert len(res.capabilities) == 19 * 28 * 10


def test_same_config_and_seed_give_identical_tables():
    a, b = _run("isaf", 11).results(), _run("isaf", 11).results()
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.members, b.members)
    pd.testing.assert_frame_equal(a.capabilities, b.capabilities)


def test_different_seeds_give_different_runs():
    a, b = _run("isaf", 1).results(), _run("isaf", 2).results()
    assert not a.members["gdp_usd"].equals(b.members["gdp_usd"])


def test_the_global_numpy_generator_is_not_used():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    _run("classroom", 3)
    assert np.random.random() == before


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       scenario=st.sampled_from(["isaf", "isaf_coalition", "smart_defence", "us_pivot",
                                 "classroom"]),
       consensus=st.floats(0.0, 1.0), sensitivity=st.floats(0.0, 0.05),
       max_change=st.floats(0.0, 1.0), assured=st.floats(0.0, 1.0))
def test_invariants_hold_for_any_seed_and_parameters(seed, scenario, consensus, sensitivity,
                                                     max_change, assured):
    model = _run(scenario, seed, **{"opinion.elite_consensus": consensus,
                                   "opinion.casualty_sensitivity": sensitivity,
                                   "spending.max_change": max_change,
                                   "smart_defence.assured_access": assured,
                                   "run.end_year": load_scenario(scenario).run.start_year + 8})
    res = model.results()
    m, ts, cap = res.members, res.timeseries, res.capabilities
    for column in ("support_operation", "support_defence", "reputation", "caveat",
                   "equipment_share"):
        assert m[column].between(0.0, 1.0).all(), column
    assert ts["leader_share"].between(0.0, 1.0).all()
    assert (m["budget_usd"] >= 0).all() and (m["gdp_usd"] > 0).all()
    assert (cap["stock"] >= 0).all()
    assert (m["troops_deployed"] <= m["deployable_troops"] + 1e-6).all()
    assert (m["casualties"] >= 0).all()
    assert ts["defections"].is_monotonic_increasing
    assert ts["coordinated_drawdowns"].is_monotonic_increasing
    s = model.state
    parts = s.personnel_spend + s.operations_spend + s.other_spend + s.equipment_spend
    assert np.allclose(parts, s.budget, rtol=1e-9, atol=1.0)


def test_withdrawn_members_stay_out_of_the_operation():
    res = _run("isaf_coalition", 5).results().members
    for _, history in res.groupby("member"):
        withdrawn = history["withdrawn"].to_numpy()
        if withdrawn.any():
            first = int(np.argmax(withdrawn))
            assert withdrawn[first:].all()
            assert (history["troops_deployed"].to_numpy()[first:] == 0).all()


def test_the_operation_ends_in_a_coordinated_drawdown_not_defections(isaf_run):
    ts = isaf_run.results().timeseries.set_index("year")
    assert ts.loc[2014, "troop_requirement"] < ts.loc[2011, "troop_requirement"]
    baseline = _run("baseline", 3).results().timeseries.set_index("year")
    assert baseline.loc[2015, "contributors"] == 0
    assert baseline.loc[2015, "coordinated_drawdowns"] >= 20
    assert baseline.loc[2015, "defections"] == baseline.loc[2014, "defections"]


@pytest.mark.parametrize("ceiling", [0.349, 0.2])
def test_a_run_that_starts_mid_operation_begins_within_the_commitment_ceiling(ceiling):
    # The start state follows the same rule as every later year (ODD 7.6): an ally holds at
    # most commitment_ceiling x its deployable force, so the first step shows no artificial
    # drop toward the ceiling.
    model = _run("baseline", 1, **{"operation.commitment_ceiling": ceiling})
    members = model.results().members
    start = members[(members["year"] == 2012) & (members["member"] != "USA")]
    assert (start["troops_deployed"] <= ceiling * start["deployable_troops"] + 1e-6).all()
    assert (start["troops_deployed"] > 0).sum() >= 20
    tight = start["troops_deployed"] >= ceiling * start["deployable_troops"] - 1e-6
    assert tight.sum() >= 5          # the ceiling binds somewhere, so the test can fail


def test_after_the_operation_ends_nobody_is_marked_down_for_deploying_nothing():
    # With no operation, effort counts as full: reputation follows spending and caveats
    # only, so a member at the spending norm without caveats cannot lose reputation.
    model = _run("baseline", 4, **{"incentives.spending_norm_pct": 0.1})
    members = model.results().members
    after = members[members["year"] >= 2016].sort_values(["member", "year"])
    no_caveats = after[after["caveat"] == 0]
    assert len(no_caveats) > 0
    drops = no_caveats.groupby("member")["reputation"].diff().dropna()
    assert (drops >= -1e-12).all()
    assert (model.history.member["requested"][-1] == 0).all()


def test_revealed_posture_is_one_of_the_three_types(baseline_run):
    assert set(baseline_run.results().members["revealed_posture"]) <= {
        "activist", "defender", "free-rider"}


# ---------------------------------------------------------------- play-as-a-member-state API

def test_a_controlled_members_burden_is_the_value_set():
    model = AllianceModel(load_scenario("baseline"), seed=4, controlled_member="DEU")
    model.set_policy("DEU", burden_pct=2.0)
    model.step()
    row = model.results().members.query("year == 2013 and member == 'DEU'").iloc[0]
    assert row["burden_pct"] == pytest.approx(2.0)


def test_set_policy_rejects_out_of_range_values_and_other_members():
    model = AllianceModel(load_scenario("baseline"), seed=4, controlled_member="DEU")
    with pytest.raises(ConfigError, match="caveat"):
        model.set_policy("DEU", caveat=1.5)
    with pytest.raises(ConfigError, match="not the controlled member"):
        model.set_policy("FRA", burden_pct=2.0)
    with pytest.raises(ConfigError, match="not a member"):
        AllianceModel(load_scenario("baseline"), seed=4, controlled_member="XXX")
