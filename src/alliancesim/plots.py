"""Figures of one run, as files a person can open and put in a paper (PNG, SVG or PDF).

Every figure has a title, axis labels with units, and its legend outside the plotting area
(so it covers no data). PNGs are written at :data:`PNG_DPI`. Matplotlib is imported when a
figure is drawn, not when this module is (the browser app imports the colours from here).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

    from .results import Results

POSTURE_COLOURS = {"activist": "#c0392b", "defender": "#2e86c1", "free-rider": "#7f8c8d"}
#: The schema's default spending norm (``incentives.spending_norm_pct``); figures of a run
#: draw the norm of that run's config.
NORM_PCT = 2.0
FORMATS = ("png", "svg", "pdf")
PNG_DPI = 150  # the issue asks for >= 150; vector files: --figure-format svg|pdf
LEADER_COLOUR = "black"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _year_axis(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.set_xlabel("year")


def _legend_outside(ax: Any, ncol: int = 2, handles: tuple[list, list] | None = None) -> None:
    """The legend under the axes (below the year labels), so it covers no data and no
    neighbouring panel."""
    args = handles if handles is not None else ()
    ax.legend(*args, loc="upper center", bbox_to_anchor=(0.5, -0.16), borderaxespad=0.0,
              fontsize=8, frameon=False, ncol=ncol)


def _save(fig: plt.Figure, path: Path, title: str) -> Path:
    fig.suptitle(title, fontsize=12, fontweight="bold")
    # No creation date in SVG/PDF: the same run gives the same file.
    metadata = {"Title": title, **({"Date": None} if path.suffix == ".svg" else {}),
                **({"CreationDate": None} if path.suffix == ".pdf" else {})}
    # PNGs with zlib level 1 instead of 6: the same pixels (lossless) in ~15% more bytes,
    # encoded in half the time (the encoder was a tenth of a figure's cost).
    extra = {"pil_kwargs": {"compress_level": 1}} if path.suffix == ".png" else {}
    fig.savefig(path, dpi=PNG_DPI, bbox_inches=_tight_box(fig, path), metadata=metadata,
                **extra)
    _pyplot().close(fig)
    return path


def _tight_box(fig: plt.Figure, path: Path) -> Any:
    """The area to save: the figure cropped to what it draws (legends below the axes
    included), plus matplotlib's usual padding.

    For a PNG the box is measured with one layout pass at the file's dpi; ``"tight"`` would
    first draw the whole figure once more (a quarter of its cost) and gives the same file,
    byte for byte (tested). Vector files are measured at their own 72 dpi by ``"tight"``.
    """
    if path.suffix != ".png":
        return "tight"
    import matplotlib

    fig.set_dpi(PNG_DPI)
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def burden_figure(res: Results, path: Path, norm_pct: float = NORM_PCT,
                  leader: str | None = None) -> Path:
    """Burden by declared posture (median and inter-member range), the leader on its own, the
    spending norm; the leader's share of alliance spending."""
    plt = _pyplot()
    m = res.members
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.2), width_ratios=(1.35, 1))
    # Members with no defence budget (Iceland has no armed forces) are left out, as in the
    # burden statistics of the tables; the leader is drawn as its own line.
    allies = m[(m["burden_pct"] > 0) & (m["member"] != leader)]
    for posture, colour in POSTURE_COLOURS.items():
        g = allies[allies["posture"] == posture].groupby("year")["burden_pct"]
        if g.ngroups == 0:
            continue
        n = allies.loc[allies["posture"] == posture, "member"].nunique()
        ax.plot(g.median().index, g.median().values, color=colour, lw=2,
                label=f"{posture}s: median ({n} members)")
        ax.fill_between(g.min().index, g.min().values, g.max().values, color=colour,
                        alpha=0.15, lw=0, label=f"{posture}s: lowest to highest")
    if leader is not None and (m["member"] == leader).any():
        lead = m[m["member"] == leader].set_index("year")["burden_pct"]
        ax.plot(lead.index, lead.values, color=LEADER_COLOUR, lw=1.5,
                label=f"leader ({leader})")
    ax.axhline(norm_pct, color="black", ls="--", lw=1, label=f"{norm_pct:g}% of GDP norm")
    ax.set(ylabel="defence spending (% of GDP)", title="Burden by declared posture")
    ax.set_ylim(bottom=0)
    _year_axis(ax)
    _legend_outside(ax)
    ts = res.timeseries
    ax2.plot(ts["year"], ts["leader_share"], color=LEADER_COLOUR)
    ax2.set(ylabel="share of alliance defence spending (0-1)", ylim=(0, 1),
            title="Leader's share of alliance spending")
    _year_axis(ax2)
    return _save(fig, path, "Defence spending")


def gaps_figure(res: Results, path: Path) -> Path:
    """Capability held per area over time, relative to the start, and the gap indices."""
    import numpy as np

    plt = _pyplot()
    cap = res.capabilities
    held = cap[cap["held"]].groupby(["year", "area"])["stock"].sum().unstack(fill_value=0.0)
    start = held.iloc[0].replace(0, np.nan)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    colours = plt.get_cmap("tab10").colors
    for k, area in enumerate(held.columns):
        ax.plot(held.index, held[area] / start[area], color=colours[k % len(colours)],
                label=area.replace("_", " "))
    ax.axhline(1.0, color="black", ls=":", lw=1, label="start-year level")
    ax.set(ylabel="capability held (ratio to start year)", title="Capability by area")
    ax.set_ylim(bottom=0)
    _year_axis(ax)
    _legend_outside(ax, ncol=3)
    ts = res.timeseries
    ax2.plot(ts["year"], ts["capability_gap_index"], label="whole alliance", color="black")
    ax2.plot(ts["year"], ts["capability_gap_index_europe"], label="allies without the leader",
             color="#c0392b")
    ax2.set(ylabel="mean shortfall against target (0-1)", ylim=(0, 1),
            title="Capability gap index")
    _year_axis(ax2)
    _legend_outside(ax2)
    return _save(fig, path, "Capabilities and gaps")


def coverage_figure(res: Results, path: Path) -> Path:
    """Members holding each area, year by year (specialisation by default made visible)."""
    import numpy as np

    plt = _pyplot()
    cap = res.capabilities
    counts = cap[cap["held"]].groupby(["area", "year"])["member"].nunique().unstack(fill_value=0)
    years = [int(y) for y in counts.columns]
    fig, ax = plt.subplots(figsize=(12, 4.2))
    extent = (years[0] - 0.5, years[-1] + 0.5, len(counts.index) - 0.5, -0.5)
    image = ax.imshow(counts.values, aspect="auto", cmap="viridis", extent=extent,
                      interpolation="nearest", vmin=0)
    ax.set_yticks(range(len(counts.index)), [a.replace("_", " ") for a in counts.index])
    ax.set_ylabel("capability area")
    _year_axis(ax)
    if len(years) <= 40:
        threshold = counts.values.max() * 0.6
        for (i, j), v in np.ndenumerate(counts.values):
            ax.text(years[j], i, str(v), ha="center", va="center", fontsize=6,
                    color="black" if v > threshold else "white")
    bar = fig.colorbar(image, ax=ax, pad=0.02)
    bar.set_label("members holding the area (count)")
    ax.set_title("Members holding each capability area")
    return _save(fig, path, "Coverage: specialisation by default")


def operation_figure(res: Results, path: Path) -> Path:
    """Troops by member (stacked) against the requirement; contributors, defections,
    coordinated drawdowns and the mean caveat."""
    plt = _pyplot()
    m, ts = res.members, res.timeseries
    troops = m.pivot_table(index="year", columns="member", values="troops_deployed",
                           aggfunc="sum", fill_value=0.0)
    troops = troops.loc[:, troops.sum() > 0]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    if not troops.empty:
        order = troops.sum().sort_values(ascending=False).index
        top = list(order[:8])
        stacked = troops[top].copy()
        if len(order) > len(top):
            stacked[f"{len(order) - len(top)} others"] = troops.drop(columns=top).sum(axis=1)
        colours = plt.get_cmap("tab10").colors
        ax.stackplot(stacked.index, stacked.T.values, labels=list(stacked.columns),
                     colors=colours[:stacked.shape[1]])
    ax.plot(ts["year"], ts["troop_requirement"], color="black", ls="--",
            label="requirement")
    ax.set(ylabel="troops deployed (soldiers)", title="Troops in the operation")
    ax.set_ylim(bottom=0)
    _year_axis(ax)
    _legend_outside(ax, ncol=3)
    ax2.plot(ts["year"], ts["contributors"], label="contributing allies")
    ax2.plot(ts["year"], ts["defections"], label="unilateral defections (cumulative)")
    ax2.plot(ts["year"], ts["coordinated_drawdowns"],
             label="coordinated drawdowns (cumulative)")
    ax2.set(ylabel="members (count)", title="Cohesion")
    ax2.set_ylim(bottom=0)
    _year_axis(ax2)
    twin = ax2.twinx()
    twin.plot(ts["year"], ts["mean_caveat"], color="black", ls=":", label="mean caveat (right)")
    twin.set(ylabel="mean caveat (fraction of troops)", ylim=(0, 1))
    lines = ax2.get_legend_handles_labels()
    twin_lines = twin.get_legend_handles_labels()
    _legend_outside(ax2, handles=(lines[0] + twin_lines[0], lines[1] + twin_lines[1]))
    return _save(fig, path, "The operation")


def opinion_figure(res: Results, path: Path) -> Path:
    """Public support for the operation and for defence, by posture (mean over members)."""
    plt = _pyplot()
    m = res.members
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
    for ax, column, title in zip(axes, ("support_operation", "support_defence"),
                                 ("Support for the operation", "Support for defence"),
                                 strict=True):
        for posture, colour in POSTURE_COLOURS.items():
            g = m[m["posture"] == posture].groupby("year")[column].mean()
            if not g.empty:
                ax.plot(g.index, g.values, color=colour, label=f"{posture}s (mean)")
        ax.set(ylim=(0, 1), title=title)
        _year_axis(ax)
    axes[0].set_ylabel("public in favour (share, 0-1)")
    _legend_outside(axes[1], ncol=3)
    return _save(fig, path, "Public opinion")


#: Figure name (without extension) -> function drawing it.
RUN_FIGURES = {
    "burden": burden_figure,
    "capability_gaps": gaps_figure,
    "coverage": coverage_figure,
    "operation": operation_figure,
    "opinion": opinion_figure,
}


def write_run_figures(res: Results, folder: Path, fmt: str = "png",
                      norm_pct: float = NORM_PCT, leader: str | None = None) -> list[Path]:
    """Write every run figure into ``folder`` as ``NAME.fmt``; returns the paths.

    ``norm_pct`` is the run's spending norm (drawn on the burden figure), ``leader`` the
    leader's member code (drawn on its own, not in the activists' band).
    """
    if fmt not in FORMATS:
        raise ValueError(f"figure format {fmt!r}: expected one of {', '.join(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in RUN_FIGURES.items():
        path = folder / f"{name}.{fmt}"
        if make is burden_figure:
            paths.append(burden_figure(res, path, norm_pct=norm_pct, leader=leader))
        else:
            paths.append(make(res, path))
    return paths
