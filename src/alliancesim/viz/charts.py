"""The browser views' charts, redrawn every simulated year, as SVG text.

Each function takes the model and its result tables (``model.viz_results()``) and returns a
list of SVG panels that the page lays out side by side. The x axis always spans the whole
run, so a viewer watches the lines grow toward the end year; a thin line marks the current
year.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import CAPABILITY_AREAS, POSTURES
from ..plots import NORM_PCT, POSTURE_COLOURS
from . import svg
from .svg import LegendItem, Plot

if TYPE_CHECKING:
    from ..model import AllianceModel
    from .factory import Snapshot

#: Width of a chart panel, pixels: one fits beside the map on a 1366-pixel screen, two
#: on wider screens (panels are never scaled down, so their text stays legible).
PANEL_WIDTH = 430
#: Width of one ally's column in the coverage matrix, pixels.
COVERAGE_COLUMN_PX = 13
#: Opacity of the scenario's own run drawn behind a changed run.
REFERENCE_OPACITY = 0.35
REFERENCE_LABEL = "faint: the scenario's own run"
LEADER_COLOUR = "#111827"
EUROPE_COLOUR = "#2563eb"
GAP_COLOUR = "#dc2626"
CAVEAT_COLOUR = "#7c3aed"
#: Coverage matrix states (index = value in :func:`coverage_matrix`) and their colours.
COVERAGE_STATES = ("not held", "abandoned (cut)", "handed over (by design)", "held")
COVERAGE_COLOURS = ("#f3f4f6", "#dc2626", "#f59e0b", "#1f2937")
AREA_LABELS = [a.replace("_", " ").replace("isr", "ISR") for a in CAPABILITY_AREAS]


def _years(model: AllianceModel) -> tuple[int, int]:
    span = model.config.years
    return span.start, span.stop - 1


def _plot(model: AllianceModel, width: float, title: str, y_range: tuple[float, float],
          **kwargs) -> Plot:
    return Plot(width=width, height=kwargs.pop("height", 290), x_range=_years(model),
                y_range=y_range, title=title, **kwargs)


def reference_line(plot: Plot, xs, ys, colour: str, width: float = 2.0,
                   axis: int = 1, label: bool = False) -> None:
    """A series of the scenario's own run (same seed, no user changes), drawn faint."""
    plot.line(xs, ys, colour, width, axis=axis, opacity=REFERENCE_OPACITY,
              label=REFERENCE_LABEL if label else None,
              tooltip="the scenario's own run, same seed, without your changes")


def leaders(model: AllianceModel) -> list[str]:
    """Codes of the alliance leader(s) (one in every shipped scenario)."""
    return [c for c, lead in zip(model.codes, model.leader_mask, strict=True) if lead]


def posture_of(model: AllianceModel, code: str) -> str:
    """Declared posture of a member."""
    return model.postures[model.codes.index(code)]


# --------------------------------------------------------------------------- burden


def burden_panels(snap: Snapshot) -> list[str]:
    """Burden by declared posture (median and range) with the 2% line; who carries it."""
    model, res = snap.model, snap.results
    m = res.members
    lead = leaders(model)
    allies = m[~m["member"].isin(lead)]
    top = max(4.5, float(m["burden_pct"].max()) * 1.05) if not m.empty else 4.5
    plot = _plot(model, PANEL_WIDTH, "Defence spending by declared posture (leader apart)",
                 (0, top), y_label="% of GDP", y_format="percent")
    ref = snap.reference
    for posture in POSTURES:
        g = allies[allies["posture"] == posture].groupby("year")["burden_pct"]
        if g.ngroups == 0:
            continue
        colour = POSTURE_COLOURS[posture]
        plot.band(g.min().index, g.min().values, g.max().values, colour, 0.12)
        if ref is not None:
            rm = ref.members
            r = rm[(rm["posture"] == posture) & ~rm["member"].isin(lead)]
            r = r.groupby("year")["burden_pct"].median()
            reference_line(plot, r.index, r.values, colour, 2.5)
        plot.line(g.median().index, g.median().values, colour, 2.5,
                  label=f"{posture}s (median; band = range)",
                  tooltip=f"{posture}s, median burden")
    leader = m[m["member"].isin(lead)].groupby("year")["burden_pct"].mean()
    if not leader.empty:
        plot.line(leader.index, leader.values, LEADER_COLOUR, 1.5, dash="2 3", label="leader")
    plot.hline(NORM_PCT, "#111827", label="2% norm")
    if ref is not None:
        plot.legend_only(REFERENCE_LABEL, "#6b7280", REFERENCE_OPACITY)
    plot.marker(snap.year)
    ts = res.timeseries
    share = _plot(model, PANEL_WIDTH, "Who carries the burden", (0, 1), y_label="share")
    if ref is not None:
        rts = ref.timeseries
        reference_line(share, rts["year"], rts["leader_share"], LEADER_COLOUR, 2.5,
                       label=True)
        reference_line(share, rts["year"], rts["members_at_2pct"]
                       / rts["members"].replace(0, np.nan), "#059669")
    share.line(ts["year"], ts["leader_share"], LEADER_COLOUR, 2.5,
               label="leader's share of alliance spending")
    members = ts["members"].replace(0, np.nan)
    share.line(ts["year"], ts["members_at_2pct"] / members, "#059669", 2,
               label="share of allies at or above 2%")
    share.marker(snap.year)
    return [plot.render(), share.render()]


def burden_by_posture(snap: Snapshot) -> pd.DataFrame:
    """Mean and median burden per declared posture, this year and over the run so far.

    The leader is a row of its own, so the activists' figures are those of the chart (allies
    without the leader); lesson 1 quotes the mean over the run.
    """
    model, m = snap.model, snap.results.members
    lead = leaders(model)
    group = np.where(m["member"].isin(lead), "leader", m["posture"])
    frame = m.assign(group=group)
    order = [p for p in POSTURES if p in set(group)] + ["leader"]
    now = frame[frame["year"] == snap.year].groupby("group")["burden_pct"]
    run = frame.groupby("group")["burden_pct"]
    table = pd.DataFrame({"allies": now.size(), "median this year": now.median(),
                          "mean this year": now.mean(), "mean over the run": run.mean()})
    return table.reindex([g for g in order if g in table.index])


def burden_table_html(snap: Snapshot) -> str:
    """:func:`burden_by_posture` and the exploitation statistic, as a small HTML table."""
    table = burden_by_posture(snap)
    first = snap.first_year
    rows = "".join(
        f"<tr><td style='padding:1px 10px 1px 0'>{escape(str(group))}</td>"
        f"<td style='text-align:right;padding:1px 10px'>{int(row['allies'])}</td>"
        + "".join(f"<td style='text-align:right;padding:1px 10px'>{row[c]:.2f}%</td>"
                  for c in ("median this year", "mean this year", "mean over the run"))
        + "</tr>" for group, row in table.iterrows())
    ts = snap.results.timeseries
    rho_now = float(ts["exploitation_rho"].iloc[-1])
    rho_first = float(ts["exploitation_rho"].iloc[0])
    head = "".join(f"<th style='text-align:right;padding:1px 10px'>{h}</th>" for h in (
        "allies", f"median {snap.year}", f"mean {snap.year}", f"mean {first}–{snap.year}"))
    return (
        "<div style='font-size:13px;color:#111827;padding:0 4px 8px 4px'>"
        "<div style='font-weight:600;margin-bottom:2px'>Defence spending, % of GDP, by "
        "declared posture (the leader on its own row)</div>"
        f"<table class='burden-table' style='border-collapse:collapse'><tr><th></th>{head}"
        f"</tr>{rows}</table>"
        "<div style='margin-top:4px' class='exploitation'>Do large allies carry more? Rank "
        f"correlation of GDP with burden (exploitation statistic): {rho_now:+.2f} in "
        f"{snap.year} ({rho_first:+.2f} in {first}). Above 0: the larger an ally, the larger "
        "the share of its GDP it spends.</div></div>")


# --------------------------------------------------------------------------- capabilities


def coverage_matrix(snap: Snapshot) -> tuple[np.ndarray, list[str]]:
    """This year's state of every (area, member): an index into :data:`COVERAGE_STATES`.

    Members are ordered by declared posture, then code, so each posture reads as a block.
    """
    model, res = snap.model, snap.results
    cap = res.capabilities
    now = cap[cap["year"] == snap.year]
    order = sorted(now["member"].unique(),
                   key=lambda c: (POSTURES.index(posture_of(model, c)), c))
    if now.empty:
        return np.zeros((len(CAPABILITY_AREAS), 0), int), []
    state = np.select([now["held"], now["handed_over"], now["abandoned"]], [3, 2, 1], 0)
    table = (pd.DataFrame({"area": now["area"], "member": now["member"], "state": state})
             .pivot(index="area", columns="member", values="state")
             .reindex(index=list(CAPABILITY_AREAS), columns=order).fillna(0).astype(int))
    return table.to_numpy(), order


def capability_panels(snap: Snapshot) -> list[str]:
    """Coverage (who holds each area), the gap per area, and the gap indices over time."""
    model, res = snap.model, snap.results
    matrix, order = coverage_matrix(snap)
    # European providers as the outputs count them (`providers_<area>`): national holdings
    # viable on their own outside viable multinational units, plus one per such unit (the
    # 2012 fleets and smart-defence clusters), shown apart
    pooled = snap.cluster_units
    now_row = res.timeseries.iloc[-1]
    providers = [int(now_row[f"providers_{a}"]) - int(p)
                 for a, p in zip(CAPABILITY_AREAS, pooled, strict=True)]
    right = []
    for count, pool in zip(providers, pooled, strict=True):
        colour = GAP_COLOUR if count <= 1 else ("#b45309" if count == 2 else svg.MUTED)
        right.append((f"{count}" + (f" + {pool} pool" if pool else ""), colour))
    coverage = svg.matrix_chart(
        AREA_LABELS, order, matrix.tolist(), COVERAGE_COLOURS, COVERAGE_STATES,
        svg.MATRIX_MARGINS + COVERAGE_COLUMN_PX * max(len(order), 1),
        f"Coverage in {snap.year}: which allies hold each capability area",
        col_colours=[POSTURE_COLOURS[posture_of(model, c)] for c in order],
        right_labels=right, right_title="European\nholders",
        extra_legend=[LegendItem(f"{p} (label colour)", POSTURE_COLOURS[p], "line")
                      for p in POSTURES])
    ts = res.timeseries
    now, first = ts.iloc[-1], ts.iloc[0]
    gaps = svg.hbar_chart(
        AREA_LABELS, [float(now[f"gap_{a}"]) for a in CAPABILITY_AREAS], PANEL_WIDTH, 300,
        "Shortfall per area (0 = none, 1 = nothing held)", GAP_COLOUR, 1.0,
        markers=[float(first[f"gap_{a}"]) for a in CAPABILITY_AREAS],
        marker_label=str(int(first["year"])), value_label=str(snap.year))
    index = _plot(model, PANEL_WIDTH, "Capability shortfall against the target", (0, 1),
                  y_label="mean shortfall (0 = none)", height=300)
    if snap.reference is not None:
        rts = snap.reference.timeseries
        reference_line(index, rts["year"], rts["capability_gap_index"], LEADER_COLOUR,
                       label=True)
        reference_line(index, rts["year"], rts["capability_gap_index_europe"], GAP_COLOUR)
    index.line(ts["year"], ts["capability_gap_index"], LEADER_COLOUR, 2.5, label="whole alliance")
    index.line(ts["year"], ts["capability_gap_index_europe"], GAP_COLOUR, 2.5,
               label="allies without the leader")
    index.line(ts["year"], (ts["single_provider_areas"] + ts["uncovered_areas"])
               / len(CAPABILITY_AREAS), "#b45309", 1.5, dash="4 3",
               label="share of areas with at most 2 European holders")
    index.marker(snap.year)
    return [coverage, gaps, index.render()]


# --------------------------------------------------------------------------- operation


def operation_panels(snap: Snapshot) -> list[str]:
    """Troops against the requirement, troops by ally, contributors and defections, caveats."""
    model, res = snap.model, snap.results
    ts, m = res.timeseries, res.members
    years = ts["year"].to_numpy()
    lead = leaders(model)
    leader_troops = (m[m["member"].isin(lead)].groupby("year")["troops_deployed"].sum()
                     .reindex(years, fill_value=0.0).to_numpy())
    europe = ts["troops_deployed_europe"].to_numpy()
    others = np.maximum(ts["troops_deployed"].to_numpy() - leader_troops - europe, 0.0)
    partners = np.nan_to_num(snap.partner_troops)
    peak = float(max(ts["troop_requirement"].max(), (leader_troops + europe + others
                                                      + partners).max(), 1.0))
    force = _plot(model, PANEL_WIDTH, "Troops in the operation", (0, peak * 1.08), y_label="troops")
    force.stack(years, [(leader_troops, LEADER_COLOUR, "leader"),
                        (europe, EUROPE_COLOUR, "European allies"),
                        (others, "#93c5fd", "other allies"),
                        (partners, "#d1d5db", "partners")])
    force.line(years, ts["troop_requirement"], GAP_COLOUR, 1.5, dash="5 4", label="requirement")
    if snap.reference is not None:
        rts = snap.reference.timeseries
        reference_line(force, rts["year"], rts["troops_deployed"] + np.nan_to_num(partners),
                       LEADER_COLOUR, label=True)
    force.marker(snap.year)
    if not model.config.operation.enabled:
        force.note("no operation in this scenario")

    now = m[(m["year"] == snap.year) & ~m["member"].isin(lead)]
    now = now.sort_values(["troops_deployed", "member"], ascending=[False, True])
    deployed = now[now["troops_deployed"] > 0]
    withdrawn = now[now["withdrawn"]]["member"].tolist()
    note = (f"withdrawn: {', '.join(withdrawn)}" if withdrawn else "no ally has withdrawn")
    by_member = svg.column_chart(
        deployed["member"].tolist(), deployed["troops_deployed"].tolist(),
        [POSTURE_COLOURS[p] for p in deployed["posture"]], PANEL_WIDTH, 290,
        f"Allies' troops in {snap.year} (leader not shown)", note=note,
        note_colour=GAP_COLOUR if withdrawn else svg.MUTED,
        empty="no ally has troops deployed this year", unit="troops")

    cohesion = _plot(model, PANEL_WIDTH, "Contributors and defections",
                     (0, max(float(ts["contributors"].max()), 4.0) * 1.1), y_label="allies")
    if snap.reference is not None:
        rts = snap.reference.timeseries
        reference_line(cohesion, rts["year"], rts["contributors"], EUROPE_COLOUR, 2.5,
                       label=True)
        reference_line(cohesion, rts["year"], rts["defections"], GAP_COLOUR, 2.5)
    cohesion.line(years, ts["contributors"], EUROPE_COLOUR, 2.5, label="contributing allies")
    cohesion.line(years, ts["defections"], GAP_COLOUR, 2.5, label="defections (total)")
    cohesion.line(years, ts["coordinated_drawdowns"], svg.MUTED, 1.5, dash="5 4",
                  label="agreed drawdowns (total)")
    cohesion.marker(snap.year)
    caveat = _plot(model, PANEL_WIDTH, "Caveats: share of troops barred from combat", (0, 1),
                   y_label="share of troops")
    if snap.reference is not None:
        rts = snap.reference.timeseries
        reference_line(caveat, rts["year"], rts["mean_caveat"], CAVEAT_COLOUR, 2.5,
                       label=True)
    caveat.line(years, ts["mean_caveat"], CAVEAT_COLOUR, 2.5,
                label="average over contributing allies")
    caveat.marker(snap.year)
    return [force.render(), by_member, cohesion.render(), caveat.render()]


# --------------------------------------------------------------------------- opinion


def opinion_panels(snap: Snapshot) -> list[str]:
    """Public support for the operation (with casualties) and for defence (with threat)."""
    model, res = snap.model, snap.results
    m, ts = res.members, res.timeseries
    worst = float(ts["casualties"].max()) if len(ts) else 0.0
    operation = _plot(model, PANEL_WIDTH, "Support for the operation", (0, 1),
                      y_label="share in favour", y2_range=(0, max(10.0, worst * 3)),
                      y2_label="casualties")
    operation.bars(ts["year"], ts["casualties"], "#9ca3af", axis=2, opacity=0.45,
                   label="casualties (right axis)", unit="casualties")
    defence = _plot(model, PANEL_WIDTH, "Support for defence spending", (0, 1),
                    y_label="share in favour")
    for plot, column in ((operation, "support_operation"), (defence, "support_defence")):
        for k, posture in enumerate(POSTURES):
            if snap.reference is not None:
                rm = snap.reference.members
                r = rm[rm["posture"] == posture].groupby("year")[column].mean()
                reference_line(plot, r.index, r.values, POSTURE_COLOURS[posture], 2.5,
                               label=k == 0)
            g = m[m["posture"] == posture].groupby("year")[column].mean()
            if not g.empty:
                plot.line(g.index, g.values, POSTURE_COLOURS[posture], 2.5,
                          label=f"{posture} publics")
        plot.marker(snap.year)
    defence.line(ts["year"], ts["common_threat"], "#111827", 1.5, dash="2 3",
                 label="common threat (0 none, 1 highest)")
    return [operation.render(), defence.render()]


# --------------------------------------------------------------------------- one member


def member_panels(snap: Snapshot, code: str) -> list[str]:
    """One ally over time: burden, troops and caveat, public support, reputation and areas."""
    model, res = snap.model, snap.results
    m = res.members
    own = m[m["member"] == code].sort_values("year")
    colour = POSTURE_COLOURS[posture_of(model, code)]
    size = {"height": 160, "margin": (46, 44, 44, 24)}
    if own.empty:
        empty = _plot(model, PANEL_WIDTH, "Not a member yet", (0, 1), **size)
        return [empty.note("this ally joins later in the run").render()]
    years = own["year"]
    top = max(4.0, float(own["burden_pct"].max()) * 1.1)
    burden = _plot(model, PANEL_WIDTH, "Burden", (0, top), y_format="percent", **size)
    ref = None
    if snap.reference is not None:
        rm = snap.reference.members
        ref = rm[rm["member"] == code].sort_values("year")
        reference_line(burden, ref["year"], ref["burden_pct"], colour, 2.5, label=True)
    burden.line(years, own["burden_pct"], colour, 2.5, label="% of GDP")
    burden.hline(NORM_PCT, "#111827", label="2% norm")
    troops_max = max(float(own["troops_deployed"].max()), 10.0)
    troops = _plot(model, PANEL_WIDTH, "Troops deployed and caveat", (0, troops_max * 1.1),
                   y2_range=(0, 1), **size)
    troops.band(years, [0.0] * len(own), own["troops_deployed"], colour, 0.3)
    if ref is not None:
        reference_line(troops, ref["year"], ref["troops_deployed"], colour)
    troops.line(years, own["troops_deployed"], colour, 2, label="troops")
    troops.line(years, own["caveat"], CAVEAT_COLOUR, 1.5, dash="5 3", axis=2,
                label="share barred from combat (right axis)")
    support = _plot(model, PANEL_WIDTH, "Public support", (0, 1), **size)
    support.line(years, own["support_operation"], EUROPE_COLOUR, 2, label="for the operation")
    support.line(years, own["support_defence"], "#059669", 2, label="for defence")
    standing = _plot(model, PANEL_WIDTH, "Reputation and capability areas held", (0, 1),
                     y2_range=(0, len(CAPABILITY_AREAS)), **size)
    standing.line(years, own["reputation"], LEADER_COLOUR, 2, label="reputation")
    standing.line(years, own["areas_held"], "#b45309", 1.5, axis=2, step=True,
                  label="areas held (right axis)")
    panels = [burden, troops, support, standing]
    for p in panels:
        p.marker(snap.year)
    return [p.render() for p in panels]


def fmt_troops(value: float) -> str:
    """Troop numbers for labels: 0, 850, 4.6k."""
    if not math.isfinite(value) or value <= 0:
        return "0"
    return svg.fmt_number(round(value))
