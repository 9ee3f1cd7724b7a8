"""Play as a member state: the debrief that compares a player's choices with the agent's.

A player steers one ally (``AllianceModel(config, seed=..., controlled_member="DEU")`` and
``model.set_policy(...)`` before each step) while the other allies follow their rules. The
debrief reruns the same config and seed with the agent in that seat, to the same year, and
puts the two records side by side.

Examples:
    >>> from alliancesim import AllianceModel, load_scenario
    >>> game = AllianceModel(load_scenario("classroom"), seed=3, controlled_member="FOR")
    >>> game.set_policy("FOR", burden_pct=3.0)
    >>> game.step()
    >>> report = debrief(game)
    >>> float(report.summary.loc["mean burden, % of GDP", "you"])
    3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .config import ConfigError
from .model import AllianceModel

#: Member-year columns compared in the debrief.
COMPARED = {"burden_pct": "burden, % of GDP", "troops_deployed": "troops deployed",
            "caveat": "caveat", "withdrawn": "withdrawn", "reputation": "reputation",
            "areas_held": "capability areas held", "casualties": "casualties",
            "support_operation": "support for the operation"}


@dataclass(frozen=True)
class Debrief:
    """The player's record beside the agent's, year by year and in summary."""

    member: str
    by_year: pd.DataFrame
    summary: pd.DataFrame


def agent_run(game: AllianceModel) -> AllianceModel:
    """The same config and seed with nobody at the controls, stepped to the game's year."""
    shadow = AllianceModel(game.config, seed=game.seed)
    while shadow.year < game.year:
        shadow.step()
    return shadow


def debrief(game: AllianceModel) -> Debrief:
    """Compare the controlled member's record with the agent's in a run with the same seed.

    Raises:
        ConfigError: if the model has no controlled member.
    """
    code = game.controlled_member
    if code is None:
        raise ConfigError("debrief needs a model with a controlled_member")
    mine = game.results().members.query("member == @code").set_index("year")
    theirs = agent_run(game).results().members.query("member == @code").set_index("year")
    by_year = pd.concat({"you": mine[list(COMPARED)], "agent": theirs[list(COMPARED)]},
                        axis=1).swaplevel(axis=1).sort_index(axis=1)
    played = mine.index[1:]  # the start year is data, not a choice
    rows = {
        "mean burden, % of GDP": ("burden_pct", "mean"),
        "mean troops deployed": ("troops_deployed", "mean"),
        "mean caveat (while deployed)": ("caveat", "deployed_mean"),
        "final reputation": ("reputation", "last"),
        "capability areas held at the end": ("areas_held", "last"),
        "total casualties": ("casualties", "sum"),
        "withdrew unilaterally": ("withdrawn", "last"),
    }
    records = {}
    for label, (column, how) in rows.items():
        values = []
        for record in (mine, theirs):
            series = record.loc[played, column] if len(played) else record[column]
            if how == "deployed_mean":
                deployed = record.loc[series.index, "troops_deployed"] > 0
                series = series[deployed]
                value = float(series.mean()) if len(series) else float("nan")
            elif how == "last":
                value = float(series.iloc[-1])
            else:
                value = float(getattr(series, how)())
            values.append(value)
        records[label] = {"you": values[0], "agent": values[1],
                          "difference": values[0] - values[1]}
    summary = pd.DataFrame.from_dict(records, orient="index")
    return Debrief(code, by_year, summary)
