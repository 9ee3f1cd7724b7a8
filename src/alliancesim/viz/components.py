"""The page's views as Solara components: year banner, alliance map, one ally's history, charts.

Every view draws a :class:`~alliancesim.viz.factory.Snapshot` (one finished year, immutable),
never the model the play thread is stepping; the page hands a new snapshot down after each
Step. The drawing is in :mod:`.charts` and :mod:`.tilemap`. Nothing here changes the model.
Each view sits in a :func:`Guarded` box: if it fails, the page says so in plain words and the
server log gets the details.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import solara
from mesa.visualization.utils import update_counter

from ..config import POSTURES
from ..plots import NORM_PCT, POSTURE_COLOURS
from . import charts, tilemap

if TYPE_CHECKING:
    import pandas as pd

    from .factory import Snapshot

LOG = logging.getLogger("alliancesim.viz")

#: Map colouring and shading options: value -> button label.
COLOUR_MODES = {"declared": "Declared", "revealed": "Revealed"}
SHADE_MODES = {"burden": "Burden", "troops": "Troops"}
#: Burden at which a tile is fully shaded.
BURDEN_FULL_SCALE_PCT = 4.0
#: Troops at which a tile is fully shaded (log scale: 10, 100, 1k, 10k, 100k).
TROOPS_FULL_SCALE = 100_000
TILE_PX = 38
TILE_GAP_PX = 4
MUTED = "#4b5563"


def _this_year(snap: Snapshot) -> pd.DataFrame:
    members = snap.results.members
    return members[members["year"] == snap.year].set_index("member")


@solara.component
def Guarded(view: Callable[..., Any], *args: Any, name: str, **kwargs: Any) -> None:
    """``view(*args, **kwargs)``, or a plain message if it fails (details to the server log).

    The message names the view and the kind of error, never the error's text (which can
    hold server paths). The view tries again at the next year, or when the user asks.
    """
    counter = update_counter.get()
    exception, clear = solara.use_exception()

    def log() -> None:
        if exception is not None:
            LOG.error("error while drawing %s", name, exc_info=exception)

    solara.use_effect(log, [exception])
    solara.use_effect(clear, [counter])
    if exception is None:
        view(*args, **kwargs)
        return
    with solara.Column(classes=["alliancesim-view-error"], style={"padding": "8px"}):
        solara.Warning(f"Sorry — {name} could not be drawn ({type(exception).__name__}). "
                       "The details are in the server's log. It will try again at the next "
                       "step.", dense=True)
        solara.Button("Try again", on_click=clear, small=True, text=True)


def troops_intensity(troops: float) -> float:
    """Shade for a troop number on a log scale (0 troops = palest, 100,000 = full)."""
    if not math.isfinite(troops) or troops <= 0:
        return 0.0
    return min(math.log10(1.0 + troops) / math.log10(1.0 + TROOPS_FULL_SCALE), 1.0)


def fmt_troops(troops: float) -> str:
    """4600 -> '4.6k', 850 -> '850', 0 -> '0'."""
    return charts.fmt_troops(troops)


# --------------------------------------------------------------------------- banner


#: Banner numbers: (css slug, label, what it counts in plain words).
HEADLINES = (
    ("leader-share", "Leader's share of spending",
     "The leader's part of everything the allies spend on defence this year."),
    ("allies-at-2pct", "Allies at 2%",
     "Allies (the leader included) spending at least 2% of their GDP on defence."),
    ("mean-burden", "Mean burden",
     "The average ally's defence spending as a share of its GDP."),
    ("exploitation", "Large allies carry more",
     "Rank correlation of allies' GDP with their share of GDP spent on defence: above 0, "
     "the larger an ally, the more of its GDP it spends (Olson and Zeckhauser's "
     "exploitation hypothesis); 0, no link; below 0, small allies spend more."),
    ("capability-gap", "Capability shortfall",
     "How far the alliance falls short of its target, averaged over the ten capability "
     "areas: 0 means no shortfall, 1 means nothing at all."),
    ("thin-areas", "Areas with at most 2 European holders",
     "Capability areas that two European holders or fewer still provide: European allies "
     "holding the area on their own (not the leader, not Canada) and each working "
     "multinational unit, counted once."),
    ("abandoned", "Holdings abandoned",
     "National holdings (one per ally and area) given up because the budget could no longer "
     "keep them above their minimum viable size, and not rebuilt since."),
    ("contributors", "Allies in the operation", "Allies other than the leader with troops "
     "in the operation this year."),
    ("defections", "Defections", "Allies that have pulled out of the operation on their "
     "own since the start (agreed drawdowns at the end do not count)."),
    ("support", "Support for the operation",
     "The average ally's share of the public in favour of the operation."),
)


def headline_stats(snap: Snapshot) -> list[tuple[str, str, str, str]]:
    """The banner's numbers for this year: (css slug, label, value, tooltip)."""
    now = snap.results.timeseries.iloc[-1]
    rho = now["exploitation_rho"]
    values = {
        "leader-share": f"{now['leader_share']:.0%}",
        "allies-at-2pct": f"{int(now['members_at_2pct'])} of {int(now['members'])}",
        "mean-burden": f"{now['mean_burden_pct']:.2f}% of GDP",
        "exploitation": "–" if not math.isfinite(rho) else f"{rho:+.2f}",
        "capability-gap": f"{now['capability_gap_index']:.2f}",
        "thin-areas": f"{int(now['single_provider_areas'] + now['uncovered_areas'])} of 10",
        "abandoned": f"{int(now['areas_abandoned'])}",
        "contributors": f"{int(now['contributors'])}",
        "defections": f"{int(now['defections'])}",
        "support": f"{now['mean_support_operation']:.0%}",
    }
    return [(slug, label, values[slug], tip) for slug, label, tip in HEADLINES]


def banner_html(snap: Snapshot) -> str:
    """The banner as one HTML block, so the year and its numbers always change together."""
    model = snap.model
    first, last = snap.first_year, snap.last_year
    progress = ("the run has ended — press Reset to start again" if not snap.running
                else f"year {snap.year - first + 1} of {last - first + 1} ({first}–{last})")
    parts = [
        "<div style='display:flex;flex-wrap:wrap;align-items:baseline;column-gap:16px'>",
        f"<span class='alliancesim-year' style='font-size:26px;font-weight:700;"
        f"color:#111827'>Year: {snap.year}</span>",
        f"<span style='color:{MUTED}'>{escape(progress)}</span>",
        f"<span class='alliancesim-scenario' style='font-weight:600;color:#111827'>"
        f"{escape(model.choice.label)} · seed {model.seed}</span>",
    ]
    if model.controlled_member:
        parts.append(f"<span style='color:#92400e;font-weight:600'>you control "
                     f"{escape(model.controlled_member)}</span>")
    parts.append("</div>")
    if model.choice.description:
        parts.append(f"<div style='color:#374151'>{escape(model.choice.description)}</div>")
    if model.choice.watch:
        parts.append(f"<div class='alliancesim-watch' style='color:#1e3a8a'><b>What to "
                     f"watch:</b> {escape(model.choice.watch)}</div>")
    if model.overrides:
        changed = ", ".join(f"{k} = {v}" for k, v in sorted(model.overrides.items()))
        parts.append(f"<div class='alliancesim-overrides' style='color:#92400e;"
                     f"font-size:0.9em'>Changed from the scenario: {escape(changed)} — the "
                     f"faint lines in the charts are the scenario's own run with the same "
                     f"seed</div>")
    parts.append("<div style='display:flex;flex-wrap:wrap;gap:6px;margin-top:6px'>")
    for slug, label, value, tip in headline_stats(snap):
        parts.append(
            f"<div class='alliancesim-stat stat-{slug}' title='{escape(tip, quote=True)}' "
            f"style='background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;"
            f"padding:2px 8px;cursor:help'>"
            f"<div style='font-size:12px;color:{MUTED}'>{escape(label)}</div>"
            f"<div class='stat-value' style='font-weight:700;color:#111827'>{escape(value)}"
            f"</div></div>")
    parts.append("</div>")
    return "".join(parts)


@solara.component
def YearBanner(snap: Snapshot) -> None:
    """The simulated year (``Year: NNNN``), the scenario, headline numbers and notices."""
    with solara.Card(margin=0, elevation=1, classes=["alliancesim-banner"],
                     style={"padding": "8px 14px"}):
        solara.HTML(tag="div", unsafe_innerHTML=banner_html(snap),
                    classes=["alliancesim-banner-text"])
        for notice in snap.model.notices:
            solara.Warning(notice, dense=True, classes=["alliancesim-notice"])


# --------------------------------------------------------------------------- map


@solara.component
def MapCard(snap: Snapshot, selected: str | None, on_select: Callable[[str | None], None],
            colour_by: solara.Reactive[str], shade_by: solara.Reactive[str]) -> None:
    """The alliance map with its colour and shade switches and legend."""
    cols, _rows = tilemap.GRID_SIZE
    width = cols * (TILE_PX + TILE_GAP_PX)
    with solara.Card(margin=0, elevation=1, classes=["alliancesim-map"],
                     style={"padding": "8px", "width": f"{width + 48}px"}):
        solara.Text("Alliance map", style={"font-weight": "700", "font-size": "1.1em"})
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px", "align-items": "center"}):
            solara.Text("Posture:", style={"font-size": "0.85em", "color": MUTED})
            with solara.ToggleButtonsSingle(value=colour_by, dense=True,
                                            classes=["map-colour-by"]):
                for key, label in COLOUR_MODES.items():
                    solara.Button(label, value=key, small=True)
            solara.Text("Shade:", style={"font-size": "0.85em", "color": MUTED})
            with solara.ToggleButtonsSingle(value=shade_by, dense=True, classes=["map-shade-by"]):
                for key, label in SHADE_MODES.items():
                    solara.Button(label, value=key, small=True)
        TileMap(snap, colour_by.value, shade_by.value, selected, on_select)
        MapLegend(shade_by.value)


def tile_style(fill: str, col: int, row: int, selected: bool, member: bool) -> dict[str, str]:
    """CSS of one tile: its grid cell, fill, and an outline when it is the selected ally."""
    border = ("3px solid #111827" if selected else
              ("1px solid rgba(0,0,0,0.15)" if member else "1px dashed #9ca3af"))
    return {
        "grid-column": str(col + 1), "grid-row": str(row + 1), "background": fill,
        "color": tilemap.text_colour(fill), "border": border, "border-radius": "6px",
        "min-width": "0", "width": f"{TILE_PX}px", "height": f"{TILE_PX}px",
        "padding": "0", "text-transform": "none", "letter-spacing": "0",
        "box-shadow": "0 1px 2px rgba(0,0,0,0.25)" if selected else "none",
    }


@solara.component
def TileMap(snap: Snapshot, colour_by: str, shade_by: str, selected: str | None,
            on_select: Callable[[str | None], None]) -> None:
    """One clickable tile per ally at its cell of ``model.grid`` (a Mesa space)."""
    model = snap.model
    now = _this_year(snap)
    on_grid = set(now.index)
    cols, rows = tilemap.GRID_SIZE
    leader_codes = set(charts.leaders(model))
    with solara.Div(classes=["alliancesim-tilemap"], style={
            "display": "grid", "grid-template-columns": f"repeat({cols}, {TILE_PX}px)",
            "grid-template-rows": f"repeat({rows}, {TILE_PX}px)", "gap": f"{TILE_GAP_PX}px",
            "margin": "10px 0", "position": "relative"}):
        for code, (col, row) in model.tile_positions.items():
            member = code in on_grid
            name = model.data.name[model.codes.index(code)]
            if member:
                info = now.loc[code]
                posture = info["revealed_posture" if colour_by == "revealed" else "posture"]
                intensity = (troops_intensity(info["troops_deployed"]) if shade_by == "troops"
                             else info["burden_pct"] / BURDEN_FULL_SCALE_PCT)
                fill = tilemap.tile_colour(posture, intensity)
                value = (fmt_troops(info["troops_deployed"]) if shade_by == "troops"
                         else f"{info['burden_pct']:.1f}%")
                mark = "★" if code in leader_codes else ("✕" if info["withdrawn"] else "")
                tip = (f"{name} ({code}) — declared {info['posture']}, behaves as "
                       f"{info['revealed_posture']} in {snap.year}; burden "
                       f"{info['burden_pct']:.2f}% of GDP; {fmt_troops(info['troops_deployed'])}"
                       f" troops deployed" + ("; withdrew from the operation"
                                              if info["withdrawn"] else ""))
            else:
                fill, value, mark = "#ffffff", "", ""
                joined = int(model.data.joined[model.codes.index(code)])
                tip = f"{name} ({code}) — joins the alliance in {joined}"
            solara.Button(
                children=[solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<div style='font-weight:700;font-size:12px;line-height:14px'>{code}"
                    f"<span style='font-size:11px'>{mark}</span></div>"
                    f"<div style='font-size:11px;line-height:13px'>{value}</div>"))],
                on_click=lambda code=code: on_select(code),
                style=tile_style(fill, col, row, selected == code, member),
                classes=["alliancesim-tile", f"tile-{code}"],
                attributes={"title": tip, "aria-label": tip}, depressed=True)


@solara.component
def MapLegend(shade_by: str) -> None:
    """Posture colours and the shade scale of the map."""
    swatch = ("display:inline-block;width:14px;height:14px;border-radius:3px;"
              "vertical-align:middle;margin:0 4px 0 10px")
    parts = [f"<span style='{swatch};background:{POSTURE_COLOURS[p]}'></span>{p}"
             for p in POSTURES]
    if shade_by == "troops":
        steps = [(0.0, "0"), (troops_intensity(100), "100"), (troops_intensity(1_000), "1k"),
                 (troops_intensity(10_000), "10k"), (1.0, "100k+")]
        scale = "troops deployed (log scale)"
    else:
        steps = [(v / BURDEN_FULL_SCALE_PCT, f"{v:g}%") for v in (0, 1, NORM_PCT, 3)]
        steps.append((1.0, f"{BURDEN_FULL_SCALE_PCT:g}%+"))
        scale = "defence spending, % of GDP"
    ramp = "".join(
        f"<span style='{swatch};margin-left:6px;background:{tilemap.shade('#4b5563', t)}'>"
        f"</span><span style='font-size:12px'>{label}</span>" for t, label in steps)
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<div style='font-size:12px;color:#374151'>{''.join(parts)}"
        f"<span style='margin-left:12px'>★ leader · ✕ withdrew</span></div>"
        f"<div style='font-size:12px;color:#374151;margin-top:4px'>shade: "
        f"{scale} {ramp}</div>"
        "<div style='font-size:12px;color:#4b5563;margin-top:4px'>Click a tile to follow "
        "that ally; a dashed tile joins later.</div>"), classes=["alliancesim-map-legend"])


# --------------------------------------------------------------------------- one member


@solara.component
def MemberCard(snap: Snapshot, selected: solara.Reactive[str | None]) -> None:
    """The history of the ally clicked on the map."""
    model = snap.model
    code = selected.value if selected.value in model.codes else None
    with solara.Div(classes=["alliancesim-member"], style={"padding": "8px 4px"}):
        if code is None:
            solara.HTML(tag="div", unsafe_innerHTML=(
                "<div style='font-weight:700;font-size:1.1em;margin-bottom:6px'>One ally over "
                "time</div><div style='color:#374151;max-width:440px'>Click a tile on the map "
                "to follow that ally here: its defence burden against the 2% norm, the troops "
                "it sends and the caveats it keeps, what its public thinks, its reputation as "
                "an ally and the capability areas it still holds.</div>"),
                classes=["alliancesim-member-hint"])
            return
        i = model.codes.index(code)
        name = model.data.name[i]
        now = _this_year(snap)
        with solara.Row(style={"align-items": "baseline", "justify-content": "space-between"}):
            solara.Text(f"{name} ({code})", classes=["alliancesim-member-name"],
                        style={"font-weight": "700", "font-size": "1.1em"})
            solara.Button("Close", on_click=lambda: selected.set(None), text=True, small=True)
        if code in now.index:
            info = now.loc[code]
            facts = [f"declared {info['posture']}",
                     f"behaves as {info['revealed_posture']} in {snap.year}",
                     f"burden {info['burden_pct']:.2f}% of GDP",
                     f"{fmt_troops(info['troops_deployed'])} troops deployed",
                     f"{info['caveat']:.0%} of its troops barred from combat",
                     f"{int(info['areas_held'])} capability areas held",
                     f"reputation {info['reputation']:.2f}"]
            if info["withdrawn"]:
                facts.append("withdrew from the operation")
            solara.Text(" · ".join(facts), style={"font-size": "0.85em", "color": "#374151"})
        Panels(charts.member_panels(snap, code), "member")


# --------------------------------------------------------------------------- chart views


@solara.component
def Panels(panels: list[str], name: str) -> None:
    """SVG panels side by side, wrapping to the next row when the width is full.

    Panels keep their own pixel size (never scaled down), so their text stays legible.
    """
    with solara.Div(classes=["alliancesim-view", f"view-{name}"],
                    style={"display": "flex", "flex-wrap": "wrap", "gap": "8px 16px",
                           "padding": "8px 4px", "overflow-x": "auto"}):
        for panel in panels:
            solara.HTML(tag="div", unsafe_innerHTML=panel, classes=["alliancesim-chart"])


@solara.component
def BurdenView(snap: Snapshot) -> None:
    """Burden by posture with the 2% line, the leader's share, and the numbers lessons use."""
    Panels(charts.burden_panels(snap), "burden")
    solara.HTML(tag="div", unsafe_innerHTML=charts.burden_table_html(snap),
                classes=["alliancesim-burden-table"])


@solara.component
def CapabilityView(snap: Snapshot) -> None:
    """Coverage of each capability area by ally, gaps per area, gap indices."""
    coverage, gaps, index = charts.capability_panels(snap)
    Panels([coverage], "coverage")
    Panels([gaps, index], "capabilities")


@solara.component
def OperationView(snap: Snapshot) -> None:
    """The operation: troops, contributors, defections and caveats."""
    Panels(charts.operation_panels(snap), "operation")


@solara.component
def OpinionView(snap: Snapshot) -> None:
    """Public support for the operation and for defence."""
    Panels(charts.opinion_panels(snap), "opinion")


@solara.component
def DownloadButtons(snap: Snapshot) -> None:
    """The run on screen (up to this year) as CSV tables, and how to run it again."""
    from ..results import provenance

    model = snap.model
    stem = f"{model.config.name}-seed{model.seed}-to{snap.year}"
    tables = {"timeseries": snap.results.timeseries, "members": snap.results.members,
              "capabilities": snap.results.capabilities}
    with solara.Column(classes=["alliancesim-download"], style={"padding": "8px"}):
        solara.Text(f"The tables of the run on screen, {snap.first_year}–{snap.year}, as CSV "
                    "files (the same columns as `alliancesim run` writes; README lists them).")
        for name, table in tables.items():
            solara.FileDownload(lambda table=table: table.to_csv(index=False),
                                filename=f"{stem}-{name}.csv",
                                label=f"Download {name}.csv ({len(table):,} rows)",
                                mime_type="text/csv")
        solara.FileDownload(lambda: json.dumps(provenance(model), indent=2, default=str),
                            filename=f"{stem}-run.json",
                            label="Download run.json (scenario, changes, seed, versions)",
                            mime_type="application/json")
