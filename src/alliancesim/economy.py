"""The environment: GDP growth and shocks, equipment cost growth, threat, the leader's commitment.

Pure functions over numpy arrays of all members at once.
"""

from __future__ import annotations

import math

import numpy as np

from ._numeric import bounded


def gdp_growth(
    rng: np.random.Generator,
    n_members: int,
    mean: float,
    sd: float,
    common_share: float,
    shock: float,
) -> np.ndarray:
    """Real GDP growth of each member this year (fraction).

    A common business-cycle draw and an idiosyncratic draw share the variance
    (``common_share``); ``shock`` (<= 0) is added to every member in a crisis year.
    """
    common = rng.normal() * sd * math.sqrt(common_share)
    own = rng.normal(size=n_members) * (sd * math.sqrt(1.0 - common_share))
    return own + (mean + common + shock)


def shock_severity(rng: np.random.Generator, n_members: int, dispersion: float) -> np.ndarray:
    """Each ally's exposure to an economic crisis: a normal factor with mean 1.

    Crises hit allies unequally (Giegerich, seed line 562: national defence changes from -50%
    to +22% in 2006-2010): an ally's consolidation cut is the scenario's cut times this factor,
    so a factor below zero is an ally whose finances let it spend more (Poland).
    ``dispersion`` is the standard deviation, calibrated on the 2008-2013 dispersion of SIPRI
    real spending changes (experiments/calibrate_fiscal_shocks.py).
    """
    return 1.0 + rng.normal(size=n_members) * dispersion


def leader_budget_path(years: range, observed: dict[int, np.ndarray], leader: np.ndarray,
                       cut_per_year: float, cut_until: int) -> dict[int, float]:
    """The leader's real budget change per year as an input scenario (fraction).

    SIPRI's observed change where the data cover the year (the post-2011 cuts), then a steady
    real cut of ``cut_per_year`` until ``cut_until``, then no change.
    """
    path = {}
    for year in years:
        change = observed.get(year)
        value = float(change[leader][0]) if change is not None and leader.any() else np.nan
        if not np.isfinite(value):
            value = -cut_per_year if year <= cut_until else 0.0
        path[year] = value
    return path


def fiscal_stress(growth: np.ndarray, mean_growth: float, in_shock: bool,
                  full_shortfall: float) -> np.ndarray:
    """Fiscal stress in [0, 1]: growth shortfall against normal (full at ``full_shortfall``),
    and 1 in a crisis year."""
    shortfall = bounded((mean_growth - growth) / full_shortfall, 0.0, 1.0)
    return np.maximum(shortfall, 1.0) if in_shock else shortfall


def real_unit_cost_growth(cost_growth: float, inflation: float, quality_growth: float) -> float:
    """Yearly growth of the real cost of one unit of capability (fraction).

    Keohane's 6-8% nominal equipment cost growth, net of general inflation and of the
    capability gain each new generation brings.
    """
    return (1.0 + cost_growth) / ((1.0 + inflation) * (1.0 + quality_growth)) - 1.0


def common_threat(
    previous: float,
    base: float,
    drift: float,
    shock: float,
    persistence: float,
) -> float:
    """Next year's common external threat in [0, 1].

    The part above ``base`` persists by ``persistence``; ``drift`` is this year's random
    change and ``shock`` a sudden rise.
    """
    excess = (previous - base) * persistence + drift + shock
    return min(max(base + excess, 0.0), 1.0)


def perceived_threat(
    common: float,
    base: float,
    frontline: np.ndarray,
    frontline_extra: float,
    frontline_multiplier: float,
) -> np.ndarray:
    """Threat each member perceives: frontline allies add a premium and feel rises more."""
    rise = max(common - base, 0.0)
    fall = min(common - base, 0.0)
    frontline_premium = rise * (frontline_multiplier - 1.0) + frontline_extra
    return bounded(frontline * frontline_premium + (base + fall + rise), 0.0, 1.0)


def leader_commitment(initial: float, trend: float, floor: float, years_elapsed: int) -> float:
    """The leader's commitment to the alliance after ``years_elapsed`` years (pivot if trend<0)."""
    value = initial + trend * years_elapsed
    return min(max(value, min(floor, initial)), 1.0)


def in_shock(year: int, start_year: int, years: int) -> bool:
    """Whether ``year`` is one of a declared economic shock's years (start 0: no shock)."""
    return start_year > 0 and start_year <= year < start_year + years


def observed_or_drawn(observed: np.ndarray | None, drawn: np.ndarray) -> np.ndarray:
    """Observed real growth where the data know it this year, the model's draw elsewhere."""
    if observed is None:
        return drawn
    return np.where(np.isfinite(observed), observed, drawn)


def threat_base(year: int, base_level: float, cold_war_excess: float,
                cold_war_end: int) -> float:
    """The structural level of the common threat in ``year``: raised by the Cold War excess
    up to the calendar's end year, the post-Cold War base after it (the excess then fades
    through the threat's persistence, see :func:`common_threat`)."""
    return min(base_level + (cold_war_excess if year <= cold_war_end else 0.0), 1.0)
