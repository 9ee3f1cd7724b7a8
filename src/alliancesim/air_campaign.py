"""A second operation: a Libya-like air campaign that exposes the capability gaps.

Keohane (seed, lines 1473-1481): over Libya in 2011 "only six European countries (all from
Western Europe) deployed fighter jets to bomb ground targets", and "some estimates claim that
90% of NATO operations in Libya required American military help" -- the gaps were air-to-air
refuelling, ISR and precision-guided munitions (lines 1259, 1277, 1405).

The campaign demands capability by area, in platforms. Each ally decides whether to take part
by the same rules it uses elsewhere -- its public's appetite for operations (the posture's
baseline support, worn down by the ISAF losses so far), its posture's willingness, the value
of membership an alliance operation engages (a coalition engages less), and its caveats (an
ally whose caveats bar most troops from combat flies only non-kinetic roles). No list of who
took part enters the model. Willing allies supply first, from what they actually hold (viable
national holdings, or a viable cluster unit they can count on); the leader fills the gap.

Capability areas: ``air_strike``, ``air_refuelling``, ``isr``, ``precision_munitions`` and
``maritime_patrol`` are areas of the model. **Suppression of enemy air defences (SEAD)** is not
one of the ten areas: it is flown by strike aircraft, but it needs emitters located
(electronic intelligence, an ISR task) and anti-radiation missiles (a precision munition). The
model maps it onto ``air_strike`` platforms: a member's SEAD offer is ``sead_fraction`` of its
strike offer times the thinner of its munitions depth and its ISR depth (ISR platforms per
strike aircraft relative to the leader's), so only allies with viable PGM and ISR holdings
offer any. It is reported as area ``sead`` in ``contributions.csv``.

Precision munitions are counted per strike aircraft: the demand is one load per striking jet,
and a member's supply is its striking jets times its *munitions depth* -- its PGM stock per
strike *aircraft* relative to the leader's (capped at 1). Per aircraft, not per unit of strike
stock: guided bombs and missiles cost much the same whoever buys them, while one of the
leader's jets costs several of a small ally's, so a small fleet of cheap jets with a small
munitions budget is shallow (the table gives no munitions counts; the stock is the member's
spending on them). Allies short of munitions strike with what the leader supplies (as in
2011).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Campaign areas in output order; ``sead`` is carried by strike aircraft (see above).
CAMPAIGN_AREAS = ("air_strike", "air_refuelling", "isr", "precision_munitions", "sead",
                  "maritime_patrol")
#: The enablers whose supply the source says came mostly from the leader.
ENABLERS = ("air_refuelling", "isr", "precision_munitions", "sead")
CONTRIBUTION_COLUMNS = ("year", "member", "area", "contributed", "demanded")


@dataclass(frozen=True)
class CampaignResult:
    """One year's campaign: platforms contributed per member and campaign area."""

    contributed: np.ndarray
    """(members, CAMPAIGN_AREAS) platforms."""
    demanded: np.ndarray
    """(CAMPAIGN_AREAS,) platforms."""
    willing: np.ndarray
    strikers: np.ndarray
    """Members that struck ground targets (strike aircraft with precision munitions)."""


def campaign_support(support_baseline: np.ndarray, support_operation: np.ndarray,
                     stress: np.ndarray, stress_weight: float,
                     baseline_weight: float) -> np.ndarray:
    """A public's appetite for a new air operation, in [0, 1].

    ``baseline_weight`` of it its posture's baseline, the rest what it thinks of the
    operation already running (ISAF losses and fatigue carry over), less economic stress.
    """
    return np.clip(baseline_weight * support_baseline
                   + (1.0 - baseline_weight) * support_operation - stress_weight * stress,
                   0.0, 1.0)


def join_scores(support: np.ndarray, willingness: np.ndarray, membership_value: np.ndarray,
                framework: str, coalition_factor: float, value_weight: float) -> np.ndarray:
    """How strongly each member leans toward taking part (higher: more likely).

    Domestic appetite times the posture's readiness, plus the value of membership the
    operation engages -- fully in an alliance operation, ``coalition_factor`` of it in a
    coalition of the willing (contribution for protection; Alcaro & Marrone, seed).
    """
    engaged = value_weight * membership_value
    if framework != "alliance":
        engaged = engaged * coalition_factor
    return support * willingness + engaged


def munitions_depth(pgm_stock: np.ndarray, strike_aircraft: np.ndarray, pgm_held: np.ndarray,
                    leader: np.ndarray) -> np.ndarray:
    """An area's holding (PGM stock, or ISR platforms) per strike aircraft, relative to the
    leader's, in [0, 1]; 0 without a viable holding in the area."""
    ratio = np.divide(pgm_stock, strike_aircraft, out=np.zeros_like(pgm_stock),
                      where=strike_aircraft > 0)
    reference = float(ratio[leader].max()) if leader.any() else float(ratio.max())
    depth = ratio / reference if reference > 0 else np.zeros_like(ratio)
    return np.where(pgm_held, np.minimum(depth, 1.0), 0.0)


def supply(demand: np.ndarray, offers: np.ndarray, leader: np.ndarray,
           leader_capacity: np.ndarray) -> np.ndarray:
    """Allies supply first; the leader fills what is left, up to its capacity.

    ``offers`` (members, areas) are the allies' offers (the leader's row ignored); where they
    exceed the demand they are scaled down pro rata.
    """
    allies = np.where(leader[:, None], 0.0, offers)
    offered = allies.sum(axis=0)
    scale = np.where(offered > demand, np.divide(demand, offered, out=np.ones_like(demand),
                                                 where=offered > 0), 1.0)
    allies = allies * scale[None, :]
    gap = np.maximum(demand - allies.sum(axis=0), 0.0)
    filled = np.minimum(gap, leader_capacity)
    leader_rows = leader.astype(float)[:, None] * filled[None, :]
    return allies + leader_rows


def run_campaign(*, platforms: np.ndarray, held: np.ndarray, stocks: np.ndarray,
                 active: np.ndarray, leader: np.ndarray, europeans: np.ndarray,
                 scores: np.ndarray, caveat: np.ndarray, noise: np.ndarray,
                 demand: dict[str, float], threshold: float, deployable_share: float,
                 leader_share: float, strike_caveat_limit: float, sead_fraction: float,
                 area_index: dict[str, int]) -> CampaignResult:
    """One year of the campaign: who takes part, who supplies what, where the leader fills in.

    ``platforms``, ``held`` and ``stocks`` are (members, model areas); ``noise`` one logistic
    draw per member (the chance element of each government's decision).
    """
    willing = active & ~leader & (scores + noise > threshold)
    strike_k, pgm_k = area_index["air_strike"], area_index["precision_munitions"]
    # Munitions per strike *aircraft*: guided bombs and missiles (JDAM, Paveway, Brimstone...)
    # cost much the same whoever buys them, jets do not (the leader's cost several times a
    # small ally's), so PGM spending per jet measures how many loads a fleet can drop.
    depth = munitions_depth(stocks[:, pgm_k], platforms[:, strike_k], held[:, pgm_k], leader)
    isr_k = area_index["isr"]
    # ISR per strike aircraft in platforms (the table counts both; PGMs it does not count).
    isr_depth = munitions_depth(platforms[:, isr_k], platforms[:, strike_k], held[:, isr_k],
                                leader)
    kinetic = willing & (caveat <= strike_caveat_limit)
    offers = np.zeros((len(active), len(CAMPAIGN_AREAS)))
    for j, area in enumerate(CAMPAIGN_AREAS):
        if area in ("precision_munitions", "sead"):
            continue
        k = area_index[area]
        ready = willing if area != "air_strike" else kinetic
        offers[:, j] = np.where(ready & held[:, k], platforms[:, k] * deployable_share, 0.0)
    strike_j = CAMPAIGN_AREAS.index("air_strike")
    offers[:, CAMPAIGN_AREAS.index("sead")] = (offers[:, strike_j] * sead_fraction
                                               * np.minimum(depth, isr_depth))
    demanded = np.array([demand[a] for a in CAMPAIGN_AREAS], dtype=float)
    # Munitions: one load per striking jet; the allies' own depth first.
    leader_capacity = np.array(
        [float((platforms[leader, area_index[a]] * held[leader, area_index[a]]).sum())
         * leader_share if a not in ("sead", "precision_munitions") else np.inf
         for a in CAMPAIGN_AREAS])
    contributed = supply(demanded, offers, leader, leader_capacity)
    strike = contributed[:, strike_j]
    pgm_j = CAMPAIGN_AREAS.index("precision_munitions")
    own_loads = np.where(leader, 0.0, strike * depth)
    munitions = own_loads.copy()
    need = float(strike.sum())
    munitions[leader] = max(need - float(munitions.sum()), 0.0) / max(int(leader.sum()), 1)
    contributed[:, pgm_j] = munitions
    demanded[pgm_j] = need
    strikers = europeans & (strike > 0)
    return CampaignResult(contributed=contributed, demanded=demanded, willing=willing,
                          strikers=strikers)


def leader_share_of_enablers(result: CampaignResult, leader: np.ndarray) -> float:
    """The leader's share of what was contributed in the enabler areas (mean over areas)."""
    shares = []
    for area in ENABLERS:
        j = CAMPAIGN_AREAS.index(area)
        total = float(result.contributed[:, j].sum())
        if total > 0:
            shares.append(float(result.contributed[leader, j].sum()) / total)
    return float(np.mean(shares)) if shares else float("nan")
