"""The browser app: a Solara page on Mesa's visualization machinery (view only).

Serve it with ``alliancesim viz`` (or ``solara run alliancesim.viz.app``). The sidebar holds
the run controls (Reset, Play/Pause, Step, the pause between years), the scenario menu and
seed, and the parameter panel; the main area holds the year banner, the alliance map and the
views as tabs. Views redraw when Mesa's ``update_counter`` changes, as in any SolaraViz page.

Why not ``SolaraViz`` itself: its controller steps the model from its play thread while the
views read the model, runs one more year after Pause (the sleeping thread wakes and takes
the single-step branch) and, after Reset during Play, steps the new model. The controller
here keeps Mesa's idioms (a reactive model, ``force_update``, keyword re-instantiation on
Reset) but stops its play thread before Pause or Reset return, only ever steps the model it
started with, and steps under the model's lock; the views draw immutable snapshots
(:meth:`~alliancesim.viz.factory.VizModel.snapshot`).

Plug-ins, used when their modules exist:

- ``alliancesim.viz.lessons.LESSON_PRESETS`` (name -> {"scenario", "overrides", "title"}):
  each preset becomes an entry ``Lesson: <title>`` of the scenario menu
  (see :func:`alliancesim.viz.factory.scenario_choices`).
- ``alliancesim.viz.play.PlayPanel(snapshot, controls)``: a tab "Play a member".
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from .about import AboutPanel
from .cli import SCENARIO_ENV
from .components import (
    BurdenView,
    CapabilityView,
    DownloadButtons,
    Guarded,
    MapCard,
    MemberCard,
    OperationView,
    OpinionView,
    YearBanner,
)
from .controls import ControlState, ParameterPanel, pending_inputs
from .factory import DEFAULT_SEED, Snapshot, VizModel, scenario_choices

TITLE = "alliancesim — burden-sharing in a military alliance"
#: Milliseconds between years when playing (the sidebar's slider changes it).
PLAY_INTERVAL_MS = 400
PLAY_INTERVAL_RANGE_MS = (50, 2000)
PLAY_INTERVAL_STEP_MS = 50
LOG = logging.getLogger("alliancesim.viz")

PAGE_CSS = """
.alliancesim-chart svg text { user-select: none; }
.alliancesim-tile .v-btn__content { flex-direction: column; }
.alliancesim-tile.v-btn::before { display: none; }
.alliancesim-tile:hover { filter: brightness(0.9); }
.alliancesim-parameters .v-input__slot { margin-bottom: 0 !important; }
.alliancesim-parameters .v-messages { display: none; }
.v-tooltip__content { max-width: 380px; font-size: 13px; }
.alliancesim-about h3 { font-size: 1.15em; font-weight: 700; margin: 12px 0 4px 0; }
.alliancesim-about strong { font-weight: 700; }
.alliancesim-about li { margin-bottom: 4px; }
.alliancesim-main { padding-bottom: 64px; }
.alliancesim-main .v-tab { min-width: 0; padding: 0 10px; letter-spacing: 0; }
"""


def initial_scenario() -> str:
    """The scenario the page opens with: ``$ALLIANCESIM_VIZ_SCENARIO`` or baseline."""
    wanted = os.environ.get(SCENARIO_ENV, "baseline")
    return wanted if wanted in scenario_choices() else "baseline"


def play_panel() -> Any:
    """The play-as-a-member panel component, if ``alliancesim.viz.play`` provides one."""
    try:
        module = importlib.import_module("alliancesim.viz.play")
    except ModuleNotFoundError as err:
        if err.name == "alliancesim.viz.play":
            return None
        raise
    return getattr(module, "PlayPanel", None)


class PlayLoop:
    """The play thread of one browser session: steps one model until told to stop.

    Each Play starts a run with its own stop event and the model on screen at that moment;
    Pause and Reset set the event and wait for a step under way to finish, so once they
    return no further year is run, and a run never steps a model it did not start with.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._stop.set()

    def run(self, model: VizModel, interval_s: Callable[[], float],
            on_end: Callable[[], None], on_error: Callable[[BaseException], None]) -> None:
        """Step ``model`` every ``interval_s()`` seconds until stopped or the run ends."""
        stop = self._stop = threading.Event()
        try:
            while not stop.wait(interval_s()):
                with model.lock:
                    if stop.is_set() or not model.running:
                        break
                    model.step()
                force_update()
                if not model.running:
                    break
        except Exception as err:
            LOG.exception("error while playing %s", model.choice.label)
            on_error(err)
        if not stop.is_set():  # the run ended by itself
            stop.set()
            on_end()

    def stop(self, model: VizModel) -> None:
        """Stop the run and wait for a step under way (under ``model.lock``) to finish."""
        self._stop.set()
        with model.lock:
            pass


def friendly_error(action: str, err: BaseException) -> str:
    """What the page says about an error: no message text, no server path."""
    return (f"Something went wrong while {action} ({type(err).__name__}). The details are "
            "in the server's log. Press Reset to start again.")


@solara.component
def Page() -> None:
    """The whole page: app bar, sidebar (controls, inputs, parameters) and the views."""
    scenario = solara.use_memo(initial_scenario, [])
    controls = solara.use_memo(lambda: ControlState.create(scenario=scenario), [])
    first = solara.use_memo(lambda: VizModel(scenario_name=scenario, seed=DEFAULT_SEED,
                                             controls=controls), [])
    model = solara.use_reactive(first)
    solara.Title("alliancesim")
    solara.Style(PAGE_CSS)
    # The page is drawn for a light background; the theme is fixed so that a browser or OS
    # set to dark mode (or a dark choice remembered from elsewhere) cannot hide text.
    solara.lab.theme.dark = False
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run", classes=["alliancesim-run-card"]):
            Controller(model, controls)
        with solara.Card("Scenario and seed", classes=["alliancesim-inputs-card"]):
            RunInputs(model.value, controls)
        with solara.Card("Behaviour parameters", classes=["alliancesim-parameter-card"]):
            Guarded(ParameterPanel, model.value, controls, name="the parameter panel")
    Guarded(Dashboard, model.value, controls, name="the page")


@solara.component
def Controller(model: solara.Reactive[VizModel], controls: ControlState) -> None:
    """Reset, Play/Pause and Step, the pause between years, and the run's errors."""
    update_counter.get()
    loop = solara.use_memo(PlayLoop, [])
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    error = solara.use_reactive(None)
    snap = model.value.snapshot()

    def play() -> None:
        if playing.value:
            loop.run(model.value, lambda: interval.value / 1000, lambda: playing.set(False),
                     lambda err: error.set(friendly_error("playing", err)))

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def toggle() -> None:
        if playing.value:
            loop.stop(model.value)
            playing.set(False)
        else:
            error.set(None)
            playing.set(True)

    def step() -> None:
        try:
            model.value.step()  # does nothing once the run has ended
        except Exception as err:
            LOG.exception("error in Step of %s", model.value.choice.label)
            error.set(friendly_error("running the year", err))
        force_update()

    def reset() -> None:
        loop.stop(model.value)
        playing.set(False)
        error.set(None)
        try:
            model.set(VizModel(scenario_name=controls.scenario.value,
                               seed=controls.seed.value, controls=controls))
        except Exception as err:
            LOG.exception("error in Reset")
            error.set(friendly_error("starting the run", err))
        force_update()

    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=reset, classes=["run-reset"])
        solara.Button("❚❚" if playing.value else "▶", color="primary", on_click=toggle,
                      disabled=not snap.running, classes=["run-play"])
        solara.Button("Step", color="primary", on_click=step,
                      disabled=playing.value or not snap.running, classes=["run-step"])
    low, high = PLAY_INTERVAL_RANGE_MS
    with solara.Div(classes=["run-interval"]):
        solara.SliderInt("Pause between years when playing", value=interval, min=low,
                         max=high, step=PLAY_INTERVAL_STEP_MS, thumb_label=False)
        solara.Text(f"{interval.value} ms ({1000 / interval.value:.1f} years a second at "
                    "most)", style={"font-size": "0.8em", "color": "#4b5563",
                                    "margin-top": "-14px"})
    if error.value:
        solara.Error(error.value, classes=["run-error"])


@solara.component
def RunInputs(model: VizModel, controls: ControlState) -> None:
    """The scenario menu and the seed field; they apply on Reset, and say so."""
    choices = list(scenario_choices())

    def choose(label: str) -> None:
        if label != controls.scenario.value and controls.overrides.value:
            controls.clear()  # a preset starts from its own values, never the last one's
            controls.dropped.set(True)
        controls.scenario.set(label)

    solara.Select(label="Scenario", values=choices, value=controls.scenario.value,
                  on_value=choose)
    solara.InputText("Seed (a whole number)", value=controls.seed, continuous_update=True)
    waiting = pending_inputs(model, controls)
    if waiting:
        solara.Warning(f"{' and '.join(waiting)} changed: press Reset to apply.", dense=True,
                       classes=["inputs-pending"])
    if controls.dropped.value:
        solara.Info("A new scenario starts from its own parameter values: your slider "
                    "changes were cleared.", dense=True, classes=["inputs-dropped"])


@solara.component
def Dashboard(model: VizModel, controls: ControlState) -> None:
    """Banner, then the map beside the views (as tabs), all drawn from one snapshot."""
    update_counter.get()
    snap = model.snapshot()
    selected = solara.use_reactive(None)
    tab = solara.use_reactive(1)
    colour_by = solara.use_reactive("declared")
    shade_by = solara.use_reactive("burden")

    def select(code: str | None) -> None:
        selected.set(code)
        if code is not None:
            tab.set(0)  # the ally's history opens beside the map, where the user looks

    with solara.Column(gap="10px", classes=["alliancesim-main"],
                       style={"padding": "4px 8px", "max-width": "1500px"}):
        Guarded(YearBanner, snap, name="the banner")
        with solara.Div(style={"display": "flex", "flex-wrap": "wrap", "gap": "8px",
                               "align-items": "flex-start"}):
            with solara.Div(style={"flex": "0 0 auto"}):
                Guarded(MapCard, snap, selected.value, select, colour_by, shade_by,
                        name="the map")
            with solara.Div(style={"flex": "1 1 470px", "min-width": "0"}):
                ViewTabs(snap, controls, selected, tab)


@solara.component
def ViewTabs(snap: Snapshot, controls: ControlState, selected: solara.Reactive[str | None],
             tab: solara.Reactive[int]) -> None:
    """One ally, burden, capabilities, operation, opinion, play, About, download."""
    PlayPanel = play_panel()
    with (solara.Card(margin=0, elevation=1, style={"padding": "0 8px 8px 8px"}),
          solara.lab.Tabs(value=tab.value, on_value=tab.set, lazy=True, color="#1f2937",
                          slider_color="#2563eb")):
        with solara.lab.Tab("Ally", classes=["tab-member"]):
            Guarded(MemberCard, snap, selected, name="the ally's history")
        with solara.lab.Tab("Burden", classes=["tab-burden"]):
            Guarded(BurdenView, snap, name="the burden view")
        with solara.lab.Tab("Capabilities", classes=["tab-capabilities"]):
            Guarded(CapabilityView, snap, name="the capabilities view")
        with solara.lab.Tab("Operation", classes=["tab-operation"]):
            Guarded(OperationView, snap, name="the operation view")
        with solara.lab.Tab("Opinion", classes=["tab-opinion"]):
            Guarded(OpinionView, snap, name="the opinion view")
        if PlayPanel is not None:
            with solara.lab.Tab("Play", classes=["tab-play"]):
                Guarded(PlayPanel, snap, controls, name="the play panel")
        with solara.lab.Tab("Download", classes=["tab-download"]):
            Guarded(DownloadButtons, snap, name="the download panel")
        with solara.lab.Tab("About", classes=["tab-about"]):
            AboutPanel()
