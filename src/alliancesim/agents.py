"""Member states and the alliance leader (Mesa agents).

Agents carry identity, declared posture and the policy a human player may impose; their
numeric state lives in the model's arrays (one row per member) so the yearly maths runs over
all members at once. The properties below read that state for one member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from .model import AllianceModel


@dataclass(frozen=True)
class Policy:
    """A member's choices imposed for one year (play-as-a-member-state mode).

    ``None`` leaves that choice to the member's own rule.
    """

    burden_pct: float | None = None
    caveat: float | None = None
    troops: float | None = None
    withdraw: bool | None = None


class MemberState(mesa.Agent):
    """One ally: identity and declared posture (activist, defender or free-rider)."""

    model: AllianceModel

    def __init__(self, model: AllianceModel, index: int, code: str, name: str, posture: str,
                 region: str) -> None:
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.posture = posture
        self.region = region
        self.policy: Policy | None = None

    is_leader = False

    def _value(self, array_name: str) -> float:
        return float(getattr(self.model.state, array_name)[self.index])

    @property
    def gdp_usd(self) -> float:
        """GDP, constant 2015 USD."""
        return self._value("gdp")

    @property
    def budget_usd(self) -> float:
        """Defence budget, constant 2015 USD."""
        return self._value("budget")

    @property
    def burden_pct(self) -> float:
        """Defence spending as % of GDP."""
        return 100.0 * self.budget_usd / self.gdp_usd if self.gdp_usd > 0 else 0.0

    @property
    def troops_deployed(self) -> float:
        """Troops in the operation."""
        return self._value("troops")

    @property
    def caveat(self) -> float:
        """Share of deployed troops barred from combat."""
        return self._value("caveat")

    @property
    def withdrawn(self) -> bool:
        """Whether the member has left the operation unilaterally."""
        return bool(self.model.state.withdrawn[self.index])

    @property
    def support_operation(self) -> float:
        """Public support for the operation, in [0, 1]."""
        return self._value("support_operation")

    @property
    def reputation(self) -> float:
        """Reputation as an ally, in [0, 1]."""
        return self._value("reputation")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.posture})"


class AllianceLeader(MemberState):
    """The US-like leader: spends most, covers most of the operation, presses allies."""

    is_leader = True
