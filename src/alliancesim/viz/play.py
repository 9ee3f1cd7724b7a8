"""The "Play a member" tab: a student steers one ally while the others follow their rules.

Pick an ally and take control (it applies at Reset); then, each year, set the ally's defence
burden, caveat, troops and whether to withdraw, press "Set my choices", and Step. The ally's
history grows below; "Debrief" compares the record with what the agent in that seat did in a
run with the same seed (:mod:`alliancesim.play`).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from ..config import ConfigError
from ..play import debrief
from .controls import ControlState

if TYPE_CHECKING:
    from .factory import VizModel

#: Highest burden the panel offers (% of GDP); the API accepts up to 15.
MAX_BURDEN_PCT = 6.0
HISTORY_COLUMNS = {"year": "year", "burden_pct": "burden %", "troops_deployed": "troops",
                   "caveat": "caveat", "withdrawn": "withdrawn", "reputation": "reputation",
                   "areas_held": "areas held", "casualties": "casualties",
                   "support_operation": "support"}


def table_html(frame: pd.DataFrame, css: str) -> str:
    """A small HTML table (no JavaScript, so it renders offline)."""
    head = "".join(f"<th style='padding:2px 8px;text-align:right'>{html.escape(str(c))}</th>"
                   for c in frame.columns)
    body = []
    for index, row in frame.iterrows():
        cells = [f"<td style='padding:2px 8px'><b>{html.escape(str(index))}</b></td>"]
        for value in row:
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
            cells.append(f"<td style='padding:2px 8px;text-align:right'>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<table class='{css}' style='border-collapse:collapse;font-size:0.85em'>"
            f"<tr><th></th>{head}</tr>{''.join(body)}</table>")


def member_history(model: VizModel, code: str) -> pd.DataFrame:
    """The controlled ally's rows of the members table, for display."""
    rows = model.results().members.query("member == @code")
    frame = rows[list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS).set_index("year")
    return frame.round(3)


@solara.component
def PlayPanel(model: VizModel, controls: ControlState) -> None:
    """Take control of an ally, set its choices each year, see its history, get a debrief."""
    update_counter.get()
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
        if code is not None:
            PlayerControls(model, code)


@solara.component
def PlayerControls(model: VizModel, code: str) -> None:
    """This year's choices for the controlled ally, its history and the debrief."""
    update_counter.get()
    i = list(model.codes).index(code)
    state = model.state
    burden = solara.use_reactive(round(float(100 * state.budget[i] / state.gdp[i]), 2))
    caveat = solara.use_reactive(round(float(state.caveat[i]), 2))
    troops = solara.use_reactive(int(state.troops[i]))
    withdraw = solara.use_reactive(False)
    message = solara.use_reactive("")
    show_debrief = solara.use_reactive(False)
    deployable = int(state.deployable[i])
    solara.Text(f"You are {model.data.name[i]} ({code}), a declared {model.postures[i]}. "
                f"Year {model.year}.", classes=["play-who"])
    with solara.Div(classes=["play-burden"]):
        solara.SliderFloat("Defence burden, % of GDP", value=burden, min=0.0,
                           max=MAX_BURDEN_PCT, step=0.05)
        solara.Text(f"{burden.value:.2f}% of GDP", classes=["play-burden-value"])
    with solara.Div(classes=["play-caveat"]):
        solara.SliderFloat("Caveat: share of your troops barred from combat", value=caveat,
                           min=0.0, max=1.0, step=0.05)
    with solara.Div(classes=["play-troops"]):
        solara.SliderInt(f"Troops in the operation (up to {deployable:,})",
                         value=min(troops.value, deployable), on_value=troops.set, min=0,
                         max=max(deployable, 1))
    solara.Checkbox(label="Withdraw from the operation", value=withdraw)

    def apply() -> None:
        try:
            model.set_policy(code, burden_pct=burden.value, caveat=caveat.value,
                             troops=float(min(troops.value, deployable)),
                             withdraw=withdraw.value)
        except ConfigError as err:
            message.set(str(err))
            return
        message.set(f"Choices set for {model.year + 1}: burden {burden.value:.2f}% of GDP, "
                    f"caveat {caveat.value:.2f}, {min(troops.value, deployable):,} troops"
                    f"{', withdraw' if withdraw.value else ''}. Press Step.")

    solara.Button("Set my choices for next year", color="primary", on_click=apply,
                  classes=["play-apply"])
    if message.value:
        solara.Text(message.value, classes=["play-message"])
    solara.HTML(tag="div", unsafe_innerHTML=table_html(member_history(model, code),
                                                       "play-history"))
    solara.Button("Debrief: compare with the agent", on_click=lambda: show_debrief.set(True),
                  classes=["play-debrief-button"])
    if show_debrief.value:
        report = debrief(model)
        solara.HTML(tag="div", unsafe_innerHTML=table_html(report.summary.round(3),
                                                           "play-debrief"))
