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
    "single_provider_areas": "areas with one or two providers besides the leader",
    "areas_abandoned": "national holdings abandoned",
    "contributors": "allies contributing troops",
    "troops_deployed_europe": "troops deployed by the European allies",
    "defections": "unilateral defections (cumulative)",
    "mean_caveat": "mean caveat",
    "cohesion_index": "cohesion index",
    "mean_support_operation": "support for the operation",
}


def write_sweep_figures(summary: pd.DataFrame, folder: Path) -> list[Path]:
    """One PNG per headline metric; lines are condition means, bands their 95% CIs.

    One figure is drawn on and cleared for every metric: creating a figure per metric costs
    more than drawing it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    conditions = list(dict.fromkeys(summary["condition"]))
    by_metric = dict(tuple(summary.groupby("metric", sort=False)))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        for metric, label in HEADLINE_METRICS.items():
            data = by_metric.get(metric)
            if data is None or data["mean"].notna().sum() == 0:
                continue
            ax.clear()
            for condition, c in data.groupby("condition", sort=False):
                c = c.sort_values("year")
                line, = ax.plot(c["year"], c["mean"], label=condition)
                ax.fill_between(c["year"], c["ci_low"], c["ci_high"], color=line.get_color(),
                                alpha=0.2, linewidth=0)
            ax.set(xlabel="year", ylabel=label, title=f"{label} (mean and 95% CI)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if len(conditions) <= 12:
                ax.legend(fontsize=7)
            fig.tight_layout()
            path = folder / f"{metric}.png"
            fig.savefig(path, dpi=90)
            paths.append(path)
    finally:
        plt.close(fig)
    return paths
