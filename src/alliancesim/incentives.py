"""Systemic incentives: the value of membership, reputation, and pressure toward the norm.

Keohane (seed): the leader's guarantee lets weaker allies free-ride, and the leader's "battle
cry" presses them to do more. Alcaro & Marrone (seed): leaving an *alliance* operation costs
the leaver credibility as an ally and weakens the pact it depends on; leaving an ad hoc
coalition costs much less.
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded, kernel


@kernel
def membership_value(
    commitment: float, threat: np.ndarray, capability_share: np.ndarray
) -> np.ndarray:
    """Value of the alliance guarantee to each member, in [0, 1].

    Higher when the leader is committed, when the member feels exposed, and when the member is
    weak (a small share of the alliance's capability).
    """
    # Each factor lies in [0, 1] (threat and shares are bounded where they are made).
    exposure = 0.5 + 0.5 * threat
    weakness = 1.0 - capability_share
    return commitment * exposure * weakness


@kernel
def norm_pull(
    burden_pct: np.ndarray,
    norm_pct: float,
    peer_pressure: float,
    leader_pressure: float,
    responsiveness: np.ndarray,
) -> np.ndarray:
    """Pull on the target burden (% GDP points) of members below the spending norm.

    Peers and the leader press in equal parts; a member that leans on the guarantee listens
    less (``responsiveness`` in [0, 1]).
    """
    shortfall = np.maximum(norm_pct - burden_pct, 0.0)
    return shortfall * 0.25 * (peer_pressure + leader_pressure) * responsiveness


@kernel
def responsiveness(reliance: np.ndarray, guarantee_weight: float,
                   value: np.ndarray) -> np.ndarray:
    """How far a member heeds pressure to spend: less when it leans on a valuable guarantee."""
    return bounded(1.0 - guarantee_weight * reliance * value, 0.0, 1.0)


def exit_cost(
    framework: str,
    reputation: np.ndarray,
    value: np.ndarray,
    coalition_factor: float,
    reputation_weight: float = 0.5,
    value_weight: float = 0.5,
) -> np.ndarray:
    """Systemic cost of leaving the operation unilaterally (pressure units).

    What the leaver stands to lose: its reputation as an ally and the value of the pact it
    depends on. A coalition puts only ``coalition_factor`` of that at stake.
    """
    cost = reputation_weight * reputation + value_weight * value
    return cost if framework == "alliance" else cost * coalition_factor


@kernel
def earned_reputation(
    burden_pct: np.ndarray, norm_pct: float, effort: np.ndarray, caveat: np.ndarray
) -> np.ndarray:
    """Reputation a member's conduct earns, in [0, 1]: spending and operational effort."""
    spend = bounded(burden_pct / norm_pct, 0.0, 1.2)  # full marks from 1.2 times the norm
    operate = bounded(effort, 0.0, 1.0) * (1.0 - 0.5 * caveat)
    return (0.5 / 1.2) * spend + 0.5 * operate


@kernel
def update_reputation(
    reputation: np.ndarray,
    earned: np.ndarray,
    defected: np.ndarray,
    loss: float,
    recovery: float,
) -> np.ndarray:
    """Move reputation toward what is earned; a unilateral defection costs ``loss`` at once."""
    moved = reputation + recovery * (earned - reputation)
    return bounded(moved - loss * defected, 0.0, 1.0)
