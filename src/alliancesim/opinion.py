"""Public opinion: support for the operation and for defence spending.

Support for the operation falls with casualties (and more with a single event of great public
impact), with the operation's duration (fatigue), with its cost relative to visible results and
with economic stress (Alcaro & Marrone, seed). Support for defence rises with perceived threat
and falls under austerity (Keohane, seed). Elite consensus damps how far opinion moves policy
(Kreps, cited by Alcaro & Marrone).
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded


def casualty_losses(
    cumulative_casualties_per_million: np.ndarray,
    aversion: np.ndarray,
    casualty_sensitivity: float,
) -> np.ndarray:
    """How far the losses so far lower the support a public would otherwise give.

    ``casualty_sensitivity`` for every tenfold rise in cumulative casualties per million
    people (Mueller's log rule), scaled by each public's casualty aversion. Never negative.
    """
    return (casualty_sensitivity * aversion) * np.log10(1.0 + cumulative_casualties_per_million)


def operation_support(
    previous: np.ndarray,
    baseline: np.ndarray,
    losses: np.ndarray,
    major_event: np.ndarray,
    years_in_operation: int,
    cost_share: np.ndarray,
    stress: np.ndarray,
    major_event_impact: float,
    fatigue: float,
    cost_weight: float,
    stress_weight: float,
    inertia: float,
) -> np.ndarray:
    """Support for the operation in [0, 1] after this year's events.

    Support drifts (with inertia) toward a level lowered by the losses so far
    (:func:`casualty_losses`) and by fatigue, cost and economic stress; a single event of
    great public impact lowers it at once. None of them can raise it.
    """
    anchor = ((baseline - fatigue * years_in_operation) - losses - cost_weight * cost_share
              - stress_weight * stress)
    pulled = inertia * previous + (1.0 - inertia) * anchor
    return bounded(pulled - major_event_impact * major_event, 0.0, 1.0)


def defence_support(
    previous: np.ndarray,
    baseline: np.ndarray,
    threat: np.ndarray,
    base_threat: float,
    stress: np.ndarray,
    threat_weight: float,
    austerity_weight: float,
    inertia: float,
) -> np.ndarray:
    """Support for defence spending in [0, 1]: up with threat above normal, down with stress."""
    target = baseline + threat_weight * (threat - base_threat) - austerity_weight * stress
    return bounded(inertia * previous + (1.0 - inertia) * target, 0.0, 1.0)


def policy_pressure(
    support: np.ndarray,
    elite_consensus: np.ndarray | float,
    amplification: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Domestic pressure against the operation that reaches policy, in [0, 1].

    Opposition (1 - support) passes to policy only in the measure that elites disagree
    (Kreps); an election year or a fragile (coalition, minority) government lets more of it
    through (``amplification``: pressure x (1 + amplification)).
    """
    return np.clip((1.0 - support) * (1.0 - elite_consensus) * (1.0 + amplification), 0.0, 1.0)


def major_events(rng: np.random.Generator, deployed: np.ndarray, probability: float) -> np.ndarray:
    """Which members suffer a single high-impact event this year (only if deployed)."""
    return (rng.random(deployed.shape[0]) < probability) & (deployed > 0)
