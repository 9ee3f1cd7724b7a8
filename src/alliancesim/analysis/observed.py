"""What the shipped data say, and what the naive predictors make of it.

The validation checks compare the model with observed statistics (SIPRI 1990-2013, NATO
2012-2013) and with naive predictors that need no model: persistence ("no change from the
start year"), momentum (last year's change repeated), GDP alone, posture alone and border
exposure alone. Everything here is a pure function of the shipped tables; the targets file
(``alliancesim/validation/targets.toml``) records the values these functions give, and a test
checks that the two agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..data import (
    LEADER_CODE,
    NATO_YEAR,
    isaf_deaths_table,
    isaf_troops_table,
    members_table,
    nato_table,
    postures_table,
    sipri_table,
)

#: Declared postures as an ordinal score for "posture alone".
POSTURE_SCORE = {"activist": 2, "defender": 1, "free-rider": 0}


def sipri_wide(column: str) -> pd.DataFrame:
    """One SIPRI column as a year x ISO3 table (ISO3 codes of the members table)."""
    df = sipri_table().dropna(subset=["iso3"])
    return df.pivot(index="year", columns="iso3", values=column)


def members_by(year: int, max_accession_year: int = 2012) -> list[str]:
    """Codes of the allies that had joined by ``year`` (and by ``max_accession_year``)."""
    m = members_table()
    return list(m.loc[(m["joined"] <= year) & (m["joined"] <= max_accession_year), "iso3"])


def members_at_norm(year: int, norm: float = 2.0) -> int:
    """Allies of ``year`` whose SIPRI burden is at or above ``norm`` % of GDP."""
    share = sipri_wide("milex_share_gdp_pct").reindex(columns=members_by(year))
    return int((share.loc[year].dropna() >= norm - 1e-9).sum())


def leader_share(year: int) -> float:
    """The leader's share of the SIPRI military spending of the allies of ``year``."""
    milex = sipri_wide("milex_const2023_usd_m").reindex(columns=members_by(year))
    row = milex.loc[year].dropna()
    return float(row[LEADER_CODE] / row.sum())


def real_spending_change(members: list[str], start: int, end: int) -> float:
    """Real change (%) in the summed SIPRI spending of ``members`` from ``start`` to ``end``."""
    milex = sipri_wide("milex_const2023_usd_m").reindex(columns=members)
    return float(100.0 * (milex.loc[end].sum() / milex.loc[start].sum() - 1.0))


def burden_change(members: list[str], start: int, end: int) -> pd.Series:
    """Change in SIPRI burden (% GDP points) of each of ``members``, ``start`` to ``end``."""
    share = sipri_wide("milex_share_gdp_pct").reindex(columns=members)
    return (share.loc[end] - share.loc[start]).rename("observed")


def reported_both(members: list[str], start: int, end: int) -> list[str]:
    """Those of ``members`` with a SIPRI burden in both years."""
    share = sipri_wide("milex_share_gdp_pct").reindex(columns=members)
    ok = share.loc[start].notna() & share.loc[end].notna()
    return [c for c in members if ok[c]]


def population_2012() -> pd.Series:
    """Each ally's population in 2012 (NATO: real GDP / GDP per head), the model's own."""
    t = nato_table()
    row = t[t["year"] == NATO_YEAR].set_index("iso3")
    return (row["gdp_usd_2015"] / row["gdp_per_capita_usd"]).dropna()


def isaf_deaths_per_million(members: list[str]) -> pd.Series:
    """Observed military deaths in Afghanistan per million people (2012 population)."""
    deaths = isaf_deaths_table().set_index("member")["deaths"].astype(float)
    return (deaths.reindex(members) / population_2012().reindex(members) * 1e6).rename(
        "observed")


def isaf_troops(members: list[str]) -> pd.Series:
    """Observed ISAF troops per ally in November 2010 (NATO figures, as reported)."""
    troops = isaf_troops_table().set_index("member")["troops"].astype(float)
    return troops.reindex(members).rename("observed")


def isaf_allies(max_accession_year: int = 2012) -> list[str]:
    """The allies of the ISAF replay that field forces: members by ``max_accession_year``
    other than the leader and Iceland (no armed forces)."""
    return [c for c in members_by(max_accession_year, max_accession_year)
            if c not in (LEADER_CODE, "ISL")]


def nato_column(year: int, column: str) -> pd.Series:
    """One column of the NATO table for ``year``, by ISO3 code (rows without a value dropped)."""
    t = nato_table()
    return t[t["year"] == year].set_index("iso3")[column].dropna()


def nato_allies_with_burden(first: int = 2012, last: int = 2013) -> list[str]:
    """The allies of ``first`` with a NATO burden in both years (Iceland has none)."""
    both = nato_column(first, "defexp_pct_gdp").index.intersection(
        nato_column(last, "defexp_pct_gdp").index)
    return [c for c in members_by(first) if c in both]


def leader_real_change_nato(first: int = 2012, last: int = 2013) -> float:
    """The leader's real change (%) in NATO defence expenditure (constant 2015 USD)."""
    spend = nato_table().set_index(["iso3", "year"])["defexp_usd_2015"]
    return float(100.0 * (spend[(LEADER_CODE, last)] / spend[(LEADER_CODE, first)] - 1.0))


# --------------------------------------------------------------------------- naive predictors


def mean_absolute_error(predicted: pd.Series, observed: pd.Series) -> float:
    """MAE over the entries both series have."""
    both = predicted.index.intersection(observed.index)
    return float((predicted[both] - observed[both]).abs().mean())


def rank_skill(predicted: pd.Series, observed: pd.Series) -> float:
    """Spearman rho of a prediction against what happened (NaN if either is constant)."""
    both = predicted.index.intersection(observed.index)
    x, y = predicted[both].to_numpy(float), observed[both].to_numpy(float)
    if len(both) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(stats.spearmanr(x, y).statistic)


def best_single_predictor(predictors: dict[str, pd.Series],
                          observed: pd.Series) -> tuple[str, float, dict[str, float]]:
    """The one-variable predictor that ranks ``observed`` best, given its best sign.

    Returns its name, its |rho| and every predictor's |rho|. A constant predictor (no change,
    for a change) ranks nothing: |rho| 0.
    """
    skill = {name: abs(np.nan_to_num(rank_skill(p, observed))) for name, p in predictors.items()}
    best = max(skill, key=lambda k: skill[k])
    return best, skill[best], skill


def single_predictors(members: list[str], year: int) -> dict[str, pd.Series]:
    """GDP alone, posture alone and border exposure alone for ``members`` in ``year``.

    GDP is NATO's for 2012 on and SIPRI's (spending / burden) before.
    """
    if year >= 2012:
        gdp = nato_column(2012, "gdp_usd_2015")
    else:
        gdp = (sipri_wide("milex_const2023_usd_m").loc[year]
               / sipri_wide("milex_share_gdp_pct").loc[year])
    m = members_table().set_index("iso3")
    exposed = (m["land_border_russia"] | m["land_border_belarus_or_ukraine"]).astype(float)
    posture = postures_table().set_index("iso3")["posture"].map(POSTURE_SCORE).astype(float)
    return {"GDP alone": np.log(gdp.reindex(members)),
            "posture alone": posture.reindex(members),
            "border exposure alone": exposed.reindex(members)}
