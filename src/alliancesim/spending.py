"""Spending: each member's demand for defence, budget inertia, and the split of its budget.

The budget follows a demand equation in levels with partial adjustment (incrementalism), the
standard form of the defence-economics literature (Smith 1989, *J. Applied Econometrics* 4(4);
Sandler & Hartley 1995, *The Economics of Defense*, ch. 4; Dunne & Perlo-Freeman 2003,
*Int. Rev. Applied Economics* 17(1); Nikolaidou 2008, *Defence and Peace Economics* 19(4)):

    ln M*_it = ln M_i0 + b (ln Y_it - ln Y_i0) + h (T_it - T_i0)
               - s [V_it (ln S_it - ln S_i0) + (V_it - V_i0)] + o (D_it - 1/2) - f F_it
    ln M_it  = ln M_i,t-1 + l (ln M~_it - ln M_i,t-1),  M~_it = M*_it + pull_it Y_it / 100

Desired real spending M* rises with income Y (elasticity b below 1: defence is not a luxury)
and with the threat T the member perceives; it falls as the protection the alliance gives the
member rises -- the others' spending S (the spill-in) weighted by what the guarantee is worth
to the member, V (free-riding: Olson & Zeckhauser 1966, Murdoch & Sandler 1984; the bracket is
V times the change in ln(V S)) -- and under fiscal stress F; support for
defence D moves it; the alliance norm pulls members below it (``pull``, % of GDP points).
The member's own base-year level M_i0 is its fixed effect (geography, history, tastes): the
base year's conditions are taken to be those it chose it under, so what moves the budget
afterwards is a change in those conditions, never the base year's burden as such. Each year
the budget closes the share l of the (log) gap, within a yearly bound. Operations are paid
from the same budget; cuts hit equipment and R&D first: personnel is sticky (Keohane, seed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ._numeric import bounded


@dataclass(frozen=True)
class SpendingBase:
    """Each member's base year for its spending decision: budget, GDP, perceived threat,
    spill-in and value of membership then (USD, USD, index, USD, index). The start year, or
    the year a member joins."""

    budget: np.ndarray
    gdp: np.ndarray
    threat: np.ndarray
    spill_in: np.ndarray
    value: np.ndarray

    def rebased(self, i: int, budget: np.ndarray, gdp: np.ndarray, threat: np.ndarray,
                spill_in: np.ndarray, value: np.ndarray) -> SpendingBase:
        """The same with member ``i``'s base year moved to now (it joins)."""
        def put(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            out = old.copy()
            out[i] = new[i]
            return out
        return replace(self, budget=put(self.budget, budget), gdp=put(self.gdp, gdp),
                       threat=put(self.threat, threat), spill_in=put(self.spill_in, spill_in),
                       value=put(self.value, value))


def desired_spending(
    base_spending: np.ndarray,
    income_ratio: np.ndarray,
    income_elasticity: float,
    threat_change: np.ndarray,
    threat_elasticity: float,
    spill_in_ratio: np.ndarray,
    spill_in_elasticity: float,
    reliance: np.ndarray,
    guarantee_change: np.ndarray,
    support_shift: np.ndarray,
    opinion_weight: float,
    fiscal_stress: np.ndarray,
    fiscal_weight: float,
) -> np.ndarray:
    """Real spending (USD) each member would choose this year, before the norm's pull.

    Args:
        base_spending: the member's real spending in its base year (its fixed effect).
        income_ratio: real GDP now / in the base year.
        income_elasticity: elasticity of desired spending with respect to GDP.
        threat_change: perceived threat now minus in the base year (index points).
        threat_elasticity: log points of desired spending per index point of threat.
        spill_in_ratio: the other members' real spending now / in the base year.
        spill_in_elasticity: elasticity of desired spending with respect to the spill-in, for
            a member to which the guarantee is worth everything (``reliance`` 1).
        reliance: what the guarantee is worth to the member, in [0, 1] (its value of
            membership V: commitment received, exposure, own weakness).
        guarantee_change: V now minus V in the base year (a pivot lowers it: the member
            gets less protection from the same allied spending and spends more).
        support_shift: support for defence minus one half.
        opinion_weight: log points per unit of support.
        fiscal_stress: fiscal stress in [0, 1].
        fiscal_weight: log points of desired spending lost at full fiscal stress.
    """
    log_change = (income_elasticity * np.log(np.maximum(income_ratio, 1e-9))
                  + threat_elasticity * threat_change
                  - spill_in_elasticity * (reliance * np.log(np.maximum(spill_in_ratio, 1e-9))
                                           + guarantee_change)
                  + opinion_weight * support_shift
                  - fiscal_weight * fiscal_stress)
    return base_spending * np.exp(log_change)


def target_burden(desired: np.ndarray, gdp: np.ndarray, pull_pct: np.ndarray,
                  extra_pct: np.ndarray | float = 0.0) -> np.ndarray:
    """The burden (% of GDP) a member aims at: its desired spending, plus the norm's pull
    and any scheduled change of its own target (``extra_pct``, % of GDP points)."""
    return np.maximum(100.0 * desired / np.maximum(gdp, 1.0) + pull_pct + extra_pct, 0.0)


def next_budget(
    budget: np.ndarray,
    gdp: np.ndarray,
    target_pct: np.ndarray,
    speed: float,
    max_change: float,
) -> np.ndarray:
    """Next year's budget (USD): a partial step of ``speed`` toward the target in logs
    (incrementalism: a budget moves by a share of the *relative* gap), within the yearly
    bound. A member with no budget (Iceland) stays at none."""
    target = target_pct * 0.01 * gdp
    positive = (budget > 0) & (target > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(positive, budget * np.power(np.where(positive, target / budget, 1.0),
                                                    speed), 0.0)
    return bounded(step, budget * (1.0 - max_change), budget * (1.0 + max_change))


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


def others_spending(budget: np.ndarray, active: np.ndarray) -> np.ndarray:
    """The spill-in each member receives: the summed budgets of the other active members
    (USD; the leader's budget is most of it)."""
    spent = budget * active
    return float(spent.sum()) - spent
