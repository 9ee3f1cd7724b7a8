"""AllianceModel: the yearly cycle of the alliance as eight named phases.

One Mesa step is one year. The first row of the results is the start year as initialised from
data; each step then simulates the next year. The maths lives in the domain modules; this file
only orders the phases and moves state between them.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from . import air_campaign as air
from . import capabilities as cap
from . import economy, incentives, norms, opinion, politics, spending
from . import operation as op
from ._numeric import bounded, ratio
from .agents import AllianceLeader, MemberState, Policy
from .config import CAPABILITY_AREAS, Config, ConfigError
from .data import (
    MemberData,
    fictional_members,
    holdings_arrays,
    isaf_requirement,
    leader_budget_plan,
    multinational_fleets,
    real_members,
    sector_open_share,
)
from .data import cold_war_end_year as data_cold_war_end_year
from .state import History, MemberArrays

#: Per-year scalars recorded beside the member arrays.
YEARLY = ("requirement", "partner_troops", "contributors", "defections",
          "coordinated_drawdowns", "ever_contributors", "common_threat", "commitment",
          "unit_cost", "operation_running", "viability_losses", "areas_rebuilt",
          "europe_capability", "leader_share_of_enablers", "european_strikers",
          "leader_troops")


def _read_only(array: np.ndarray) -> np.ndarray:
    """A constant shared between years: state arrays are replaced, never changed in place."""
    array.flags.writeable = False
    return array


class AllianceModel(mesa.Model):
    """Burden-sharing in a military alliance: member states, a leader and an operation.

    Args:
        config: a validated :class:`~alliancesim.config.Config` (``load_scenario(...)``).
        seed: seed of the model's one random generator (``model.rng``).
        controlled_member: code of a member whose choices a player sets with
            :meth:`set_policy` (play-as-a-member-state mode).

    Examples:
        >>> from alliancesim import AllianceModel, load_scenario
        >>> model = AllianceModel(load_scenario("baseline"), seed=1)
        >>> model.run_model()
        >>> tables = model.results()
        >>> int(tables.timeseries["year"].iloc[-1])
        2030
    """

    def __init__(self, config: Config | None = None, seed: int | None = None, *,
                 controlled_member: str | None = None) -> None:
        super().__init__(rng=seed)
        self.config = config if config is not None else Config()
        self.seed = seed
        cfg = self.config
        self.year = cfg.run.start_year
        self.data = self._member_data()
        n = len(self.data)
        self.codes = list(self.data.code)
        self.leader_mask = self.data.leader.astype(bool)
        self.europeans = ~self.leader_mask & np.array(
            [r != "north-america" for r in self.data.region])
        self.postures = list(self.data.posture)
        self.controlled_member = controlled_member
        if controlled_member is not None and controlled_member not in self.codes:
            raise ConfigError(f"controlled_member '{controlled_member}' is not a member; "
                              f"choose one of {', '.join(self.codes)}")
        self._pending_policy: dict[str, Policy] = {}
        self.requirement_path = self._requirement_path()
        self.requirement = self.requirement_path[self.year]
        self.partner_troops = 0.0
        self.leader_troops = 0.0
        self.allied_shortfall = 0.0
        self.norm_pull = np.zeros(n)
        self.leader_pressure = 0.0
        self._init_constants(n)
        self._init_politics(n)
        self.state = self._initial_state(n)
        self._weigh_losses()
        self._history = History.empty(cfg.years, n, YEARLY)
        self.europe_capability0: float | None = None
        self.campaign: air.CampaignResult | None = None
        self.contributions: list[tuple[int, air.CampaignResult]] = []
        self.defections = 0
        self.coordinated_drawdowns = 0
        self.ever_contributed = self.state.troops > 0
        self.agents_by_code: dict[str, MemberState] = {}
        self._accessions: dict[int, list[int]] = {}
        for i, year in enumerate(self.data.joined):
            self._accessions.setdefault(int(year), []).append(i)
        self._admit_members()
        self._record()
        self.running = self.year < cfg.run.end_year

    # ------------------------------------------------------------------ set-up

    def _member_data(self) -> MemberData:
        run = self.config.run
        if self.config.members.source == "fictional":
            return fictional_members(self.config.members.fictional)
        return real_members(run.start_year, run.max_accession_year,
                            self.config.threat.neighbour_exposure)

    def _requirement_path(self) -> dict[int, float]:
        o = self.config.operation
        years = range(self.config.run.start_year, self.config.run.end_year + 1)
        if o.requirement == "isaf":
            values = isaf_requirement(years)
        else:
            values = np.full(len(years), o.constant_requirement_troops)
        return {y: (float(v) if o.enabled and o.start_year <= y <= o.end_year else 0.0)
                for y, v in zip(years, values, strict=True)}

    def _init_constants(self, n: int) -> None:
        cfg, d = self.config, self.data
        self.deployable_fraction = self._per_member("deployable_fraction")
        self.willingness = self._per_member("willingness")
        self.aversion = self._per_member("casualty_aversion")
        self.support_baseline = self._per_member("support_baseline")
        self.initial_caveat = self._per_member("initial_caveat")
        self.combat_readiness = self._per_member("combat_readiness")
        # A candidate keeps its data-year burden until it joins; then its own base year.
        self.candidate_burden = d.burden_pct.copy()
        self.cold_war_end = data_cold_war_end_year()
        m = cfg.members  # budget shares where the data give none (members.fallback_*)
        self.personnel_share = np.where(d.personnel_share > 0, d.personnel_share,
                                        m.fallback_personnel_share)
        equipment = np.where(d.equipment_share > 0, d.equipment_share,
                             m.fallback_equipment_share)
        self.other_share = bounded(1.0 - self.personnel_share - equipment, 0.0, 1.0)
        self.base_priorities = _read_only(cap.priority_matrix(self.postures, self.leader_mask,
                                                              cfg.postures))
        c = cfg.capabilities
        self.minimum_units = _read_only(np.array(
            [getattr(c, f"min_unit_{area}") for area in CAPABILITY_AREAS]))
        self.population = np.where(np.isfinite(d.population) & (d.population > 0),
                                   d.population, d.gdp_usd / 40_000.0)
        self.real_cost_growth = economy.real_unit_cost_growth(
            cfg.economy.equipment_cost_growth, cfg.economy.inflation,
            cfg.capabilities.quality_growth)
        self.unit_cost = 1.0
        self.common_threat = self._threat_base(cfg.run.start_year)
        self.base_commitment = cfg.leader.commitment_initial
        self.commitment = cfg.leader.commitment_initial
        self.engagement = incentives.engagement(cfg.operation.framework,
                                                cfg.incentives.coalition_exit_cost_factor)
        self.per_million = 1e6 / self.population
        self.defence_baseline = np.full(n, cfg.opinion.defence_support_baseline)
        everyone = np.ones(n, bool)
        self.shock_hit = everyone if cfg.economy.shock_scope == "all" else ~self.leader_mask
        self.shock_severity = np.ones(n)
        self.leader_plan = (leader_budget_plan() if cfg.leader.budget_plan == "bca"
                            and cfg.members.source == "data" else {})
        self.observed_growth = (self.data.gdp_growth_by_year
                                if cfg.economy.gdp_path == "data" else None)
        self.leader_path = (economy.leader_budget_path(
            cfg.years, self.data.budget_change_by_year(), self.leader_mask,
            cfg.leader.budget_cut_per_year, cfg.leader.budget_cut_until)
            if cfg.leader.budget_path == "sipri" else None)
        # Constants of the yearly cycle, made once: on arrays of a few dozen members the
        # cost of a numpy call is mostly its overhead, so every call saved counts.
        self.allies = ~self.leader_mask
        self.leader_burden_trend = self.leader_mask * cfg.leader.burden_trend
        self.peak_requirement = max(self.requirement_path.values())
        # The operation's geography: the share of each year the dangerous sectors are in it.
        years = cfg.years
        on_calendar = (cfg.operation.sector_calendar == "isaf"
                       and cfg.operation.requirement == "isaf")
        opened = sector_open_share(years) if on_calendar else np.ones(len(years))
        self.south_east_open = dict(zip(years, opened.tolist(), strict=True))
        self.nobody = _read_only(np.zeros(n, bool))
        self.zero_per_member = _read_only(np.zeros(n))
        self.none_dropped = _read_only(np.zeros((n, len(CAPABILITY_AREAS)), bool))

    def _per_member(self, name: str) -> np.ndarray:
        """One value per member from its posture's table (``postures.*``); the leader's own."""
        tables = self.config.postures
        return np.array([getattr(tables.of("leader" if is_leader else posture), name)
                         for posture, is_leader in zip(self.postures, self.leader_mask,
                                                       strict=True)], dtype=float)

    def _init_politics(self, n: int) -> None:
        """Government type in the start year and the calendar of scheduled elections.

        Structure and calendars only (see :mod:`alliancesim.politics`): later changes of
        government are the model's own, drawn at its scheduled elections.
        """
        cfg = self.config
        pol = cfg.politics
        if cfg.members.source == "fictional":
            specs = {m.code: m for m in cfg.members.fictional}
            self.government_type = np.array([specs[c].government_type for c in self.codes],
                                            dtype=object)
            fictional = {c: specs[c].elections for c in self.codes}
        else:
            self.government_type = politics.start_government_types(self.codes,
                                                                   cfg.run.start_year)
            fictional = None
        self.elections = politics.election_calendar(self.codes, cfg.years, fictional)
        coalition = politics.coalition_government(self.government_type)
        minority = politics.minority_government(self.government_type)
        allies = ~self.leader_mask
        # How much a government's parliamentary position lets opinion through, and the
        # caveats its mandate adds; the leader answers to no ally's parliament.
        self.fragility = allies * politics.domestic_constraint(
            coalition, minority, pol.coalition_pressure, pol.minority_pressure)
        self.constraint_caveat = allies * politics.domestic_constraint(
            coalition, minority, pol.coalition_caveat, pol.minority_caveat)

    def _initial_state(self, n: int) -> MemberArrays:
        cfg, d = self.config, self.data
        budget = d.gdp_usd * d.burden_pct / 100.0
        equipment_share = np.where(d.equipment_share > 0, d.equipment_share,
                                   cfg.members.fallback_equipment_share)
        self.initial_equipment_spend = budget * equipment_share
        c = cfg.capabilities
        if cfg.members.source == "data":
            holds, platforms = holdings_arrays(self.codes, CAPABILITY_AREAS)
        else:
            holds = np.full((n, len(CAPABILITY_AREAS)), -1)
            platforms = np.full((n, len(CAPABILITY_AREAS)), np.nan)
        portfolio = cap.initial_portfolio(
            self.initial_equipment_spend, self.base_priorities, holds, platforms,
            self.minimum_units, c.depreciation, c.shared_weight, c.absent_weight,
            c.unscaled_holding_units, self.europeans, multinational_fleets())
        stocks, held = portfolio.stocks, portfolio.held
        self.thresholds = _read_only(portfolio.thresholds)
        self.per_unit = _read_only(portfolio.per_unit)
        self.legacy_pooled = _read_only(portfolio.shared & self.europeans[:, None])
        self.clusters, self.n_clusters = cap.cluster_ids(
            list(d.region), self.postures, self.europeans, cfg.smart_defence.cluster_basis,
            self.legacy_pooled)
        european_equipment = np.where(self.europeans, self.initial_equipment_spend, 0.0)
        self.industry = european_equipment / max(float(european_equipment.sum()), 1.0)
        self.sovereignty = self._per_member("sovereignty_cost")
        self.targets = c.ambition * stocks.sum(axis=0)
        self.europe_targets = c.europe_ambition * stocks.sum(axis=0)
        threat = economy.perceived_threat(
            self.common_threat, cfg.threat.base_level, d.frontline, cfg.threat.frontline_extra,
            cfg.threat.shock_frontline_multiplier)
        self.base_threat = threat.copy()
        # Each member's base year for its spending decision (its fixed effect): the start
        # year, or the year it joins (spending.desired_spending).
        self._base_year = (budget.copy(), d.gdp_usd.copy(), threat.copy(),
                           spending.others_spending(budget, d.joined <= self.year))
        active = d.joined <= self.year
        deployable = d.personnel * self.deployable_fraction
        zeros = np.zeros(n)
        state = MemberArrays(
            active=active, gdp=d.gdp_usd.copy(), growth=zeros.copy(), budget=budget,
            personnel_spend=budget * self.personnel_share, operations_spend=zeros.copy(),
            other_spend=budget * self.other_share, equipment_spend=budget * equipment_share,
            personnel=d.personnel.copy(), deployable=deployable, troops=zeros.copy(),
            requested=zeros.copy(), caveat=self.initial_caveat.copy(),
            withdrawn=np.zeros(n, bool), defected_now=np.zeros(n, bool),
            casualties=zeros.copy(), cumulative_casualties=zeros.copy(),
            support_operation=self.support_baseline.copy(),
            support_defence=self.defence_baseline.copy(),
            reputation=np.full(n, cfg.incentives.initial_reputation), threat=threat,
            stress=zeros.copy(), membership_value=zeros.copy(),
            commitment_received=np.full(n, self.commitment),
            elite_consensus=politics.initial_consensus(
                self.rng, n, cfg.opinion.elite_consensus, cfg.politics.consensus_spread),
            election=self.elections[0].copy(), new_government=np.zeros(n, bool),
            domestic_pressure=zeros.copy(), exit_cost=zeros.copy(),
            value_at_stake=zeros.copy(), share_south_east=zeros.copy(),
            stocks=stocks, held=held,
            abandoned=np.zeros_like(held), handed_over=np.zeros_like(held),
            pooled=self.legacy_pooled.copy(), rebuild_years=np.zeros_like(stocks),
            priorities=self.base_priorities.copy())
        self.area_spend = stocks * c.depreciation
        self.viability_losses = 0
        self.areas_rebuilt = 0
        self.pools = self._pools(state)
        self.leader_burden0 = self._leader_burden(state)
        state.membership_value = self._membership_value(state)
        self.value0 = state.membership_value.copy()
        self.spending_base = spending.SpendingBase(*self._base_year,
                                                   value=state.membership_value * self.allies)
        state.domestic_pressure = self._domestic_pressure(state)
        state.caveat = op.caveat_target(self.initial_caveat, self.constraint_caveat,
                                        state.domestic_pressure,
                                        cfg.operation.caveat_pressure_weight)
        if self.requirement_path[self.year] > 0:  # the run starts mid-operation
            self._request(state)
            # the same ceiling the yearly choice respects (ODD 7.6): a run that starts
            # mid-operation begins where the allies' own rule would hold them
            ceiling = self.config.operation.commitment_ceiling * state.deployable
            allies = np.minimum(state.requested, ceiling) * state.active
            state.troops = self._with_leader(allies, state)
            # No placement before the first year: every troop is placed anew.
            state.share_south_east = self._sectors(state.troops, state.caveat, zeros, zeros)
        return state

    def _admit_members(self) -> None:
        """Create an agent for every member whose accession year has come."""
        if self.year == self.config.run.start_year:
            newcomers = range(len(self.codes))
        else:
            newcomers = self._accessions.get(self.year, ())
        for i in newcomers:
            if self.data.joined[i] > self.year or self.codes[i] in self.agents_by_code:
                continue
            cls = AllianceLeader if self.leader_mask[i] else MemberState
            self.agents_by_code[self.codes[i]] = cls(self, i, self.codes[i], self.data.name[i],
                                                     self.postures[i], self.data.region[i])
            if not self.state.active[i]:
                self._join(i)

    def _join(self, i: int) -> None:
        """A member joins: it takes its burden of that year from SIPRI where known."""
        s = self.state
        s.active = s.active.copy()  # recorded years keep their own array
        s.active[i] = True
        known = self.data.burden_by_year.get(self.year)
        if known is not None and np.isfinite(known[i]):
            s.budget = s.budget.copy()
            s.budget[i] = s.gdp[i] * known[i] / 100.0
            self.candidate_burden[i] = known[i]
        self.spending_base = self.spending_base.rebased(
            i, s.budget, s.gdp, s.threat, spending.others_spending(s.budget, s.active),
            s.membership_value * self.allies)

    # ------------------------------------------------------------------ the yearly cycle

    def step(self) -> None:
        """Simulate one year: the eight phases of MODEL.md, in order."""
        self.year += 1
        self.environment()
        self.public_opinion()
        self.systemic_incentives()
        self.spending()
        self.allocation()
        self.operation()
        self.air_operation()
        self.capabilities()
        self.alliance_accounts()
        self.running = self.year < self.config.run.end_year

    def environment(self) -> None:
        """Phase 1: GDP growth and shocks, threat, the operation's requirement, the leader."""
        cfg, s = self.config, self.state
        e, t = cfg.economy, cfg.threat
        in_shock = economy.in_shock(self.year, e.shock_start_year, e.shock_years)
        s.growth = economy.gdp_growth(self.rng, len(self.codes), e.gdp_growth_mean,
                                      e.gdp_growth_sd, e.common_shock_share, 0.0)
        if self.observed_growth is not None:  # the real economy where the data know it
            s.growth = economy.observed_or_drawn(self.observed_growth.get(self.year), s.growth)
        s.stress = economy.fiscal_stress(s.growth, e.gdp_growth_mean, False,
                                         e.full_stress_shortfall)
        if in_shock:
            if self.year == e.shock_start_year:  # each ally's exposure to this crisis
                self.shock_severity = economy.shock_severity(self.rng, len(self.codes),
                                                             e.shock_dispersion)
            s.growth = s.growth + self.shock_hit * e.shock_gdp_growth * np.maximum(
                self.shock_severity, 0.0)
            s.stress = np.where(self.shock_hit, 1.0, s.stress)
        s.gdp = s.gdp * (1.0 + s.growth)
        threat_shock = t.shock_size if t.shock_year == self.year else 0.0
        self.common_threat = economy.common_threat(
            self.common_threat, self._threat_base(self.year), self.rng.normal() * t.drift_sd,
            threat_shock, t.persistence)
        s.threat = economy.perceived_threat(self.common_threat, t.base_level,
                                            self.data.frontline, t.frontline_extra,
                                            t.shock_frontline_multiplier)
        self._admit_members()
        years = self.year - cfg.run.start_year
        self.base_commitment = economy.leader_commitment(
            cfg.leader.commitment_initial, cfg.leader.commitment_trend,
            cfg.leader.commitment_floor, years)
        self.unit_cost *= 1.0 + self.real_cost_growth
        self.requirement = self.requirement_path[self.year]

    def public_opinion(self) -> None:
        """Phase 2: support for the operation and for defence."""
        cfg, s = self.config, self.state
        o = cfg.opinion
        running = self.requirement > 0
        years_in = max(self.year - cfg.operation.start_year + 1, 0) if running else 0
        events = opinion.major_events(self.rng, s.troops, o.major_event_probability)
        cost_share = ratio(s.operations_spend, s.budget)
        s.support_operation = opinion.operation_support(
            s.support_operation, self.support_baseline, self.casualty_losses, events,
            years_in, cost_share, s.stress, major_event_impact=o.major_event_impact,
            fatigue=o.fatigue, cost_weight=o.cost_weight, stress_weight=o.economic_stress_weight,
            inertia=o.inertia)
        s.support_defence = opinion.defence_support(
            s.support_defence, self.defence_baseline, s.threat, self.base_threat,
            s.stress, threat_weight=o.threat_weight_defence,
            austerity_weight=o.austerity_weight_defence, inertia=o.inertia)
        self._domestic_politics(s, running)

    def _domestic_politics(self, s: MemberArrays, running: bool) -> None:
        """Phase 2, continued: elections, changes of government, elite consensus, and the
        domestic pressure against the operation that reaches each government."""
        pol = self.config.politics
        s.election = self.elections[self.year - self.config.run.start_year]
        s.new_government = politics.government_changes(
            self.rng, s.election & self.allies, s.support_operation,
            pol.government_change_base, pol.government_change_opinion)
        if running:  # elites judge the operation only while it runs
            s.elite_consensus = politics.next_consensus(
                s.elite_consensus, s.support_operation, pol.opposition_tolerance,
                pol.consensus_erosion, s.new_government, pol.government_change_consensus_loss)
        s.domestic_pressure = self._domestic_pressure(s)

    def systemic_incentives(self) -> None:
        """Phase 3: the leader's commitment, the value of membership, what leaving would
        cost, and pressure toward the 2% norm."""
        cfg, s = self.config, self.state
        i = cfg.incentives
        reference = i.initial_reputation
        allies = s.active & self.allies
        weights = s.gdp * allies
        allied_reputation = (float(weights @ s.reputation) / float(weights.sum())
                             if weights.sum() > 0 else reference)
        self.commitment = incentives.overall_commitment(
            self.base_commitment, self._leader_burden(s) / self.leader_burden0,
            cfg.leader.own_effort_elasticity, allied_reputation, reference,
            i.commitment_allied_effort_weight)
        s.commitment_received = incentives.commitment_towards(
            self.commitment, s.reputation, reference, i.commitment_reputation_weight)
        s.commitment_received = np.where(self.leader_mask, self.commitment,
                                         s.commitment_received)
        s.membership_value = self._membership_value(s)
        # What a unilateral exit would cost, by the rules that would then apply.
        loss = np.minimum(i.defection_reputation_loss * self.engagement, s.reputation)
        s.value_at_stake = incentives.value_at_stake(
            self.commitment, s.reputation, loss, reference, i.commitment_reputation_weight,
            s.threat, self._capability_share(s), i.exposure_floor)
        s.value_at_stake = s.value_at_stake * self.allies  # the leader never leaves
        s.exit_cost = self.allies * incentives.exit_cost(loss, s.value_at_stake,
                                                         i.exit_cost_reputation_weight,
                                                         i.exit_cost_value_weight)
        gap_index = float(self.gap.sum()) / self.gap.size
        leader_pressure = min(cfg.leader.pressure * self.commitment
                              * (1.0 + cfg.leader.gap_response * gap_index
                                 + cfg.leader.operation_gap_response * self.allied_shortfall),
                              1.0)
        heed = incentives.responsiveness(cfg.incentives.guarantee_weight,
                                         s.membership_value * self.allies)
        norm, peer = self._norm(s)
        pledge = norms.pledge_multiplier(norms.pledge_urgency(
            self.year, cfg.pledge.pledge_year, cfg.pledge.deadline_year), cfg.pledge.weight)
        self.norm_pull = self.allies * incentives.norm_pull(
            100.0 * s.budget / s.gdp, norm, peer * pledge, min(leader_pressure * pledge, 1.0),
            heed, i.norm_pull_rate)
        self.leader_pressure = leader_pressure

    def spending(self) -> None:
        """Phase 4: each member's budget from its demand for defence (spending.py), and its
        split (cuts hit equipment first)."""
        cfg, s = self.config, self.state
        sp, e = cfg.spending, cfg.economy
        base = self.spending_base
        # What the guarantee is worth to each ally (commitment received, exposure, own
        # weakness) decides how far the others' spending substitutes for its own.
        reliance = s.membership_value * self.allies
        desired = spending.desired_spending(
            base.budget, ratio(s.gdp, base.gdp), sp.income_elasticity, s.threat - base.threat,
            sp.threat_elasticity, ratio(spending.others_spending(s.budget, s.active),
                                        base.spill_in),
            sp.spill_in_elasticity, reliance, reliance - base.value,
            s.support_defence - self.defence_baseline, sp.opinion_weight,
            s.stress, sp.fiscal_weight)
        scheduled = self.leader_burden_trend * (self.year - cfg.run.start_year)
        target = spending.target_burden(desired, s.gdp, self.norm_pull, scheduled)
        budget = spending.next_budget(s.budget, s.gdp, target, sp.adjustment_speed,
                                      sp.max_change)
        if e.austerity_cut > 0 and economy.in_shock(self.year, e.shock_start_year,
                                                    e.shock_years):
            # Fiscal consolidation in a declared crisis: a cut of each hit ally's budget this
            # year, scaled by how hard the crisis hit it (spending.consolidate).
            austerity = e.austerity_cut * s.stress * (s.stress >= 1.0) * self.shock_severity
            budget = spending.consolidate(budget, s.budget, austerity, sp.max_change)
        if self.leader_path is not None:  # the leader's budget as an input scenario
            budget = np.where(self.leader_mask,
                              s.budget * (1.0 + self.leader_path.get(self.year, 0.0)), budget)
        elif self.year in self.leader_plan:  # its legislated plan, known before the year
            real = (1.0 + self.leader_plan[self.year]) / (1.0 + e.inflation)
            budget = np.where(self.leader_mask, s.budget * real, budget)
        budget = self._apply_policy_burden(budget)
        planned_operations = s.troops * sp.operation_cost_per_troop_usd
        protected = None
        if cfg.smart_defence.ring_fencing:  # last year's pooled projects are funded first
            protected = (self.area_spend * s.pooled).sum(axis=1)
        personnel, operations, other, equipment = spending.split_budget(
            budget, s.personnel_spend, self.personnel_share, self.other_share,
            planned_operations, sp.personnel_stickiness, protected)
        s.personnel = s.personnel * ratio(personnel, s.personnel_spend)
        s.deployable = s.personnel * self.deployable_fraction
        s.budget, s.personnel_spend, s.operations_spend = budget, personnel, operations
        s.other_spend, s.equipment_spend = other, equipment
        if not s.active.all():  # candidates keep their data-year budget until they join
            s.budget = np.where(s.active, s.budget, s.gdp * self.candidate_burden / 100.0)

    def allocation(self) -> None:
        """Phase 5: spread equipment budgets over capability areas (national unless coordinated).

        Members first decide, area by area, whether to put their holding into their cluster's
        unit; then each spreads its equipment budget by its own portfolio and priorities.
        """
        cfg, s = self.config, self.state
        sd, c = cfg.smart_defence, cfg.capabilities
        pressure = s.stress + np.maximum(s.threat - self.base_threat, 0.0) / c.threat_pressure_scale
        s.priorities = cap.drift_priorities(s.priorities, self.base_priorities,
                                            pressure * self.allies, c.priority_drift,
                                            c.priority_reversion, c.priority_tilt)
        closed = s.abandoned & (s.rebuild_years <= 0) & ~cap.in_viable_pool(
            s.pooled, self.clusters, self.pools)
        # Whether this year's equipment budget sustains what the member holds now (not its
        # start-year force): a shortfall concentrates the money on the core, and once the
        # portfolio fits the budget the concentration stops.
        spare = cap.surplus(s.equipment_spend, s.stocks, self.unit_cost, c.depreciation)
        cost = cap.rebuild_cost(self.thresholds, s.stocks, self.unit_cost,
                                c.rebuild_cost_multiplier, c.depreciation, c.rebuild_target)
        starting = cap.rebuild_choice(closed & s.active[:, None], s.priorities, spare,
                                      c.rebuild_trigger, cost, s.equipment_spend,
                                      c.rebuild_max_share, c.rebuild_horizon)
        s.rebuild_years = np.where(starting, 1.0, s.rebuild_years)
        closed = closed & ~starting
        s.pooled = self._pooling_choices(s)
        protected = s.pooled if sd.ring_fencing else None
        weights = cap.national_weights(s.stocks, s.priorities, self.base_priorities, closed,
                                       spare, c.specialisation_bias, protected)
        if sd.prioritisation:
            weights = cap.prioritised_weights(weights, self.europe_gap(),
                                              sd.prioritisation_strength)
        self.dropped_by_design = self.none_dropped
        if sd.specialisation:
            self.dropped_by_design = cap.specialisation_by_design(
                s.stocks, s.held, self.europeans, sd.specialisation_keepers)
            weights = cap.normalise_rows(np.where(self.dropped_by_design, 0.0, weights),
                                         fallback=weights)
        area_spend = (s.equipment_spend * s.active)[:, None] * weights
        rebuilding = s.rebuild_years > 0
        if rebuilding.any():
            area_spend = cap.fund_rebuilds(area_spend, cost, rebuilding, c.rebuild_max_share)
        if not sd.reinvestment_fund:
            # The savings of pooled procurement go back to the treasury instead of buying
            # more capability (Giegerich: cooperation must not become an excuse for cuts).
            returned = area_spend * s.pooled * sd.pooling_savings
            returned = returned * ~self._budget_set_by_player()[:, None]
            area_spend = area_spend - returned
            s.equipment_spend = s.equipment_spend - returned.sum(axis=1)
            s.budget = s.budget - returned.sum(axis=1)
        self.area_spend = area_spend

    def _pooling_choices(self, s: MemberArrays) -> np.ndarray:
        """Which holdings go into their cluster's unit this year (the 2012 fleets stay)."""
        sd = self.config.smart_defence
        if not (sd.pooling or sd.two_plus):
            return self.legacy_pooled
        platforms = s.stocks * self.per_unit
        need = cap.viability_need(platforms, self.minimum_units, sd.pooling_need_limit)
        # A new capability initiative: a rebuild, or the renewal of a holding below
        # smart_defence.pooling_need_limit times its minimum unit (it cannot be kept as it is).
        new_initiative = (s.rebuild_years > 0) | ((need > 0) & (s.stocks > 0))
        eligible = np.ones_like(s.pooled) if sd.pooling else new_initiative
        eligible &= (self.europeans & s.active)[:, None] & (self.clusters >= 0)
        access = cap.member_access(self.pools.access, self.clusters)
        waive = new_initiative if sd.two_plus else None
        utility = cap.pooling_utility(sd.pooling_savings, need, sd.viability_gain,
                                      self.sovereignty, self.industry, sd.industry_weight,
                                      access, sd.dependence_cost, waive)
        willing = eligible & (utility > 0)
        return self.legacy_pooled | cap.pool_partners(willing, self.clusters, self.n_clusters)

    def _pools(self, s: MemberArrays) -> cap.Pools:
        sd = self.config.smart_defence
        access = cap.cluster_access(s.reputation, self.clusters, self.n_clusters, s.active,
                                    sd.assured_access)
        return cap.cluster_pools(s.stocks, self.per_unit, s.pooled & s.active[:, None],
                                 self.clusters, self.n_clusters, self.minimum_units, access)

    def operation(self) -> None:
        """Phase 6: contributions, caveats and withdrawal; sectors and casualties."""
        cfg, s = self.config, self.state
        o = cfg.operation
        was_in = s.troops > 0
        last_troops, last_south = s.troops, s.share_south_east * s.troops
        s.defected_now = self.nobody
        if self.requirement <= 0:
            if was_in.any():  # the first year after the end: everyone still in goes home
                self.coordinated_drawdowns += int(np.count_nonzero(
                    was_in & ~s.withdrawn & self.allies))
            # Nothing is asked of anyone, and nobody is deployed or hurt.
            s.requested = s.troops = s.casualties = self.zero_per_member
            s.share_south_east = self.zero_per_member
            self.allied_shortfall = 0.0
            return
        self._request(s)
        drawing_down = self.year >= o.drawdown_start_year
        troops = op.allied_troops(s.troops, s.requested, o.commitment_ceiling * s.deployable,
                                  op.systemic_margin(s.exit_cost, s.domestic_pressure),
                                  o.troop_adjustment, o.increase_refusal_margin,
                                  o.increase_margin_width, drawing_down)
        # Caveats: toward what domestic constraints call for (all the way under a new
        # government), relaxed under the leader's pressure.
        target = op.caveat_target(self.initial_caveat, self.constraint_caveat,
                                  s.domestic_pressure, o.caveat_pressure_weight)
        # A new government re-examines the mandate: it closes all of the gap -- if it answers
        # to domestic constraints at all.
        pull = np.where(s.new_government & (o.caveat_domestic_pull > 0), 1.0,
                        o.caveat_domestic_pull)
        caveat = op.next_caveats(s.caveat, target, pull, o.caveat_relaxation,
                                 self.leader_pressure)
        s.caveat = np.where(self.leader_mask, 0.0, caveat)
        leaving = self.rng.random(len(self.codes)) < op.withdrawal_probability(
            s.domestic_pressure, s.exit_cost, o.withdrawal_threshold, o.withdrawal_spread)
        # Leaving while still asked for troops is unilateral, in a drawdown too -- except in
        # the operation's last year, when everyone goes home on the agreed schedule anyway.
        leaving &= (s.troops > 0) & ~s.withdrawn & self.allies & (s.requested > 0)
        if self.year >= o.end_year:
            leaving = self.nobody
        troops, s.caveat, leaving = self._apply_policy_operation(troops, s.caveat, leaving)
        s.withdrawn = s.withdrawn | leaving
        s.defected_now = leaving
        troops = np.where(s.withdrawn | ~s.active, 0.0, troops)
        troops = self._with_leader(troops, s)
        drawn_down = was_in & (troops <= 0) & ~s.withdrawn & self.allies & drawing_down
        self.coordinated_drawdowns += int(drawn_down.sum())
        self.defections += int(leaving.sum())
        asked = float((s.requested * self.allies).sum())
        given = float((troops * self.allies).sum())
        self.allied_shortfall = max(asked - given, 0.0) / asked if asked > 0 else 0.0
        s.troops = troops
        self.ever_contributed |= troops > 0
        s.share_south_east = self._sectors(troops, s.caveat, last_troops, last_south)
        expected = op.expected_casualties(
            s.troops, op.intensity(self.requirement, self.peak_requirement, o.intensity_floor),
            s.share_south_east, o.danger_south_east, o.danger_north_west)
        s.casualties = self.rng.poisson(expected).astype(float)
        s.cumulative_casualties = s.cumulative_casualties + s.casualties
        self._weigh_losses()

    def air_operation(self) -> None:
        """Phase 6b: a Libya-like air campaign in its year (air_campaign.py)."""
        cfg, s = self.config, self.state
        a = cfg.air_campaign
        self.campaign = None
        if not (a.enabled and self.year == a.year):
            return
        support = air.campaign_support(self.support_baseline, s.support_operation, s.stress,
                                       a.stress_weight, a.baseline_weight)
        scores = air.join_scores(support, self.willingness, s.membership_value, a.framework,
                                 cfg.incentives.coalition_exit_cost_factor, a.value_weight)
        u = self.rng.random(len(self.codes))
        noise = a.decision_noise * np.log(u / (1.0 - u))  # logistic draw per government
        area_index = {area: k for k, area in enumerate(CAPABILITY_AREAS)}
        # What members can field: viable national holdings, or a viable cluster unit.
        usable = s.held | cap.in_viable_pool(s.pooled, self.clusters, self.pools)
        self.campaign = air.run_campaign(
            platforms=s.stocks * self.per_unit, held=usable & s.active[:, None],
            stocks=s.stocks, active=s.active, leader=self.leader_mask,
            europeans=self.europeans, scores=scores, caveat=s.caveat, noise=noise,
            demand={area: getattr(a, f"demand_{area}") for area in air.CAMPAIGN_AREAS
                    if area != "precision_munitions"} | {"precision_munitions": 0.0},
            threshold=a.join_threshold, deployable_share=a.deployable_share,
            leader_share=a.leader_share, strike_caveat_limit=a.strike_caveat_limit,
            sead_fraction=a.sead_fraction, area_index=area_index)
        self.contributions.append((self.year, self.campaign))

    def capabilities(self) -> None:
        """Phase 7: depreciation, investment at rising unit cost, national viability."""
        cfg, s = self.config, self.state
        c, sd = cfg.capabilities, cfg.smart_defence
        rebuilding = s.rebuild_years > 0
        prices = cap.unit_prices(self.unit_cost, rebuilding, c.rebuild_cost_multiplier,
                                 s.pooled, sd.pooling_savings)
        s.stocks = cap.invest(s.stocks, self.area_spend, prices, c.depreciation)
        self.pools = self._pools(s)
        kept = cap.in_viable_pool(s.pooled, self.clusters, self.pools) | self.dropped_by_design
        result = cap.viability(s.stocks, self.thresholds, s.held, s.abandoned,
                               s.rebuild_years, c.rebuild_lead_time, kept)
        lost = result.lost & s.active[:, None]
        handed = lost & self.dropped_by_design
        stocks = result.stocks
        if handed.any():  # agreed specialisation: the assets go to the allies that keep it
            stocks = cap.hand_over(stocks, np.where(handed, stocks, 0.0),
                                   result.held & self.europeans[:, None])
        s.stocks, s.held = stocks, result.held
        # Every loss of national viability counts, whatever the label (pooled, handed over).
        s.abandoned = (s.abandoned | lost) & ~result.regained
        s.handed_over = (s.handed_over | handed) & s.abandoned
        s.rebuild_years = np.where(result.regained | ~s.abandoned, 0.0,
                                   np.where(rebuilding, s.rebuild_years + 1.0, 0.0))
        self.viability_losses += int(lost.sum())
        self.areas_rebuilt += int(result.regained.sum())
        self.pools = self._pools(s)

    def alliance_accounts(self) -> None:
        """Phase 8: reputation, the leader's view of the gaps, and the year's record."""
        cfg, s = self.config, self.state
        # With nothing asked of it, a member is not marked down for deploying nothing; one
        # that walked out of a running operation earns nothing for it.
        effort: np.ndarray | float = 1.0
        if self.requirement > 0:
            effort = np.where(s.requested > 0, ratio(s.troops, s.requested), 1.0)
            effort = np.where(s.withdrawn, 0.0, effort)
        earned = incentives.earned_reputation(100.0 * s.budget / s.gdp,
                                              cfg.incentives.spending_norm_pct, effort, s.caveat,
                                              self.engagement,
                                              cfg.incentives.reputation_full_marks_burden,
                                              cfg.incentives.reputation_spending_weight,
                                              cfg.incentives.reputation_caveat_discount)
        # The loss a leaver expected (systemic_incentives) is the loss it takes.
        s.reputation = incentives.update_reputation(
            s.reputation, earned, s.defected_now,
            cfg.incentives.defection_reputation_loss * self.engagement,
            cfg.incentives.reputation_recovery)
        self._record()

    # ------------------------------------------------------------------ helpers

    def _threat_base(self, year: int) -> float:
        """The common threat's structural level: raised while the Cold War lasts (the shipped
        calendar's end date), ``threat.base_level`` after it."""
        t = self.config.threat
        return economy.threat_base(year, t.base_level, t.cold_war_excess, self.cold_war_end)

    def _norm(self, s: MemberArrays) -> tuple[float, float]:
        """The norm in force (a pledge may raise it) and the peer pressure behind it, which
        grows with the share of allies meeting it."""
        cfg = self.config
        norm = norms.norm_level(self.year, cfg.incentives.spending_norm_pct,
                                cfg.pledge.pledge_year, cfg.pledge.level_pct)
        meeting = norms.share_meeting(100.0 * s.budget / s.gdp, norm, s.active & self.allies)
        return norm, norms.peer_strength(cfg.incentives.peer_pressure, meeting,
                                         cfg.pledge.conformity,
                                         cfg.pledge.conformity_reference_share,
                                         cfg.pledge.conformity_cap)

    def _capability_share(self, s: MemberArrays) -> np.ndarray:
        """Each member's capability relative to what it would take to defend itself
        (``incentives.self_defence_share`` of the alliance's; 1 or more: no need of the
        guarantee)."""
        holdings = s.stocks.sum(axis=1)
        total = float(holdings.sum())
        if total <= 0:
            return np.zeros(len(self.codes))
        return np.minimum(holdings / (total * self.config.incentives.self_defence_share), 1.0)

    def _membership_value(self, s: MemberArrays) -> np.ndarray:
        return incentives.membership_value(s.commitment_received, s.threat,
                                           self._capability_share(s),
                                           self.config.incentives.exposure_floor)

    def _leader_burden(self, s: MemberArrays) -> float:
        """The leader's burden (% of GDP); 1 where there is no leader."""
        gdp = float(s.gdp @ self.leader_mask)
        return 100.0 * float(s.budget @ self.leader_mask) / gdp if gdp > 0 else 1.0

    def _domestic_pressure(self, s: MemberArrays) -> np.ndarray:
        """Opposition that reaches each government: damped by its elites, amplified in an
        election year and under a fragile government; the leader answers to none."""
        amplification = (self.config.politics.election_weight * s.election
                         + self.fragility)
        pressure = opinion.policy_pressure(s.support_operation, s.elite_consensus,
                                           amplification)
        return pressure * self.allies

    def _with_leader(self, allies_troops: np.ndarray, s: MemberArrays) -> np.ndarray:
        """The allies' troops with the leader's added: it fills what they leave."""
        leader = op.leader_troops(self.requirement, self.partner_troops,
                                  float((allies_troops * self.allies).sum()),
                                  float((s.deployable * self.leader_mask).sum()),
                                  self.config.leader.gap_filling)
        self.leader_troops = leader
        return np.where(self.leader_mask, leader, allies_troops)

    def _sectors(self, troops: np.ndarray, caveat: np.ndarray, last_troops: np.ndarray,
                 last_south: np.ndarray) -> np.ndarray:
        """Each member's share of its troops in the dangerous sectors this year.

        The places there (a share of the members' troops, once those sectors are in the
        operation) go first to what allies keep from last year, then to what they offer of
        the troops they place anew (by caveats and readiness); the leader fills the rest.
        """
        o = self.config.operation
        places = op.south_east_places(float(troops.sum()), o.south_east_capacity,
                                      self.south_east_open[self.year])
        allies = np.where(self.allies, troops, 0.0)
        south = op.allied_south_east(
            allies, np.where(self.allies, last_troops, 0.0), last_south * self.allies,
            op.south_east_propensity(caveat, self.combat_readiness), o.sector_stickiness,
            places)
        leader = op.leader_south_east(places, float(south.sum()),
                                      float((troops * self.leader_mask).sum()))
        south = np.where(self.leader_mask, leader, south)
        return bounded(ratio(south, troops), 0.0, 1.0)  # none placed where none deployed

    def _weigh_losses(self) -> None:
        """The weight of the losses so far on each public (it changes only with casualties)."""
        self.casualty_losses = opinion.casualty_losses(
            self.state.cumulative_casualties * self.per_million, self.aversion,
            self.config.opinion.casualty_sensitivity)

    def _request(self, s: MemberArrays) -> None:
        o = self.config.operation
        peak = self.peak_requirement or 1.0
        partners = o.partner_troops * min(self.requirement / peak, 1.0)
        eligible = s.active & ~s.withdrawn & self.allies
        s.requested = op.requested_troops(self.requirement, o.allied_request_share, partners,
                                          s.gdp, self.willingness, eligible)
        self.partner_troops = partners

    def _record(self) -> None:
        s = self.state
        in_pool = cap.in_viable_pool(s.pooled, self.clusters, self.pools)
        self.gap = cap.gaps(cap.effective_stock(s.stocks, s.held, in_pool, s.active,
                                                self.pools), self.targets)
        europe = cap.effective_stock(s.stocks, s.held, in_pool, s.active & self.europeans,
                                     self.pools)
        gap_europe = cap.gaps(europe, self.europe_targets)
        if self.europe_capability0 is None:  # the start year: the index's base
            self.europe_capability0 = max(float(europe.sum()), 1.0)
        yearly = {
            "requirement": self.requirement_path[self.year],
            "partner_troops": self.partner_troops if self.requirement > 0 else 0.0,
            "contributors": float(np.count_nonzero((s.troops > 0) & self.allies)),
            "defections": float(self.defections),
            "coordinated_drawdowns": float(self.coordinated_drawdowns),
            "ever_contributors": float(np.count_nonzero(self.ever_contributed & self.allies)),
            "common_threat": self.common_threat,
            "commitment": self.commitment,
            "unit_cost": self.unit_cost,
            "operation_running": float(self.requirement_path[self.year] > 0),
            "viability_losses": float(self.viability_losses),
            "areas_rebuilt": float(self.areas_rebuilt),
            "europe_capability": float(europe.sum()) / self.europe_capability0,
            "leader_share_of_enablers": (air.leader_share_of_enablers(
                self.campaign, self.leader_mask) if self.campaign is not None else np.nan),
            "european_strikers": (float(self.campaign.strikers.sum())
                                  if self.campaign is not None else np.nan),
            "leader_troops": self.leader_troops if self.requirement > 0 else 0.0,
        }
        self._history.record(s, yearly, self.gap, gap_europe,
                             cap.pooled_capability(self.pools) / np.maximum(
                                 self.europe_targets, 1.0),
                             self.pools.viable.sum(axis=0),
                             cap.providers(s.held, in_pool, s.active & self.europeans,
                                           self.pools))

    def europe_gap(self) -> np.ndarray:
        """This year's capability gap per area for the allies without the leader."""
        s = self.state
        in_pool = cap.in_viable_pool(s.pooled, self.clusters, self.pools)
        return cap.gaps(cap.effective_stock(s.stocks, s.held, in_pool,
                                            s.active & self.europeans, self.pools),
                        self.europe_targets)

    def _budget_set_by_player(self) -> np.ndarray:
        """Members whose budget a player fixed this year (the treasury takes nothing back)."""
        policy = self._pending_policy.get(self.controlled_member or "")
        if policy is None or policy.burden_pct is None:
            return self.nobody
        return np.array([c == self.controlled_member for c in self.codes])

    def _apply_policy_burden(self, budget: np.ndarray) -> np.ndarray:
        policy = self._pending_policy.get(self.controlled_member or "")
        if policy is None or policy.burden_pct is None:
            return budget
        i = self.codes.index(self.controlled_member)
        budget = budget.copy()
        budget[i] = self.state.gdp[i] * policy.burden_pct / 100.0
        return budget

    def _apply_policy_operation(self, troops: np.ndarray, caveat: np.ndarray,
                                leaving: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        policy = self._pending_policy.pop(self.controlled_member or "", None)
        if policy is None:
            return troops, caveat, leaving
        i = self.codes.index(self.controlled_member)
        troops, caveat, leaving = troops.copy(), caveat.copy(), leaving.copy()
        if policy.troops is not None:
            troops[i] = min(policy.troops, self.state.deployable[i])
        if policy.caveat is not None:
            caveat[i] = policy.caveat
        if policy.withdraw is not None:
            leaving[i] = bool(policy.withdraw) and troops[i] > 0 and not self.state.withdrawn[i]
        return troops, caveat, leaving

    # ------------------------------------------------------------------ public API

    def set_policy(self, code: str, *, burden_pct: float | None = None,
                   caveat: float | None = None, troops: float | None = None,
                   withdraw: bool | None = None) -> None:
        """Fix the controlled member's choices for the next step.

        Raises:
            ConfigError: if ``code`` is not the controlled member or a value is out of range
                (burden 0-15 % of GDP, caveat 0-1, troops 0 to the member's deployable force).
        """
        if code != self.controlled_member:
            raise ConfigError(f"set_policy: '{code}' is not the controlled member "
                              f"({self.controlled_member!r}); pass controlled_member= when "
                              f"creating the model")
        i = self.codes.index(code)
        checks: list[tuple[str, Any, float, float]] = [
            ("burden_pct", burden_pct, 0.0, 15.0), ("caveat", caveat, 0.0, 1.0),
            ("troops", troops, 0.0, float(self.state.deployable[i]))]
        for name, value, lo, hi in checks:
            if value is not None and not (lo <= float(value) <= hi):
                raise ConfigError(f"set_policy: {name} = {value} is out of range "
                                  f"[{lo:g}, {hi:g}]")
        self._pending_policy[code] = Policy(burden_pct, caveat, troops, withdraw)

    def run_model(self) -> None:
        """Step until the configured end year."""
        while self.running:
            self.step()

    def results(self):
        """The three tidy tables (timeseries, members, capabilities) as DataFrames."""
        from .results import build_results

        return build_results(self)

    @property
    def history(self) -> History:
        """Everything recorded so far, one row per simulated year."""
        self._history.flush()
        return self._history

    @property
    def members(self) -> list[MemberState]:
        """The member agents in data order."""
        return [self.agents_by_code[c] for c in self.codes if c in self.agents_by_code]


__all__ = ["AllianceModel"]
