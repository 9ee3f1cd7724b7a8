"""Capabilities: allocation across areas, stocks, viability, pooling and coordination.

Nationally, nobody looks at the alliance total: each member spreads its equipment budget by
its own priorities and areas of excellence, so uncoordinated cuts abandon whole areas --
*specialisation by default* (Giegerich, seed). An area has a minimum viable size; below it the
nation effectively abandons it ("falling off a cliff"), and rebuilding costs more than keeping.
The smart-defence levers change the allocation (prioritisation, specialisation by design, the
2+ principle) or the price (pooling & sharing).

Arrays are (members, areas) unless said otherwise.
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded, kernel, ratio
from .config import CAPABILITY_AREAS

#: National priorities by posture, one weight per area in CAPABILITY_AREAS order:
#: land, strike, refuelling, airlift, ISR, PGM, maritime patrol, helicopters, C2, missile def.
#: Activists favour expeditionary enablers; defenders heavy, home-based forces (Keohane, seed).
POSTURE_PRIORITIES = {
    "activist": (1.0, 1.2, 0.45, 0.7, 0.8, 0.7, 0.6, 0.8, 0.8, 0.4),
    "defender": (1.6, 0.8, 0.15, 0.25, 0.4, 0.3, 0.8, 0.7, 0.7, 0.5),
    "free-rider": (1.4, 0.4, 0.05, 0.1, 0.2, 0.15, 0.5, 0.5, 0.5, 0.1),
    "leader": (1.0, 1.2, 1.0, 1.0, 1.2, 1.0, 0.7, 0.8, 1.0, 1.0),
}
EXPEDITIONARY_AREAS = np.array([a in ("air_strike", "air_refuelling", "strategic_airlift", "isr",
                                      "precision_munitions") for a in CAPABILITY_AREAS])


def priority_matrix(postures: list[str], leader: np.ndarray) -> np.ndarray:
    """Normalised national priority weights for each member (rows sum to 1)."""
    rows = np.array([POSTURE_PRIORITIES["leader" if is_leader else p]
                     for p, is_leader in zip(postures, leader, strict=True)], dtype=float)
    return rows / rows.sum(axis=1, keepdims=True)


def initial_stocks(equipment_spend: np.ndarray, priorities: np.ndarray,
                   depreciation: float) -> np.ndarray:
    """Steady-state stocks of a member that has spent its equipment budget this way for years."""
    return (equipment_spend / max(depreciation, 1e-9))[:, None] * priorities


@kernel
def affordability(equipment_spend: np.ndarray, unit_cost: float,
                  initial_spend: np.ndarray) -> np.ndarray:
    """How much of its start-year force a member's equipment budget can still buy (1 = all)."""
    # Where nothing was spent at the start, the member's whole (empty) force is affordable.
    return np.where(initial_spend > 0, equipment_spend / (unit_cost * initial_spend), 1.0)


@kernel
def national_weights(
    stocks: np.ndarray,
    priorities: np.ndarray,
    lost: np.ndarray,
    affordable: np.ndarray,
    bias: float,
) -> np.ndarray:
    """Uncoordinated allocation weights: keep the current portfolio, protect the core.

    Each member spends in proportion to what it holds; when its budget buys less than its
    start-year force (``affordable`` < 1) it concentrates on its largest holdings, the more so
    the tighter the money (exponent ``1 + bias * (1 - affordable)``). Nobody looks at the
    alliance total, and lost areas get nothing: specialisation by default (Giegerich, seed).
    """
    # Shares keep the powers in range; a member with nothing left spreads by its priorities.
    shares = ratio(stocks, stocks.sum(axis=1)[:, None])
    concentration = (1.0 + bias) - bias * bounded(affordable, 0.0, 1.0)
    weights = np.where(lost, 0.0, shares) ** concentration[:, None]
    return normalise_rows(weights, fallback=priorities)


@kernel
def normalise_rows(weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row takes the fallback row."""
    sums = weights.sum(axis=1)[:, None]
    positive = sums > 0
    return np.where(positive, weights / np.where(positive, sums, 1.0), fallback)


def prioritised_weights(weights: np.ndarray, gaps: np.ndarray, strength: float = 2.0) -> np.ndarray:
    """Smart-defence prioritisation: tilt every member's allocation toward the alliance's gaps."""
    return normalise_rows(weights * (1.0 + strength * gaps)[None, :], fallback=weights)


def specialisation_by_design(
    stocks: np.ndarray,
    held: np.ndarray,
    europeans: np.ndarray,
    keep_min: int = 3,
) -> np.ndarray:
    """Coordinated specialisation: which holdings members agree to drop (a boolean mask).

    A European member drops an area where its comparative advantage is below one (its share
    of Europe's stock in the area is below its share of Europe's stock overall) provided at
    least ``keep_min`` Europeans with an advantage there keep it. The money goes to the areas
    it is good at. Dropping is agreed, so a holding lost this way is handed over, not
    abandoned.
    """
    eur = np.where(europeans[:, None], stocks, 0.0)
    area_totals = eur.sum(axis=0)
    member_share = eur.sum(axis=1) / max(eur.sum(), 1e-12)
    area_share = np.divide(eur, area_totals, out=np.zeros_like(eur), where=area_totals > 0)
    advantage = np.divide(area_share, member_share[:, None], out=np.zeros_like(eur),
                          where=member_share[:, None] > 0)
    keepers = held & europeans[:, None] & (advantage >= 1.0)
    covered = keepers.sum(axis=0) >= keep_min
    return held & europeans[:, None] & (advantage < 1.0) & covered[None, :]


def two_plus_weights(
    weights: np.ndarray,
    stocks: np.ndarray,
    held: np.ndarray,
    europeans: np.ndarray,
    boost: float = 3.0,
    minimum: int = 3,
) -> np.ndarray:
    """The 2+ principle: no area is left to fewer than two allies besides the leader.

    Where fewer than ``minimum`` Europeans hold an area (a margin of one over two, since a
    holding can fall away in any year), the ``minimum`` largest European stocks in it are
    boosted so they keep or rebuild it.
    """
    eur_stocks = np.where(europeans[:, None], stocks, -np.inf)
    rank = np.argsort(np.argsort(-eur_stocks, axis=0), axis=0)
    short = held[europeans].sum(axis=0) < minimum
    chosen = europeans[:, None] & short[None, :] & (rank < minimum)
    boosted = np.where(chosen, np.maximum(weights, 0.02) * boost, weights)
    return normalise_rows(boosted, fallback=weights)


@kernel
def unit_prices(
    unit_cost: float,
    lost: np.ndarray,
    rebuild_multiplier: float,
    pooled_fraction: np.ndarray | None,
    pooling_savings: float,
) -> np.ndarray:
    """Price of one unit of capability for each member and area.

    Rebuilding a lost area costs ``rebuild_multiplier`` times as much; the part bought through
    multinational projects (``pooled_fraction``; None when nothing is pooled) is cheaper by
    ``pooling_savings``.
    """
    prices = np.where(lost, unit_cost * rebuild_multiplier, unit_cost)
    if pooled_fraction is None:
        return prices
    return prices * (1.0 - pooling_savings * pooled_fraction)


@kernel
def invest(stocks: np.ndarray, spend: np.ndarray, prices: np.ndarray,
           depreciation: float) -> np.ndarray:
    """Depreciate stocks and add what this year's spending buys at these prices."""
    return stocks * (1.0 - depreciation) + spend / prices


def pooled_fraction(held: np.ndarray, participants: np.ndarray, pooled_share: float) -> np.ndarray:
    """Share of each member's spending per area that goes through multinational projects.

    ``pooled_share`` of spending on viable national holdings, and all spending on holdings too
    small to be viable on their own: pooling is what lets that money count (Giegerich, seed).
    """
    return np.where(held, pooled_share, 1.0) * participants[:, None]


def pool_stock(stocks: np.ndarray, held: np.ndarray, participants: np.ndarray) -> np.ndarray:
    """Per area, the combined stock of the participants' sub-viable holdings.

    Holdings too small to be viable alone form one multinational unit per area (as the EATC
    pools national transport aircraft under one command).
    """
    return np.where(participants[:, None] & ~held, stocks, 0.0).sum(axis=0)


@kernel
def viability(
    stocks: np.ndarray,
    thresholds: np.ndarray,
    was_held: np.ndarray,
    pooled: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply minimum viable sizes; returns (stocks, held, lost).

    A holding that falls below its area's threshold is lost and written off: the few remaining
    assets cannot be used effectively ("falling off a cliff"). A holding that was never viable
    is not lost: it is a small national contribution that may grow. A holding inside a viable
    multinational pool (``pooled``, a boolean mask) is kept.
    """
    held = stocks >= thresholds[None, :]
    lost = was_held & ~held
    if pooled is not None:
        lost &= ~pooled
    return np.where(lost, 0.0, stocks), held, lost


def hand_over(stocks: np.ndarray, released: np.ndarray, recipients: np.ndarray) -> np.ndarray:
    """Pass the assets of holdings dropped by agreement to the allies that keep the area.

    ``released`` is the stock given up per member and area; each area's total goes to that
    area's ``recipients`` (a boolean mask) in proportion to what they already hold. Agreed
    specialisation moves assets to partners instead of writing them off.
    """
    totals = released.sum(axis=0)
    base = np.where(recipients, stocks, 0.0)
    weights = np.divide(base, base.sum(axis=0), out=np.zeros_like(base),
                        where=base.sum(axis=0) > 0)
    return stocks + weights * totals[None, :]


@kernel
def effective_stock(
    stocks: np.ndarray,
    held: np.ndarray,
    pool: np.ndarray,
    pool_viable: np.ndarray,
    access: np.ndarray,
    members: np.ndarray,
) -> np.ndarray:
    """Capability per area that the given members can field: their viable national holdings
    plus viable pooled units, available where no partner opts out (``access``, 0 or 1)."""
    national = np.where(held & members[..., None], stocks, 0.0).sum(axis=-2)
    return national + np.where(pool_viable, pool * access, 0.0)


@kernel
def gaps(effective: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Shortfall per area as a fraction of the target, in [0, 1]."""
    # Stocks are in US dollars, so a floor of one dollar keeps the ratio finite; an area with
    # no target has no gap.
    # Capability is never negative, so the shortfall needs no upper bound.
    shortfall = np.maximum(1.0 - effective / np.maximum(targets, 1.0), 0.0)
    return np.where(targets > 0, shortfall, 0.0)
