"""Figures of one run, written as PNG files a person can open."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    from .results import Results

POSTURE_COLOURS = {"activist": "#c0392b", "defender": "#2e86c1", "free-rider": "#7f8c8d"}
NORM_PCT = 2.0


def _save(fig: plt.Figure, path: Path) -> Path:
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def burden_figure(res: Results, path: Path) -> Path:
    """Burden by declared posture (median and range) with the 2% line; the leader's share."""
    m = res.members
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for posture, colour in POSTURE_COLOURS.items():
        g = m[m["posture"] == posture].groupby("year")["burden_pct"]
        if g.ngroups == 0:
            continue
        ax.plot(g.median().index, g.median().values, color=colour, label=f"{posture} (median)")
        ax.fill_between(g.min().index, g.min().values, g.max().values, color=colour, alpha=0.12)
    ax.axhline(NORM_PCT, color="black", ls="--", lw=1, label="2% norm")
    ax.set(xlabel="year", ylabel="defence spending, % of GDP", title="Burden by posture")
    ax.legend(fontsize=8)
    ts = res.timeseries
    ax2.plot(ts["year"], ts["leader_share"], color="black")
    ax2.set(xlabel="year", ylabel="fraction of alliance spending", ylim=(0, 1),
            title="Leader's share of alliance spending")
    return _save(fig, path)


def gaps_figure(res: Results, path: Path) -> Path:
    """Capability held per area over time, relative to the start, and the gap indices."""
    cap = res.capabilities
    held = cap[cap["held"]].groupby(["year", "area"])["stock"].sum().unstack(fill_value=0.0)
    start = held.iloc[0].replace(0, np.nan)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for area in held.columns:
        ax.plot(held.index, held[area] / start[area], label=area.replace("_", " "))
    ax.axhline(1.0, color="black", ls=":", lw=1)
    ax.set(xlabel="year", ylabel="viable stock / start", title="Capability by area")
    ax.legend(fontsize=7, ncol=2)
    ts = res.timeseries
    ax2.plot(ts["year"], ts["capability_gap_index"], label="alliance", color="black")
    ax2.plot(ts["year"], ts["capability_gap_index_europe"], label="without the leader",
             color="#c0392b")
    ax2.set(xlabel="year", ylabel="mean shortfall vs target", ylim=(0, 1),
            title="Capability gap index")
    ax2.legend(fontsize=8)
    return _save(fig, path)


def coverage_figure(res: Results, path: Path) -> Path:
    """Members holding each area, year by year (specialisation by default made visible)."""
    cap = res.capabilities
    counts = cap[cap["held"]].groupby(["area", "year"])["member"].nunique().unstack(fill_value=0)
    fig, ax = plt.subplots(figsize=(11, 4))
    image = ax.imshow(counts.values, aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(counts.index)), [a.replace("_", " ") for a in counts.index])
    years = list(counts.columns)
    step = max(1, len(years) // 10)
    ax.set_xticks(range(0, len(years), step), years[::step])
    for (i, j), v in np.ndenumerate(counts.values):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=6, color="white")
    fig.colorbar(image, ax=ax, label="members holding the area")
    ax.set_title("Coverage: members holding each capability area")
    return _save(fig, path)


def operation_figure(res: Results, path: Path) -> Path:
    """Troops by member (stacked), contributors, defections and mean caveat."""
    m, ts = res.members, res.timeseries
    troops = m.pivot_table(index="year", columns="member", values="troops_deployed",
                           aggfunc="sum", fill_value=0.0)
    troops = troops.loc[:, troops.sum() > 0]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    if not troops.empty:
        order = troops.sum().sort_values(ascending=False).index
        top = list(order[:8])
        stacked = troops[top].copy()
        stacked["others"] = troops.drop(columns=top).sum(axis=1)
        ax.stackplot(stacked.index, stacked.T.values, labels=list(stacked.columns))
        ax.legend(fontsize=7, loc="upper left")
    ax.plot(ts["year"], ts["troop_requirement"], color="black", ls="--", label="requirement")
    ax.set(xlabel="year", ylabel="troops", title="Troops in the operation")
    ax2.plot(ts["year"], ts["contributors"], label="contributors (allies)")
    ax2.plot(ts["year"], ts["defections"], label="unilateral defections (cum.)")
    ax2.plot(ts["year"], ts["coordinated_drawdowns"], label="coordinated drawdowns (cum.)")
    ax2.set(xlabel="year", ylabel="members")
    twin = ax2.twinx()
    twin.plot(ts["year"], ts["mean_caveat"], color="black", ls=":", label="mean caveat")
    twin.set(ylabel="mean caveat", ylim=(0, 1))
    ax2.legend(fontsize=7, loc="upper left")
    twin.legend(fontsize=7, loc="upper right")
    ax2.set_title("Cohesion")
    return _save(fig, path)


def opinion_figure(res: Results, path: Path) -> Path:
    """Public support for the operation and for defence, by posture."""
    m = res.members
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, column, title in zip(axes, ("support_operation", "support_defence"),
                                 ("Support for the operation", "Support for defence"),
                                 strict=True):
        for posture, colour in POSTURE_COLOURS.items():
            g = m[m["posture"] == posture].groupby("year")[column].mean()
            if not g.empty:
                ax.plot(g.index, g.values, color=colour, label=posture)
        ax.set(xlabel="year", ylabel="share in favour", ylim=(0, 1), title=title)
        ax.legend(fontsize=8)
    return _save(fig, path)


RUN_FIGURES = {
    "burden.png": burden_figure,
    "capability_gaps.png": gaps_figure,
    "coverage.png": coverage_figure,
    "operation.png": operation_figure,
    "opinion.png": opinion_figure,
}


def write_run_figures(res: Results, folder: Path) -> list[Path]:
    """Write every run figure into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [make(res, folder / name) for name, make in RUN_FIGURES.items()]
