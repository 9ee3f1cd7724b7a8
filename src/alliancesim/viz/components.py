"""The page's views as Solara components: year banner, alliance map, one ally's history, charts.

Every component that shows model state reads Mesa's ``update_counter`` so it redraws after each
Step; the numbers come from ``model.viz_results()`` (the run's tidy tables, computed once per
year) and the drawing from :mod:`.charts` and :mod:`.tilemap`. Nothing here changes the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import solara
from mesa.visualization.utils import update_counter

from ..config import POSTURES
from ..plots import NORM_PCT, POSTURE_COLOURS
from . import charts, tilemap

if TYPE_CHECKING:
    import pandas as pd

    from .factory import VizModel

#: Map colouring and shading options: value -> button label.
COLOUR_MODES = {"declared": "Declared", "revealed": "Revealed"}
SHADE_MODES = {"burden": "Burden", "troops": "Troops"}
#: Burden at which a tile is fully shaded.
BURDEN_FULL_SCALE_PCT = 4.0
#: Troops at which a tile is fully shaded (log scale: 10, 100, 1k, 10k, 100k).
TROOPS_FULL_SCALE = 100_000
TILE_PX = 50
TILE_GAP_PX = 4
MUTED = "#6b7280"


def _this_year(model: VizModel) -> pd.DataFrame:
    members = model.viz_results().members
    return members[members["year"] == model.year].set_index("member")


def troops_intensity(troops: float) -> float:
    """Shade for a troop number on a log scale (0 troops = palest, 100,000 = full)."""
    if not math.isfinite(troops) or troops <= 0:
        return 0.0
    return min(math.log10(1.0 + troops) / math.log10(1.0 + TROOPS_FULL_SCALE), 1.0)


def fmt_troops(troops: float) -> str:
    """4600 -> '4.6k', 850 -> '850', 0 -> '0'."""
    return charts.fmt_troops(troops)


# --------------------------------------------------------------------------- banner


def headline_stats(model: VizModel) -> list[tuple[str, str, str]]:
    """The banner's numbers for this year: (css slug, label, value)."""
    now = model.viz_results().timeseries.iloc[-1]
    stats = [
        ("Leader's share of spending", f"{now['leader_share']:.0%}"),
        ("Allies at 2%", f"{int(now['members_at_2pct'])} of {int(now['members'])}"),
        ("Mean burden", f"{now['mean_burden_pct']:.2f}% of GDP"),
        ("Capability gap index", f"{now['capability_gap_index']:.2f}"),
        ("Areas with ≤1 European holder",
         f"{int(now['single_provider_areas'] + now['uncovered_areas'])}"),
        ("Contributing allies", f"{int(now['contributors'])}"),
        ("Defections", f"{int(now['defections'])}"),
        ("Support for the operation", f"{now['mean_support_operation']:.2f}"),
    ]
    return [(_slug(label), label, value) for label, value in stats]


def _slug(label: str) -> str:
    return (label.lower().replace("'", "").replace("≤", "le").replace("%", "pct")
            .replace(" ", "-"))


def banner_html(model: VizModel) -> str:
    """The banner as one HTML block, so the year and its numbers always change together."""
    first, last = model.config.run.start_year, model.config.run.end_year
    progress = ("the run has ended — press Reset to start again" if not model.running
                else f"year {model.year - first + 1} of {last - first + 1} ({first}–{last})")
    parts = [
        "<div style='display:flex;flex-wrap:wrap;align-items:baseline;column-gap:16px'>",
        f"<span class='alliancesim-year' style='font-size:28px;font-weight:700;"
        f"color:#111827'>Year: {model.year}</span>",
        f"<span style='color:{MUTED}'>{escape(progress)}</span>",
        f"<span class='alliancesim-scenario' style='font-weight:600'>"
        f"{escape(model.choice.label)} · seed {model.seed}</span>",
    ]
    if model.controlled_member:
        parts.append(f"<span style='color:#b45309;font-weight:600'>you control "
                     f"{escape(model.controlled_member)}</span>")
    parts.append("</div>")
    if model.choice.description:
        parts.append(f"<div style='color:#374151'>{escape(model.choice.description)}</div>")
    if model.overrides:
        changed = ", ".join(f"{k} = {v}" for k, v in sorted(model.overrides.items()))
        parts.append(f"<div class='alliancesim-overrides' style='color:#b45309;"
                     f"font-size:0.9em'>Changed from the scenario: {escape(changed)}</div>")
    parts.append("<div style='display:flex;flex-wrap:wrap;gap:8px;margin-top:8px'>")
    for slug, label, value in headline_stats(model):
        parts.append(
            f"<div class='alliancesim-stat stat-{slug}' style='background:#f9fafb;"
            f"border:1px solid #e5e7eb;border-radius:6px;padding:4px 10px'>"
            f"<div style='font-size:0.75em;color:{MUTED}'>{escape(label)}</div>"
            f"<div class='stat-value' style='font-weight:700'>{escape(value)}</div></div>")
    parts.append("</div>")
    return "".join(parts)


@solara.component
def YearBanner(model: VizModel) -> None:
    """The simulated year (``Year: NNNN``), the scenario, headline numbers and notices."""
    update_counter.get()
    with solara.Card(margin=0, elevation=1, classes=["alliancesim-banner"],
                     style={"padding": "10px 16px"}):
        solara.HTML(tag="div", unsafe_innerHTML=banner_html(model),
                    classes=["alliancesim-banner-text"])
        for notice in model.notices:
            solara.Warning(notice, dense=True, classes=["alliancesim-notice"])


# --------------------------------------------------------------------------- map


@solara.component
def MapCard(model: VizModel, selected: solara.Reactive[str | None],
            colour_by: solara.Reactive[str], shade_by: solara.Reactive[str]) -> None:
    """The alliance map with its colour and shade switches and legend."""
    with solara.Card(margin=0, elevation=1, classes=["alliancesim-map"],
                     style={"padding": "10px 12px", "height": "100%"}):
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
        TileMap(model, colour_by.value, shade_by.value, selected.value, selected.set)
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
def TileMap(model: VizModel, colour_by: str, shade_by: str, selected: str | None,
            on_select: Callable[[str | None], None]) -> None:
    """One clickable tile per ally at its cell of ``model.grid`` (a Mesa space)."""
    update_counter.get()
    now = _this_year(model)
    on_grid = tilemap.tiles_on_grid(model.grid)
    cols, rows = tilemap.GRID_SIZE
    leader_codes = set(charts.leaders(model))
    with solara.Div(classes=["alliancesim-tilemap"], style={
            "display": "grid", "grid-template-columns": f"repeat({cols}, {TILE_PX}px)",
            "grid-template-rows": f"repeat({rows}, {TILE_PX}px)", "gap": f"{TILE_GAP_PX}px",
            "margin": "10px 0", "position": "relative"}):
        for code, (col, row) in model.tile_positions.items():
            member = code in on_grid and code in now.index
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
                       f"{info['revealed_posture']} in {model.year}; burden "
                       f"{info['burden_pct']:.2f}% of GDP; {fmt_troops(info['troops_deployed'])}"
                       f" troops deployed" + ("; withdrew from the operation"
                                              if info["withdrawn"] else ""))
            else:
                fill, value, mark = "#ffffff", "", ""
                joined = int(model.data.joined[model.codes.index(code)])
                tip = f"{name} ({code}) — joins the alliance in {joined}"
            solara.Button(
                children=[solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<div style='font-weight:700;font-size:13px;line-height:15px'>{code}"
                    f"<span style='font-size:10px'>{mark}</span></div>"
                    f"<div style='font-size:10px;line-height:12px'>{value}</div>"))],
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
        f"</span><span style='font-size:11px'>{label}</span>" for t, label in steps)
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<div style='font-size:12px;color:#374151'>{''.join(parts)}"
        f"<span style='margin-left:12px'>★ leader · ✕ withdrew</span></div>"
        f"<div style='font-size:12px;color:#374151;margin-top:4px'>shade: {scale} {ramp}</div>"
        "<div style='font-size:12px;color:#6b7280;margin-top:4px'>Click a tile to follow "
        "that ally; a dashed tile joins later.</div>"), classes=["alliancesim-map-legend"])


# --------------------------------------------------------------------------- one member


@solara.component
def MemberCard(model: VizModel, selected: solara.Reactive[str | None]) -> None:
    """The history of the ally clicked on the map."""
    update_counter.get()
    code = selected.value if selected.value in model.codes else None
    with solara.Card(margin=0, elevation=1, classes=["alliancesim-member"],
                     style={"padding": "10px 12px", "height": "100%"}):
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
        now = _this_year(model)
        with solara.Row(style={"align-items": "baseline", "justify-content": "space-between"}):
            solara.Text(f"{name} ({code})", classes=["alliancesim-member-name"],
                        style={"font-weight": "700", "font-size": "1.1em"})
            solara.Button("Close", on_click=lambda: selected.set(None), text=True, small=True)
        if code in now.index:
            info = now.loc[code]
            facts = [f"declared {info['posture']}",
                     f"behaves as {info['revealed_posture']} in {model.year}",
                     f"burden {info['burden_pct']:.2f}% of GDP",
                     f"{fmt_troops(info['troops_deployed'])} troops deployed",
                     f"caveat {info['caveat']:.2f}",
                     f"{int(info['areas_held'])} capability areas held",
                     f"reputation {info['reputation']:.2f}"]
            if info["withdrawn"]:
                facts.append("withdrew from the operation")
            solara.Text(" · ".join(facts), style={"font-size": "0.85em", "color": "#374151"})
        for panel in charts.member_panels(model, model.viz_results(), code):
            solara.HTML(tag="div", unsafe_innerHTML=panel, classes=["alliancesim-chart"])


# --------------------------------------------------------------------------- chart views


@solara.component
def Panels(panels: list[str], columns: str, name: str) -> None:
    """SVG panels in a CSS grid (``columns`` is a grid-template-columns value)."""
    with solara.Div(classes=["alliancesim-view", f"view-{name}"],
                    style={"display": "grid", "grid-template-columns": columns,
                           "gap": "8px 16px", "padding": "8px 4px"}):
        for panel in panels:
            solara.HTML(tag="div", unsafe_innerHTML=panel, classes=["alliancesim-chart"])


@solara.component
def BurdenView(model: VizModel) -> None:
    """Burden by posture with the 2% line, and the leader's share."""
    update_counter.get()
    Panels(charts.burden_panels(model, model.viz_results()), "600fr 400fr", "burden")


@solara.component
def CapabilityView(model: VizModel) -> None:
    """Coverage of each capability area by ally, gaps per area, gap indices."""
    update_counter.get()
    coverage, gaps, index = charts.capability_panels(model, model.viz_results())
    Panels([coverage], "1fr", "coverage")
    Panels([gaps, index], "440fr 560fr", "capabilities")


@solara.component
def OperationView(model: VizModel) -> None:
    """The operation: troops, contributors, defections and caveats."""
    update_counter.get()
    Panels(charts.operation_panels(model, model.viz_results()), "1fr 1fr", "operation")


@solara.component
def OpinionView(model: VizModel) -> None:
    """Public support for the operation and for defence."""
    update_counter.get()
    Panels(charts.opinion_panels(model, model.viz_results()), "1fr 1fr", "opinion")
