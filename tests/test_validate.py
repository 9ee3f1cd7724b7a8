"""The scorecard: naive predictors computed right, checks that can fail, the command's contract."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alliancesim.analysis import observed as obs
from alliancesim.analysis import validate as v
from alliancesim.cli import main


def test_mean_ci_is_a_t_interval_and_collapses_when_seeds_agree():
    mean, low, high = v.mean_ci([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5
    half = 3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert high - mean == pytest.approx(half, rel=1e-5)
    assert mean - low == pytest.approx(half, rel=1e-5)
    assert v.mean_ci([5.0, 5.0]) == (5.0, 5.0, 5.0)


# --------------------------------------------------------------------------- naive predictors


def test_rank_skill_is_spearman_and_a_constant_prediction_has_none():
    observed = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    up, down = pd.Series({"A": 10, "B": 20, "C": 30, "D": 40}), pd.Series({"A": 4, "B": 1})
    assert obs.rank_skill(up, observed) == pytest.approx(1.0)
    assert math.isnan(obs.rank_skill(down, observed))  # fewer than three in common
    assert obs.rank_skill(-up, observed) == pytest.approx(-1.0)
    assert math.isnan(obs.rank_skill(pd.Series(0.0, index=list("ABCD")), observed))
    # only the members both series have count
    assert obs.rank_skill(pd.Series({"A": 1, "B": 2, "C": 3, "Z": -9}), observed) == (
        pytest.approx(1.0))


def test_the_best_single_predictor_gets_its_best_sign():
    observed = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0, "E": 5.0})
    predictors = {
        "GDP alone": pd.Series({"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}),  # rho -1
        "posture alone": pd.Series({"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}),
        "no change": pd.Series(0.0, index=list("ABCDE")),
    }
    name, best, skill = obs.best_single_predictor(predictors, observed)
    assert name == "GDP alone" and best == pytest.approx(1.0)
    assert skill["no change"] == 0.0 and 0 < skill["posture alone"] < 1


def test_mean_absolute_error_of_persistence_on_a_small_panel():
    first = pd.Series({"A": 1.0, "B": 2.0, "C": 1.5})
    second = pd.Series({"A": 1.2, "B": 1.9, "C": 1.5})
    assert obs.mean_absolute_error(first, second) == pytest.approx(0.1)


def test_targets_file_holds_what_the_shipped_data_give():
    targets = {c["id"]: c for c in v.load_targets()["check"]}
    assert len(targets) >= 8 and set(targets) == set(v.STATISTICS)
    t = targets
    assert t["h1990_members_at_2pct"]["target"] == obs.members_at_norm(2010)
    assert t["h1990_members_at_2pct"]["naive_value"] == obs.members_at_norm(1990)
    for key, first, last in (("h1990_leader_share", 1990, 2010),
                             ("h2003_leader_share", 2003, 2012)):
        assert t[key]["target"] == pytest.approx(obs.leader_share(last), abs=1e-4)
        assert t[key]["naive_value"] == pytest.approx(obs.leader_share(first), abs=1e-4)
    for key, first, last in (("h1990_europe_real_spending", 1990, 2010),
                             ("h2003_europe_real_spending", 2003, 2012)):
        europeans = [c for c in obs.reported_both(obs.members_by(first), first, last)
                     if c not in ("USA", "CAN")]
        assert t[key]["members"] == europeans
        assert t[key]["target"] == pytest.approx(
            obs.real_spending_change(europeans, first, last), abs=0.01)
    for key, first, last in (("h1990_burden_change_rank", 1990, 2010),
                             ("h2003_burden_change_rank", 2003, 2012)):
        allies = obs.reported_both(obs.members_by(first), first, last)
        assert sorted(t[key]["members"]) == sorted(allies)
        _, best, _ = obs.best_single_predictor(obs.single_predictors(allies, first),
                                               obs.burden_change(allies, first, last))
        assert t[key]["naive_value"] == pytest.approx(best, abs=1e-4)
    allies = obs.nato_allies_with_burden()
    assert len(allies) == 27
    assert t["s2013_burden_mae"]["naive_value"] == pytest.approx(obs.mean_absolute_error(
        obs.nato_column(2012, "defexp_pct_gdp").reindex(allies),
        obs.nato_column(2013, "defexp_pct_gdp").reindex(allies)), abs=1e-5)
    predictors = obs.single_predictors(allies, 2012)
    predictors["momentum"] = obs.nato_column(2012, "defexp_real_change_pct").reindex(allies)
    _, best, _ = obs.best_single_predictor(
        predictors, obs.nato_column(2013, "defexp_real_change_pct").reindex(allies))
    assert t["s2013_change_rank"]["naive_value"] == pytest.approx(best, abs=1e-4)
    assert t["s2013_leader_change"]["target"] == pytest.approx(obs.leader_real_change_nato(),
                                                               abs=0.01)
    assert "Plümper & Neumayer (2015)" in t["free_riding_size_gradient"]["source"]
    assert "32(3)" in t["free_riding_size_gradient"]["source"]
    casualties = t["isaf_casualties_per_head_rank"]
    allies = obs.isaf_allies()
    assert casualties["members"] == allies and len(allies) == 26
    _, best, _ = obs.best_single_predictor(obs.single_predictors(allies, 2003),
                                           obs.isaf_deaths_per_million(allies))
    assert casualties["naive_value"] == pytest.approx(best, abs=1e-4)
    assert casualties["naive_at_run_time"] in v.RUN_NAIVES
    troops_2010 = obs.isaf_troops(obs.isaf_allies(2009))
    rank, share = t["isaf_troops_2010_rank"], t["isaf_troops_2010_share_mae"]
    assert rank["members"] == share["members"] == obs.isaf_allies(2009) == allies
    _, best, _ = obs.best_single_predictor(obs.single_predictors(allies, 2003), troops_2010)
    assert rank["naive_value"] == pytest.approx(best, abs=1e-4)
    gdp = np.exp(obs.single_predictors(allies, 2003)["GDP alone"])
    naive_mae = 100 * obs.mean_absolute_error(gdp / gdp.sum(), troops_2010 / troops_2010.sum())
    assert share["naive_value"] == pytest.approx(naive_mae, abs=1e-4)


def test_the_casualty_table_has_a_source_per_row_and_says_what_is_unchecked():
    from alliancesim.data import isaf_deaths_table

    table = isaf_deaths_table()
    assert table["member"].is_unique and table["source"].str.len().gt(20).all()
    assert set(table["verified"]) <= {"yes", "no"}
    assert (table.loc[table["verified"] == "no", "deaths"] == 0).all()
    # every ally the check ranks has a row; the 2012 column never exceeds the final count
    assert set(obs.isaf_allies()) <= set(table["member"])
    both = table.dropna(subset=["deaths_2012_05_20"])
    assert (both["deaths_2012_05_20"] <= both["deaths"]).all()
    per_million = obs.isaf_deaths_per_million(["DNK", "GBR", "DEU"])
    assert per_million["DNK"] > per_million["GBR"] > 5 * per_million["DEU"]


def test_the_isaf_troop_table_lists_every_ally_of_2010_once_with_a_source():
    from alliancesim.data import isaf_troops_table

    table = isaf_troops_table()
    assert sorted(table["member"]) == sorted(obs.members_by(2010))
    assert table["member"].is_unique and (table["troops"] > 0).all()
    assert table["source"].str.contains("NATO").all()
    # NATO's figures as reported: the UK second to the US, the Dutch after leaving Uruzgan
    troops = table.set_index("member")["troops"]
    assert troops.drop("USA").idxmax() == "GBR" and troops["NLD"] < 300


def test_troop_checks_pass_for_nato_s_own_figures_and_fail_for_a_uniform_spread():
    specs = {c["id"]: c for c in v.load_targets()["check"]}
    observed = obs.isaf_troops(specs["isaf_troops_2010_rank"]["members"])
    for troops, passes in ((observed, True), (observed * 0 + 500.0, False)):
        rows = [{"condition": "alliance", "seed": seed, "year": 2010, "member": code,
                 "troops_deployed": value + seed} for code, value in troops.items()
                for seed in (1, 2, 3)]
        ev = v.Evidence(runs={}, members={"isaf": pd.DataFrame(rows)})
        checks = v.validation_checks(ev, {**v.load_targets(), "check": [
            specs["isaf_troops_2010_rank"], specs["isaf_troops_2010_share_mae"]]})
        assert [c.passed for c in checks] == [passes, passes], checks


def _isaf_members(casualties: dict[str, list[float]], troops: dict[str, float]) -> pd.DataFrame:
    """An ISAF member table: per seed, each ally's casualties (one year) and troops."""
    rows = [{"condition": "alliance", "seed": seed, "year": 2010, "member": code,
             "casualties": values[seed - 1], "troops_deployed": troops[code]}
            for code, values in casualties.items() for seed in (1, 2, 3)]
    return pd.DataFrame(rows)


def test_casualties_per_head_check_fails_when_troops_alone_say_as_much():
    spec = next(c for c in v.load_targets()["check"]
                if c["id"] == "isaf_casualties_per_head_rank")
    population = obs.population_2012()
    observed = obs.isaf_deaths_per_million(spec["members"])
    # troops spread so that troops alone rank the allies half right
    troops = {c: float(population[c] * (1.0 + (i % 4))) for i, c in enumerate(spec["members"])}
    # (a) casualties proportional to troops: the sector choice adds nothing -> fails
    flat = {c: [troops[c] * 1e-3] * 3 for c in spec["members"]}
    # (b) an oracle that puts the observed deaths where they fell -> passes
    oracle = {c: [observed[c] * population[c] / 1e6 + 0.01 * k for k in range(3)]
              for c in spec["members"]}
    for casualties, expect in ((flat, False), (oracle, True)):
        ev = v.Evidence(runs={}, members={"isaf": _isaf_members(casualties, troops)})
        check = v.validation_checks(ev, {**v.load_targets(), "check": [spec]})[0]
        assert check.passed is expect, check
        assert check.naive_value >= spec["naive_value"]


# --------------------------------------------------------------------------- rules


def _spec(**kw):
    base = {"id": "x", "period": "2012-2013", "statistic": "s", "naive_name": "persistence",
            "source": "data"}
    return base | kw


def test_closer_rule_needs_the_mean_and_enough_seeds_to_beat_the_naive():
    spec = _spec(rule="closer", target=-6.0, naive_value=0.0)
    good = v.judge(spec, pd.Series([-5.0, -6.5, -4.0, -7.0]), 0.5)
    assert good.passed and good.seeds_passing == 4 and good.seeds == 4
    # no better than "no change": fails
    same = v.judge(spec, pd.Series([0.0, 0.1, 0.2, 0.0]), 0.5)
    assert not same.passed and same.seeds_passing == 0
    # the mean beats the naive but only one seed of four does: not a reproduced pattern
    split = v.judge(spec, pd.Series([-8.0, 1.0, 1.0, 1.0]), 0.5)
    assert split.seeds_passing == 1 and not split.passed


def test_rank_and_error_rules_compare_with_the_naive_value():
    rank = _spec(rule="rank_skill", target="rho > naive", naive_value=0.3)
    assert v.judge(rank, pd.Series([0.5, 0.4, 0.35]), 0.5).passed
    assert not v.judge(rank, pd.Series([0.2, 0.31, 0.1]), 0.5).passed
    mae = _spec(rule="lower_error", target="MAE < naive", naive_value=0.074)
    assert v.judge(mae, pd.Series([0.05, 0.06]), 0.5).passed
    assert not v.judge(mae, pd.Series([0.075, 0.08]), 0.5).passed
    within = _spec(rule="within", target=0.0, tolerance=0.3, naive_value=1.0)
    assert v.judge(within, pd.Series([0.1, -0.2]), 0.5).passed
    check = v.judge(within, pd.Series([0.6, 0.59]), 0.5)
    assert not check.passed and check.kind == "validation" and check.target == "0 ± 0.3"


# --------------------------------------------------------------------------- checks that fail


def _members_2012_2013(burden_2013: pd.Series, real_change: pd.Series, seeds=(1, 2, 3)):
    """A baseline member table whose 2013 row is given, for the one-step-ahead checks."""
    allies = obs.nato_allies_with_burden()
    b12 = obs.nato_column(2012, "defexp_pct_gdp").reindex(allies)
    gdp = obs.nato_column(2012, "gdp_usd_2015").reindex(allies)
    rows = []
    for seed in seeds:
        for code in allies:
            budget = gdp[code] * b12[code] / 100
            rows.append({"condition": "baseline", "seed": seed, "year": 2012, "member": code,
                         "burden_pct": b12[code], "budget_usd": budget, "gdp_usd": gdp[code]})
            rows.append({"condition": "baseline", "seed": seed, "year": 2013, "member": code,
                         "burden_pct": burden_2013[code] + 0.001 * seed,
                         "budget_usd": budget * (1 + real_change[code] / 100),
                         "gdp_usd": gdp[code]})
    return pd.DataFrame(rows)


def _one_step_checks(members: pd.DataFrame) -> dict[str, v.Check]:
    ev = v.Evidence(runs={}, members={"baseline": members})
    targets = v.load_targets()
    picked = {**targets, "check": [c for c in targets["check"] if c["id"].startswith("s2013")]}
    return {c.check: c for c in v.validation_checks(ev, picked)}


def test_one_step_checks_pass_for_a_model_that_knew_2013_and_fail_for_persistence():
    allies = obs.nato_allies_with_burden()
    b12 = obs.nato_column(2012, "defexp_pct_gdp").reindex(allies)
    b13 = obs.nato_column(2013, "defexp_pct_gdp").reindex(allies)
    real = obs.nato_column(2013, "defexp_real_change_pct").reindex(allies)
    oracle = _one_step_checks(_members_2012_2013(b13, real))
    assert all(c.passed for c in oracle.values()), oracle
    assert oracle["s2013_leader_change"].value == pytest.approx(-6.04, abs=0.01)
    assert oracle["s2013_burden_mae"].seeds_passing == 3
    # "no change" is the naive predictor: the model must do better than it, so it fails
    flat = _one_step_checks(_members_2012_2013(b12, real * 0 + 0.3 * np.arange(len(allies))))
    assert not flat["s2013_burden_mae"].passed
    assert not flat["s2013_leader_change"].passed
    assert flat["s2013_change_rank"].value < 0.2 and not flat["s2013_change_rank"].passed


def test_free_riding_gradient_fails_when_small_allies_respond_more():
    rows = []
    gdps = {"AAA": 1e10, "BBB": 5e10, "CCC": 2e11, "DDD": 9e11, "EEE": 3e12}
    for graded in (True, False):
        for seed in (1, 2):
            for condition in ("baseline", "leader_spends_more"):
                for i, (code, gdp) in enumerate(gdps.items()):
                    cut = (0.1 / (i + 1) if graded else 0.05 + 0.01 * ((i * 3 + seed) % 5))
                    end = 1.0 - (cut if condition == "leader_spends_more" else 0.0)
                    rows += [{"graded": graded, "condition": condition, "seed": seed,
                              "year": y, "member": code, "budget_usd": b, "gdp_usd": gdp}
                             for y, b in ((2012, 1.0), (2030, end))]
    frame = pd.DataFrame(rows)
    spec = next(c for c in v.load_targets()["check"] if c["id"] == "free_riding_size_gradient")
    for graded, expect in ((True, False), (False, True)):
        ev = v.Evidence(runs={}, members={"baseline": frame[frame["graded"] == graded]})
        check = v.judge(spec, v.stat_free_riding_gradient(spec, ev), 0.5)
        assert check.passed is expect, (graded, check)


def test_a_start_row_that_does_not_match_the_data_fails_its_sanity_check():
    def runs(share: float) -> pd.DataFrame:
        return pd.DataFrame({"condition": "baseline", "seed": [1, 2], "year": 2012,
                             "members_at_2pct": 3, "leader_share": share,
                             "exploitation_rho": 0.32})
    good = v.sanity_start_rows(v.Evidence(runs={"baseline": runs(0.743)}, members={}))
    assert all(c.passed and c.kind == "sanity" for c in good)
    bad = {c.check: c for c in v.sanity_start_rows(
        v.Evidence(runs={"baseline": runs(0.70)}, members={}))}
    assert not bad["start_2012_leader_share"].passed


# --------------------------------------------------------------------------- the command


def _fake_checks(passed: bool) -> list[v.Check]:
    sane = v.Check("start", "sanity", "2012", "s", 1, 1, 1, "", float("nan"), "1", True,
                   "data", 2, 2, per_seed=pd.Series([1.0, 1.0], index=[1, 2]))
    valid = v.Check("one", "validation", "2012-2013", "s", 0.5, 0.4, 0.6, "persistence", 0.0,
                    "1 (closer than the naive)", passed, "data", 2 * passed, 2,
                    per_seed=pd.Series([0.4, 0.6], index=[1, 2]))
    return [sane, valid]


@pytest.mark.parametrize(("passed", "strict", "code"), [
    (False, False, 0), (False, True, 1), (True, True, 0)])
def test_exit_code_is_zero_unless_strict_and_a_validation_check_fails(
        monkeypatch, tmp_path, capsys, passed, strict, code):
    monkeypatch.setattr(v, "validate", lambda seeds, workers: _fake_checks(passed))
    args = ["validate", "--seeds", "2", "--out", str(tmp_path / "v")] + ["--strict"] * strict
    assert main(args) == code
    out = capsys.readouterr().out
    assert ("FAIL  one" in out and "failed validation checks: one" in out) is (not passed)


def test_validate_command_writes_the_scorecard(tmp_path, capsys):
    code = main(["validate", "--seeds", "2", "--out", str(tmp_path / "v")])
    assert code == 0  # failed validation checks are findings, not errors
    table = pd.read_csv(tmp_path / "v" / "validation.csv")
    assert list(table.columns) == v.COLUMNS
    assert set(table["kind"]) == {"sanity", "validation"}
    valid = table[table["kind"] == "validation"]
    assert len(valid) >= 8 and valid["naive_name"].notna().all()
    assert (table["seeds"] == 2).all() and table["seeds_passing"].between(0, 2).all()
    seeds = pd.read_csv(tmp_path / "v" / "validation_seeds.csv")
    assert set(seeds["check"]) == set(table["check"]) and set(seeds["seed"]) == {1, 2}
    page = (tmp_path / "v" / "validation.md").read_text()
    assert "## Validation checks" in page and "Score:" in page
    out = capsys.readouterr().out
    assert "validation checks pass" in out
    assert not list((tmp_path / "v").glob(".*.tmp"))


def test_validate_needs_two_seeds(capsys):
    assert main(["validate", "--seeds", "1", "--out", "unused"]) == 2
    assert "at least 2" in capsys.readouterr().err


def test_calibration_is_recorded_with_its_inputs_and_not_applied():
    import json
    import tomllib
    from pathlib import Path

    from alliancesim.config import load_scenario

    root = Path(__file__).resolve().parents[1] / "experiments"
    settings = tomllib.loads((root / "calibration_1990s.toml").read_text())
    result = json.loads((root / "calibration_1990s.json").read_text())
    assert result["inputs"]["settings"] == settings
    assert settings["end_year"] < 2003  # the window overlaps no 2003-2013 validation check
    assert set(result["fit"]["parameters"]) == set(settings["parameters"])
    assert result["applied_as_defaults"] is False
    defaults = load_scenario("baseline")
    fitted = result["fit"]["parameters"]
    assert any(defaults.get(name) != value for name, value in fitted.items())  # not applied


@pytest.mark.parametrize("args", [["--workers", "0"], ["--seeds", "0"]])
def test_bad_options_exit_2_with_one_message_and_write_nothing(tmp_path, capsys, args):
    out = tmp_path / "v"
    assert main(["validate", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert "--" in err and "Traceback" not in err
    assert not out.exists()


def test_an_out_path_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("mine")
    assert main(["validate", "--seeds", "2", "--out", str(target)]) == 2
    assert target.read_text() == "mine"


def test_the_runs_are_the_same_whatever_the_number_of_workers(monkeypatch):
    short = {"run.end_year": 2006}
    monkeypatch.setattr(v, "SWEEPS", {
        "isaf": ("isaf", [("alliance", short),
                          ("coalition", {**short, "operation.framework": "coalition"})], True),
        "austerity": ("austerity", [("uncoordinated", {"run.end_year": 2015})], False)})
    one = v.gather([3, 4], workers=1)
    two = v.gather([3, 4], workers=2)
    for name in v.SWEEPS:
        pd.testing.assert_frame_equal(one.runs[name], two.runs[name])
        pd.testing.assert_frame_equal(one.members[name], two.members[name])


def test_a_hindcast_fed_with_the_leaders_observed_budget_is_flagged(monkeypatch):
    from alliancesim import config

    assert v.outcome_inputs(["baseline", "isaf", "hindcast_1990"]) == []
    real = config.load_scenario

    def replayed(name, overrides=None):
        return real(name, {**(overrides or {}), "leader.budget_path": "sipri"})

    monkeypatch.setattr(config, "load_scenario", replayed)
    found = v.outcome_inputs(["isaf"])
    assert found == ["isaf: leader.budget_path = 'sipri'"]
    ev = v.Evidence(runs={"baseline": pd.DataFrame({"seed": [1, 2]})}, members={})
    check = v.sanity_inputs(ev)[0]
    assert not check.passed and check.kind == "sanity"
