"""The operation (ISAF-like): requirement, contributions, caveats, withdrawal, casualties.

Caught between opinion and allied requests, governments take the *middle path*: keep troops,
accept small increases, relax caveats but never lift them. They withdraw when domestic pressure
outweighs the systemic cost of leaving, which is why alliance operations hold together better
than coalitions. An alliance-agreed drawdown is coordinated, not a defection (Alcaro & Marrone,
seed).
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded, kernel


@kernel
def requested_troops(
    requirement: float,
    leader_share: float,
    partner_troops: float,
    gdp: np.ndarray,
    willingness: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """Troops the alliance asks of each non-leader member: its GDP-weighted share of what the
    leader and the partners do not cover, tilted by posture."""
    allies_part = max(requirement * (1.0 - leader_share) - partner_troops, 0.0)
    weight = np.where(eligible, gdp * willingness, 0.0)
    total = weight.sum()
    return allies_part * weight / total if total > 0 else np.zeros_like(gdp)


@kernel
def next_troops(
    troops: np.ndarray,
    requested: np.ndarray,
    deployable: np.ndarray,
    pressure: np.ndarray,
    opinion_reach: np.ndarray | float,
    adjustment: float,
    drawing_down: bool,
) -> np.ndarray:
    """Next year's troops: the middle path between allied requests and domestic pressure.

    Outside a drawdown, a member closes part of the gap to its request (small increases) and
    trims in proportion to the domestic pressure that reaches policy (``opinion_reach`` is
    lower in an alliance operation). In an agreed drawdown it follows the request down.
    """
    if drawing_down:
        new = np.minimum(troops, requested)
    else:
        new = troops + adjustment * (requested - troops)
        new = new * (1.0 - opinion_reach * pressure)
    return bounded(new, 0.0, deployable)


@kernel
def next_caveats(
    caveat: np.ndarray,
    floor: np.ndarray,
    relaxation: float,
    allied_pressure: float,
    pressure: np.ndarray,
) -> np.ndarray:
    """Caveats relaxed under allied pressure, more slowly under domestic pressure, never lifted.

    ``floor`` is strictly positive for members that started with caveats.
    """
    relaxed = caveat - relaxation * allied_pressure * (1.0 - pressure) * caveat
    return np.maximum(relaxed, floor)


@kernel
def withdrawal_probability(
    pressure: np.ndarray, exit_cost: np.ndarray, threshold: float, spread: float
) -> np.ndarray:
    """Chance that a contributor leaves unilaterally this year.

    Zero while domestic pressure does not exceed the systemic cost of leaving by
    ``threshold``; beyond that it rises linearly, reaching certainty ``spread`` further on.
    """
    excess = pressure - exit_cost - threshold
    return bounded(excess / max(spread, 1e-9), 0.0, 1.0)


@kernel
def expected_casualties(
    troops: np.ndarray, danger: float, intensity: float, caveat: np.ndarray, protection: float
) -> np.ndarray:
    """Expected casualties this year: exposure less the share shielded by caveats."""
    return troops * danger * intensity * (1.0 - protection * caveat)
