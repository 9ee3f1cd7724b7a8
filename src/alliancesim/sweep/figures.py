"""Sweep figures: each headline metric over time, one line per condition with its 95% band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator

HEADLINE_METRICS = {
    "leader_share": "leader's share of alliance spending",
    "mean_burden_pct": "mean burden, % of GDP",
    "burden_gini": "burden inequality (Gini)",
    "capability_gap_index": "capability gap index (alliance)",
    "capability_gap_index_europe": "capability gap index (without the leader)",
    "single_provider_areas": "areas with 1-2 providers besides the leader",
    "areas_abandoned": "national holdings abandoned",
    "contributors": "allies contributing troops",
    "troops_deployed_europe": "troops deployed by the European allies",
    "defections": "unilateral defections (cumulative)",
    "mean_caveat": "mean caveat",
    "cohesion_index": "cohesion index",
    "mean_support_operation": "support for the operation",
}

#: Beyond this many conditions (a large grid or a sensitivity design) bands and a legend
#: would be unreadable: each condition's mean is drawn as a thin line instead.
MAX_BANDED_CONDITIONS = 12


def figure_jobs(summary: pd.DataFrame, folder: Path, parts: int) -> list[tuple]:
    """Split the figures into ``parts`` jobs for :func:`draw_figures` (one per worker)."""
    metrics = [m for m in HEADLINE_METRICS if m in set(summary["metric"])]
    groups = [metrics[i::parts] for i in range(max(1, parts))]
    return [(summary[summary["metric"].isin(g)], folder, g) for g in groups if g]


def draw_figures(job: tuple) -> list[Path]:
    """Draw one job of :func:`figure_jobs` (a top-level function, so workers can run it)."""
    summary, folder, metrics = job
    return write_sweep_figures(summary, folder, metrics)


def _limits(low: float, high: float) -> tuple[float, float]:
    pad = 0.05 * (high - low) if high > low else max(abs(high) * 0.05, 0.5)
    return low - pad, high + pad


def write_sweep_figures(summary: pd.DataFrame, folder: Path,
                        metrics: list[str] | None = None) -> list[Path]:
    """One PNG per headline metric; lines are condition means, bands their 95% CIs.

    One figure with fixed margins is reused for every metric (only its data artists are
    replaced): creating and laying out a figure per metric costs more than drawing it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    conditions = list(dict.fromkeys(summary["condition"]))
    banded = len(conditions) <= MAX_BANDED_CONDITIONS
    palette = plt.get_cmap("tab10" if len(conditions) <= 10 else "tab20")
    # A condition has the same colour in every figure of the sweep.
    colours = {name: palette(i % palette.N) for i, name in enumerate(conditions)}
    by_metric = dict(tuple(summary.groupby("metric", sort=False)))
    paths = []
    fig, ax = plt.subplots(figsize=(8, 4.5))
    fig.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.11)
    try:
        for metric in metrics or list(HEADLINE_METRICS):
            data = by_metric.get(metric)
            if data is None or data["mean"].notna().sum() == 0:
                continue
            for artist in [*ax.lines, *ax.collections]:
                artist.remove()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            groups = [(name, g.sort_values("year")) for name, g in
                      data.groupby("condition", sort=False)]
            if banded:
                for name, g in groups:
                    years = g["year"].to_numpy()
                    colour = colours[name]
                    ax.plot(years, g["mean"].to_numpy(), label=name, color=colour)
                    ax.fill_between(years, g["ci_low"].to_numpy(), g["ci_high"].to_numpy(),
                                    color=colour, alpha=0.2, linewidth=0)
                ax.legend(fontsize=7)
                values = data[["mean", "ci_low", "ci_high"]].to_numpy()
            else:
                segments = [np.column_stack([g["year"], g["mean"]]) for _, g in groups]
                ax.add_collection(LineCollection(segments, linewidths=0.5, alpha=0.4))
                values = data["mean"].to_numpy()
            finite = values[np.isfinite(values)]
            ax.set_xlim(*_limits(float(data["year"].min()), float(data["year"].max())))
            ax.set_ylim(*_limits(float(finite.min()), float(finite.max())))
            label = HEADLINE_METRICS[metric]
            suffix = "mean and 95% CI" if banded else f"means of {len(conditions)} conditions"
            ax.set(xlabel="year", ylabel=label, title=f"{label} ({suffix})")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            path = folder / f"{metric}.png"
            fig.savefig(path, dpi=90)
            paths.append(path)
    finally:
        plt.close(fig)
    return paths
