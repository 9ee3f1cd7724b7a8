"""Systemic incentives: the value of membership, reputation, and pressure toward the norm.

Keohane (seed): the leader's guarantee lets weaker allies free-ride, and the leader's "battle
cry" presses them to do more. Alcaro & Marrone (seed): leaving an *alliance* operation costs
the leaver credibility as an ally and weakens the pact it depends on; leaving an ad hoc
coalition costs much less.
"""

from __future__ import annotations

import numpy as np

from ._numeric import bounded


def overall_commitment(
    base: float,
    leader_effort: float,
    own_effort_elasticity: float,
    allied_reputation: float,
    reference_reputation: float,
    allied_effort_weight: float,
) -> float:
    """The leader's commitment to the alliance as a whole, in [0, 1] (1 at the start).

    Its own course (``base``: 1, or less under a pivot), its own effort (``leader_effort``:
    its burden relative to the start year; a leader that spends more guarantees more) and
    what the allies do for it: their GDP-weighted reputation, earned by spending and by
    operational effort, against the reference level (Alcaro & Marrone, seed: Europeans
    stay in Afghanistan "to keep the US committed to Europe").
    """
    own = max(leader_effort, 0.0) ** own_effort_elasticity
    allies = 1.0 + allied_effort_weight * (allied_reputation - reference_reputation)
    return min(max(base * own * allies, 0.0), 1.0)


def commitment_towards(
    overall: float, reputation: np.ndarray, reference_reputation: float, weight: float
) -> np.ndarray:
    """The leader's commitment towards each ally, in [0, 1]: the overall level, tilted by the
    ally's reputation (``weight`` of it follows reputation relative to the reference)."""
    relative = np.maximum(reputation, 0.0) / max(reference_reputation, 1e-9)
    return np.clip(overall * ((1.0 - weight) + weight * relative), 0.0, 1.0)


def membership_value(
    commitment: np.ndarray | float, threat: np.ndarray, capability_share: np.ndarray,
    exposure_floor: float,
) -> np.ndarray:
    """Value of the alliance guarantee to each member, in [0, 1].

    Higher when the leader is committed to the member, when the member feels exposed, and
    when the member is weak (a small share of the alliance's capability). Not the leader's
    dollar budget: a guarantee does not grow with the guarantor's GDP.
    """
    exposure = exposure_floor + (1.0 - exposure_floor) * threat
    weakness = 1.0 - capability_share
    return np.clip(commitment * exposure * weakness, 0.0, 1.0)


def engagement(framework: str, coalition_factor: float) -> float:
    """Share of the alliance's stake an operation engages: 1 for an alliance operation, the
    coalition factor for an ad hoc coalition (reputation earned and lost in it)."""
    return 1.0 if framework == "alliance" else coalition_factor


def value_at_stake(
    overall: float, reputation: np.ndarray, reputation_loss: np.ndarray,
    reference_reputation: float, weight: float, threat: np.ndarray,
    capability_share: np.ndarray, exposure_floor: float,
) -> np.ndarray:
    """Membership value an exit would cost: the value now less the value once the leader's
    commitment towards the leaver follows its lower reputation -- by the same rules
    (:func:`commitment_towards`, :func:`membership_value`) that then apply it."""
    now = membership_value(commitment_towards(overall, reputation, reference_reputation,
                                              weight), threat, capability_share, exposure_floor)
    after = membership_value(commitment_towards(overall, reputation - reputation_loss,
                                                reference_reputation, weight),
                             threat, capability_share, exposure_floor)
    return np.maximum(now - after, 0.0)


def exit_cost(
    reputation_loss: np.ndarray,
    value_lost: np.ndarray,
    reputation_weight: float,
    value_weight: float,
) -> np.ndarray:
    """Systemic cost of leaving the operation unilaterally (pressure units).

    What the leaver expects to lose -- and, by the same rules, does lose: reputation as an
    ally (``reputation_loss``, all of it in an alliance operation, the coalition factor of
    it in a coalition) and the membership value that the leader's lower commitment towards
    it then costs (:func:`value_at_stake`).
    """
    return reputation_weight * reputation_loss + value_weight * value_lost


def earned_reputation(
    burden_pct: np.ndarray, norm_pct: float, effort: np.ndarray, caveat: np.ndarray,
    operation_weight: float, full_marks_burden: float, spending_weight: float,
    caveat_discount: float,
) -> np.ndarray:
    """Reputation a member's conduct earns, in [0, 1]: spending and operational effort.

    Spending earns full marks from ``full_marks_burden`` x the norm; troops earn their
    effort less ``caveat_discount`` x the caveat level; ``spending_weight`` of the whole comes
    from spending. ``operation_weight`` is the share of the alliance's stake the operation
    engages: an ad hoc coalition earns an ally less standing in the alliance (what it does not
    earn counts as if its spending alone spoke for it).
    """
    spend = np.clip(burden_pct / norm_pct, 0.0, full_marks_burden) / full_marks_burden
    operate = np.clip(effort, 0.0, 1.0) * (1.0 - caveat_discount * caveat)
    operate = operation_weight * operate + (1.0 - operation_weight) * spend
    return spending_weight * spend + (1.0 - spending_weight) * operate


def update_reputation(
    reputation: np.ndarray,
    earned: np.ndarray,
    defected: np.ndarray,
    loss: np.ndarray | float,
    recovery: float,
) -> np.ndarray:
    """Move reputation toward what is earned; a unilateral defection costs ``loss`` at once
    (the framework's loss: the same the leaver expected, see :func:`exit_cost`)."""
    moved = reputation + recovery * (earned - reputation)
    return np.clip(moved - loss * defected, 0.0, 1.0)


def norm_pull(
    burden_pct: np.ndarray,
    norm_pct: float,
    peer_pressure: float,
    leader_pressure: float,
    responsiveness: np.ndarray,
    rate: float,
) -> np.ndarray:
    """Pull on the target burden (% GDP points) of members below the spending norm.

    ``rate`` of the shortfall per unit of pressure; peers and the leader press in equal
    parts; a member that leans on the guarantee listens less (``responsiveness`` in [0, 1]).
    """
    shortfall = np.maximum(norm_pct - burden_pct, 0.0)
    return shortfall * rate * (peer_pressure + leader_pressure) * responsiveness


def responsiveness(guarantee_weight: float, value: np.ndarray) -> np.ndarray:
    """How far a member heeds pressure to spend: less the more the guarantee is worth to it
    (its value of membership: commitment received, exposure, own weakness), whatever its
    declared posture."""
    return bounded(1.0 - guarantee_weight * value, 0.0, 1.0)
