"""The numeric state of all members (one array entry per member) and its yearly history."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import CAPABILITY_AREAS


@dataclass
class MemberArrays:
    """Current state; index i is the i-th potential member of the run."""

    active: np.ndarray
    gdp: np.ndarray
    growth: np.ndarray
    budget: np.ndarray
    personnel_spend: np.ndarray
    operations_spend: np.ndarray
    other_spend: np.ndarray
    equipment_spend: np.ndarray
    personnel: np.ndarray
    deployable: np.ndarray
    troops: np.ndarray
    requested: np.ndarray
    caveat: np.ndarray
    withdrawn: np.ndarray
    defected_now: np.ndarray
    casualties: np.ndarray
    cumulative_casualties: np.ndarray
    support_operation: np.ndarray
    support_defence: np.ndarray
    reputation: np.ndarray
    threat: np.ndarray
    stress: np.ndarray
    membership_value: np.ndarray
    commitment_received: np.ndarray
    elite_consensus: np.ndarray
    election: np.ndarray
    new_government: np.ndarray
    domestic_pressure: np.ndarray
    exit_cost: np.ndarray
    value_at_stake: np.ndarray
    share_south_east: np.ndarray
    stocks: np.ndarray
    held: np.ndarray
    abandoned: np.ndarray
    handed_over: np.ndarray
    pooled: np.ndarray
    rebuild_years: np.ndarray
    priorities: np.ndarray


#: Member-year columns recorded every year (name in MemberArrays -> recorded as is).
MEMBER_SERIES = ("active", "gdp", "budget", "equipment_spend", "deployable", "troops",
                 "requested", "caveat", "withdrawn", "casualties", "support_operation",
                 "support_defence", "reputation", "threat", "membership_value",
                 "commitment_received", "elite_consensus", "election", "new_government",
                 "domestic_pressure", "exit_cost", "value_at_stake", "share_south_east",
                 "defected_now")
BOOL_SERIES = ("active", "withdrawn", "election", "new_government", "defected_now")
AREA_SERIES = ("stocks", "held", "abandoned", "handed_over", "pooled", "rebuild_years")


@dataclass
class History:
    """Record of every year: (years, members) and (years, members, areas) arrays.

    The arrays are made on first read, so a run that is never read back (or read once, at
    the end) pays for them once.
    """

    years: np.ndarray
    n_members: int
    yearly_names: tuple[str, ...] = ()
    member: dict[str, np.ndarray] = field(default_factory=dict)
    area: dict[str, np.ndarray] = field(default_factory=dict)
    yearly: dict[str, np.ndarray] = field(default_factory=dict)
    gap: np.ndarray | None = None
    gap_europe: np.ndarray | None = None
    pooled_capability: np.ndarray | None = None
    """Per area, the viable cluster units at their expected availability / Europe's target."""
    cluster_units: np.ndarray | None = None
    """Per area, the number of viable cluster units."""
    providers: np.ndarray | None = None
    """Per area, European providers: national holdings viable on their own outside viable
    cluster units, plus one per viable cluster unit."""
    rows: int = 0
    _pending: list = field(default_factory=list)

    @classmethod
    def empty(cls, years: range, n_members: int, yearly_names: tuple[str, ...]) -> History:
        return cls(years=np.asarray(years), n_members=n_members, yearly_names=yearly_names)

    def _allocate(self) -> None:
        n_years, n_members, n_areas = len(self.years), self.n_members, len(CAPABILITY_AREAS)
        for name in MEMBER_SERIES:
            dtype = bool if name in BOOL_SERIES else float
            self.member[name] = np.zeros((n_years, n_members), dtype=dtype)
        for name in AREA_SERIES:
            dtype = float if name in ("stocks", "rebuild_years") else bool
            self.area[name] = np.zeros((n_years, n_members, n_areas), dtype=dtype)
        for name in self.yearly_names:
            self.yearly[name] = np.full(n_years, np.nan)
        self.gap = np.zeros((n_years, n_areas))
        self.gap_europe = np.zeros((n_years, n_areas))
        self.pooled_capability = np.zeros((n_years, n_areas))
        self.cluster_units = np.zeros((n_years, n_areas), dtype=int)
        self.providers = np.zeros((n_years, n_areas), dtype=int)

    def record(self, state: MemberArrays, yearly: dict[str, float], gap: np.ndarray,
               gap_europe: np.ndarray, pooled_capability: np.ndarray,
               cluster_units: np.ndarray, providers: np.ndarray) -> None:
        """Keep this year's state as the next row.

        The phases replace state arrays rather than change them in place, so a reference is
        a faithful record; rows are stacked into the arrays above on first read.
        """
        self._pending.append((vars(state).copy(), yearly, gap, gap_europe, pooled_capability,
                              cluster_units, providers))
        self.rows += 1

    def flush(self) -> None:
        """Stack the pending rows into the arrays."""
        if self.gap is None:
            self._allocate()
        start = self.rows - len(self._pending)
        for k, (arrays, yearly, gap, gap_eu, pooled, units, providers) in enumerate(
                self._pending):
            row = start + k
            for name in MEMBER_SERIES:
                self.member[name][row] = arrays[name]
            for name in AREA_SERIES:
                self.area[name][row] = arrays[name]
            for name, value in yearly.items():
                self.yearly[name][row] = value
            self.gap[row], self.gap_europe[row] = gap, gap_eu
            self.pooled_capability[row], self.cluster_units[row] = pooled, units
            self.providers[row] = providers
        self._pending.clear()
