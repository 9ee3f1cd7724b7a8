"""Spending: each member's burden decision and the split of its budget.

Each member moves its burden toward a target set by posture, threat, alliance pressure, opinion
and fiscal stress, with inertia and a bound on the yearly change. Operations are paid from the
same budget. Cuts hit equipment and R&D first: personnel is sticky (Keohane, seed).
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded


def target_burden(
    anchor_pct: np.ndarray,
    threat_response: np.ndarray,
    threat_rise: np.ndarray,
    support_shift: np.ndarray,
    opinion_weight: float,
    pull_pct: np.ndarray,
    reliance: np.ndarray,
    guarantee_change: np.ndarray,
    guarantee_weight: float,
    austerity: np.ndarray,
) -> np.ndarray:
    """The burden (% of GDP) a member would like to reach this year.

    Args:
        anchor_pct: the member's starting burden (its revealed preference).
        threat_response: % GDP per unit of threat above normal, by posture.
        threat_rise: perceived threat above its normal level.
        support_shift: support for defence minus its baseline.
        opinion_weight: % GDP per unit of support.
        pull_pct: pull toward the alliance norm (% GDP points).
        reliance: how much the member leans on the guarantee, by posture.
        guarantee_change: change in the guarantee's value since the start.
        guarantee_weight: how far a more valuable guarantee substitutes for own effort.
        austerity: fiscal-consolidation cut as a fraction of the budget.
    """
    target = (anchor_pct + threat_response * threat_rise + opinion_weight * support_shift
              + pull_pct - guarantee_weight * reliance * guarantee_change * anchor_pct)
    return np.maximum(target * (1.0 - austerity), 0.0)


def next_budget(
    budget: np.ndarray,
    gdp: np.ndarray,
    target_pct: np.ndarray,
    speed: float,
    max_change: float,
) -> np.ndarray:
    """Next year's budget (USD): a partial step toward the target, within the yearly bound."""
    # A step of ``speed`` from the current burden toward the target, in dollars.
    desired = budget + speed * (target_pct * 0.01 * gdp - budget)
    return bounded(desired, budget * (1.0 - max_change), budget * (1.0 + max_change))


def consolidate(budget: np.ndarray, previous: np.ndarray, cut: np.ndarray | float,
                max_change: float) -> np.ndarray:
    """Apply a fiscal-consolidation cut (fraction; negative: a rise) to this year's budget,
    within the yearly bound: treasuries cut defence budgets directly, not only the target
    they drift toward."""
    cut_budget = budget * (1.0 - np.minimum(cut, 1.0))
    return np.clip(cut_budget, previous * (1.0 - max_change), previous * (1.0 + max_change))


def split_budget(
    budget: np.ndarray,
    previous_personnel: np.ndarray,
    personnel_share: np.ndarray,
    other_share: np.ndarray,
    operations_cost: np.ndarray,
    stickiness: float,
    protected_equipment: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split a budget into (personnel, operations, other, equipment), summing to the budget.

    Operations are paid first. Personnel moves toward its usual share but resists a cut by
    ``stickiness``; other running costs take their share; equipment gets what is left, so a cut
    falls on equipment first. ``protected_equipment`` (ring-fenced pooled projects) is funded
    before personnel and other costs when the money allows.
    """
    operations = np.minimum(operations_cost, budget)
    left = budget - operations
    protected = np.zeros_like(budget)
    if protected_equipment is not None:
        protected = np.minimum(protected_equipment, left)
        left = left - protected
    desired = personnel_share * budget
    # A cut goes only (1 - stickiness) of the way; a rise goes all the way.
    resisted = previous_personnel + (1.0 - stickiness) * (desired - previous_personnel)
    personnel = np.minimum(np.maximum(desired, resisted), left)
    left = left - personnel
    other = np.minimum(other_share * budget, left)
    equipment = left - other + protected
    return personnel, operations, other, equipment
