"""Domestic politics per ally: government type, the election calendar, elite consensus.

Kreps (cited by Alcaro & Marrone, seed, lines 4167-4181 and note 12): a consensus among a
country's elites shields its government from public opinion, so that systemic incentives can
keep unpopular troops abroad; the shield is not complete ("not strong enough to shield
governments entirely from the effects of popular discontent"). Saideman & Auerswald (2012,
*NATO in Afghanistan: Fighting Together, Fighting Alone*) tie caveats to coalition governments
and parliamentary mandates rather than to strategic culture. Elections are the moments when
opinion weighs most on a government.

Inputs are structure and calendars only: each ally's government type in the run's start year
and its *scheduled* national elections (``data/national_elections_scheduled_2001_2014.csv``,
extended by the regular term of ``data/legislative_terms.csv``). Early elections and the
government types of later years are deliberately not read: whether a government falls over the
mission is an outcome the model must produce, not an input.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import pairwise

import numpy as np
import pandas as pd

from .data import _read

#: Cabinet types of the shipped table (``government_type_2001_2014.csv``).
GOVERNMENT_TYPES = ("single_party_majority", "single_party_minority", "coalition_majority",
                    "coalition_minority", "technocratic", "presidential")


@cache
def government_table() -> pd.DataFrame:
    """Cabinet type per ally and year, 2001-2014 (``member, year, government_type, source``)."""
    return _read("government_type_2001_2014.csv")


@cache
def elections_table() -> pd.DataFrame:
    """Scheduled national elections 2001-2014 (``member, date, type, source``)."""
    df = _read("national_elections_scheduled_2001_2014.csv")
    df["year"] = df["date"].str.slice(0, 4).astype(int)
    return df


@cache
def terms_table() -> pd.DataFrame:
    """Regular term of each elected body (``member, election, term_years, notes, source``)."""
    return _read("legislative_terms.csv")


def start_government_types(codes: Sequence[str], year: int,
                           default: str = "single_party_majority") -> np.ndarray:
    """Each ally's government type in ``year`` (the nearest year the table covers).

    Only this one year is read: later changes of government come from the model's own
    elections. An ally missing from the table gets ``default``.
    """
    table = government_table()
    covered = table["year"].unique()
    nearest = int(covered[np.argmin(np.abs(covered - year))])
    row = table[table["year"] == nearest].set_index("member")["government_type"]
    return np.array([row.get(code, default) for code in codes], dtype=object)


@cache
def _listed_election_years() -> dict[tuple[str, str], list[int]]:
    """The table's election years by (member, elected body), sorted, each year once."""
    elections = elections_table()
    return {(member, body): sorted(set(group.tolist()))
            for (member, body), group in elections.groupby(["member", "type"])["year"]}


@cache
def _terms_by_member() -> dict[str, list[tuple[str, int]]]:
    """Each member's elected bodies and their regular terms (years), in the table's order."""
    terms: dict[str, list[tuple[str, int]]] = {}
    for member, body, term in terms_table()[["member", "election", "term_years"]].itertuples(
            index=False):
        terms.setdefault(member, []).append((body, int(term)))
    return terms


@cache
def scheduled_election_years(member: str, first_year: int, last_year: int) -> tuple[int, ...]:
    """Years in [first_year, last_year] with a scheduled national election in ``member``.

    Cached: the calendar comes from the shipped tables, the same for every run.

    The shipped calendar of scheduled elections (held at the end of the regular term), with
    the gaps it leaves -- the table omits early elections, and the years it does not cover --
    filled by the regular term: after an election of a body with a term of *k* years the next
    is due *k* years later, unless the table lists one before that.
    """
    years: set[int] = set()
    for body, term in _terms_by_member().get(member, ()):
        listed = _listed_election_years().get((member, body), [])
        if not listed:
            continue
        calendar = set(listed)
        for a, b in pairwise(listed):
            due = a + term
            while due < b - 1:  # a gap longer than a term: the elections the table leaves out
                calendar.add(due)
                due += term
        due = listed[-1] + term
        while due <= last_year:
            calendar.add(due)
            due += term
        due = listed[0] - term
        while due >= first_year:
            calendar.add(due)
            due -= term
        years |= {y for y in calendar if first_year <= y <= last_year}
    return tuple(sorted(years))


def election_calendar(codes: Sequence[str], years: range,
                      fictional: dict[str, tuple[int, ...]] | None = None) -> np.ndarray:
    """(years, members) bool: a scheduled national election that year.

    ``fictional`` gives the election years of fictional members (their own calendar).
    """
    out = np.zeros((len(years), len(codes)), bool)
    first, last = years.start, years.stop - 1
    for j, code in enumerate(codes):
        if fictional is not None:
            due = set(fictional.get(code, ()))
        else:
            due = set(scheduled_election_years(code, first, last))
        for k, year in enumerate(years):
            out[k, j] = year in due
    return out


def coalition_government(types: np.ndarray) -> np.ndarray:
    """Whether each government is a coalition (a partner can bring it down)."""
    return np.array([str(t).startswith("coalition") for t in types], bool)


def minority_government(types: np.ndarray) -> np.ndarray:
    """Whether each government lacks a majority of its own in parliament."""
    return np.array([str(t).endswith("minority") for t in types], bool)


def domestic_constraint(coalition: np.ndarray, minority: np.ndarray, coalition_weight: float,
                        minority_weight: float) -> np.ndarray:
    """How much a government's parliamentary position constrains it, >= 0 (0: free hand)."""
    return coalition_weight * coalition + minority_weight * minority


def initial_consensus(rng: np.random.Generator, n: int, mean: float, spread: float) -> np.ndarray:
    """Each ally's elite consensus at the start: the alliance mean plus a national deviation."""
    deviation = rng.normal(size=n) * spread
    return np.clip(mean + deviation, 0.0, 1.0)


def next_consensus(consensus: np.ndarray, support: np.ndarray, tolerance: float,
                   erosion: float, new_government: np.ndarray, change_loss: float) -> np.ndarray:
    """Elite consensus after a year: it erodes while the public is firmly against.

    Elites break ranks in the measure that opposition to the operation (1 - support) exceeds
    ``tolerance``; a new government, formed by the former opposition, is less bound by its
    predecessor's commitment (``change_loss``). Consensus never rises on its own: nothing in
    the model rebuilds it.
    """
    opposition_excess = np.maximum((1.0 - support) - tolerance, 0.0)
    eroded = consensus * (1.0 - erosion * opposition_excess)
    return np.clip(eroded * (1.0 - change_loss * new_government), 0.0, 1.0)


def government_changes(rng: np.random.Generator, election: np.ndarray, support: np.ndarray,
                       base: float, opinion_weight: float) -> np.ndarray:
    """Which scheduled elections change the government this year.

    A chance ``base`` at any election, rising with opposition to the operation
    (``opinion_weight`` per unit of opposition); never outside an election year.
    """
    chance = np.clip(base + opinion_weight * (1.0 - support), 0.0, 1.0)
    return election & (rng.random(election.shape[0]) < chance)
