"""The spending norm's pull: pledges and conformity.

The 2% guideline is not a constant force. A pledge (a summit commitment with a level and a
deadline, such as NATO's 2014 "move towards 2% within a decade") raises the pull as the
deadline nears, and peers press harder the more allies already meet the norm (a norm most
allies ignore binds no one). The leader's pressure and peer pressure then act through
``incentives.norm_pull``. Pure functions over scalars and arrays.
"""

from __future__ import annotations

import numpy as np


def norm_level(year: int, base_pct: float, pledge_year: int, pledge_level_pct: float) -> float:
    """The norm in force (% of GDP): the pledged level from the pledge year on."""
    if pledge_year > 0 and year >= pledge_year:
        return pledge_level_pct
    return base_pct


def pledge_urgency(year: int, pledge_year: int, deadline_year: int) -> float:
    """How binding the pledge is this year, in [0, 1]: 0 before it, rising to 1 at the deadline
    and staying there (a missed deadline is still a commitment)."""
    if pledge_year <= 0 or year < pledge_year:
        return 0.0
    span = max(deadline_year - pledge_year, 1)
    return min((year - pledge_year + 1) / span, 1.0)


def share_meeting(burden_pct: np.ndarray, norm_pct: float, members: np.ndarray) -> float:
    """Share of the (non-leader) members at or above the norm."""
    count = int(np.count_nonzero(members))
    if count == 0:
        return 0.0
    return float(np.count_nonzero(members & (burden_pct >= norm_pct - 1e-9))) / count


def peer_strength(peer_pressure: float, meeting: float, conformity: float,
                  reference_share: float, cap: float) -> float:
    """Peer pressure scaled by how many allies meet the norm: ``1 - conformity`` of it acts
    whatever the others do, ``conformity`` of it in proportion to the share meeting it
    (relative to ``reference_share`` of the allies, at most ``cap`` times)."""
    return peer_pressure * ((1.0 - conformity) + conformity * min(meeting / reference_share, cap))


def pledge_multiplier(urgency: float, weight: float) -> float:
    """Factor on peer and leader pressure from a pledge (1 without one)."""
    return 1.0 + weight * urgency
