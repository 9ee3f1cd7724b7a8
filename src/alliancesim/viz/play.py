"""The "Play a member" tab: a student steers one ally while the others follow their rules.

Pick an ally and take control (it applies at Reset); then, each year, set the ally's defence
burden, caveat, troops and whether to withdraw, press "Set my choices", and Step. A year the
student sets nothing for is decided by the agent in that seat, and the panel says so. The
ally's record grows below; "Debrief" compares it with what the agent in that seat did in a
run with the same seed (:mod:`alliancesim.play`), as a chart and a table.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import force_update

from ..config import ConfigError
from ..play import debrief
from .charts import CAVEAT_COLOUR, LEADER_COLOUR, PANEL_WIDTH, _plot
from .controls import ControlState, nice_step

if TYPE_CHECKING:
    from .factory import PlayerState, Snapshot

#: Highest burden the panel offers (% of GDP); the API accepts up to 15.
MAX_BURDEN_PCT = 6.0
#: Record columns: members-table column -> (heading, decimals; 0 = a whole number).
HISTORY_COLUMNS = {"burden_pct": ("burden, % of GDP", 2), "troops_deployed": ("troops", 0),
                   "caveat": ("caveat", 2), "withdrawn": ("withdrawn", None),
                   "reputation": ("reputation", 2), "areas_held": ("areas held", 0),
                   "casualties": ("casualties", 0), "support_operation": ("support", 2)}
#: Debrief rows that count things (shown as whole numbers).
COUNT_ROWS = ("mean troops deployed", "capability areas held at the end", "total casualties")


def _cell(value: object, decimals: int | None) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, str) or decimals is None:
        return html.escape(str(value))
    if pd.isna(value):
        return "–"
    if decimals == 0:
        return f"{round(float(value)):,}"
    return f"{float(value):,.{decimals}f}"


def table_html(frame: pd.DataFrame, css: str, decimals: dict[str, int | None]) -> str:
    """A small HTML table (no JavaScript, so it renders offline); counts as whole numbers."""
    head = "".join(f"<th style='padding:2px 8px;text-align:right'>{html.escape(str(c))}</th>"
                   for c in frame.columns)
    body = []
    for index, row in frame.iterrows():
        cells = [f"<td style='padding:2px 8px'><b>{html.escape(str(index))}</b></td>"]
        for column, value in row.items():
            digits = decimals.get(str(index), decimals.get(str(column), 2))
            cells.append(f"<td style='padding:2px 8px;text-align:right'>"
                         f"{_cell(value, digits)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<table class='{css}' style='border-collapse:collapse;font-size:13px;"
            f"color:#111827'><tr><th></th>{head}</tr>{''.join(body)}</table>")


def member_history(snap: Snapshot, code: str) -> pd.DataFrame:
    """The controlled ally's record, year by year, with who chose each year's values."""
    rows = snap.results.members.query("member == @code").set_index("year")
    frame = rows[list(HISTORY_COLUMNS)].rename(
        columns={k: heading for k, (heading, _d) in HISTORY_COLUMNS.items()})
    chosen = {entry.year: entry.chosen_by for entry in snap.player.log} if snap.player else {}
    first = snap.first_year
    frame.insert(0, "chosen by", [chosen.get(y, "data" if y == first else "the agent")
                                  for y in frame.index])
    return frame


def history_decimals() -> dict[str, int | None]:
    out: dict[str, int | None] = {heading: d for heading, d in HISTORY_COLUMNS.values()}
    out["chosen by"] = None
    return out


def describe_pending(player: PlayerState, next_year: int) -> str:
    """What Step will do for the student's ally next year, in words."""
    if not player.pending:
        return (f"Nothing set for {next_year}: if you press Step now, the agent in your seat "
                "decides for you.")
    parts = []
    if "burden_pct" in player.pending:
        parts.append(f"burden {player.pending['burden_pct']:.2f}% of GDP")
    if "caveat" in player.pending:
        parts.append(f"{player.pending['caveat']:.0%} of troops barred from combat")
    if "troops" in player.pending:
        parts.append(f"{round(player.pending['troops']):,} troops")
    if player.pending.get("withdraw"):
        parts.append("withdraw from the operation")
    return f"Your choices for {next_year}: {', '.join(parts)}. Press Step to play the year."


def last_year_text(snap: Snapshot) -> str:
    """Who decided the last finished year, and what the ally ended up with."""
    player = snap.player
    if player is None or not player.log:
        return ""
    last = player.log[-1]
    who = "you chose" if last.chosen_by == "you" else "you set nothing, so the agent chose"
    return (f"In {last.year} {who}: burden {player.burden_pct:.2f}% of GDP, "
            f"{player.troops:,} troops, {player.caveat:.0%} of them barred from combat"
            + (", withdrawn from the operation" if player.withdrawn else "") + ".")


@solara.component
def PlayPanel(snap: Snapshot, controls: ControlState) -> None:
    """Take control of an ally, set its choices each year, see its record, get a debrief."""
    model = snap.model
    codes = list(model.codes)
    pick = solara.use_reactive(controls.controlled_member.value or codes[0])
    code = model.controlled_member
    with solara.Column(classes=["alliancesim-play"], style={"padding": "8px"}):
        solara.Text("Steer one ally yourself; the others follow their rules.")
        if code is None or pick.value != code:
            solara.Select(label="Ally to play", values=codes, value=pick.value,
                          on_value=pick.set)
            solara.Button("Take control", color="primary",
                          on_click=lambda: controls.controlled_member.set(pick.value),
                          classes=["play-take-control"])
            waiting = controls.controlled_member.value
            if waiting is not None and waiting != code:
                solara.Text(f"{waiting} will be yours after Reset.", classes=["play-waiting"])
        if code is not None and snap.player is not None:
            PlayerControls(snap, snap.player)


@solara.component
def PlayerControls(snap: Snapshot, player: PlayerState) -> None:
    """Next year's choices for the controlled ally, its record and the debrief."""
    model = snap.model
    code = player.code
    i = list(model.codes).index(code)
    burden = solara.use_reactive(round(player.burden_pct, 2))
    caveat = solara.use_reactive(round(player.caveat, 2))
    troops = solara.use_reactive(player.troops)
    withdraw = solara.use_reactive(False)
    message = solara.use_reactive("")
    show_debrief = solara.use_reactive(False)
    deployable = player.deployable
    next_year = snap.year + 1
    can_send = not player.withdrawn and player.operation_running
    solara.Text(f"You are {model.data.name[i]} ({code}), a declared {model.postures[i]}. "
                f"Last finished year: {snap.year}.", classes=["play-who"])
    if snap.running:
        solara.Text(last_year_text(snap), classes=["play-last"])
        solara.Info(describe_pending(player, next_year), dense=True, classes=["play-pending"])
    else:
        solara.Text("The run has ended: see the debrief below.", classes=["play-ended"])
    with solara.Div(classes=["play-burden"]):
        solara.SliderFloat(f"Defence burden in {next_year}, % of GDP", value=burden, min=0.0,
                           max=MAX_BURDEN_PCT, step=0.05)
        solara.Text(f"{burden.value:.2f}% of GDP", classes=["play-burden-value"])
    with solara.Div(classes=["play-caveat"]):
        solara.SliderFloat("Caveat: share of your troops barred from combat", value=caveat,
                           min=0.0, max=1.0, step=0.05)
        solara.Text(f"{caveat.value:.0%} barred from combat", classes=["play-caveat-value"])
    with solara.Div(classes=["play-troops"]):
        if player.withdrawn:
            solara.Text(f"{code} has withdrawn from the operation: it cannot send troops "
                        "again.", classes=["play-withdrawn"])
        elif not player.operation_running:
            solara.Text(f"There is no operation in {next_year}: nobody sends troops.",
                        classes=["play-no-operation"])
        else:
            step = max(int(nice_step(0, max(deployable, 1))), 1)
            solara.SliderInt(f"Troops in the operation (up to {deployable:,})",
                             value=min(troops.value, deployable), on_value=troops.set, min=0,
                             max=max(deployable, 1), step=step)
            solara.Text(f"{min(troops.value, deployable):,} troops",
                        classes=["play-troops-value"])
            solara.Checkbox(label="Withdraw from the operation (for good)", value=withdraw)

    def apply() -> None:
        sent = float(min(troops.value, deployable)) if can_send else None
        try:
            model.set_policy(code, burden_pct=burden.value, caveat=caveat.value,
                             troops=sent, withdraw=withdraw.value if can_send else None)
        except ConfigError as err:
            message.set(str(err))
            return
        message.set("")
        force_update()

    solara.Button(f"Set my choices for {next_year}", color="primary", on_click=apply,
                  disabled=not snap.running, classes=["play-apply"])
    if message.value:
        solara.Text(message.value, classes=["play-message"])
    solara.HTML(tag="div", unsafe_innerHTML=table_html(member_history(snap, code),
                                                       "play-history", history_decimals()))
    solara.Button("Debrief: compare with the agent", on_click=lambda: show_debrief.set(True),
                  classes=["play-debrief-button"])
    if show_debrief.value:
        Debrief(snap)


def debrief_chart(by_year: pd.DataFrame, snap: Snapshot) -> str:
    """Year by year: the student's burden and troops against the agent's in the same seat."""
    top = max(float(by_year["burden_pct"].max().max()) * 1.15, 3.0)
    troops_top = max(float(by_year["troops_deployed"].max().max()), 10.0) * 1.1
    plot = _plot(snap.model, PANEL_WIDTH, "You against the agent in your seat",
                 (0, top), y_label="% of GDP", y_format="percent", y2_range=(0, troops_top),
                 y2_label="troops", height=260)
    years = by_year.index
    plot.line(years, by_year[("burden_pct", "you")], LEADER_COLOUR, 2.5, label="your burden")
    plot.line(years, by_year[("burden_pct", "agent")], LEADER_COLOUR, 2, dash="5 4",
              label="agent's burden")
    plot.line(years, by_year[("troops_deployed", "you")], CAVEAT_COLOUR, 2.5, axis=2,
              label="your troops (right axis)")
    plot.line(years, by_year[("troops_deployed", "agent")], CAVEAT_COLOUR, 2, dash="5 4",
              axis=2, label="agent's troops (right axis)")
    plot.marker(snap.year)
    return plot.render()


@solara.component
def Debrief(snap: Snapshot) -> None:
    """The debrief: chart, summary table and year-by-year table."""
    model = snap.model
    with model.lock:  # the agent's run is rerun to the year on screen
        report = debrief(model)
    by_year = report.by_year
    solara.HTML(tag="div", unsafe_innerHTML=debrief_chart(by_year, snap),
                classes=["alliancesim-chart", "play-debrief-chart"])
    summary = report.summary
    decimals: dict[str, int | None] = {label: 0 for label in COUNT_ROWS}
    decimals["withdrew unilaterally"] = 0
    solara.HTML(tag="div", unsafe_innerHTML=table_html(summary, "play-debrief", decimals))
    wide = pd.DataFrame({
        "your burden %": by_year[("burden_pct", "you")],
        "agent's burden %": by_year[("burden_pct", "agent")],
        "your troops": by_year[("troops_deployed", "you")],
        "agent's troops": by_year[("troops_deployed", "agent")],
        "your casualties": by_year[("casualties", "you")],
        "agent's casualties": by_year[("casualties", "agent")],
    })
    counts: dict[str, int | None] = {c: 0 for c in wide.columns if "burden" not in c}
    solara.HTML(tag="div", unsafe_innerHTML=table_html(wide, "play-debrief-years", counts))
