"""Sweep figures: each headline metric over time, one line per condition with its 95% band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

HEADLINE_METRICS = {
    "leader_share": "leader's share of alliance spending",
    "mean_burden_pct": "mean burden, % of GDP",
    "burden_gini": "burden inequality (Gini)",
    "capability_gap_index": "capability gap index (alliance)",
    "capability_gap_index_europe": "capability gap index (without the leader)",
    "single_provider_areas": "areas with 1-2 European providers",
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


#: Figure size (inches) and resolution of the PNG files.
SIZE, DPI = (8, 4.5), 150
#: Fixed margins, wide enough for the longest label: a third cheaper to draw than
#: matplotlib's constrained layout, which measures every text first.
MARGINS = {"left": 0.1, "right": 0.97, "top": 0.92, "bottom": 0.11}


def write_sweep_figures(summary: pd.DataFrame, folder: Path,
                        metrics: list[str] | None = None) -> list[Path]:
    """One PNG per headline metric in the summary: one line per condition (its mean over
    the seeds) with its 95% confidence band; beyond :data:`MAX_BANDED_CONDITIONS`
    conditions, thin lines without bands or legend."""
    folder.mkdir(parents=True, exist_ok=True)
    conditions = list(dict.fromkeys(summary["condition"]))
    palette = plt.get_cmap("tab10" if len(conditions) <= 10 else "tab20")
    # A condition has the same colour in every figure of the sweep.
    colours = {name: palette(i % palette.N) for i, name in enumerate(conditions)}
    banded = len(conditions) <= MAX_BANDED_CONDITIONS
    suffix = "mean and 95% CI" if banded else f"means of {len(conditions)} conditions"
    by_metric = dict(tuple(summary.groupby("metric", sort=False)))
    paths = []
    for metric in metrics or list(HEADLINE_METRICS):
        data = by_metric.get(metric)
        if data is None or data["mean"].notna().sum() == 0:
            continue
        fig, ax = plt.subplots(figsize=SIZE)
        fig.subplots_adjust(**MARGINS)
        for name, rows in data.sort_values("year").groupby("condition", sort=False):
            if banded:
                ax.plot(rows["year"], rows["mean"], color=colours[name], label=name)
                ax.fill_between(rows["year"], rows["ci_low"], rows["ci_high"],
                                color=colours[name], alpha=0.2, linewidth=0)
            else:
                ax.plot(rows["year"], rows["mean"], color=colours[name], linewidth=0.5,
                        alpha=0.4)
        label = HEADLINE_METRICS[metric]
        ax.set(xlabel="year", ylabel=label, title=f"{label} ({suffix})")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if banded:
            ax.legend(fontsize=7)
        path = folder / f"{metric}.png"
        fig.savefig(path, dpi=DPI)
        plt.close(fig)
        paths.append(path)
    return paths
