"""Alliance indicators as named functions.

Each takes arrays for one or many years (members on the last axis) and returns the indicator;
``results`` calls them on the recorded history. Definitions are in the README's output table.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

#: Burden (% GDP) below which a member with little operational effort reads as a free-rider.
FREE_RIDER_BURDEN_PCT = 1.2


def leader_share(budget: np.ndarray, leader: np.ndarray) -> np.ndarray:
    """Leader's fraction of alliance defence spending, in [0, 1]."""
    total = budget.sum(axis=-1)
    return np.divide(budget[..., leader].sum(axis=-1), total, out=np.zeros_like(total),
                     where=total > 0)


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * (ranks * x).sum()) / (n * x.sum()) - (n + 1.0) / n)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties); NaN with fewer than 3 points."""
    if x.size < 3:
        return float("nan")
    rx, ry = rankdata(x), rankdata(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def exploitation_rho(gdp: np.ndarray, burden_pct: np.ndarray) -> float:
    """Olson-Zeckhauser exploitation statistic: Spearman rho of GDP against burden.

    Positive: large allies carry a disproportionate share. Members without a defence budget
    (Iceland) are left out.
    """
    has_budget = burden_pct > 0
    return spearman(gdp[has_budget], burden_pct[has_budget])


def providers_per_area(held: np.ndarray, pooled_viable: np.ndarray) -> np.ndarray:
    """Number of providers per area: national holders plus one for a viable pooled unit."""
    return held.sum(axis=-2) + pooled_viable


def single_provider_areas(providers: np.ndarray) -> np.ndarray:
    """Areas held by one or two providers only (single points of failure).

    ``providers`` should leave out the leader: every area is one the leader holds, and the
    question is what the alliance keeps besides it.
    """
    return ((providers >= 1) & (providers <= 2)).sum(axis=-1)


def portfolio_concentration(stocks: np.ndarray) -> np.ndarray:
    """Herfindahl index of each member's stocks across areas (1 = a single area)."""
    totals = stocks.sum(axis=-1, keepdims=True)
    shares = np.divide(stocks, totals, out=np.zeros_like(stocks), where=totals > 0)
    return (shares ** 2).sum(axis=-1)


def revealed_posture(
    burden_pct: np.ndarray,
    effort: np.ndarray,
    caveat: np.ndarray,
    expeditionary_share: np.ndarray,
    operation_running: bool,
) -> np.ndarray:
    """Classify behaviour as activist / defender / free-rider (Keohane's typology).

    Activist: low caveats and a real operational effort, or (with no operation) an
    expeditionary portfolio. Free-rider: low burden and little effort. Defender: the rest.
    """
    if operation_running:
        activist = (caveat < 0.3) & (effort >= 0.3)
        little = effort < 0.3
    else:
        activist = expeditionary_share >= 0.42
        little = np.ones_like(burden_pct, dtype=bool)
    free_rider = (burden_pct < FREE_RIDER_BURDEN_PCT) & little & ~activist
    return np.where(activist & (burden_pct >= FREE_RIDER_BURDEN_PCT), "activist",
                    np.where(free_rider | (burden_pct < FREE_RIDER_BURDEN_PCT / 2), "free-rider",
                             "defender"))


def cohesion_index(
    defections: float, ever_contributors: float, mean_caveat: float, shortfall_fraction: float
) -> float:
    """Composite ISAF-style cohesion in [0, 1]: contributors retained (no unilateral exit),
    caveats lifted, and requirement met, equally weighted. NaN with no operation."""
    if ever_contributors <= 0:
        return float("nan")
    retained = 1.0 - defections / ever_contributors
    return float(np.clip((retained + (1.0 - mean_caveat) + (1.0 - shortfall_fraction)) / 3.0,
                         0.0, 1.0))
