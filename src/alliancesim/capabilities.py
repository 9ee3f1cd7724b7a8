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


def national_weights(
    stocks: np.ndarray,
    priorities: np.ndarray,
    abandoned: np.ndarray,
    bias: float,
) -> np.ndarray:
    """Uncoordinated allocation weights: own priorities tilted toward areas of excellence.

    Nobody looks at the alliance total; abandoned areas get nothing.
    """
    totals = stocks.sum(axis=1, keepdims=True)
    shares = np.divide(stocks, totals, out=np.zeros_like(stocks), where=totals > 0)
    excellence = np.where(shares > 0, (shares / np.maximum(priorities, 1e-12)) ** bias, 0.0)
    weights = priorities * np.where(totals > 0, excellence, 1.0)
    weights = np.where(abandoned, 0.0, weights)
    return normalise_rows(weights, fallback=priorities)


def normalise_rows(weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row takes the fallback row."""
    sums = weights.sum(axis=1, keepdims=True)
    out = np.divide(weights, sums, out=np.zeros_like(weights), where=sums > 0)
    return np.where(sums > 0, out, fallback)


def prioritised_weights(weights: np.ndarray, gaps: np.ndarray, strength: float = 2.0) -> np.ndarray:
    """Smart-defence prioritisation: tilt every member's allocation toward the alliance's gaps."""
    return normalise_rows(weights * (1.0 + strength * gaps)[None, :], fallback=weights)


def specialisation_by_design(
    weights: np.ndarray,
    stocks: np.ndarray,
    held: np.ndarray,
    europeans: np.ndarray,
    keep_top: int = 3,
) -> np.ndarray:
    """Coordinated specialisation: members drop areas that enough stronger allies cover.

    In each area the ``keep_top`` largest European holders keep investing; the others drop it
    and put the money into areas where they are among the top providers.
    """
    eur_stocks = np.where(europeans[:, None], stocks, -np.inf)
    rank = np.argsort(np.argsort(-eur_stocks, axis=0), axis=0)
    covered = held[europeans].sum(axis=0) >= keep_top
    drop = europeans[:, None] & covered[None, :] & (rank >= keep_top)
    return normalise_rows(np.where(drop, 0.0, weights), fallback=weights)


def two_plus_weights(
    weights: np.ndarray,
    stocks: np.ndarray,
    held: np.ndarray,
    europeans: np.ndarray,
    boost: float = 3.0,
) -> np.ndarray:
    """The 2+ principle: keep at least two European providers in every area.

    Where fewer than two Europeans hold an area, the two largest European stocks in it are
    boosted so they keep or rebuild it.
    """
    eur_stocks = np.where(europeans[:, None], stocks, -np.inf)
    rank = np.argsort(np.argsort(-eur_stocks, axis=0), axis=0)
    short = held[europeans].sum(axis=0) < 2
    chosen = europeans[:, None] & short[None, :] & (rank < 2)
    boosted = np.where(chosen, np.maximum(weights, 0.02) * boost, weights)
    return normalise_rows(boosted, fallback=weights)


def invest(
    stocks: np.ndarray,
    spend: np.ndarray,
    unit_cost: float,
    abandoned: np.ndarray,
    rebuild_multiplier: float,
    depreciation: float,
) -> np.ndarray:
    """Depreciate stocks and add what this year's spending buys.

    Rebuilding an abandoned area costs ``rebuild_multiplier`` times as much per unit.
    """
    price = unit_cost * np.where(abandoned, rebuild_multiplier, 1.0)
    return stocks * (1.0 - depreciation) + spend / price


def viability(
    stocks: np.ndarray, thresholds: np.ndarray, was_held: np.ndarray, abandoned: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply minimum viable sizes; returns (stocks, held, abandoned).

    A holding that falls below its area's threshold is abandoned and written off: the few
    remaining assets cannot be used effectively. An abandoned area is held again once rebuilt
    above the threshold. A holding that was never viable is not "abandoned": it is a small
    national contribution that may grow.
    """
    held = stocks >= thresholds[None, :]
    newly = was_held & ~held
    abandoned = (abandoned | newly) & ~held
    stocks = np.where(newly, 0.0, stocks)
    return stocks, held, abandoned


def effective_stock(
    stocks: np.ndarray,
    held: np.ndarray,
    pooled: np.ndarray,
    access: np.ndarray,
    members: np.ndarray,
) -> np.ndarray:
    """Capability per area that the given members can field: viable national holdings plus
    pooled capability where partners do not opt out (``access`` per area, 0 or 1)."""
    national = np.where(held & members[:, None], stocks, 0.0).sum(axis=0)
    return national + pooled * access


def gaps(effective: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Shortfall per area as a fraction of the target, in [0, 1]."""
    ratio = np.divide(effective, targets, out=np.ones_like(effective), where=targets > 0)
    return np.clip(1.0 - ratio, 0.0, 1.0)
