"""The one parameter schema: defaults, units, ranges and sources; TOML loading; clear errors.

Every parameter of the model is declared here once, with its default, unit, allowed range and
source. Scenarios in ``configs/`` are TOML files that override these defaults; the CLI's
``--set key=value`` overrides single values; the browser sliders, the sweep bounds and the
parameter table in ``docs/ODD.md`` are all generated from this schema.

Sources are cited as ``Author (seed)`` for the chapters of *Dynamic Change* (IAI / NATO ACT,
2013, in ``docs/source-notes.md`` with line numbers), ``data: FILE`` for the shipped data, and
``calibration`` or ``judgement`` where the value is ours.
"""

from __future__ import annotations

import csv
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .scenarios import list_scenarios, read_toml, scenario_dir

POSTURES = ("activist", "defender", "free-rider")
CAPABILITY_AREAS = (
    "land_combat",
    "air_strike",
    "air_refuelling",
    "strategic_airlift",
    "isr",
    "precision_munitions",
    "maritime_patrol",
    "transport_helicopters",
    "command_control",
    "missile_defence",
)


#: The largest seed: seeds are stored as 64-bit signed integers in every output table.
MAX_SEED = 2**63 - 1

#: A scenario name is a label (it names the default output folder ``out/NAME``): this one
#: rule keeps it from ever being a path.
NAME_RULE = ("1 to 64 letters, digits, '-' or '_', starting with a letter or digit "
             "(no spaces, dots or slashes)")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def slug(text: str) -> str:
    """``text`` made to follow :data:`NAME_RULE` (used for names taken from file names)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-_")[:64]
    return cleaned or "custom"


def P(
    default: Any,
    unit: str,
    source: str,
    doc: str,
    ge: float | None = None,
    le: float | None = None,
    behavioural: bool = True,
) -> Any:
    """Declare one parameter with its unit, range, source and meaning.

    ``behavioural`` marks the parameters that a sensitivity analysis should vary (rules of
    behaviour), as opposed to scenario switches and data-derived quantities.
    """
    return Field(
        default,
        ge=ge,
        le=le,
        description=doc,
        json_schema_extra={"unit": unit, "source": source, "behavioural": behavioural},
    )


class _Section(BaseModel):
    # strict: a number is a number and a switch is true/false; "yes", 1 or "0.5" are refused
    # rather than coerced. Finite numbers only (no inf or nan anywhere).
    # defer_build: the validators are built on first use, not on import (`alliancesim --help`
    # imports this module and should answer at once).
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True,
                              allow_inf_nan=False, defer_build=True)


class RunParams(_Section):
    start_year: int = P(2012, "year", "data: nato_defence_expenditure_2012_2013.csv",
                        "First simulated year; members are initialised from data of this year.",
                        ge=1990, le=2030, behavioural=False)
    end_year: int = P(2030, "year", "judgement", "Last simulated year (inclusive).",
                      ge=1991, le=2060, behavioural=False)
    max_accession_year: int = P(2012, "year", "data: nato_members.csv",
                                "Allies that joined after this year are left out; allies that "
                                "join between start_year and this year enter in their accession "
                                "year.", ge=1949, le=2030, behavioural=False)

    @model_validator(mode="after")
    def _years_in_order(self) -> RunParams:
        if self.end_year <= self.start_year:
            raise ValueError(
                f"end_year ({self.end_year}) must be after start_year ({self.start_year})")
        return self


class FictionalMember(_Section):
    code: str = Field(..., min_length=2, max_length=8, description="Short unique code.")
    name: str = Field(..., min_length=1, description="Display name.")
    posture: Literal["activist", "defender", "free-rider"]
    region: Literal["north-america", "west", "north", "north-east", "central", "south",
                    "south-east"] = "west"
    gdp_usd: float = Field(..., gt=0, le=1e15, description="GDP, constant USD (at most 1e15, "
                           "about ten times world GDP).")
    burden_pct: float = Field(..., ge=0, le=15, description="Defence spending, % of GDP.")
    personnel: float = Field(..., ge=0, le=1e8, description="Military personnel.")
    equipment_share: float = Field(0.15, ge=0, le=1, description="Equipment share of budget.")
    leader: bool = False
    government_type: Literal["single_party_majority", "single_party_minority",
                             "coalition_majority", "coalition_minority", "technocratic",
                             "presidential"] = "single_party_majority"
    elections: tuple[int, ...] = Field((), description="Years of national elections.")


class MembersParams(_Section):
    source: Literal["data", "fictional"] = P(
        "data", "-", "judgement",
        "'data': the real allies from the shipped NATO/SIPRI tables; 'fictional': the members "
        "listed in [[members.fictional]].", behavioural=False)
    fictional: tuple[FictionalMember, ...] = Field(
        (), strict=False,  # a TOML array of tables is a list; each member is still strict
        description="Fictional members (used when source = 'fictional').")
    fallback_personnel_share: float = P(
        0.5, "fraction of budget", "judgement: a round value near the 2012 allies' median "
        "personnel share (57%, data: nato_defence_expenditure_2012_2013.csv)", "Personnel "
        "share of the budget of a member the data give none for (Iceland, which has no armed "
        "forces; every fictional member).", ge=0, le=1, behavioural=False)
    fallback_equipment_share: float = P(
        0.15, "fraction of budget", "judgement: near the 2012 allies' median equipment share "
        "(12%, data: nato_defence_expenditure_2012_2013.csv) and NATO's 20% guideline's lower "
        "side", "Equipment share of the budget of a data member the data give none for "
        "(Iceland); a fictional member's is its own equipment_share.", ge=0, le=1,
        behavioural=False)

    @model_validator(mode="after")
    def _fictional_members_listed(self) -> MembersParams:
        if self.source == "fictional":
            if len(self.fictional) < 2:
                raise ValueError("source = 'fictional' needs at least two [[members.fictional]]")
            codes = [m.code for m in self.fictional]
            if len(set(codes)) != len(codes):
                raise ValueError(f"fictional member codes must be unique, got {codes}")
            leaders = [m.code for m in self.fictional if m.leader]
            if len(leaders) != 1:
                raise ValueError(
                    f"exactly one fictional member must have leader = true (the alliance "
                    f"leader whose guarantee the others weigh), got {len(leaders)}"
                    + (f": {', '.join(leaders)}" if leaders else ""))
        return self


class PostureParams(_Section):
    """The behaviour of one posture (Keohane's typology), or of the alliance leader.

    Every field is required here; the defaults of each posture live in
    :data:`POSTURE_DEFAULTS`, and a scenario that sets one value of a posture keeps the
    posture's other defaults.
    """

    willingness: float = P(
        ..., "x (relative weight)", "Keohane (seed): activists deploy readily, defenders "
        "reluctantly, free-riders do less", "Readiness to answer allied requests for troops: "
        "weight of the member's GDP in the share of the request it is asked to carry.",
        ge=0, le=5)
    casualty_aversion: float = P(
        ..., "x casualty_sensitivity", "Keohane (seed): activists have lower casualty "
        "sensitivity", "How strongly the public reacts to losses, as a multiple of "
        "opinion.casualty_sensitivity.", ge=0, le=5)
    support_baseline: float = P(
        ..., "support 0-1", "judgement after Keohane (seed)", "Support for the operation the "
        "public gives before losses, fatigue, cost and stress.", ge=0, le=1)
    initial_caveat: float = P(
        ..., "fraction of troops", "Alcaro & Marrone (seed): caveats bar troops from combat",
        "Caveat level (share of deployed troops barred from combat) when the member first "
        "deploys.", ge=0, le=1)
    combat_readiness: float = P(
        ..., "fraction", "Keohane (seed): activists prepared to use force abroad; Alcaro & "
        "Marrone (seed, lines 4036-4047): most governments ready to risk their troops only to "
        "a certain extent", "Share of its troops free of caveats that a member offers for the "
        "dangerous sectors (south and east) when it places troops anew (an increase, or the "
        "part of a placement not kept; see operation.sector_stickiness).", ge=0, le=1)
    deployable_fraction: float = P(
        ..., "fraction of personnel", "calibration: Keohane (seed) ~100,000 European troops "
        "deployable and sustainable, the US ~400,000; ~70% of European land forces unusable "
        "abroad (2008)", "Share of personnel the member can deploy and sustain abroad.",
        ge=0, le=1)
    sovereignty_cost: float = P(
        ..., "fraction of area spending", "Giegerich (seed, lines 961-968): loss of "
        "sovereignty", "Cost of shared autonomy in the decision to pool a holding.", ge=0,
        le=2)
    priority_land_combat: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of land combat.",
        ge=0, le=10)
    priority_air_strike: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of air strike.",
        ge=0, le=10)
    priority_air_refuelling: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of air refuelling.",
        ge=0, le=10)
    priority_strategic_airlift: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of strategic airlift.",
        ge=0, le=10)
    priority_isr: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of isr.",
        ge=0, le=10)
    priority_precision_munitions: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of precision munitions.",
        ge=0, le=10)
    priority_maritime_patrol: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of maritime patrol.",
        ge=0, le=10)
    priority_transport_helicopters: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of transport helicopters.",
        ge=0, le=10)
    priority_command_control: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of command control.",
        ge=0, le=10)
    priority_missile_defence: float = P(
        ..., "relative weight", "Keohane (seed): activists favour expeditionary enablers, "
        "defenders heavy home-based forces", "National spending priority of missile defence.",
        ge=0, le=10)


#: The default table of each posture and of the leader (keys as in TOML).
POSTURE_DEFAULTS: dict[str, dict[str, float]] = {
    "activist": {"willingness": 1.5, "casualty_aversion": 0.6, "support_baseline": 0.6,
                 "initial_caveat": 0.1, "combat_readiness": 0.9,
                 "deployable_fraction": 0.08,
                 "sovereignty_cost": 0.25,
                 "priority_land_combat": 1.0,
                 "priority_air_strike": 1.2,
                 "priority_air_refuelling": 0.45,
                 "priority_strategic_airlift": 0.7,
                 "priority_isr": 0.8,
                 "priority_precision_munitions": 0.7,
                 "priority_maritime_patrol": 0.6,
                 "priority_transport_helicopters": 0.8,
                 "priority_command_control": 0.8,
                 "priority_missile_defence": 0.4},
    "defender": {"willingness": 1.0, "casualty_aversion": 1.2, "support_baseline": 0.5,
                 "initial_caveat": 0.5, "combat_readiness": 0.5,
                 "deployable_fraction": 0.04,
                 "sovereignty_cost": 0.15,
                 "priority_land_combat": 1.6,
                 "priority_air_strike": 0.8,
                 "priority_air_refuelling": 0.15,
                 "priority_strategic_airlift": 0.25,
                 "priority_isr": 0.4,
                 "priority_precision_munitions": 0.3,
                 "priority_maritime_patrol": 0.8,
                 "priority_transport_helicopters": 0.7,
                 "priority_command_control": 0.7,
                 "priority_missile_defence": 0.5},
    "free-rider": {"willingness": 0.5, "casualty_aversion": 1.4, "support_baseline": 0.45,
                   "initial_caveat": 0.6,
                   "combat_readiness": 0.3, "deployable_fraction": 0.03,
                 "sovereignty_cost": 0.05,
                 "priority_land_combat": 1.4,
                 "priority_air_strike": 0.4,
                 "priority_air_refuelling": 0.05,
                 "priority_strategic_airlift": 0.1,
                 "priority_isr": 0.2,
                 "priority_precision_munitions": 0.15,
                 "priority_maritime_patrol": 0.5,
                 "priority_transport_helicopters": 0.5,
                 "priority_command_control": 0.5,
                 "priority_missile_defence": 0.1},
    "leader": {"willingness": 1.5, "casualty_aversion": 0.6, "support_baseline": 0.6,
               "initial_caveat": 0.0, "combat_readiness": 0.85,
               "deployable_fraction": 0.28,
                 "sovereignty_cost": 0.25,
                 "priority_land_combat": 1.0,
                 "priority_air_strike": 1.2,
                 "priority_air_refuelling": 1.0,
                 "priority_strategic_airlift": 1.0,
                 "priority_isr": 1.2,
                 "priority_precision_munitions": 1.0,
                 "priority_maritime_patrol": 0.7,
                 "priority_transport_helicopters": 0.8,
                 "priority_command_control": 1.0,
                 "priority_missile_defence": 1.0},
}


class PosturesParams(_Section):
    """One table per posture, plus the leader's own: every posture-dependent constant.

    In TOML: ``[postures.activist]``, ``[postures.defender]``, ``[postures.free-rider]``,
    ``[postures.leader]``; dotted names such as ``postures.free-rider.willingness``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True,
                              populate_by_name=True)

    activist: PostureParams = Field(
        default_factory=lambda: PostureParams(**POSTURE_DEFAULTS["activist"]),
        description="Activists: prepared to use force abroad, deploy readily.")
    defender: PostureParams = Field(
        default_factory=lambda: PostureParams(**POSTURE_DEFAULTS["defender"]),
        description="Defenders: territorial defence first, deploy reluctantly, with caveats.")
    free_rider: PostureParams = Field(
        default_factory=lambda: PostureParams(**POSTURE_DEFAULTS["free-rider"]),
        alias="free-rider", description="Free-riders: spend little, rely on the guarantee.")
    leader: PostureParams = Field(
        default_factory=lambda: PostureParams(**POSTURE_DEFAULTS["leader"]),
        description="The alliance leader's own values (whatever its declared posture).")

    @model_validator(mode="before")
    @classmethod
    def _keep_posture_defaults(cls, data: Any) -> Any:
        """A table that sets some values keeps the posture's defaults for the others."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key, defaults in POSTURE_DEFAULTS.items():
            given: dict[str, Any] = {}
            for spelling in dict.fromkeys((key.replace("-", "_"), key)):  # the TOML key wins
                value = data.pop(spelling, None)
                if isinstance(value, BaseModel):
                    value = value.model_dump()
                if value is not None and not isinstance(value, dict):
                    data[key] = value  # not a table: let validation report it
                    break
                given.update(value or {})
            else:
                data[key] = {**defaults, **given}
        return data

    def of(self, posture: str) -> PostureParams:
        """The table of a posture (``activist``, ``defender``, ``free-rider``, ``leader``)."""
        return getattr(self, posture.replace("-", "_"))

class EconomyParams(_Section):
    gdp_growth_mean: float = P(0.018, "fraction / year", "data: sipri_milex 1990-2013 (GDP "
                               "derived)", "Mean real GDP growth.", ge=-0.1, le=0.1)
    gdp_growth_sd: float = P(0.012, "fraction / year", "data: sipri_milex 1990-2013",
                             "Standard deviation of members' yearly GDP growth.", ge=0, le=0.1)
    common_shock_share: float = P(0.5, "fraction", "judgement",
                                  "Share of growth variance common to all members (business "
                                  "cycles are correlated).", ge=0, le=1)
    gdp_path: Literal["data", "model"] = P(
        "data", "-", "data: sipri_milex_nato_members_1990_2013.csv (real GDP as SIPRI "
        "expenditure / share of GDP, 1991-2012) and nato_defence_expenditure_2012_2013.csv "
        "(NATO real GDP, 2013)", "'data': each real ally's GDP follows its observed real "
        "growth in the years the shipped tables cover (a structural input, not the spending "
        "being replayed), the model's draws elsewhere; 'model': the model's draws every year.",
        behavioural=False)
    shock_start_year: int = P(0, "year (0 = none)", "Giegerich (seed): 2008-2011 crisis",
                              "First year of an economic shock.", ge=0, le=2060,
                              behavioural=False)
    shock_scope: Literal["all", "europe"] = P(
        "all", "-", "Keohane (seed): European defence spending fell while the leader's did not",
        "Who the economic shock hits: every member, or the allies other than the leader.",
        behavioural=False)
    shock_years: int = P(3, "years", "Giegerich (seed): 2008-2011",
                         "Duration of the economic shock.", ge=1, le=20, behavioural=False)
    shock_gdp_growth: float = P(-0.03, "fraction / year", "judgement (2009 recession)",
                                "GDP growth added during the shock years.", ge=-0.2, le=0.0)
    full_stress_shortfall: float = P(
        0.05, "fraction / year of growth", "judgement: a shortfall of 5 points of growth "
        "against normal is a deep recession (2009: euro area -4.5%, against ~+2% trend), the "
        "kind that forces consolidation", "Growth shortfall against economy.gdp_growth_mean "
        "at which fiscal stress is full (1); stress rises linearly to it (a crisis year is "
        "full stress whatever the growth).", ge=0.01, le=0.2)
    austerity_cut: float = P(0.05, "fraction of budget / year",
                             "Giegerich (seed, lines 550-562): "
                             "European spending -7% real 2006-2010, -2.8% 2010-2011; national "
                             "changes -50% to +22%",
                             "Fiscal-consolidation pull on defence budgets during the shock, "
                             "scaled by each member's fiscal stress.", ge=0, le=0.5)
    shock_dispersion: float = P(2.11, "sd of per-ally severity (mean 1)", "calibration: "
                                "experiments/calibrate_fiscal_shocks.py on the dispersion of "
                                "SIPRI real military expenditure change 2008-2013 across the "
                                "European allies (window not a validation target)",
                                "Per-ally heterogeneity of the economic shock: each hit ally's "
                                "austerity cut (and GDP shock, floored at 0) is scaled by a "
                                "normal factor (mean 1) drawn when the shock starts; below 0 "
                                "the ally spends more.", ge=0, le=3)
    inflation: float = P(0.02, "fraction / year", "judgement (ECB target)",
                         "General inflation; money is in constant prices.", ge=0, le=0.2)
    equipment_cost_growth: float = P(0.07, "fraction / year (nominal)",
                                     "Keohane (seed): equipment costs rise 6-8% a year",
                                     "Nominal growth of equipment unit costs.", ge=0, le=0.3)


class ThreatParams(_Section):
    base_level: float = P(0.3, "index 0-1", "judgement", "External threat perceived in 2012.",
                          ge=0, le=1)
    frontline_extra: float = P(0.15, "index 0-1", "data: nato_members.csv land borders",
                               "Extra threat perceived by allies bordering Russia, Belarus or "
                               "Ukraine.", ge=0, le=1)
    neighbour_exposure: float = P(
        0.6, "index 0-1", "judgement: a land border with Belarus or Ukraine (data: "
        "nato_members.csv) exposes an ally to Russia at one remove", "Exposure to the "
        "eastern threat of an ally bordering Belarus or Ukraine but not Russia, relative to "
        "one bordering Russia (1); it scales frontline_extra and the frontline share of a "
        "shock.", ge=0, le=1)
    drift_sd: float = P(0.02, "index / year", "judgement",
                        "Yearly random drift of the common threat.", ge=0, le=0.3)
    shock_year: int = P(0, "year (0 = none)", "judgement (2014 Crimea)",
                        "Year of a sudden rise in external threat.", ge=0, le=2060,
                        behavioural=False)
    shock_size: float = P(0.3, "index 0-1", "judgement", "Rise in the common threat at the "
                          "shock.", ge=0, le=1)
    shock_frontline_multiplier: float = P(2.0, "x", "judgement (north-east perceives most)",
                                          "How much more the frontline allies perceive the "
                                          "shock.", ge=1, le=5)
    persistence: float = P(0.9, "fraction / year", "judgement",
                           "Share of a threat shock still felt a year later.", ge=0, le=1)
    cold_war_excess: float = P(
        0.7, "index 0-1", "calibration: experiments/calibrate_cold_war.py on SIPRI real "
        "spending change 1990-1995 (targets in experiments/calibration_cold_war.toml); the "
        "fit reaches the index's ceiling (0.7 = 1 - base_level; the model still cuts less by "
        "1995 than the allies did); the dates from data: threat_calendar.csv",
        "Common threat above base_level while the Cold War lasts (to the USSR's dissolution "
        "in the shipped calendar); after it, the excess fades at the rate of persistence. "
        "Acts only in runs that start before the end of the Cold War.", ge=0, le=1)


class LeaderParams(_Section):
    commitment_initial: float = P(1.0, "index 0-1", "Keohane (seed)",
                                  "The leader's commitment to the alliance at the start.",
                                  ge=0, le=1)
    commitment_trend: float = P(0.0, "index / year",
                                "Giegerich (seed, lines 556-558): pivot to Asia-Pacific",
                                "Yearly change in the leader's commitment (negative: pivot).",
                                ge=-0.2, le=0.2)
    commitment_floor: float = P(0.2, "index 0-1", "judgement",
                                "Lowest commitment the leader falls to.", ge=0, le=1)
    burden_trend: float = P(0.0, "% GDP points / year", "Keohane (seed): US share of NATO "
                            "spending 60% (1990) to 75% (2010)", "Yearly change in the "
                            "leader's own target burden.", ge=-0.5, le=0.5)
    budget_path: Literal["model", "sipri"] = P(
        "model", "-", "data: sipri_milex (USA real change); Keohane (seed, line 1403): the "
        "Pentagon to cut $489bn over ten years", "'model': the leader's budget follows its "
        "target like any member's; 'sipri': an input path -- SIPRI's real change for the years "
        "it covers (to 2013), then leader.budget_cut_per_year until leader.budget_cut_until.",
        behavioural=False)
    budget_plan: Literal["none", "bca"] = P(
        "bca", "-", "data: leader_budget_calendar.csv (CRS R42489, April 2012: the FY2013 "
        "defense request under the Budget Control Act of 2011 caps)", "'bca': in the years "
        "of the shipped calendar the leader's budget moves by its legislated plan, known "
        "before the year (a structural input; deflated by economy.inflation); 'none': the "
        "leader's budget follows its demand like any member's.", behavioural=False)
    budget_cut_per_year: float = P(0.01, "fraction / year", "Keohane (seed, line 1403): $489bn "
                                   "over ten years (about 7% of a $700bn budget)",
                                   "Real yearly cut of the leader's budget after the SIPRI "
                                   "years, when budget_path = 'sipri'.", ge=-0.2, le=0.2,
                                   behavioural=False)
    budget_cut_until: int = P(2021, "year", "Keohane (seed, line 1403): the next ten years",
                              "Last year of the leader's budget cuts (budget_path = 'sipri').",
                              ge=1990, le=2060, behavioural=False)
    pressure: float = P(0.5, "index 0-1",
                        "Alcaro & Marrone (seed, lines 3959-3961): the 'battle cry'",
                        "Strength of the leader's pressure on allies below the norm.", ge=0, le=1)
    gap_response: float = P(0.3, "fraction", "judgement",
                            "How strongly the leader raises its pressure when alliance "
                            "capability gaps grow.", ge=0, le=2)
    operation_gap_response: float = P(
        0.5, "fraction", "Alcaro & Marrone (seed, lines 3959-3961): the US 'incessantly called "
        "for greater support'", "How strongly the leader raises its pressure when the allies "
        "deploy less than they are asked (per unit of the allies' shortfall share).", ge=0,
        le=3)
    gap_filling: float = P(
        1.0, "fraction", "Alcaro & Marrone (seed, lines 3991-3998): ISAF 'Americanized'",
        "Share of the troops the allies and partners leave missing that the leader deploys "
        "itself.", ge=0, le=1)
    own_effort_elasticity: float = P(
        0.5, "elasticity", "judgement after Olson & Zeckhauser (1966), not in the seed text",
        "How the leader's commitment follows its own burden (% of GDP) relative to the start "
        "year: a leader that spends more guarantees more.", ge=0, le=2)


class OpinionParams(_Section):
    casualty_sensitivity: float = P(0.3, "support per tenfold rise in casualties per million",
                                    "Alcaro & Marrone (seed); log rule after Mueller (1973)",
                                    "Fall in support for the operation for every tenfold rise "
                                    "in cumulative casualties per million people, scaled by "
                                    "posture.", ge=0, le=1)
    major_event_probability: float = P(0.04, "probability / member-year",
                                       "Alcaro & Marrone (seed): single events of great "
                                       "public impact", "Chance of a single high-impact event.",
                                       ge=0, le=0.5)
    major_event_impact: float = P(0.12, "support", "Alcaro & Marrone (seed)",
                                  "Fall in support after a high-impact event.", ge=0, le=1)
    fatigue: float = P(0.02, "support / year of operation", "Alcaro & Marrone (seed)",
                       "Yearly fall in support as the operation drags on.", ge=0, le=0.2)
    cost_weight: float = P(0.1, "support per unit of cost share", "Alcaro & Marrone (seed)",
                           "Fall in support with the operation's cost relative to the budget "
                           "and few visible results.", ge=0, le=2)
    economic_stress_weight: float = P(0.08, "support per unit of fiscal stress",
                                      "Alcaro & Marrone (seed); the level is judgement (before "
                                      "this field took it, 0.8 scaled by 0.1 in the code)",
                                      "How much economic stress (economy.full_stress_shortfall"
                                      ", 1 in a crisis year) lowers support for the operation.",
                                      ge=0, le=0.5)
    threat_weight_defence: float = P(0.4, "support per unit threat", "Keohane (seed)",
                                     "How much perceived threat raises support for defence.",
                                     ge=0, le=2)
    austerity_weight_defence: float = P(0.3, "support", "Keohane (seed)",
                                        "How much austerity lowers support for defence.", ge=0,
                                        le=2)
    inertia: float = P(0.7, "fraction", "judgement",
                       "Share of last year's opinion carried over.", ge=0, le=0.99)
    defence_support_baseline: float = P(
        0.5, "support 0-1", "judgement: a public split evenly on defence spending at normal "
        "threat (no shipped poll series; Keohane, seed, on opinion and austerity, gives no "
        "level)", "Support for defence spending at the member's base-year threat with no "
        "stress: where it starts and returns to; desired spending rises with support above "
        "it (spending.opinion_weight).", ge=0.2, le=0.8)
    elite_consensus: float = P(0.7, "index 0-1", "Alcaro & Marrone (seed, line 4169) citing "
                               "Kreps (2010)", "Mean elite consensus behind the operation at "
                               "the start (each ally's own varies around it, see politics.*); "
                               "damps how much public opinion reaches policy.", ge=0, le=1)


class PoliticsParams(_Section):
    """Domestic politics per ally: elite consensus, government type, elections."""

    consensus_spread: float = P(
        0.05, "index 0-1 (sd)", "judgement after Kreps (2010), cited by Alcaro & Marrone "
        "(seed)", "Standard deviation of each ally's elite consensus around "
        "opinion.elite_consensus at the start.", ge=0, le=0.5)
    consensus_erosion: float = P(
        0.05, "fraction per unit of excess opposition / year", "judgement: elites break ranks "
        "as an operation loses the public", "Yearly fall of elite consensus per unit of "
        "opposition to the operation above opposition_tolerance.", ge=0, le=2)
    opposition_tolerance: float = P(
        0.5, "share opposed", "judgement", "Opposition to the operation (1 - support) "
        "elites can live with before their consensus erodes.", ge=0, le=1)
    election_weight: float = P(
        0.3, "x", "Alcaro & Marrone (seed, lines 4063-4073): public demand governments find "
        "'nearly impossible to resist'", "Extra weight of opinion on policy in a national "
        "election year (pressure x (1 + weight)).", ge=0, le=3)
    coalition_pressure: float = P(
        0.2, "x", "Saideman & Auerswald (2012), not in the seed text: coalition partners "
        "can veto", "Extra weight of opinion on policy under a coalition government.", ge=0,
        le=3)
    minority_pressure: float = P(
        0.2, "x", "Saideman & Auerswald (2012), not in the seed text: parliamentary mandates",
        "Extra weight of opinion on policy under a minority government.", ge=0, le=3)
    coalition_caveat: float = P(
        0.1, "fraction of troops", "Saideman & Auerswald (2012), not in the seed text",
        "Extra caveats a coalition government's constraints call for.", ge=0, le=1)
    minority_caveat: float = P(
        0.1, "fraction of troops", "Saideman & Auerswald (2012), not in the seed text",
        "Extra caveats a minority government's constraints call for.", ge=0, le=1)
    government_change_base: float = P(
        0.3, "probability / election", "judgement (incumbents lose about a third of "
        "elections)", "Chance that a scheduled election changes the government.", ge=0,
        le=1)
    government_change_opinion: float = P(
        0.3, "probability per unit opposition", "judgement", "Extra chance of a change of "
        "government per unit of opposition to the operation.", ge=0, le=1)
    government_change_consensus_loss: float = P(
        0.1, "fraction of consensus", "judgement: a new government is less bound by its "
        "predecessor's commitment", "Share of elite consensus lost when an election changes "
        "the government.", ge=0, le=1)


class IncentiveParams(_Section):
    spending_norm_pct: float = P(2.0, "% of GDP",
                                 "NATO's 2% of GDP guideline (not in the seed text)",
                                 "The alliance spending norm.", ge=0, le=10, behavioural=False)
    peer_pressure: float = P(0.3, "index 0-1", "Keohane (seed)",
                             "Pull toward the alliance norm from peers.", ge=0, le=1)
    guarantee_weight: float = P(0.6, "index 0-1",
                                "judgement after Olson & Zeckhauser (1966), not in the seed text",
                                "How much the leader's guarantee substitutes for own effort "
                                "(the free-riding motive).", ge=0, le=1)
    defection_reputation_loss: float = P(0.35, "reputation", "Alcaro & Marrone (seed)",
                                         "Reputation a member loses when it leaves an alliance "
                                         "operation unilaterally.", ge=0, le=1)
    coalition_exit_cost_factor: float = P(
        0.35, "fraction", "Alcaro & Marrone (seed, lines 4181-4197): leaving an ad hoc "
        "coalition 'has much less to fear'; level set by hand (0.2 before) so that the ISAF "
        "coalition counterfactual loses about half its contributors in 5-6 years, as the "
        "Iraq coalition the source names did (41 countries had taken part, 21 were still "
        "there in September 2008: Washington Post, 10 Sep 2008; not in the seed text); "
        "judgement, not a fit", "Share of the alliance's stake a coalition "
        "engages: the reputation earned by contributing to it and lost by leaving it, "
        "relative to an alliance operation.", ge=0, le=1)
    initial_reputation: float = P(0.7, "reputation 0-1", "judgement",
                                  "Every member's reputation as an ally at the start.",
                                  ge=0, le=1)
    exit_cost_reputation_weight: float = P(
        1.0, "pressure units per unit reputation", "Alcaro & Marrone (seed): the leaver "
        "'would weaken its credibility as a reliable ally'", "Weight of the reputation at "
        "stake in the systemic cost of leaving an operation.", ge=0, le=2)
    exit_cost_value_weight: float = P(
        1.0, "pressure units per unit membership value", "Alcaro & Marrone (seed): and "
        "'undermine the pact of reciprocal solidarity'", "Weight of the value of membership "
        "at stake in the systemic cost of leaving an operation.", ge=0, le=2)
    reputation_recovery: float = P(0.15, "fraction / year", "judgement",
                                   "Share of the gap between reputation and what the member's "
                                   "conduct earns that closes each year.", ge=0, le=1)
    commitment_reputation_weight: float = P(
        0.5, "fraction", "Alcaro & Marrone (seed, lines 4153-4158): Europeans support the US "
        "in Afghanistan 'to keep the US committed to Europe'", "How far the leader's "
        "commitment towards an ally follows the ally's reputation (relative to the initial "
        "reputation).", ge=0, le=1)
    commitment_allied_effort_weight: float = P(
        0.5, "commitment per unit reputation", "Keohane (seed); Gates's warning (Alcaro & "
        "Marrone, seed, lines 3969-3973)", "How far the leader's overall commitment follows "
        "the allies' GDP-weighted reputation (burden and operational effort) relative to the "
        "initial reputation.", ge=0, le=3)
    norm_pull_rate: float = P(
        0.25, "fraction of the shortfall per unit of pressure", "judgement: at the default "
        "pressures (peer 0.3, leader 0.5) a member 1 point below the norm is pulled about 0.2 "
        "points up its target, slow against the spending norm's decade-long record",
        "Share of its shortfall from the spending norm (% GDP points) added to a member's "
        "target burden per unit of peer plus leader pressure, scaled by its responsiveness.",
        ge=0, le=1)
    reputation_full_marks_burden: float = P(
        1.2, "x spending norm", "judgement: the norm is a floor, so meeting it exactly is not "
        "yet full marks", "Burden, relative to the spending norm, at which spending earns "
        "full reputation (it earns in proportion below).", ge=0.5, le=3)
    reputation_spending_weight: float = P(
        0.5, "fraction", "judgement: Keohane (seed) and Alcaro & Marrone (seed) both judge "
        "allies by money and by what they do in operations; equal weights", "Share of the "
        "reputation a member's conduct earns that comes from its spending (the rest from its "
        "operational effort).", ge=0, le=1)
    reputation_caveat_discount: float = P(
        0.5, "fraction of effort", "judgement after Alcaro & Marrone (seed, lines 3959-3968): "
        "caveats were the allies' chief grievance, yet caveated troops still count",
        "Share of the credit for its troops a member loses at full caveats (effort x (1 - "
        "discount x caveat)).", ge=0, le=1)
    exposure_floor: float = P(
        0.5, "fraction", "judgement", "Weight of the guarantee to a member that feels no "
        "threat, relative to one under full threat (exposure = floor + (1 - floor) x "
        "threat).", ge=0, le=1)
    self_defence_share: float = P(
        1.0, "share of alliance capability", "judgement: no European ally alone can match a "
        "major-power threat, so the guarantee's worth falls only with an ally's share of the "
        "whole alliance's capability (Olson & Zeckhauser 1966 would make it fall with size)",
        "Share of the alliance's capability at which an ally could defend itself without "
        "the guarantee: its weakness is 1 - min(own share / this, 1). Smaller values make "
        "the guarantee worth less to the large allies (a size gradient).", ge=0.01, le=1)


class PledgeParams(_Section):
    pledge_year: int = P(0, "year (0 = none)", "judgement (NATO Wales summit 2014: 'move "
                         "towards 2% within a decade'; not in the seed text)",
                         "Year allies pledge a spending level with a deadline.", ge=0, le=2060,
                         behavioural=False)
    level_pct: float = P(2.0, "% of GDP", "NATO's 2% guideline (not in the seed text)",
                         "The pledged level; it replaces incentives.spending_norm_pct from "
                         "the pledge year.", ge=0, le=10, behavioural=False)
    deadline_year: int = P(2024, "year", "judgement (Wales 2014: within a decade)",
                           "Deadline of the pledge: its pull grows until then.", ge=1990,
                           le=2060, behavioural=False)
    weight: float = P(1.0, "x pressure at the deadline", "judgement",
                      "How much a pledge strengthens peer and leader pressure by its "
                      "deadline (1 = doubles it).", ge=0, le=5)
    conformity: float = P(0.5, "fraction", "judgement (a norm most allies ignore binds no one)",
                          "Share of peer pressure that grows with the share of allies meeting "
                          "the norm.", ge=0, le=1)
    conformity_reference_share: float = P(
        0.25, "share of allies", "judgement: a quarter of the allies (not the 2012 share, "
        "which the code's comment claimed: 2 of 28 European allies, GBR and GRC, were at 2% "
        "in data: nato_defence_expenditure_2012_2013.csv)", "Share of the allies "
        "meeting the norm at which the conforming part of peer pressure is at its plain "
        "strength (it scales with the share meeting, relative to this).", ge=0.05, le=1)
    conformity_cap: float = P(
        2.0, "x peer pressure", "judgement: a norm most allies meet presses harder, but not "
        "without limit", "Largest multiple of its plain strength the conforming part of peer "
        "pressure reaches however many allies meet the norm.", ge=1, le=5)


class SpendingParams(_Section):
    """The demand for defence and budget inertia (spending.py; ODD 7.4)."""

    adjustment_speed: float = P(
        0.2, "fraction of the log gap / year", "judgement after budgetary incrementalism "
        "(Davis, Dempster & Wildavsky 1966, APSR 60(3)); partial-adjustment demand models "
        "(Smith 1989; Sandler & Hartley 1995, ch. 4) find strong year-to-year inertia",
        "Share of the (log) gap between the budget and its target closed each year.",
        ge=0, le=1)
    income_elasticity: float = P(
        0.5, "elasticity", "judgement within the range of the demand literature, where "
        "long-run income elasticities of military spending are mostly positive and below one "
        "(Dunne & Perlo-Freeman 2003, Int. Rev. Applied Econ. 17(1); Nikolaidou 2008, "
        "Defence and Peace Economics 19(4), EU-15, heterogeneous by country); not fitted",
        "Elasticity of desired real spending with respect to real GDP (1: the burden stays "
        "put as the economy grows; below 1: it falls).", ge=0, le=2)
    threat_elasticity: float = P(
        1.0, "log points per unit threat", "judgement (threat, measured by the adversary's "
        "strength, raises demand in Smith 1989 and Murdoch & Sandler 1984); one coefficient "
        "for every member: how much a member feels depends on its exposure (threat.*), not "
        "its declared posture", "Rise in desired real spending per unit of perceived threat "
        "above the member's base-year level (and fall below it).", ge=0, le=5)
    spill_in_elasticity: float = P(
        0.25, "elasticity at full reliance", "judgement after Olson & Zeckhauser (1966) and "
        "Murdoch & Sandler (1984, J. Public Econ. 25): allies' spending spills in and "
        "substitutes for one's own; Plümper & Neumayer (2015): NATO allies free-ride with "
        "no size gradient", "Fall in desired real spending per log point rise in the other "
        "members' spending, for a member to which the guarantee is worth everything "
        "(scaled by its value of membership); also the fall per unit rise in that value "
        "since the member's base year.", ge=0, le=2)
    opinion_weight: float = P(0.4, "log points per unit support", "judgement",
                              "How much support for defence (above one half) raises desired "
                              "spending.", ge=0, le=3)
    fiscal_weight: float = P(
        0.1, "log points at full stress", "judgement (fiscal space: a growth shortfall cuts "
        "revenue and the room for defence)", "Fall in desired real spending at full fiscal "
        "stress (a growth shortfall of 5 points or a crisis year).", ge=0, le=1)
    max_change: float = P(0.15, "fraction of budget / year", "Giegerich (seed, line 562): "
                          "national changes -50% to +22% over 2006-2010 (Latvia's -50% in "
                          "four years needs about -16% a year)",
                          "Largest yearly relative change of the budget.",
                          ge=0, le=1)
    personnel_stickiness: float = P(0.9, "fraction", "Keohane (seed): cuts hit equipment and "
                                    "R&D first", "Share of a cut that personnel spending "
                                    "resists.", ge=0, le=1)
    operation_cost_per_troop_usd: float = P(500_000.0, "USD / troop-year",
                                            "judgement (ISAF costs)", "Incremental cost of one "
                                            "deployed soldier for a year.", ge=0, le=5e6)


class CapabilityParams(_Section):
    depreciation: float = P(0.07, "fraction / year", "judgement (15-year service lives)",
                            "Yearly loss of capability stock.", ge=0, le=0.5)
    quality_growth: float = P(0.03, "fraction / year", "judgement",
                              "Yearly gain in capability per unit of equipment from better "
                              "technology (offsets part of cost growth).", ge=0, le=0.2)
    min_unit_land_combat: float = P(30.0, "armoured vehicles", "judgement: one mechanised "
                                    "battalion's vehicles", "Minimum viable national unit in "
                                    "land combat.", ge=0.1, le=1000)
    min_unit_air_strike: float = P(12.0, "combat jets", "judgement: one squadron",
                                   "Minimum viable national unit in air combat / strike.",
                                   ge=0.1, le=500)
    min_unit_air_refuelling: float = P(2.0, "tankers", "judgement: two tankers sustain one "
                                       "orbit", "Minimum viable national unit in air-to-air "
                                       "refuelling.", ge=0.1, le=100)
    min_unit_strategic_airlift: float = P(2.0, "strategic transport aircraft", "judgement",
                                          "Minimum viable national unit in strategic airlift.",
                                          ge=0.1, le=100)
    min_unit_isr: float = P(2.0, "ISR platforms", "judgement",
                            "Minimum viable national unit in ISR.", ge=0.1, le=100)
    min_unit_precision_munitions: float = P(1.0, "stockpile units (no count in the table)",
                                            "judgement", "Minimum viable national unit in "
                                            "precision-guided munitions.", ge=0.1, le=100)
    min_unit_maritime_patrol: float = P(2.0, "maritime patrol aircraft", "judgement",
                                        "Minimum viable national unit in maritime patrol.",
                                        ge=0.1, le=100)
    min_unit_transport_helicopters: float = P(8.0, "helicopters", "judgement: one squadron",
                                              "Minimum viable national unit in transport "
                                              "helicopters.", ge=0.1, le=500)
    min_unit_command_control: float = P(1.0, "deployable HQs", "judgement",
                                        "Minimum viable national unit in command and "
                                        "control.", ge=0.1, le=10)
    min_unit_missile_defence: float = P(1.0, "batteries / battalions", "judgement",
                                        "Minimum viable national unit in missile defence.",
                                        ge=0.1, le=50)
    unscaled_holding_units: float = P(2.0, "x minimum unit", "judgement (data: holdings table "
                                      "gives no count for PGMs, C2 and some rows)",
                                      "Size of a 2012 holding the table gives no count for.",
                                      ge=1, le=10)
    shared_weight: float = P(0.3, "x a national holding's priority weight", "judgement",
                             "Start-year spending weight of a share of a multinational fleet.",
                             ge=0, le=1)
    absent_weight: float = P(0.05, "x priority weight", "judgement (light forces, training)",
                             "Start-year spending weight of an area a member does not hold.",
                             ge=0, le=1)
    rebuild_lead_time: int = P(3, "years", "judgement (procurement lead times)",
                               "Years of rebuilding before an abandoned area counts as held "
                               "again.", ge=0, le=20)
    rebuild_trigger: float = P(1.1, "x upkeep of the current portfolio", "judgement",
                               "A member reopens an abandoned area once its equipment budget "
                               "exceeds this multiple of what its remaining holdings cost to "
                               "sustain.", ge=0.5, le=3)
    rebuild_max_share: float = P(0.3, "fraction of equipment budget", "judgement",
                                 "Largest share of its equipment budget a member puts into "
                                 "rebuilding abandoned areas.", ge=0, le=1)
    rebuild_horizon: float = P(8.0, "years", "judgement (a procurement cycle)",
                               "A member reopens an abandoned area only if it can rebuild it "
                               "within this many years.", ge=1, le=30)
    priority_drift: float = P(0.15, "fraction / year per unit pressure", "Keohane (seed, lines "
                              "1469-1473): austerity pushes defenders toward territorial "
                              "defence", "How fast priorities tilt toward territorial areas "
                              "under fiscal stress and threat.", ge=0, le=1)
    priority_reversion: float = P(0.05, "fraction / year", "judgement",
                                  "How fast priorities return to the posture's when the "
                                  "pressure eases.", ge=0, le=1)
    priority_tilt: float = P(
        2.0, "x priority", "judgement after Keohane (seed, lines 1469-1473): defenders focus "
        "on territorial defence 'partly because of austerity'; the size of the turn is ours",
        "Where full pressure drives priorities: territorial areas' priority times this, the "
        "others' divided by it (before normalising).", ge=1, le=5)
    threat_pressure_scale: float = P(
        0.3, "threat index points", "judgement: the rise of a default threat shock "
        "(threat.shock_size) counts as full pressure", "Rise of a member's perceived threat "
        "above its base-year level that counts as one unit of pressure toward territorial "
        "priorities (added to fiscal stress).", ge=0.05, le=1)
    rebuild_target: float = P(
        1.02, "x minimum viable stock", "judgement: a rebuilt area clears its minimum unit "
        "with a small margin, so one year's depreciation does not close it again at once",
        "Stock a rebuild restores, relative to the area's minimum viable stock.", ge=1,
        le=1.5)
    rebuild_cost_multiplier: float = P(2.5, "x", "Giegerich (seed)",
                                       "Unit-cost multiplier for rebuilding an abandoned area.",
                                       ge=1, le=10)
    specialisation_bias: float = P(6.0, "exponent per unit of upkeep shortfall",
                                   "Giegerich (seed): cuts abandon whole areas",
                                   "How strongly a member concentrates its equipment money on "
                                   "its largest holdings while its budget cannot sustain what "
                                   "it holds now (1 - budget / upkeep of its current "
                                   "portfolio); none once the portfolio fits the budget.",
                                   ge=0, le=20)
    ambition: float = P(1.0, "x initial alliance stock", "judgement (level of ambition)",
                        "Alliance capability target per area, relative to the initial alliance "
                        "stock in that area.", ge=0.1, le=3)
    europe_ambition: float = P(0.5, "x initial alliance stock", "Keohane (seed): Libya 2011",
                               "Target per area for the allies without the leader.", ge=0,
                               le=3)


class SmartDefenceParams(_Section):
    prioritisation: bool = P(False, "switch", "Giegerich (seed): smart defence",
                             "Allocation weights follow alliance gaps.", behavioural=False)
    pooling: bool = P(False, "switch", "Giegerich (seed): pooling & sharing",
                      "Part of procurement goes through multinational projects.",
                      behavioural=False)
    specialisation: bool = P(False, "switch", "Giegerich (seed): specialisation by design",
                             "Members drop areas that others cover well, coordinated.",
                             behavioural=False)
    two_plus: bool = P(False, "switch", "Giegerich (seed, lines 1062-1066): the 2+ principle",
                       "For every new capability initiative (a rebuild, a holding below its "
                       "minimum unit) a multinational option is assessed first: the member "
                       "joins its cluster's unit unless it has no partner.",
                       behavioural=False)
    ring_fencing: bool = P(False, "switch", "Giegerich (seed, lines 1068-1070)",
                           "Pooled projects (including the multinational fleets of 2012) are "
                           "funded before other equipment and spared the concentration of "
                           "cuts.", behavioural=False)
    reinvestment_fund: bool = P(False, "switch", "Giegerich (seed)",
                                "Savings from pooling stay in defence equipment.",
                                behavioural=False)
    cluster_basis: Literal["region", "posture"] = P(
        "region", "-", "Giegerich (seed, lines 1000-1016): regional or strategic proximity",
        "How cooperation clusters form: neighbours, or allies of the same posture.",
        behavioural=False)
    prioritisation_strength: float = P(
        2.0, "x per unit of the gap", "judgement: the seed text (Giegerich) asks that "
        "spending follow the alliance's priorities but gives no strength", "With "
        "prioritisation, each area's allocation weight is multiplied by 1 + this x the "
        "Europeans' gap in it (0-1).", ge=0, le=10)
    specialisation_keepers: int = P(
        3, "members", "judgement: Giegerich (seed, lines 988-995) asks that access be "
        "guaranteed; three keepers leave a spare if one opts out", "With specialisation, a "
        "member drops a weak area only if at least this many Europeans with an advantage in "
        "it keep it.", ge=1, le=10)
    pooling_need_limit: float = P(
        2.0, "x minimum unit", "judgement: Giegerich (seed) on pooling to keep capabilities "
        "too small to stand alone; a holding of twice its minimum unit can lose one and "
        "still stand", "Size (relative to the area's minimum unit) at which a holding no "
        "longer needs partners: its need falls linearly from 1 at the minimum unit to 0 "
        "here. Below it, renewing the holding counts as a new initiative for the 2+ "
        "principle.", ge=1.1, le=5)
    pooling_savings: float = P(0.2, "fraction of unit cost", "Keohane (seed): up to 20% "
                               "savings in procurement", "Unit-cost saving on pooled "
                               "procurement.", ge=0, le=0.5)
    assured_access: float = P(0.85, "probability", "Giegerich (seed): trust and assured access",
                              "Share of a pooled unit's availability guaranteed by agreement; "
                              "the rest depends on trust (partners' reputation).", ge=0, le=1)
    viability_gain: float = P(0.5, "fraction of area spending", "Giegerich (seed): pooling "
                              "protects existing capability", "Value of keeping a holding too "
                              "small to stand alone, in the pooling decision.", ge=0, le=2)
    industry_weight: float = P(0.5, "per unit share of European equipment spending",
                               "Giegerich (seed, lines 970-986): juste retour", "Cost of "
                               "industrial consolidation to a member, per unit of its share of "
                               "European equipment spending.", ge=0, le=5)
    dependence_cost: float = P(0.5, "fraction of area spending", "Giegerich (seed, lines "
                               "988-995): access has to be guaranteed", "Cost of depending on "
                               "partners who may opt out, per unit of expected unavailability.",
                               ge=0, le=2)


class AirCampaignParams(_Section):
    enabled: bool = P(False, "switch", "Keohane (seed, lines 1473-1481): Libya 2011",
                      "Whether a Libya-like air campaign runs (scenario libya).",
                      behavioural=False)
    year: int = P(2011, "year", "Keohane (seed): Libya 2011", "Year of the air campaign.",
                  ge=1990, le=2060, behavioural=False)
    framework: Literal["alliance", "coalition"] = P(
        "alliance", "-", "Alcaro & Marrone (seed, lines 3928-3935): OUP under NATO command",
        "An alliance operation or a coalition of the willing.", behavioural=False)
    demand_air_strike: float = P(110.0, "combat jets", "judgement (OUP: about 260 air assets "
                                 "in all; not in the seed text)", "Strike aircraft the "
                                 "campaign needs.", ge=0, le=5000, behavioural=False)
    demand_air_refuelling: float = P(40.0, "tankers", "judgement (OUP; not in the seed text)",
                                     "Tankers the campaign needs.", ge=0, le=1000,
                                     behavioural=False)
    demand_isr: float = P(30.0, "ISR platforms", "judgement (OUP; not in the seed text)",
                          "ISR platforms the campaign needs.", ge=0, le=1000,
                          behavioural=False)
    demand_sead: float = P(20.0, "SEAD-capable jets", "judgement (OUP; not in the seed text)",
                           "Aircraft for suppressing air defences (flown by strike jets "
                           "with anti-radiation PGMs).", ge=0, le=1000, behavioural=False)
    demand_maritime_patrol: float = P(12.0, "maritime patrol aircraft", "judgement (OUP arms "
                                      "embargo; not in the seed text)", "Maritime patrol "
                                      "aircraft the embargo needs.", ge=0, le=1000,
                                      behavioural=False)
    join_threshold: float = P(1.0, "score units", "judgement",
                              "Score (appetite x willingness + engaged membership value) above "
                              "which a government takes part.", ge=-5, le=5)
    decision_noise: float = P(0.15, "score units (logistic scale)", "judgement",
                              "Spread of the chance element in each government's decision.",
                              ge=0.001, le=2)
    value_weight: float = P(1.0, "score per unit membership value", "Alcaro & Marrone "
                            "(seed): contributing to keep the US committed", "Weight of the "
                            "membership value an alliance operation engages.", ge=0, le=5)
    deployable_share: float = P(0.25, "fraction of a fleet", "judgement (readiness and "
                                "rotation)", "Share of a viable national fleet an ally can "
                                "deploy to the campaign.", ge=0, le=1)
    leader_share: float = P(0.3, "fraction of the leader's fleet", "judgement (global "
                            "commitments)", "Largest share of its fleet the leader puts in "
                            "to fill the gap.", ge=0, le=1)
    strike_caveat_limit: float = P(0.35, "caveat level", "Saideman & Auerswald (2012) on "
                                   "caveats; not in the seed text", "An ally whose caveat "
                                   "level is above this flies only non-kinetic roles.", ge=0,
                                   le=1)
    sead_fraction: float = P(0.15, "fraction of strike offer", "judgement",
                             "Share of a striking ally's jets able to fly SEAD, at full "
                             "munitions depth.", ge=0, le=1)
    stress_weight: float = P(0.3, "support per unit stress", "Alcaro & Marrone (seed)",
                             "How much economic stress lowers the appetite for the campaign.",
                             ge=0, le=2)
    baseline_weight: float = P(
        0.5, "fraction", "judgement: a public judges a new operation half by its standing "
        "view and half by the one it is living through", "Share of the appetite for the "
        "campaign from the posture's support baseline; the rest from current support for the "
        "operation already running (its losses and fatigue carry over).", ge=0, le=1)


class OperationParams(_Section):
    enabled: bool = P(True, "switch", "Alcaro & Marrone (seed)", "Whether an operation runs.",
                      behavioural=False)
    framework: Literal["alliance", "coalition"] = P(
        "alliance", "-", "Alcaro & Marrone (seed)", "An integrated alliance operation or an ad "
        "hoc coalition of the willing.", behavioural=False)
    start_year: int = P(2003, "year", "data: isaf_strength.csv", "First year of the operation.",
                        ge=1990, le=2060, behavioural=False)
    end_year: int = P(2014, "year", "data: isaf_strength.csv", "Last year of the operation.",
                      ge=1990, le=2060, behavioural=False)
    requirement: Literal["isaf", "constant"] = P(
        "isaf", "-", "data: isaf_strength.csv", "Force requirement path: ISAF's troop strength "
        "(interpolated) or a constant.", behavioural=False)
    constant_requirement_troops: float = P(50_000.0, "troops", "judgement",
                                           "Requirement when requirement = 'constant'.", ge=0,
                                           le=1e6, behavioural=False)
    partner_troops: float = P(5_000.0, "troops", "Alcaro & Marrone (seed): 20 partner nations "
                              "~5,000 (2011)", "Troops from non-member partners at full "
                              "requirement.", ge=0, le=1e5, behavioural=False)
    drawdown_start_year: int = P(2012, "year", "data: isaf_strength.csv",
                                 "Year an alliance-agreed drawdown starts (coordinated, not a "
                                 "defection).", ge=1990, le=2060, behavioural=False)
    danger_south_east: float = P(
        0.008, "casualties / troop-year", "judgement: ISAF ~3,500 coalition deaths 2001-2014, "
        "most in Regional Commands South and East",
        "Casualties per troop-year at full intensity in the dangerous sectors (south and east).",
        ge=0, le=0.1)
    danger_north_west: float = P(
        0.0012, "casualties / troop-year", "judgement: Regional Commands North, West and "
        "Capital saw far fewer deaths per soldier",
        "Casualties per troop-year at full intensity in the calmer sectors (north, west, "
        "capital).", ge=0, le=0.1)
    sector_calendar: Literal["isaf", "open"] = P(
        "isaf", "-", "data: isaf_expansion_calendar.csv (NATO ISAF history and chronology; "
        "AFP 27 Jul 2006)", "When the dangerous sectors become part of the operation: on "
        "ISAF's expansion calendar (Kabul 2003, north 2004, west 2005, south 31 Jul 2006, "
        "east 5 Oct 2006; troops placed before could go only to the calmer sectors) or "
        "'open' from the first year. An operation whose requirement is not ISAF's "
        "(requirement = 'constant') is open from its first year.", behavioural=False)
    south_east_capacity: float = P(
        0.79, "fraction of the members' troops", "StrategyPage, 18 June 2010: Regional "
        "Commands Capital 8,000, North 9,000, West 7,000, South 30,000, East 33,000, "
        "South-West 27,000 (90,000 of 114,000 in the south, south-west and east)",
        "Share of the troops the members field (the requirement less partners) that the "
        "dangerous sectors take once open; the leader fills the places the allies leave.",
        ge=0, le=1)
    sector_stickiness: float = P(
        0.9, "fraction / year", "judgement: a province, PRT or task-force commitment is "
        "taken for several years and handed over, not reshuffled yearly (NATO, 'ISAF "
        "History': lead nations of the PRTs); 0.9 keeps half of a placement for ~7 years",
        "Share of last year's troops in each sector group that stays there; the rest, and "
        "any increase, is placed anew by the ally's readiness and caveats.", ge=0, le=1)
    intensity_floor: float = P(
        0.5, "fraction of full intensity", "judgement: the insurgency grew with ISAF's "
        "expansion (Alcaro & Marrone, seed, lines 4029-4034)", "Intensity of the fighting at "
        "the smallest requirement; it rises linearly to 1 at the largest.", ge=0, le=1)
    allied_request_share: float = P(
        0.855, "fraction of requirement less partners", "calibration: "
        "experiments/calibrate_isaf.py on Europe's 25,000-30,000 troops 2009-2012 (seed, lines "
        "3648-3650) and the exits (lines 4135-4137); targets fixed in "
        "experiments/calibration_isaf_targets.toml, result in experiments/calibration_isaf.json",
        "Share of the requirement (after "
        "partners) the alliance asks of the allies other than the leader; the leader fills "
        "whatever they leave.", ge=0, le=1)
    caveat_relaxation: float = P(
        0.3, "fraction of caveat per unit of leader pressure / year",
        "Alcaro & Marrone (seed, lines 3959-3968, 4054-4061): the battle cry; caveats "
        "relaxed", "Share of its caveats a member relaxes in a year under full allied "
        "pressure.", ge=0, le=1)
    caveat_domestic_pull: float = P(
        0.15, "fraction / year", "Saideman & Auerswald (2012): caveats follow coalition "
        "politics and parliamentary mandates (not in the seed text)", "Share of the gap "
        "between its caveats and the level its domestic constraints call for that a "
        "government closes each year (all of it after a change of government).", ge=0, le=1)
    caveat_pressure_weight: float = P(
        0.3, "caveat per unit domestic pressure", "Alcaro & Marrone (seed, lines 4177-4179): "
        "systemic incentives do not shield governments entirely (hence the caveats)",
        "Rise in the caveat level domestic constraints call for per unit of domestic "
        "pressure against the operation.", ge=0, le=2)
    troop_adjustment: float = P(0.545, "fraction / year", "calibration: "
                                "experiments/calibrate_isaf.py, as allied_request_share; "
                                "Alcaro & Marrone (seed, lines 4054-4057): a limited increase",
                                "Share of the gap to the requested contribution a member with "
                                "full acceptance closes in a year (scaled by its acceptance, "
                                "see increase_refusal_margin).",
                                ge=0, le=1)
    increase_refusal_margin: float = P(
        0.031, "pressure units", "calibration: experiments/calibrate_isaf.py, as "
        "allied_request_share; Alcaro & Marrone (seed, lines 4054-4057): 'a limited increase'; "
        "Kreps (lines 4167-4178, note 12): opinion reaches policy as elites let it",
        "Systemic margin (exit cost minus the domestic pressure that reaches a "
        "government) at or below which it refuses to send more troops (it keeps those it "
        "has); above it, it agrees to a share of the increase asked that grows with the "
        "margin.", ge=-1, le=2)
    increase_margin_width: float = P(
        0.568, "pressure units", "calibration: experiments/calibrate_isaf.py, as "
        "increase_refusal_margin", "How far above increase_refusal_margin the systemic "
        "margin must be for a government to agree to all of the increase in troops it is "
        "asked for (the share agreed rises linearly in between).", ge=0.01, le=2)
    commitment_ceiling: float = P(
        0.349, "fraction of deployable force", "calibration: experiments/calibrate_isaf.py; "
        "Alcaro & Marrone (seed, lines 3962-3964): allies 'maintaining their military "
        "commitment below a certain threshold'; lines 4048-4050: ready to risk their troops "
        "'only to a certain extent'", "Largest share of its deployable force a government is "
        "prepared to commit to the operation, whatever it is asked (1: no ceiling but the "
        "deployable force itself).", ge=0, le=1)
    withdrawal_threshold: float = P(0.053, "pressure units", "calibration: "
                                    "experiments/calibrate_isaf.py, as allied_request_share",
                                    "Domestic pressure minus systemic cost of leaving above "
                                    "which a member may withdraw.", ge=0, le=2)
    withdrawal_spread: float = P(0.143, "pressure units", "calibration: "
                                 "experiments/calibrate_isaf.py, as allied_request_share",
                                 "Excess pressure over which the yearly chance of leaving rises "
                                 "from 0 to 1.", ge=0.01, le=2)

    @model_validator(mode="after")
    def _years_in_order(self) -> OperationParams:
        if self.end_year < self.start_year:
            raise ValueError(f"operation end_year ({self.end_year}) is before start_year "
                             f"({self.start_year})")
        return self


class Config(_Section):
    """The complete, validated parameter set of one model run."""

    name: str = Field("custom", description="Scenario name: a label, " + NAME_RULE + ".")
    description: str = Field("", description="One line saying what the scenario shows.")
    run: RunParams = RunParams()
    members: MembersParams = MembersParams()
    postures: PosturesParams = PosturesParams()
    economy: EconomyParams = EconomyParams()
    threat: ThreatParams = ThreatParams()
    leader: LeaderParams = LeaderParams()
    opinion: OpinionParams = OpinionParams()
    politics: PoliticsParams = PoliticsParams()
    incentives: IncentiveParams = IncentiveParams()
    pledge: PledgeParams = PledgeParams()
    spending: SpendingParams = SpendingParams()
    capabilities: CapabilityParams = CapabilityParams()
    smart_defence: SmartDefenceParams = SmartDefenceParams()
    operation: OperationParams = OperationParams()
    air_campaign: AirCampaignParams = AirCampaignParams()

    @field_validator("name")
    @classmethod
    def _name_is_a_label(cls, value: str) -> str:
        if not NAME_PATTERN.fullmatch(value):
            raise ValueError(f"a scenario name is a label: {NAME_RULE}")
        return value

    @model_validator(mode="after")
    def _every_member_has_a_posture(self) -> Config:
        if self.members.source != "data":
            return self
        missing = members_without_posture(self.run.max_accession_year)
        if missing:
            listed = ", ".join(f"{code} (joined {year})" for code, year in missing)
            latest = min(year for _, year in missing) - 1
            raise ValueError(
                f"run.max_accession_year = {self.run.max_accession_year} takes in allies with "
                f"no declared posture in data/postures.csv: {listed}. Postures are the seed "
                f"text's typology of the allies it describes, so the model cannot say how "
                f"these behave; allowed: at most {latest}, or add their postures")
        return self

    @property
    def years(self) -> range:
        return range(self.run.start_year, self.run.end_year + 1)

    def with_overrides(self, overrides: dict[str, Any]) -> Config:
        """Return a new config with dotted-name overrides applied and validated."""
        data = self.model_dump()
        for key, value in overrides.items():
            _set_dotted(data, key, value)
        return validate_config(data, origin="overrides")

    def get(self, dotted: str) -> Any:
        """Value of one parameter by its dotted name, e.g. ``opinion.fatigue``."""
        obj: Any = self
        for part in dotted.split("."):
            obj = getattr(obj, part.replace("-", "_"))  # postures.free-rider.*
        return obj


@cache
def members_without_posture(max_accession_year: int) -> list[tuple[str, int]]:
    """(code, accession year) of the allies that joined by then but have no posture row."""
    data = resources.files("alliancesim") / "data"
    with (data / "postures.csv").open(encoding="utf-8") as fh:
        with_posture = {row["iso3"] for row in csv.DictReader(fh)}
    with (data / "nato_members.csv").open(encoding="utf-8") as fh:
        members = [(row["iso3"], int(row["joined"])) for row in csv.DictReader(fh)]
    return sorted(((code, year) for code, year in members
                   if year <= max_accession_year and code not in with_posture),
                  key=lambda m: (m[1], m[0]))


# --------------------------------------------------------------------------- parameter table


def _section_fields(section_type: type[_Section], prefix: str,
                    values: _Section) -> list[tuple[str, Any, Any]]:
    """(dotted name, field, current value) of every scalar parameter of a section, with the
    scalars of nested sections (the posture tables) under their TOML key."""
    out = []
    for name, field in section_type.model_fields.items():
        annotation = field.annotation
        value = getattr(values, name)
        key = field.alias or name
        if isinstance(annotation, type) and issubclass(annotation, _Section):
            out += _section_fields(annotation, f"{prefix}.{key}", value)
            continue
        out.append((f"{prefix}.{key}", field, value))
    return out


def parameter_table() -> list[dict[str, Any]]:
    """One row per scalar parameter: name, default, unit, range, source, description.

    Used by ``alliancesim describe``, the docs, the browser sliders and the sweep bounds.
    The default is the value in a config with nothing set (for a posture table, the
    posture's own default).
    """
    rows = []
    defaults = Config()
    for section_name, section_field in Config.model_fields.items():
        section_type = section_field.annotation
        if not (isinstance(section_type, type) and issubclass(section_type, _Section)):
            continue
        for name, field, default in _section_fields(section_type, section_name,
                                                    getattr(defaults, section_name)):
            extra = field.json_schema_extra or {}
            if not isinstance(extra, dict) or "unit" not in extra:
                continue
            ge = le = None
            for meta in field.metadata:
                ge = getattr(meta, "ge", ge)
                le = getattr(meta, "le", le)
            annotation = field.annotation
            kind = getattr(annotation, "__name__", str(annotation))
            choices = getattr(annotation, "__args__", None)
            rows.append({
                "name": name,
                "default": default,
                "type": "choice" if choices and kind == "Literal" else kind,
                "choices": list(choices) if choices and kind == "Literal" else None,
                "unit": extra["unit"],
                "min": ge,
                "max": le,
                "behavioural": bool(extra.get("behavioural", True)),
                "source": extra["source"],
                "description": field.description or "",
            })
    return rows


def parameter_names() -> list[str]:
    """All valid dotted parameter names."""
    return [row["name"] for row in parameter_table()]


# --------------------------------------------------------------------------- loading


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    valid = parameter_names()
    if key not in valid and key not in ("name", "description"):
        raise ConfigError(
            f"unknown parameter '{key}'. Valid names: see `alliancesim describe` "
            f"(for example {', '.join(valid[:4])}, ...)")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _format_validation_error(err: ValidationError, origin: str) -> str:
    lines = [f"invalid configuration in {origin}:"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if not isinstance(p, int) or True)
        value = e.get("input")
        kind = e["type"]
        if kind == "extra_forbidden":
            parent = ".".join(str(p) for p in e["loc"][:-1])
            allowed = _allowed_keys(parent)
            lines.append(f"  unknown key '{loc}'; allowed keys here: {', '.join(allowed)}")
            continue
        allowed = _allowed_text(loc)
        message = e["msg"].removeprefix("Value error, ")
        if isinstance(value, dict) and kind == "value_error":  # a check across fields
            lines.append(f"  {loc + ': ' if loc else ''}{message}")
            continue
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"  {loc or '(top level)'} = {shown}: {message}"
                     + (f" (allowed: {allowed})" if allowed else ""))
    return "\n".join(lines)


def _allowed_keys(section: str) -> list[str]:
    node: Any = Config
    for part in filter(None, section.split(".")):
        fields = {(f.alias or n): f for n, f in node.model_fields.items()}
        field = fields.get(part) or node.model_fields.get(part)
        if field is None or not (isinstance(field.annotation, type)
                                 and issubclass(field.annotation, BaseModel)):
            return []
        node = field.annotation
    return [f.alias or n for n, f in node.model_fields.items()]


def _allowed_text(dotted: str) -> str:
    for row in parameter_table():
        if row["name"] == dotted:
            if row["choices"]:
                return "one of " + ", ".join(map(str, row["choices"]))
            if row["min"] is not None or row["max"] is not None:
                return f"{row['type']} in [{row['min']}, {row['max']}] {row['unit']}"
            return "true or false" if row["type"] == "bool" else f"{row['type']}"
    return ""


def validate_config(data: dict[str, Any], origin: str = "config") -> Config:
    """Validate a nested dict into a :class:`Config`, raising :class:`ConfigError`."""
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_format_validation_error(err, origin)) from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> Config:
    """Load a scenario TOML file, apply dotted overrides, validate.

    Examples:
        >>> cfg = load_config(scenario_dir() / "baseline.toml", {"run.end_year": 2020})
        >>> cfg.run.end_year
        2020
    """
    path = Path(path)
    data = read_toml(path)
    if not data:
        raise ConfigError(f"config file {path} is empty: it sets no parameter, so it would "
                          f"silently run the defaults. Set at least a description, or run a "
                          f"shipped scenario with --scenario (see `alliancesim scenarios`)")
    data.setdefault("name", slug(path.stem))
    for key, value in (overrides or {}).items():
        _set_dotted(data, key, value)
    origin = str(path) + (f" (overriding {', '.join(overrides)})" if overrides else "")
    return validate_config(data, origin=origin)


def load_scenario(name: str, overrides: dict[str, Any] | None = None) -> Config:
    """Load a shipped scenario by name (see ``alliancesim scenarios``).

    Examples:
        >>> load_scenario("baseline").run.start_year
        2012
    """
    path = scenario_dir() / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(
            f"unknown scenario '{name}'; available: {', '.join(list_scenarios())}")
    return load_config(path, overrides)


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one ``key=value`` from the command line; the value is read as TOML."""
    if "=" not in text:
        raise ConfigError(f"--set expects key=value, got '{text}'")
    key, raw = (s.strip() for s in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word such as coalition is taken as a string
    return key, value
