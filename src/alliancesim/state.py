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
    caveat_floor: np.ndarray
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
    stocks: np.ndarray
    held: np.ndarray
    abandoned: np.ndarray
    handed_over: np.ndarray


#: Member-year columns recorded every year (name in MemberArrays -> recorded as is).
MEMBER_SERIES = ("active", "gdp", "budget", "equipment_spend", "deployable", "troops",
                 "requested", "caveat", "withdrawn", "casualties", "support_operation",
                 "support_defence", "reputation", "threat")
AREA_SERIES = ("stocks", "held", "abandoned", "handed_over")


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
    pool: np.ndarray | None = None
    pool_viable: np.ndarray | None = None
    access: np.ndarray | None = None
    rows: int = 0
    _pending: list = field(default_factory=list)

    @classmethod
    def empty(cls, years: range, n_members: int, yearly_names: tuple[str, ...]) -> History:
        return cls(years=np.asarray(years), n_members=n_members, yearly_names=yearly_names)

    def _allocate(self) -> None:
        n_years, n_members, n_areas = len(self.years), self.n_members, len(CAPABILITY_AREAS)
        for name in MEMBER_SERIES:
            dtype = bool if name in ("active", "withdrawn") else float
            self.member[name] = np.zeros((n_years, n_members), dtype=dtype)
        for name in AREA_SERIES:
            dtype = float if name == "stocks" else bool
            self.area[name] = np.zeros((n_years, n_members, n_areas), dtype=dtype)
        for name in self.yearly_names:
            self.yearly[name] = np.full(n_years, np.nan)
        self.gap = np.zeros((n_years, n_areas))
        self.pool = np.zeros((n_years, n_areas))
        self.pool_viable = np.zeros((n_years, n_areas), dtype=bool)
        self.access = np.ones((n_years, n_areas))

    def record(self, state: MemberArrays, yearly: dict[str, float], gap: np.ndarray,
               pool: np.ndarray, pool_viable: np.ndarray, access: np.ndarray) -> None:
        """Keep this year's state as the next row.

        The phases replace state arrays rather than change them in place, so a reference is
        a faithful record; rows are stacked into the arrays above on first read.
        """
        self._pending.append((vars(state).copy(), yearly, gap, pool, pool_viable, access))
        self.rows += 1

    def flush(self) -> None:
        """Stack the pending rows into the arrays."""
        if self.gap is None:
            self._allocate()
        start = self.rows - len(self._pending)
        for k, (arrays, yearly, gap, pool, viable, access) in enumerate(self._pending):
            row = start + k
            for name in MEMBER_SERIES:
                self.member[name][row] = arrays[name]
            for name in AREA_SERIES:
                self.area[name][row] = arrays[name]
            for name, value in yearly.items():
                self.yearly[name][row] = value
            self.gap[row], self.pool[row] = gap, pool
            self.pool_viable[row], self.access[row] = viable, access
        self._pending.clear()
