"""Alliance indicators as named functions.

Each takes arrays for one or many years (members on the last axis) and returns the indicator;
``results`` calls them on the recorded history. Definitions are in the README's output table.
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded

# The thresholds of the revealed posture (an output column, Keohane's typology read from
# behaviour). They define how the output reads a member's conduct, not how members behave:
# no run changes with them, so they are named constants here, not schema parameters (ODD 7,
# "Constants fixed in the code").

#: Burden (% GDP) below which a member with little operational effort reads as a free-rider.
FREE_RIDER_BURDEN_PCT = 1.2
#: Caveat level below which a member with real operational effort reads as an activist.
ACTIVIST_MAX_CAVEAT = 0.3
#: Operational effort (troops / requested) below which effort counts as little.
LITTLE_EFFORT = 0.3
#: Share of the equipment stock in expeditionary areas from which a member reads as an
#: activist when no operation runs.
ACTIVIST_EXPEDITIONARY_SHARE = 0.42


def leader_share(budget: np.ndarray, leader: np.ndarray) -> np.ndarray:
    """Leader's fraction of alliance defence spending, in [0, 1]."""
    total = budget.sum(axis=-1)
    return np.divide(budget[..., leader].sum(axis=-1), total, out=np.zeros_like(total),
                     where=total > 0)


def masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each row over the entries where ``mask`` is true (NaN for an empty row)."""
    count = mask.sum(axis=-1)
    total = np.where(mask, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def gini_rows(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Gini coefficient (0 = equal) of each row's non-negative values where ``mask`` is true.

    Zero for a row whose selected values sum to zero; NaN for an empty row.
    """
    x = np.sort(np.where(mask, values, np.nan), axis=-1)  # NaN sorts last
    n = mask.sum(axis=-1)
    ranks = np.arange(1, x.shape[-1] + 1)
    total = np.nansum(x, axis=-1)
    weighted = np.nansum(ranks * x, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * weighted / (n * total) - (n + 1.0) / n
    return np.where(n == 0, np.nan, np.where(total > 0, g, 0.0))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks (1 = smallest) along the last axis, ties given their average rank, NaN entries
    left out (NaN rank): ``scipy.stats.rankdata(..., axis=-1, nan_policy="omit")`` in numpy,
    so that a run need not import scipy.stats (seconds of a command-line call)."""
    values = np.asarray(values, dtype=float)
    ranks = np.full(values.shape, np.nan)
    rows, out = values.reshape(-1, values.shape[-1]), ranks.reshape(-1, values.shape[-1])
    for row, rank in zip(rows, out, strict=True):
        present = ~np.isnan(row)
        v = row[present]
        if v.size == 0:
            continue
        order = np.argsort(v, kind="mergesort")
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        ordered = v[order]
        new = np.r_[True, ordered[1:] != ordered[:-1]]
        dense = new.cumsum()[position]
        starts = np.r_[np.nonzero(new)[0], new.size]
        rank[present] = 0.5 * (starts[dense] + starts[dense - 1] + 1)
    return ranks


def spearman_rows(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of each row of x and y over the entries where ``mask`` holds
    (average ranks for ties); NaN with fewer than 3 points or no variation."""
    rx = average_ranks(np.where(mask, x, np.nan))
    ry = average_ranks(np.where(mask, y, np.nan))
    dx = rx - masked_mean(rx, mask)[..., None]
    dy = ry - masked_mean(ry, mask)[..., None]
    cov = np.where(mask, dx * dy, 0.0).sum(axis=-1)
    sx = np.sqrt(np.where(mask, dx * dx, 0.0).sum(axis=-1))
    sy = np.sqrt(np.where(mask, dy * dy, 0.0).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cov / (sx * sy)
    return np.where((mask.sum(axis=-1) >= 3) & (sx > 0) & (sy > 0), rho, np.nan)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties); NaN with fewer than 3 points."""
    x, y = np.asarray(x, float)[None, :], np.asarray(y, float)[None, :]
    return float(spearman_rows(x, y, np.ones_like(x, bool))[0])


def exploitation_rho_rows(gdp: np.ndarray, burden_pct: np.ndarray,
                          members: np.ndarray) -> np.ndarray:
    """Olson-Zeckhauser exploitation statistic per row: Spearman rho of GDP against burden.

    Positive: large allies carry a disproportionate share. Members without a defence budget
    (Iceland) are left out.
    """
    return spearman_rows(gdp, burden_pct, members & (burden_pct > 0))


def single_provider_areas(providers: np.ndarray) -> np.ndarray:
    """Areas held by one or two providers only (single points of failure).

    ``providers`` should count the European allies only: the leader holds every area, and
    the question is what Europe keeps without it.
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
        activist = (caveat < ACTIVIST_MAX_CAVEAT) & (effort >= LITTLE_EFFORT)
        little = effort < LITTLE_EFFORT
    else:
        activist = expeditionary_share >= ACTIVIST_EXPEDITIONARY_SHARE
        little = np.ones_like(burden_pct, dtype=bool)
    free_rider = (burden_pct < FREE_RIDER_BURDEN_PCT) & little & ~activist
    return np.where(activist & (burden_pct >= FREE_RIDER_BURDEN_PCT), "activist",
                    np.where(free_rider | (burden_pct < FREE_RIDER_BURDEN_PCT / 2), "free-rider",
                             "defender"))


def cohesion_index(
    defections: np.ndarray | float, ever_contributors: np.ndarray | float,
    mean_caveat: np.ndarray | float, shortfall_fraction: np.ndarray | float,
) -> np.ndarray:
    """Composite ISAF-style cohesion in [0, 1]: contributors retained (no unilateral exit),
    caveats lifted, and requirement met, equally weighted. NaN with no contributor."""
    ever = np.asarray(ever_contributors, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        retained = 1.0 - np.asarray(defections, dtype=float) / ever
        value = (retained + (1.0 - np.asarray(mean_caveat))
                 + (1.0 - np.asarray(shortfall_fraction))) / 3.0
    return np.where(ever > 0, bounded(value, 0.0, 1.0), np.nan)
