"""The operation (ISAF-like): requests, contributions, caveats, withdrawal, sectors, casualties.

Caught between a disaffected public and allied requests, governments take the *middle path*:
they resist pulling troops out but agree only to a limited increase, and relax their caveats
(Alcaro & Marrone, seed, lines 4054-4061). Here that path is what each ally's choice comes to,
not a rule: an ally closes the gap to what it is asked in the measure its public supports the
operation; the leader fills what the allies leave (ISAF "Americanized", lines 3991-3998);
caveats move toward what domestic constraints call for and are relaxed under the leader's
pressure; a government leaves when the domestic pressure that reaches it outweighs what
leaving would cost it in the alliance. The dangerous sectors (south and east) join the
operation on its expansion calendar; troops once placed mostly stay where they are, and the
troops an ally places anew (an increase, the part of a placement it rotates) go south and east
as far as its caveats and combat readiness let it and places are left -- the leader fills the
rest. The sector sets their danger. An alliance-agreed drawdown is coordinated, not a
defection.
"""

from __future__ import annotations

import numpy as np

#: The two sector groups a member's troops are split between.
SECTORS = ("south-east", "north-west-capital")


def requested_troops(
    requirement: float,
    request_share: float,
    partner_troops: float,
    gdp: np.ndarray,
    willingness: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """Troops the alliance asks of each ally other than the leader.

    ``request_share`` of what the partners do not cover, divided by GDP weighted by
    posture willingness among the eligible allies (active, not withdrawn).
    """
    allies_part = request_share * max(requirement - partner_troops, 0.0)
    weight = np.where(eligible, gdp * willingness, 0.0)
    total = weight.sum()
    return allies_part * weight / total if total > 0 else np.zeros_like(gdp)


def systemic_margin(exit_cost: np.ndarray, pressure: np.ndarray) -> np.ndarray:
    """How far what a government would lose by failing the alliance outweighs the domestic
    pressure against the operation that reaches it (pressure units; negative: pressure wins).

    The same balance decides the limited increase (:func:`acceptance`) and withdrawal
    (:func:`withdrawal_probability`): the systemic incentives of membership against popular
    discontent *as it reaches policy* -- damped by elite consensus (Kreps, cited by Alcaro &
    Marrone, seed, lines 4167-4178 and note 12: public opinion "hardly matters" while elites
    agree).
    """
    return exit_cost - pressure


def acceptance(margin: np.ndarray, refusal_margin: float, width: float) -> np.ndarray:
    """How far a government can agree to send the more troops it is asked for, in [0, 1]:
    nothing while its :func:`systemic_margin` is at or below ``refusal_margin``, all of it
    from ``refusal_margin + width`` up, in proportion in between."""
    return np.clip((margin - refusal_margin) / max(width, 1e-9), 0.0, 1.0)


def allied_troops(
    troops: np.ndarray,
    requested: np.ndarray,
    deployable: np.ndarray,
    margin: np.ndarray,
    adjustment: float,
    refusal_margin: float,
    width: float,
    drawing_down: bool,
) -> np.ndarray:
    """Next year's troops of each ally: its answer to the request, weighed as the alliance
    weighs it.

    Asked for more, a government closes ``adjustment`` x :func:`acceptance` of the gap: the
    limited increase (Alcaro & Marrone, seed, lines 4054-4061) is where the stake in the
    alliance and the discontent that reaches policy balance. Opinion enters only as domestic
    pressure, i.e. in the measure elites disagree, so in an alliance troop levels hardly
    follow it (Kreps); in a coalition, with little at stake, the same pressure stops any
    increase. Asked for less, it follows the request down by ``adjustment`` of the gap (all
    the way in an agreed drawdown). Otherwise it keeps the troops it has.
    """
    gap = requested - troops
    up = adjustment * acceptance(margin, refusal_margin, width) * np.maximum(gap, 0.0)
    down = np.minimum(gap, 0.0) * (1.0 if drawing_down else adjustment)
    return np.clip(troops + up + down, 0.0, deployable)


def leader_troops(
    requirement: float, partner_troops: float, allies_troops: float, deployable: float,
    gap_filling: float,
) -> float:
    """The leader fills (``gap_filling`` of) whatever the allies and partners leave."""
    missing = max(requirement - partner_troops - allies_troops, 0.0)
    return min(gap_filling * missing, deployable)


def caveat_target(
    initial_caveat: np.ndarray,
    constraint_caveat: np.ndarray,
    pressure: np.ndarray,
    pressure_weight: float,
) -> np.ndarray:
    """The caveat level a government's domestic constraints call for, in [0, 1].

    Its posture's usual mandate, plus what its parliamentary position adds (coalition,
    minority; Saideman & Auerswald 2012), plus the domestic pressure against the operation
    that reaches it (casualties, fatigue, an election).
    """
    return np.clip(initial_caveat + constraint_caveat + pressure_weight * pressure, 0.0, 1.0)


def next_caveats(
    caveat: np.ndarray,
    target: np.ndarray,
    domestic_pull: np.ndarray | float,
    relaxation: float,
    allied_pressure: float,
) -> np.ndarray:
    """Caveats after a year: pulled toward the domestic target, relaxed under allied pressure.

    They rise when the target rises above them (casualties, a new government: then
    ``domestic_pull`` is 1) and fall under the leader's pressure. There is no floor: they
    settle where the two balance, ``pull x target / (pull + relaxation x pressure)``, which
    is above zero only while domestic constraints call for caveats -- "relaxed, not lifted"
    is an outcome, and it fails when governments answer to allies alone.
    """
    moved = caveat + domestic_pull * (target - caveat) - relaxation * allied_pressure * caveat
    return np.clip(moved, 0.0, 1.0)


def withdrawal_probability(
    pressure: np.ndarray, exit_cost: np.ndarray, threshold: float, spread: float
) -> np.ndarray:
    """Chance that a contributor leaves unilaterally this year.

    Zero while domestic pressure does not exceed the systemic cost of leaving by
    ``threshold``; beyond that it rises linearly, reaching certainty ``spread`` further on.
    """
    excess = -systemic_margin(exit_cost, pressure) - threshold
    return np.clip(excess / max(spread, 1e-9), 0.0, 1.0)


def south_east_propensity(caveat: np.ndarray, combat_readiness: np.ndarray) -> np.ndarray:
    """Share of the troops a member places anew that it offers for the dangerous sectors:
    its troops free of caveats, as far as its combat readiness takes them."""
    return np.clip(combat_readiness * (1.0 - caveat), 0.0, 1.0)


def south_east_places(members_troops: float, capacity: float, open_share: float) -> float:
    """Places in the dangerous sectors this year: ``capacity`` of the troops the members
    field, for the part of the year those sectors are part of the operation."""
    return max(members_troops, 0.0) * capacity * open_share


def allied_south_east(
    troops: np.ndarray,
    last_troops: np.ndarray,
    last_south_east: np.ndarray,
    propensity: np.ndarray,
    stickiness: float,
    places: float,
) -> np.ndarray:
    """Each ally's troops in the dangerous sectors this year: what it keeps there, plus what
    it offers of the troops it places anew, as far as places are left.

    ``stickiness`` of last year's troops in each sector group stay where they were (scaled
    down with a reduction); the rest of an ally's troops -- the part not kept and any
    increase -- are placed anew, ``propensity`` of them offered for the south and east.
    Offers are taken in order of propensity (the most willing first) while places last; if
    the places shrink below what is kept, every ally keeps the same share of its placement.
    The leader is not an ally here: pass it with zero troops and fill with
    :func:`leader_south_east`.
    """
    troops = np.maximum(troops, 0.0)
    scale = np.divide(np.minimum(troops, last_troops), last_troops,
                      out=np.zeros_like(troops), where=last_troops > 0)
    kept_south = stickiness * last_south_east * scale
    kept_north = stickiness * (last_troops - last_south_east) * scale
    kept_total = float(kept_south.sum())
    if kept_total > places:
        return kept_south * (places / kept_total)
    offers = np.clip(troops - kept_south - kept_north, 0.0, None) * propensity
    order = np.argsort(-propensity, kind="stable")
    before = np.concatenate(([0.0], np.cumsum(offers[order])[:-1]))
    taken = np.empty_like(offers)
    taken[order] = np.clip(places - kept_total - before, 0.0, offers[order])
    return kept_south + taken


def leader_south_east(places: float, allies_south_east: float, leader_troops: float) -> float:
    """The leader fills the places in the dangerous sectors that the allies leave."""
    return float(np.clip(places - allies_south_east, 0.0, leader_troops))


def sector_of(share_south_east: np.ndarray, troops: np.ndarray) -> np.ndarray:
    """Where most of each member's troops are ('' for a member with none deployed)."""
    return np.where(troops <= 0, "", np.where(share_south_east >= 0.5, SECTORS[0], SECTORS[1]))


def expected_casualties(
    troops: np.ndarray, intensity: float, share_south_east: np.ndarray,
    danger_south_east: float, danger_north_west: float,
) -> np.ndarray:
    """Expected casualties this year: troops in each sector times its danger."""
    danger = share_south_east * danger_south_east + (1.0 - share_south_east) * danger_north_west
    return troops * intensity * danger


def intensity(requirement: float, peak_requirement: float, floor: float) -> float:
    """How hard the fighting is, in [floor, 1]: it grows with the size of the operation."""
    if peak_requirement <= 0:
        return 0.0
    return floor + (1.0 - floor) * min(requirement / peak_requirement, 1.0)
