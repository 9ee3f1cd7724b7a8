"""Sweep figures: each headline metric over time, one line per condition with its 95% band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

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


#: Figure size (inches) and resolution: 720 x 405 pixels.
SIZE, DPI = (8, 4.5), 90
#: PNG compression: level 1 encodes ~30% faster than the default 6, for files ~12% larger.
PNG_OPTIONS = {"compress_level": 1}
#: Unhinted text: matplotlib renders text a glyph at a time, and without hinting the figures
#: draw ~15% faster; the labels stay as readable at this size.
STYLE = {"text.hinting": "no_hinting"}


def _rows_by_condition(data: pd.DataFrame) -> dict[str, np.ndarray]:
    """The positions of each condition's rows, in year order (a pandas groupby and sort per
    condition cost more than drawing the lines)."""
    codes, names = pd.factorize(data["condition"].to_numpy())
    order = np.lexsort((data["year"].to_numpy(), codes))
    return dict(zip(names, np.split(order, np.flatnonzero(np.diff(codes[order])) + 1),
                    strict=True))


class _Series:
    """The data artists of the figure: made once, their data replaced for each metric.

    Lines (and so the legend, made once from them) are kept; the bands are drawn anew, as
    a band's data can be replaced only from matplotlib 3.10 on.
    """

    def __init__(self, ax: Axes, conditions: list[str]) -> None:
        self.ax = ax
        self.banded = len(conditions) <= MAX_BANDED_CONDITIONS
        palette = plt.get_cmap("tab10" if len(conditions) <= 10 else "tab20")
        # A condition has the same colour in every figure of the sweep.
        self.colours = {name: palette(i % palette.N) for i, name in enumerate(conditions)}
        self.bands: list[PolyCollection] = []
        if self.banded:
            self.lines = {name: ax.plot([], [], label=name, color=colour)[0]
                          for name, colour in self.colours.items()}
            ax.legend(fontsize=7)
        else:
            self.means = LineCollection([], linewidths=0.5, alpha=0.4)
            ax.add_collection(self.means)

    def show(self, data: pd.DataFrame) -> np.ndarray:
        """Draw one metric's rows of the summary; returns the values the y axis must show."""
        year, mean, low, high = (data[c].to_numpy() for c in ("year", "mean", "ci_low",
                                                              "ci_high"))
        rows = _rows_by_condition(data)
        if not self.banded:
            self.means.set_segments([np.column_stack([year[i], mean[i]])
                                     for i in rows.values()])
            return mean
        for band in self.bands:
            band.remove()
        self.bands = []
        for name, line in self.lines.items():
            i = rows.get(name)
            if i is None:
                line.set_data([], [])
                continue
            line.set_data(year[i], mean[i])
            self.bands.append(self.ax.fill_between(year[i], low[i], high[i],
                                                   color=self.colours[name], alpha=0.2,
                                                   linewidth=0))
        return np.concatenate([mean, low, high])

    def artists(self) -> list[Artist]:
        """The artists that change from one metric to the next, besides the y axis."""
        if not self.banded:
            return [self.means]
        return [*self.bands, *self.lines.values(), self.ax.get_legend()]


class _Canvas:
    """Renders the figure of each metric, drawing again only what changes between metrics.

    What every figure of a sweep shares (background, frame, the x axis of years) is drawn
    once and copied; the rest (data, y axis, title, legend) is drawn over the copy, in the
    order of a full drawing. The two never overlap (the data stay inside limits with a
    margin, the ticks point out), so the image is the full drawing's, pixel for pixel
    (tested), in ~2/3 of the time. ``reuse=False`` draws every figure in full.
    """

    def __init__(self, fig: Figure, ax: Axes, reuse: bool = True) -> None:
        self.fig, self.ax, self.reuse = fig, ax, reuse
        self.background = None
        self.xlim: tuple[float, float] | None = None

    def save(self, changing: list[Artist], path: Path) -> None:
        """Render the figure, whose ``changing`` artists differ from the last one's, as PNG."""
        canvas = self.fig.canvas
        if not self.reuse:
            canvas.draw()
        elif self.background is None or self.ax.get_xlim() != self.xlim:
            for artist in changing:
                artist.set_animated(True)  # left out of the drawing of the background
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
            self.xlim = self.ax.get_xlim()
            self._draw(changing)
        else:
            canvas.restore_region(self.background)
            self._draw(changing)
        width, height = canvas.get_width_height()
        # Saved as RGB: the figure is opaque, and a fourth channel of 255s costs ~20% more
        # to encode.
        Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0,
                         1).convert("RGB").save(path, "png", dpi=(DPI, DPI), **PNG_OPTIONS)

    def _draw(self, changing: list[Artist]) -> None:
        for artist in sorted(changing, key=lambda a: a.get_zorder()):  # stable, as Axes.draw
            self.ax.draw_artist(artist)


def write_sweep_figures(summary: pd.DataFrame, folder: Path,
                        metrics: list[str] | None = None, reuse: bool = True) -> list[Path]:
    """One PNG per headline metric; lines are condition means, bands their 95% CIs.

    One figure with fixed margins is reused for every metric (only its data, limits and
    labels change), and what is the same in all of them is drawn once (see
    :class:`_Canvas`; ``reuse=False`` draws each figure in full).
    """
    folder.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(STYLE):
        return _draw(summary, folder, metrics or list(HEADLINE_METRICS), reuse)


def _draw(summary: pd.DataFrame, folder: Path, metrics: list[str],
          reuse: bool) -> list[Path]:
    """The figures of :func:`write_sweep_figures`, in the sweep's style."""
    conditions = list(dict.fromkeys(summary["condition"]))
    by_metric = dict(tuple(summary.groupby("metric", sort=False)))
    paths = []
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.11)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    canvas = _Canvas(fig, ax, reuse)
    try:
        series = _Series(ax, conditions)
        suffix = ("mean and 95% CI" if series.banded
                  else f"means of {len(conditions)} conditions")
        for metric in metrics:
            data = by_metric.get(metric)
            if data is None or data["mean"].notna().sum() == 0:
                continue
            values = series.show(data)
            finite = values[np.isfinite(values)]
            ax.set_xlim(*_limits(float(data["year"].min()), float(data["year"].max())))
            ax.set_ylim(*_limits(float(finite.min()), float(finite.max())))
            label = HEADLINE_METRICS[metric]
            ax.set(ylabel=label, title=f"{label} ({suffix})")
            path = folder / f"{metric}.png"
            canvas.save([*series.artists(), ax.yaxis, ax.title], path)
            paths.append(path)
    finally:
        plt.close(fig)
    return paths
