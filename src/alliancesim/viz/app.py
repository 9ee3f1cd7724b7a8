"""The browser app: Mesa's SolaraViz page for the alliance model (view only).

Serve it with ``alliancesim viz`` (or ``solara run alliancesim.viz.app``). SolaraViz supplies
the app bar, the Step / Play / Reset controller with its speed slider, and the model inputs
(scenario menu, seed field); this module adds the alliance views in the main area and the
parameter panel in the sidebar.

Plug-ins, used when their modules exist:

- ``alliancesim.viz.lessons.LESSON_PRESETS`` (name -> {"scenario", "overrides", "title"}):
  each preset becomes an entry ``Lesson: <title>`` of the scenario menu
  (see :func:`alliancesim.viz.factory.scenario_choices`).
- ``alliancesim.viz.play.PlayPanel(model, controls)``: a tab "Play a member". ``model`` is the
  :class:`~alliancesim.viz.factory.VizModel` on screen; ``controls`` the session's
  :class:`~alliancesim.viz.controls.ControlState`, whose ``controlled_member`` the panel sets
  (it applies at the next Reset) and whose model's ``set_policy`` it calls before a Step.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import solara
import solara.lab
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from .about import AboutPanel
from .cli import SCENARIO_ENV
from .components import (
    BurdenView,
    CapabilityView,
    MapCard,
    MemberCard,
    OperationView,
    OpinionView,
    YearBanner,
)
from .controls import ControlState, ParameterPanel
from .factory import DEFAULT_SEED, VizModel, scenario_choices

TITLE = "alliancesim — burden-sharing in a military alliance"
#: Milliseconds between years when playing (the sidebar's Play Interval slider changes it).
PLAY_INTERVAL_MS = 400

PAGE_CSS = """
.alliancesim-chart svg text { user-select: none; }
.alliancesim-tile .v-btn__content { flex-direction: column; }
.alliancesim-tile.v-btn::before { display: none; }
.alliancesim-tile:hover { filter: brightness(0.9); }
.alliancesim-parameters .v-input__slot { margin-bottom: 0 !important; }
.alliancesim-parameters .v-messages { display: none; }
.v-tooltip__content { max-width: 380px; }
.alliancesim-about h3 { font-size: 1.15em; font-weight: 700; margin: 12px 0 4px 0; }
.alliancesim-about strong { font-weight: 700; }
.alliancesim-about li { margin-bottom: 4px; }
"""


def initial_scenario() -> str:
    """The scenario the page opens with: ``$ALLIANCESIM_VIZ_SCENARIO`` or baseline."""
    wanted = os.environ.get(SCENARIO_ENV, "baseline")
    return wanted if wanted in scenario_choices() else "baseline"


def model_params(controls: ControlState, scenario: str) -> dict[str, Any]:
    """SolaraViz inputs: the scenario menu and seed field (user inputs), the panel (fixed)."""
    return {
        "scenario_name": {"type": "Select", "value": scenario, "label": "Scenario",
                     "values": list(scenario_choices())},
        "seed": {"type": "InputText", "value": str(DEFAULT_SEED),
                 "label": "Seed (a whole number)"},
        "controls": controls,
    }


def play_panel() -> Any:
    """The play-as-a-member panel component, if ``alliancesim.viz.play`` provides one."""
    try:
        module = importlib.import_module("alliancesim.viz.play")
    except ModuleNotFoundError as err:
        if err.name == "alliancesim.viz.play":
            return None
        raise
    return getattr(module, "PlayPanel", None)


@solara.component
def Page() -> None:
    """The whole page: SolaraViz (app bar, controller, inputs) plus the alliance views."""
    overrides = solara.use_reactive({})
    controlled = solara.use_reactive(None)
    controls = solara.use_memo(lambda: ControlState(overrides, controlled), [])
    scenario = solara.use_memo(initial_scenario, [])
    first = solara.use_memo(lambda: VizModel(scenario_name=scenario, seed=DEFAULT_SEED,
                                             controls=controls), [])
    model = solara.use_reactive(first)
    solara.Title("alliancesim")
    solara.Style(PAGE_CSS)
    SolaraViz(model, components=[], model_params=model_params(controls, scenario), name=TITLE,
              play_interval=PLAY_INTERVAL_MS)
    Dashboard(model.value, controls)


@solara.component
def Dashboard(model: VizModel, controls: ControlState) -> None:
    """Banner, map and ally history side by side, then the views as tabs."""
    update_counter.get()
    selected = solara.use_reactive(None)
    colour_by = solara.use_reactive("declared")
    shade_by = solara.use_reactive("burden")
    SidebarParameters(model, controls)
    with solara.Column(gap="12px", style={"padding": "4px 8px 24px 8px", "max-width": "1400px"}):
        YearBanner(model)
        with solara.Div(style={"display": "flex", "flex-wrap": "wrap", "gap": "12px",
                               "align-items": "stretch"}):
            with solara.Div(style={"flex": "0 0 520px"}):
                MapCard(model, selected, colour_by, shade_by)
            with solara.Div(style={"flex": "1 1 380px", "min-width": "0"}):
                MemberCard(model, selected)
        ViewTabs(model, controls)


@solara.component
def SidebarParameters(model: VizModel, controls: ControlState) -> None:
    """The parameter panel, placed in the sidebar below SolaraViz's own cards."""
    with solara.Sidebar(), solara.Card("Behaviour parameters",
                                       classes=["alliancesim-parameter-card"]):
        ParameterPanel(model, controls)


@solara.component
def ViewTabs(model: VizModel, controls: ControlState) -> None:
    """Burden, capabilities, operation, opinion, About (and the play panel when present)."""
    tab, set_tab = solara.use_state(0)
    PlayPanel = play_panel()
    with (solara.Card(margin=0, elevation=1, style={"padding": "0 8px 8px 8px"}),
          solara.lab.Tabs(value=tab, on_value=set_tab, lazy=True, color="#1f2937",
                          slider_color="#2563eb")):
        with solara.lab.Tab("Burden", classes=["tab-burden"]):
            BurdenView(model)
        with solara.lab.Tab("Capabilities", classes=["tab-capabilities"]):
            CapabilityView(model)
        with solara.lab.Tab("Operation", classes=["tab-operation"]):
            OperationView(model)
        with solara.lab.Tab("Public opinion", classes=["tab-opinion"]):
            OpinionView(model)
        if PlayPanel is not None:
            with solara.lab.Tab("Play a member", classes=["tab-play"]):
                PlayPanel(model, controls)
        with solara.lab.Tab("About", classes=["tab-about"]):
            AboutPanel()
