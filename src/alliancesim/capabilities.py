"""Capabilities: allocation across areas, stocks, national viability, clusters and pooling.

Nationally, nobody looks at the alliance total: each member spreads its equipment budget by
its own priorities and areas of excellence, so uncoordinated cuts abandon whole areas --
*specialisation by default* (Giegerich, seed). An area has a minimum viable size *at national
scale* -- a minimum unit in platforms (a squadron of combat jets, two tankers, a battery) --
so a small ally's niche holding is real capability that can be lost; below it the nation
effectively abandons the area ("falling off a cliff", seed lines 2485-2499). A lost area can
be rebuilt, at a higher unit cost and only after a lead time.

Smart defence acts through members' choices: each European member decides, area by area,
whether to put its holding into its *cluster*'s multinational unit (regional or strategic
proximity, not one pool "at 28"; Giegerich, seed lines 1000-1016), weighing the savings and
the viability a pool gives against sovereignty, industrial return and trust in its partners'
access (the source's three obstacles, lines 957-990). Pooled capability is worth what assured
access makes it worth.

Arrays are (members, areas) unless said otherwise. Stocks are in capability units: US dollars
of 2012 equipment at 2012 unit costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._numeric import bounded, ratio
from .config import CAPABILITY_AREAS, PosturesParams

EXPEDITIONARY_AREAS = np.array([a in ("air_strike", "air_refuelling", "strategic_airlift", "isr",
                                      "precision_munitions") for a in CAPABILITY_AREAS])
#: Areas that serve territorial defence at home; austerity and threat tilt priorities to them
#: (Keohane, seed lines 1469-1473: defenders, "partly because of austerity", focus on them).
TERRITORIAL_AREAS = np.array([a in ("land_combat", "maritime_patrol", "command_control",
                                    "missile_defence") for a in CAPABILITY_AREAS])

def priority_matrix(postures: list[str], leader: np.ndarray,
                    tables: PosturesParams | None = None) -> np.ndarray:
    """Normalised national priority weights for each member (rows sum to 1).

    From each posture's table (``postures.<posture>.priority_<area>``; the leader's own):
    activists favour expeditionary enablers, defenders heavy, home-based forces (Keohane).
    """
    tables = tables if tables is not None else PosturesParams()
    rows = np.array([[getattr(tables.of("leader" if is_leader else p), f"priority_{area}")
                      for area in CAPABILITY_AREAS]
                     for p, is_leader in zip(postures, leader, strict=True)], dtype=float)
    return rows / np.maximum(rows.sum(axis=1, keepdims=True), 1e-12)


# ------------------------------------------------------------------ initial portfolios


@dataclass(frozen=True)
class Portfolio:
    """Start-year portfolios and each member's minimum viable stock per area."""

    stocks: np.ndarray
    """Capability units per member and area."""
    thresholds: np.ndarray
    """Stock at which a national holding reaches its area's minimum unit."""
    held: np.ndarray
    """Nationally viable at the start."""
    shared: np.ndarray
    """Shares of a multinational fleet of 2012 (holdings table ``shared``)."""
    per_unit: np.ndarray
    """Platforms per capability unit (the 2012 table's count over the start stock)."""


def initial_portfolio(equipment_spend: np.ndarray, priorities: np.ndarray, holds: np.ndarray,
                      platforms: np.ndarray, minimum_units: np.ndarray, depreciation: float,
                      shared_weight: float, absent_weight: float,
                      unscaled_units: float, europeans: np.ndarray,
                      legacy_fleets: dict[str, float]) -> Portfolio:
    """Start-year stocks from the budget, the posture's priorities and the 2012 holdings.

    A member's capital is what its equipment budget sustains (``spend / depreciation``); it is
    spread over the areas it holds (``holds`` = 2) by its priorities, a share of a
    multinational fleet (1) weighing ``shared_weight`` and an area it does not hold (0)
    ``absent_weight`` (light forces, training: below any minimum unit). An ally outside the
    table (-1) spreads by its priorities alone. Each holding's size in platforms is the table's
    count (or ``unscaled_units`` minimum units where it gives none), which fixes the member's
    platforms per unit of stock and so its national minimum viable stock in the area. The
    shares of a multinational fleet of 2012 split ``legacy_fleets`` (platforms per area,
    ``data.multinational_fleets``) in proportion to their stocks.
    """
    presence = np.select([holds == 2, holds == 1, holds == 0], [1.0, shared_weight,
                                                                absent_weight], 1.0)
    # A member that holds nothing while absent areas weigh nothing (``absent_weight`` 0)
    # has no weights at all: it spreads by its priorities alone, explicitly rather than 0/0.
    weights = normalise_rows(priorities * presence, fallback=priorities)
    capital = equipment_spend / max(depreciation, 1e-9)
    stocks = capital[:, None] * weights
    size = np.where(np.isfinite(platforms), platforms, unscaled_units * minimum_units[None, :])
    holder = (holds == 2) | (holds == -1)
    per_unit = np.where(holder & (stocks > 0), ratio(size, stocks), np.nan)
    # Members without a national holding buy at the median European holder's price.
    reference = np.array([_median(per_unit[europeans & holder[:, k] & (stocks[:, k] > 0), k])
                          for k in range(stocks.shape[1])])
    per_unit = np.where(np.isfinite(per_unit), per_unit, reference[None, :])
    shared = holds == 1
    for area, fleet in legacy_fleets.items():
        k = CAPABILITY_AREAS.index(area)
        total = stocks[shared[:, k], k].sum()
        if total > 0:
            per_unit[shared[:, k], k] = fleet / total
    # Platforms are whole: a holding keeps its minimum unit while its count rounds to it.
    thresholds = np.maximum(minimum_units[None, :] - 0.5, 0.5) / np.maximum(per_unit, 1e-300)
    # An area the table says a member does not hold stays below its minimum unit.
    absent = (holds == 0) | shared
    stocks = np.where(absent, np.minimum(stocks, 0.5 * thresholds), stocks)
    held = (stocks >= thresholds) & ~absent
    return Portfolio(stocks=stocks, thresholds=thresholds, held=held, shared=shared,
                     per_unit=per_unit)


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else 1.0


# ------------------------------------------------------------------ allocation


def surplus(equipment_spend: np.ndarray, stocks: np.ndarray, unit_cost: float,
            depreciation: float) -> np.ndarray:
    """Equipment budget over what sustaining the current portfolio costs (1 = just enough).

    Above one after a budget rise, or after areas were written off: money to spare.
    """
    upkeep = stocks.sum(axis=1) * depreciation * unit_cost
    return np.where(upkeep > 0, ratio(equipment_spend, upkeep), 0.0)


def national_weights(
    stocks: np.ndarray,
    priorities: np.ndarray,
    base_priorities: np.ndarray,
    closed: np.ndarray,
    sustained: np.ndarray,
    bias: float,
    protected: np.ndarray | None = None,
) -> np.ndarray:
    """Uncoordinated allocation weights: keep the current portfolio, protect the core.

    Each member spends in proportion to what it holds, tilted by how far its priorities have
    drifted from its posture's (``priorities / base_priorities``); when its budget cannot
    sustain what it holds now (``sustained`` = budget / upkeep of the current portfolio, see
    :func:`surplus`, below 1) it concentrates on its largest holdings, the more so the
    tighter the money (exponent ``1 + bias * (1 - sustained)``). Once the portfolio has
    shrunk to what the budget sustains, the concentration stops: a past cut does not keep
    starving small holdings for ever. Nobody
    looks at the alliance total, and ``closed`` areas (abandoned, not being rebuilt) get
    nothing: specialisation by default (Giegerich, seed). ``protected`` holdings (ring-fenced
    pooled projects) keep their share without concentration.
    """
    shares = ratio(stocks, stocks.sum(axis=1)[:, None])
    concentration = (1.0 + bias) - bias * bounded(sustained, 0.0, 1.0)
    powered = shares ** concentration[:, None]
    if protected is not None:
        powered = np.where(protected, shares, powered)
    tilt = ratio(priorities, base_priorities)
    weights = np.where(closed, 0.0, powered * tilt)
    return normalise_rows(weights, fallback=priorities)


def normalise_rows(weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row takes the fallback row."""
    sums = weights.sum(axis=1)[:, None]
    positive = sums > 0
    return np.where(positive, weights / np.where(positive, sums, 1.0), fallback)


def prioritised_weights(weights: np.ndarray, gaps: np.ndarray, strength: float) -> np.ndarray:
    """Smart-defence prioritisation: tilt every member's allocation toward the alliance's gaps
    (each area's weight x (1 + ``strength`` x its gap))."""
    return normalise_rows(weights * (1.0 + strength * gaps)[None, :], fallback=weights)


def specialisation_by_design(
    stocks: np.ndarray,
    held: np.ndarray,
    europeans: np.ndarray,
    keep_min: int,
) -> np.ndarray:
    """Coordinated specialisation: which holdings members agree to drop (a boolean mask).

    A European member drops an area where its comparative advantage is below one (its share
    of Europe's stock in the area is below its share of Europe's stock overall) provided at
    least ``keep_min`` Europeans with an advantage there keep it. The money goes to the areas
    it is good at. Dropping is agreed, so the assets are handed over, not written off -- but
    the member no longer holds the area: it counts as a loss of national viability.
    """
    eur = np.where(europeans[:, None], stocks, 0.0)
    area_totals = eur.sum(axis=0)
    member_share = eur.sum(axis=1) / max(eur.sum(), 1e-12)
    area_share = np.divide(eur, area_totals, out=np.zeros_like(eur), where=area_totals > 0)
    advantage = np.divide(area_share, member_share[:, None], out=np.zeros_like(eur),
                          where=member_share[:, None] > 0)
    keepers = held & europeans[:, None] & (advantage >= 1.0)
    covered = keepers.sum(axis=0) >= keep_min
    return held & europeans[:, None] & (advantage < 1.0) & covered[None, :]


def rebuild_cost(thresholds: np.ndarray, stocks: np.ndarray, unit_cost: float,
                 multiplier: float, depreciation: float, target: float) -> np.ndarray:
    """What restoring each area's minimum unit (``target`` x its minimum viable stock, a
    margin above it) still costs at the rebuild price, with a year's upkeep of the unit."""
    missing = np.maximum(thresholds * target - stocks * (1.0 - depreciation), 0.0)
    return unit_cost * multiplier * missing


def rebuild_choice(closed: np.ndarray, priorities: np.ndarray, spare: np.ndarray,
                   trigger: float, cost: np.ndarray, equipment_spend: np.ndarray,
                   max_share: float, horizon: float) -> np.ndarray:
    """Which abandoned area each member starts to rebuild this year (a boolean mask).

    A member whose equipment budget exceeds ``trigger`` times what its current portfolio
    costs to sustain (``spare``: a threat-driven rise, a recovery) reopens the abandoned area
    it now ranks highest among those it can rebuild within ``horizon`` years with at most
    ``max_share`` of its equipment budget (``cost``: what the rebuild still costs); one area
    a year, so rebuilding is gradual.
    """
    closed = closed & (cost <= horizon * max_share * equipment_spend[:, None])
    candidates = np.where(closed, priorities, -1.0)
    best = candidates.argmax(axis=1)
    able = (spare >= trigger) & closed.any(axis=1)
    chosen = np.zeros_like(closed)
    chosen[np.arange(closed.shape[0]), best] = able
    return chosen & closed


def fund_rebuilds(area_spend: np.ndarray, cost: np.ndarray, rebuilding: np.ndarray,
                  max_share: float) -> np.ndarray:
    """Put the money for rebuilds into their areas first, the rest spread as before.

    A member's rebuilds take what they still cost, at most ``max_share`` of its equipment
    budget together.
    """
    total = area_spend.sum(axis=1)
    wanted = np.where(rebuilding, np.maximum(cost, 1e-9), 0.0)
    scale = np.minimum(1.0, ratio(max_share * total, wanted.sum(axis=1)))
    funded = wanted * scale[:, None]
    rest = np.where(rebuilding, 0.0, area_spend)
    rest = rest * ratio(total - funded.sum(axis=1), rest.sum(axis=1))[:, None]
    return funded + rest


def drift_priorities(priorities: np.ndarray, base: np.ndarray, pressure: np.ndarray,
                     rate: float, reversion: float, tilt: float) -> np.ndarray:
    """Priorities drift toward territorial areas under austerity and threat (``pressure`` per
    member, in [0, 2]) and return toward the posture's (``base``) when it eases. Full pressure
    drives them toward territorial priorities x ``tilt`` and the others / ``tilt``."""
    target = np.where(TERRITORIAL_AREAS[None, :], base * tilt, base / tilt)
    target = target / target.sum(axis=1, keepdims=True)
    # A partial adjustment never overshoots: the two pulls together move priorities at most
    # all the way (within the schema's ranges, rate x pressure can reach 2).
    step = np.minimum(rate * bounded(pressure, 0.0, 2.0), 1.0)[:, None]
    back = np.minimum(reversion, 1.0 - step)
    moved = priorities + step * (target - priorities) + back * (base - priorities)
    return moved / moved.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ clusters and pooling


def cluster_ids(regions: list[str], postures: list[str], europeans: np.ndarray,
                basis: str, legacy: np.ndarray) -> tuple[np.ndarray, int]:
    """Each member's cooperation cluster per area (-1: none), and the number of clusters.

    ``region``: neighbours (the north and north-east form one Nordic-Baltic cluster);
    ``posture``: strategic proximity, allies of the same strategic culture (Giegerich, seed
    lines 1000-1016). Shares of a multinational fleet of 2012 (``legacy``) belong to that
    fleet's cluster, one per area, whatever the member's region.
    """
    keys = [({"north-east": "north"}.get(r, r) if basis == "region" else p)
            for r, p in zip(regions, postures, strict=True)]
    names = sorted({k for k, e in zip(keys, europeans, strict=True) if e})
    own = np.array([names.index(k) if e else -1 for k, e in zip(keys, europeans, strict=True)])
    clusters = np.repeat(own[:, None], legacy.shape[1], axis=1)
    fleets = len(names) + np.arange(legacy.shape[1])
    clusters = np.where(legacy, fleets[None, :], clusters)
    return clusters, len(names) + legacy.shape[1]


def by_cluster(values: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per cluster and area, the sum of ``values`` (members, areas) over its members."""
    out = np.zeros((n_clusters, values.shape[1]))
    inside = clusters >= 0
    areas = np.broadcast_to(np.arange(values.shape[1])[None, :], values.shape)
    np.add.at(out, (clusters[inside], areas[inside]), values[inside])
    return out


def cluster_access(reputation: np.ndarray, clusters: np.ndarray, n_clusters: int,
                   active: np.ndarray, assured_access: float) -> np.ndarray:
    """Expected availability of each cluster's units, per cluster and area.

    Access is assured (``assured_access``: binding agreements, redundancy) or, where it is
    not, rests on trust: the members' mean reputation as allies (Giegerich, seed lines
    988-995, 1018-1046).
    """
    members = np.where(active[:, None], 1.0, 0.0) * np.ones(clusters.shape)
    total = by_cluster(members * reputation[:, None], clusters, n_clusters)
    count = by_cluster(members, clusters, n_clusters)
    trust = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    return assured_access + (1.0 - assured_access) * trust


def member_access(access: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """The expected availability each member can count on in each area's cluster (0: none)."""
    areas = np.broadcast_to(np.arange(clusters.shape[1])[None, :], clusters.shape)
    return np.where(clusters >= 0, access[np.maximum(clusters, 0), areas], 0.0)


def pool_partners(willing: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    """Willing holdings that have at least one willing partner in their cluster and area."""
    counts = by_cluster(willing.astype(float), clusters, n_clusters)
    areas = np.broadcast_to(np.arange(clusters.shape[1])[None, :], clusters.shape)
    return willing & (clusters >= 0) & (counts[np.maximum(clusters, 0), areas] >= 2)


def pooling_utility(savings: float, need: np.ndarray, viability_gain: float,
                    sovereignty: np.ndarray, industry: np.ndarray, industry_weight: float,
                    access: np.ndarray, dependence: float,
                    waive_sovereignty: np.ndarray | None = None) -> np.ndarray:
    """A member's net gain from putting its holding in an area into its cluster's unit.

    Savings on procurement plus the value of keeping a holding it cannot keep alone
    (``need`` in [0, 1]) against the three obstacles: sovereignty (``sovereignty`` per
    member), industrial return (``industry``: its share of European equipment spending, what
    juste retour puts at stake) and dependence on partners who may opt out (``1 - access``).
    ``waive_sovereignty`` marks decisions where the multinational option is assessed first
    (the 2+ principle): the national option's autonomy no longer counts against it.
    """
    sov = sovereignty[:, None] * np.ones_like(need)
    if waive_sovereignty is not None:
        sov = np.where(waive_sovereignty, 0.0, sov)
    return (savings + viability_gain * need - sov - industry_weight * industry[:, None]
            - dependence * (1.0 - access))


def viability_need(platforms: np.ndarray, minimum_units: np.ndarray,
                   limit: float) -> np.ndarray:
    """How badly a holding needs partners: 1 below the minimum unit, falling linearly to 0 at
    ``limit`` times it."""
    size = platforms / np.maximum(minimum_units[None, :], 1e-12)
    return bounded((limit - size) / (limit - 1.0), 0.0, 1.0)


@dataclass(frozen=True)
class Pools:
    """This year's cluster units: per cluster and area."""

    platforms: np.ndarray
    stock: np.ndarray
    viable: np.ndarray
    members: np.ndarray
    access: np.ndarray
    """Expected availability of each cluster's units (assured access x partner trust)."""

    @classmethod
    def none(cls, n_clusters: int, n_areas: int) -> Pools:
        zeros = np.zeros((n_clusters, n_areas))
        return cls(zeros, zeros, zeros.astype(bool), zeros, zeros)


def cluster_pools(stocks: np.ndarray, per_unit: np.ndarray, pooled: np.ndarray,
                  clusters: np.ndarray, n_clusters: int, minimum_units: np.ndarray,
                  access: np.ndarray) -> Pools:
    """Combine the pooled holdings of each cluster into one unit per area.

    A unit is viable when its platforms reach the area's minimum unit and it has at least two
    members (a pool of one is a national holding).
    """
    mine = np.where(pooled, stocks, 0.0)
    platforms = by_cluster(mine * per_unit, clusters, n_clusters)
    stock = by_cluster(mine, clusters, n_clusters)
    members = by_cluster(pooled.astype(float), clusters, n_clusters)
    viable = (platforms >= minimum_units[None, :]) & (members >= 2)
    return Pools(platforms=platforms, stock=stock, viable=viable, members=members,
                 access=access)


def in_viable_pool(pooled: np.ndarray, clusters: np.ndarray, pools: Pools) -> np.ndarray:
    """Holdings that sit in a viable cluster unit."""
    areas = np.broadcast_to(np.arange(clusters.shape[1])[None, :], clusters.shape)
    return pooled & (clusters >= 0) & pools.viable[np.maximum(clusters, 0), areas]


# ------------------------------------------------------------------ prices, stocks, viability


def unit_prices(
    unit_cost: float,
    rebuilding: np.ndarray,
    rebuild_multiplier: float,
    pooled: np.ndarray,
    pooling_savings: float,
) -> np.ndarray:
    """Price of one unit of capability for each member and area.

    Rebuilding a lost area costs ``rebuild_multiplier`` times as much; what is bought through a
    cluster unit (``pooled``) is cheaper by ``pooling_savings`` (economies of scale, Keohane:
    up to 20% in procurement).
    """
    prices = np.where(rebuilding, unit_cost * rebuild_multiplier, unit_cost)
    return prices * (1.0 - pooling_savings * pooled)


def invest(stocks: np.ndarray, spend: np.ndarray, prices: np.ndarray,
           depreciation: float) -> np.ndarray:
    """Depreciate stocks and add what this year's spending buys at these prices."""
    return stocks * (1.0 - depreciation) + spend / prices


@dataclass(frozen=True)
class Viability:
    """The outcome of applying minimum units to this year's stocks."""

    stocks: np.ndarray
    held: np.ndarray
    lost: np.ndarray
    """Holdings that lost national viability this year, whatever happens to the assets."""
    regained: np.ndarray
    """Abandoned holdings rebuilt to viability this year."""


def viability(stocks: np.ndarray, thresholds: np.ndarray, was_held: np.ndarray,
              abandoned: np.ndarray, rebuild_years: np.ndarray, lead_time: int,
              kept: np.ndarray) -> Viability:
    """Apply national minimum units.

    A holding below its minimum unit has lost national viability (``lost``). Its assets are
    written off -- too few to use ("falling off a cliff") -- unless they are ``kept`` (inside a
    viable cluster unit, or handed over to partners by agreement). A holding never viable is a
    small contribution that may grow. An abandoned area counts as held again only once it is
    back above its minimum unit after ``lead_time`` years of rebuilding.
    """
    above = stocks >= thresholds
    ready = ~abandoned | (rebuild_years >= lead_time)
    held = above & ready
    lost = was_held & ~held
    written_off = lost & ~kept
    regained = abandoned & held
    return Viability(stocks=np.where(written_off, 0.0, stocks), held=held, lost=lost,
                     regained=regained)


def hand_over(stocks: np.ndarray, released: np.ndarray, recipients: np.ndarray) -> np.ndarray:
    """Pass the assets of holdings dropped by agreement to the allies that keep the area.

    ``released`` is the stock given up per member and area; each area's total goes to that
    area's ``recipients`` (a boolean mask) in proportion to what they already hold. Agreed
    specialisation moves assets to partners instead of writing them off.
    """
    totals = released.sum(axis=0)
    base = np.where(recipients, stocks, 0.0)
    weights = np.divide(base, base.sum(axis=0), out=np.zeros_like(base),
                        where=base.sum(axis=0) > 0)
    return stocks - released + weights * totals[None, :]


def effective_stock(stocks: np.ndarray, held: np.ndarray, in_pool: np.ndarray,
                    members: np.ndarray, pools: Pools) -> np.ndarray:
    """Capability per area that the given members can field.

    Their viable national holdings outside viable cluster units (``in_pool``, see
    :func:`in_viable_pool`), plus every viable cluster unit (all are European), counted at its
    expected availability. A holding that joined a unit that is not (yet) viable is still
    the member's own: it counts nationally if it is viable on its own.
    """
    national = np.where(held & ~in_pool & members[:, None], stocks, 0.0).sum(axis=0)
    return national + pooled_capability(pools)


def providers(held: np.ndarray, in_pool: np.ndarray, members: np.ndarray,
              pools: Pools) -> np.ndarray:
    """Providers per area among ``members``: national holdings viable on their own outside
    viable cluster units, plus one per viable cluster unit."""
    national = (held & ~in_pool & members[:, None]).sum(axis=0)
    return national + pools.viable.sum(axis=0)


def pooled_capability(pools: Pools) -> np.ndarray:
    """Per area, the capability of the viable cluster units at their expected availability."""
    return np.where(pools.viable, pools.stock * pools.access, 0.0).sum(axis=0)


def gaps(effective: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Shortfall per area as a fraction of the target, in [0, 1]."""
    # Stocks are in US dollars, so a floor of one dollar keeps the ratio finite; an area with
    # no target has no gap.
    shortfall = np.maximum(1.0 - effective / np.maximum(targets, 1.0), 0.0)
    return np.where(targets > 0, shortfall, 0.0)
