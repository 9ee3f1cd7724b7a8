"""Pattern-oriented validation: does the model reproduce what the evidence shows?

Each fact is a named function over the outputs of a few sweeps (N seeds each). It returns one
or more :class:`Check` rows: the statistic, the model's value with a 95% interval over seeds,
the target, whether it passes, and the source. Pass criteria are fixed in advance and written
in ``docs/validation.md``; a failing fact is reported, never tuned away.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..sweep import Condition, Experiment, run_experiment

SMART_LEVERS = {f"smart_defence.{k}": True for k in (
    "prioritisation", "pooling", "specialisation", "two_plus", "ring_fencing",
    "reinvestment_fund")}
NATO_DATA = "data: NATO defence expenditure 2012 (nato_defence_expenditure_2012_2013.csv)"
SEED_TEXT = "seed: Dynamic Change (IAI / NATO ACT, 2013)"


@dataclass(frozen=True)
class Check:
    """One row of the validation table."""

    fact: str
    statistic: str
    value: float
    ci_low: float
    ci_high: float
    target: str
    passed: bool
    source: str


def mean_ci(values: np.ndarray | pd.Series) -> tuple[float, float, float]:
    """Mean and 95% t-interval of per-seed values (a zero-width interval if they agree)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2 or np.all(x == x[0]):
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


@dataclass
class Evidence:
    """The sweeps every fact draws on: one run per seed per condition."""

    baseline: pd.DataFrame
    baseline_members: pd.DataFrame
    isaf: pd.DataFrame
    isaf_members: pd.DataFrame
    austerity: pd.DataFrame


def gather(seeds: list[int], out_dir: Path, workers: int = 1) -> Evidence:
    """Run the three sweeps the facts need."""
    designs = {
        "baseline": Experiment(scenario="baseline", seeds=seeds, conditions=[
            Condition("baseline"), Condition("leader_spends_more", {"leader.burden_trend": 0.1})]),
        "isaf": Experiment(scenario="isaf", seeds=seeds, conditions=[
            Condition("alliance"), Condition("coalition", {"operation.framework": "coalition"})]),
        "austerity": Experiment(scenario="austerity", seeds=seeds, conditions=[
            Condition("uncoordinated"), Condition("smart_defence", SMART_LEVERS)]),
    }
    frames = {}
    for name, design in designs.items():
        folder = out_dir / name
        run_experiment(design, folder, workers=workers, members=name != "austerity",
                       resume=folder.exists(), progress=False)
        frames[name] = pd.read_parquet(folder / "runs.parquet")
        if name != "austerity":
            frames[f"{name}_members"] = pd.read_parquet(folder / "members.parquet")
    return Evidence(**frames)


def _at(frame: pd.DataFrame, condition: str, year: int, column: str) -> pd.Series:
    rows = frame[(frame["condition"] == condition) & (frame["year"] == year)]
    return rows.set_index("seed")[column].sort_index()


def fact_2012_baseline(ev: Evidence) -> list[Check]:
    """1. The 2012 start reproduces NATO's figures."""
    checks = []
    for column, target, tolerance, label in (
            ("members_at_2pct", 3, 0, "members at or above 2% of GDP"),
            ("leader_share", 0.74, 0.02, "leader's share of alliance spending"),
            ("exploitation_rho", 0.32, 0.05, "Spearman rho, GDP vs burden (27 allies)")):
        mean, low, high = mean_ci(_at(ev.baseline, "baseline", 2012, column))
        checks.append(Check("1. 2012 baseline vs NATO data", label, mean, low, high,
                            f"{target} ± {tolerance}", abs(mean - target) <= tolerance + 1e-9,
                            NATO_DATA))
    return checks


def fact_isaf_cohesion(ev: Evidence) -> list[Check]:
    """2. No true defection from the alliance operation before its late years; the
    coalition loses clearly more contributors."""
    source = f"{SEED_TEXT}, Alcaro & Marrone, lines 4135-4145"
    early = mean_ci(_at(ev.isaf, "alliance", 2009, "defections"))
    alliance = _at(ev.isaf, "alliance", 2014, "defections")
    coalition = _at(ev.isaf, "coalition", 2014, "defections")
    diff = mean_ci(coalition - alliance)
    return [
        Check("2. ISAF cohesion", "unilateral defections by 2009, alliance replay", *early,
              "0 (upper CI < 0.5)", early[2] < 0.5, source),
        Check("2. ISAF cohesion", "coalition minus alliance defections by 2014", *diff,
              "> 0 (lower CI > 1)", diff[1] > 1.0, source),
    ]


def fact_caveats(ev: Evidence) -> list[Check]:
    """3. Caveats are relaxed under allied pressure but not lifted."""
    source = f"{SEED_TEXT}, Alcaro & Marrone, lines 4059-4063 and 4147-4149"
    m = ev.isaf_members
    reluctant = m[(m["condition"] == "alliance") & m["posture"].isin(["defender", "free-rider"])
                  & (m["troops_deployed"] > 0)]
    by_year = reluctant.groupby(["seed", "year"])["caveat"].mean().unstack()
    first, last = by_year.columns.min(), by_year.columns.max()
    change = mean_ci(by_year[last] - by_year[first])
    floor = mean_ci(by_year.min(axis=1))
    return [
        Check("3. Caveats relaxed, not lifted", "change in reluctant members' mean caveat "
              f"{first}-{last}", *change, "< 0 (upper CI < 0)", change[2] < 0, source),
        Check("3. Caveats relaxed, not lifted", "lowest yearly mean caveat", *floor,
              "> 0 (lower CI > 0.05)", floor[1] > 0.05, source),
    ]


def _opinion_slope(members: pd.DataFrame, condition: str) -> pd.Series:
    """Per seed: slope of the yearly change in log troops on public support, over contributing
    allies before the drawdown (2005-2011)."""
    m = members[(members["condition"] == condition) & (members["member"] != "USA")]
    m = m.sort_values(["seed", "member", "year"])
    m = m.assign(change=np.log1p(m["troops_deployed"]).groupby([m["seed"], m["member"]]).diff())
    window = m[(m["year"] >= 2005) & (m["year"] <= 2011) & (m["troops_deployed"] > 0)
               & m["change"].notna()]

    def slope(group: pd.DataFrame) -> float:
        # Year effects (the requirement's growth) are taken out before the slope.
        y = group["change"] - group.groupby("year")["change"].transform("mean")
        x = group["support_operation"] - group.groupby("year")["support_operation"].transform(
            "mean")
        return float(np.polyfit(x, y, 1)[0]) if x.std() > 0 else float("nan")

    return window.groupby("seed")[["year", "change", "support_operation"]].apply(slope)


def fact_troop_stickiness(ev: Evidence) -> list[Check]:
    """4. Troop levels respond only weakly to public support in an alliance operation, clearly
    more in a coalition (Kreps)."""
    source = f"{SEED_TEXT}, Alcaro & Marrone citing Kreps, lines 4141-4149"
    alliance = _opinion_slope(ev.isaf_members, "alliance")
    coalition = _opinion_slope(ev.isaf_members, "coalition")
    a = mean_ci(alliance)
    diff = mean_ci(coalition - alliance)
    return [
        Check("4. Troop stickiness", "slope of yearly change in log troops on support "
              "(alliance, 2005-2011, year effects removed)", *a, "weak: |slope| < 0.5",
              abs(a[0]) < 0.5, source),
        Check("4. Troop stickiness", "coalition minus alliance slope", *diff,
              "> 0 (lower CI > 0)", diff[1] > 0, source),
    ]


def fact_specialisation(ev: Evidence) -> list[Check]:
    """5. Uncoordinated austerity raises single-provider and abandoned areas; coordination
    loses fewer for the same money."""
    source = f"{SEED_TEXT}, Giegerich (specialisation by default, 'falling off a cliff')"
    aus = ev.austerity
    abandoned = mean_ci(_at(aus, "uncoordinated", 2030, "areas_abandoned")
                        - _at(ev.baseline, "baseline", 2030, "areas_abandoned"))
    single = mean_ci(_at(aus, "uncoordinated", 2030, "single_provider_areas")
                     - _at(ev.baseline, "baseline", 2030, "single_provider_areas"))
    smart = mean_ci(_at(aus, "smart_defence", 2030, "areas_abandoned")
                    - _at(aus, "uncoordinated", 2030, "areas_abandoned"))
    money = mean_ci(_at(aus, "smart_defence", 2030, "mean_burden_pct")
                    - _at(aus, "uncoordinated", 2030, "mean_burden_pct"))
    return [
        Check("5. Specialisation by default", "abandoned holdings 2030, austerity minus "
              "baseline", *abandoned, "> 0 (lower CI > 0)", abandoned[1] > 0, source),
        Check("5. Specialisation by default", "single-provider areas 2030, austerity minus "
              "baseline", *single, "> 0 (lower CI > 0)", single[1] > 0, source),
        Check("5. Specialisation by default", "abandoned holdings 2030, smart defence minus "
              "uncoordinated", *smart, "< 0 (upper CI < 0)", smart[2] < 0, source),
        Check("5. Specialisation by default", "mean burden 2030, smart defence minus "
              "uncoordinated (same money)", *money, "|difference| < 0.05 points",
              abs(money[0]) < 0.05, source),
    ]


def fact_leader_share(ev: Evidence) -> list[Check]:
    """6. The leader's share of alliance spending rises under European austerity."""
    source = f"{SEED_TEXT}, Keohane: US 60% (1990) to 75% (2010) of NATO spending"
    diff = mean_ci(_at(ev.austerity, "uncoordinated", 2016, "leader_share")
                   - _at(ev.baseline, "baseline", 2016, "leader_share"))
    return [Check("6. Leader's share under austerity", "leader share 2016, austerity minus "
                  "baseline", *diff, "> 0 (lower CI > 0)", diff[1] > 0, source)]


def fact_free_riding(ev: Evidence) -> list[Check]:
    """7. When the leader spends more, smaller allies' spending growth falls, with no clear
    gradient by size (Plümper and Neumayer)."""
    source = f"{SEED_TEXT}, burden-sharing literature cited by Keohane"
    m = ev.baseline_members
    allies = m[m["member"] != "USA"]

    def growth(condition: str) -> pd.DataFrame:
        c = allies[allies["condition"] == condition]
        start = c[c["year"] == 2012].set_index(["seed", "member"])["budget_usd"]
        end = c[c["year"] == 2030].set_index(["seed", "member"])["budget_usd"]
        return (end / start - 1.0).rename("growth").to_frame().join(
            c[c["year"] == 2012].set_index(["seed", "member"])["gdp_usd"])

    base, more = growth("baseline"), growth("leader_spends_more")
    response = (more["growth"] - base["growth"]).rename("response").to_frame().join(
        base["gdp_usd"]).dropna()
    response = response[np.isfinite(response["response"])]
    mean_response = mean_ci(response.groupby("seed")["response"].mean())
    gradient = mean_ci(response.groupby("seed").apply(
        lambda g: stats.spearmanr(g["gdp_usd"], g["response"]).statistic))
    return [
        Check("7. Free-riding response", "change in allies' spending growth 2012-2030 when "
              "the leader's burden rises 0.1 points a year", *mean_response,
              "< 0 (upper CI < 0)", mean_response[2] < 0, source),
        Check("7. Free-riding response", "Spearman rho of ally GDP vs that response", *gradient,
              "no clear gradient: |rho| < 0.3", abs(gradient[0]) < 0.3, source),
    ]


def fact_isaf_europe(ev: Evidence) -> list[Check]:
    """8. Europe's ISAF deployments of 25,000-30,000 a year at the operation's height."""
    source = f"{SEED_TEXT}, Alcaro & Marrone, lines 3648-3650: 25,000-30,000 European troops"
    isaf = ev.isaf[(ev.isaf["condition"] == "alliance") & ev.isaf["year"].between(2009, 2012)]
    peak = mean_ci(isaf.groupby("seed")["troops_deployed_europe"].max())
    return [Check("8. European ISAF deployments", "peak European troops 2009-2012, alliance "
                  "replay", *peak, "25,000-30,000 (CI inside)",
                  peak[1] >= 25_000 and peak[2] <= 30_000, source)]


FACTS: list[Callable[[Evidence], list[Check]]] = [
    fact_2012_baseline, fact_isaf_cohesion, fact_caveats, fact_troop_stickiness,
    fact_specialisation, fact_leader_share, fact_free_riding, fact_isaf_europe]


def validate(seeds: int = 20, out_dir: str | Path | None = None,
             workers: int = 1) -> pd.DataFrame:
    """Run every fact over ``seeds`` seeds; returns the validation table (one row a check)."""
    if seeds < 2:
        from ..config import ConfigError

        raise ConfigError(f"--seeds must be at least 2 for a confidence interval, got {seeds}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(out_dir) / "runs" if out_dir else Path(tmp)
        evidence = gather(list(range(1, seeds + 1)), work, workers)
        rows = [check for fact in FACTS for check in fact(evidence)]
    return pd.DataFrame([vars(r) for r in rows])
