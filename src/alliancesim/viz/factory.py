"""The model as the browser app builds it: keyword inputs in, an AllianceModel out.

Mesa's SolaraViz makes a new model on Reset by calling the model's class with the page's
inputs as keyword arguments. :class:`VizModel` is that class: it turns the scenario menu,
the seed field and the parameter panel into a validated config and runs the ordinary
:class:`~alliancesim.model.AllianceModel` — nothing in the yearly cycle changes, so a run in
the browser is the same run as on the command line with the same scenario, overrides and seed.

The page steps the model from a play thread while the views draw it from the server's
event thread. The views therefore never read the model itself: they draw a
:class:`Snapshot`, an immutable copy of one finished year taken under the model's lock, and a
step holds that lock, so a view never sees half a year.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import ConfigError, list_scenarios, load_scenario
from ..model import AllianceModel
from . import tilemap

if TYPE_CHECKING:
    from ..results import Results
    from .controls import ControlState

#: Menu entries for lesson presets start with this.
LESSON_PREFIX = "Lesson: "
DEFAULT_SEED = 1
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Choice:
    """One entry of the scenario menu: a shipped scenario, or a lesson preset built on one."""

    label: str
    scenario: str
    overrides: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    lesson: str | None = None
    #: What to look at in the page (lesson presets): shown under the banner.
    watch: str = ""


def lesson_presets() -> dict[str, dict[str, Any]]:
    """The teaching presets of ``alliancesim.viz.lessons`` (empty when that module is absent)."""
    try:
        module = importlib.import_module("alliancesim.viz.lessons")
    except ModuleNotFoundError as err:
        if err.name == "alliancesim.viz.lessons":
            return {}
        raise
    return dict(getattr(module, "LESSON_PRESETS", {}))


def scenario_choices() -> dict[str, Choice]:
    """Menu label -> choice: every shipped scenario, then every lesson preset."""
    scenarios = list_scenarios()
    choices = {name: Choice(name, name, {}, description) for name, description in
               scenarios.items()}
    for key, preset in lesson_presets().items():
        label = LESSON_PREFIX + str(preset.get("title", key))
        scenario = str(preset.get("scenario", "baseline"))
        description = str(preset.get("description", "") or scenarios.get(scenario, ""))
        choices[label] = Choice(label, scenario, dict(preset.get("overrides", {})),
                                description, lesson=key,
                                watch=str(preset.get("what_to_watch", "")))
    return choices


def parse_seed(text: Any) -> int:
    """The seed typed in the seed field as an int.

    Raises:
        ConfigError: if it is not a whole number from 0 to 2**32 - 1.
    """
    raw = str(text).strip()
    try:
        seed = int(raw)
    except ValueError:
        raise ConfigError(f"seed '{raw}' is not a whole number; type one from 0 to "
                          f"{MAX_SEED}") from None
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"seed {seed} is out of range; type one from 0 to {MAX_SEED}")
    return seed


@dataclass(frozen=True)
class PlayerYear:
    """What the controlled member did in one simulated year, and who chose it."""

    year: int
    chosen_by: str  # "you" or "the agent"


@dataclass(frozen=True)
class PlayerState:
    """The controlled member's position after the last finished year (for the play panel)."""

    code: str
    burden_pct: float
    caveat: float
    troops: int
    deployable: int
    withdrawn: bool
    operation_running: bool
    log: tuple[PlayerYear, ...]
    #: Choices set for the next year and not yet used (None: the agent will decide).
    pending: dict[str, Any] | None


@dataclass(frozen=True)
class Snapshot:
    """One finished year of a :class:`VizModel`, for the views: nothing in it changes.

    ``model`` is there for what does not change during a run (codes, names, postures,
    config, the chosen scenario, notices); everything that changes from year to year is a
    field of the snapshot.
    """

    model: VizModel
    year: int
    running: bool
    results: Results
    #: Viable multinational units per capability area this year.
    cluster_units: np.ndarray
    #: Troops of non-member partners in the operation, per year so far.
    partner_troops: np.ndarray
    #: The scenario's own run (no user changes, same seed) to the same year, when the user
    #: changed parameters; None otherwise.
    reference: Results | None
    player: PlayerState | None

    @property
    def first_year(self) -> int:
        return self.model.config.run.start_year

    @property
    def last_year(self) -> int:
        return self.model.config.run.end_year


class VizModel(AllianceModel):
    """An :class:`AllianceModel` made from the browser's inputs, with a tile-grid map.

    Args:
        scenario_name: a label of :func:`scenario_choices` (a scenario name or a lesson
            preset). Not called ``scenario``: Mesa reserves that name for its own scenario
            objects and would replace the value on Reset.
        seed: the seed field's text (or an int).
        controls: the parameter panel's state; its overrides and controlled member apply.

    An input that cannot be used (a seed that is not a number, an override the scenario
    rejects, a controlled member that is not in this scenario) is not applied: the model is
    built without it and the reason is kept in :attr:`notices`, which the page shows.

    Examples:
        >>> model = VizModel(scenario_name="classroom", seed="3")
        >>> model.step()
        >>> model.year
        2021
    """

    def __init__(self, scenario_name: str = "baseline", seed: int | str = DEFAULT_SEED,
                 controls: ControlState | None = None) -> None:
        notices: list[str] = []
        choices = scenario_choices()
        choice = choices.get(scenario_name)
        if choice is None:
            notices.append(f"unknown scenario '{scenario_name}'; showing baseline instead")
            choice = choices["baseline"]
        try:
            seed_value = parse_seed(seed)
        except ConfigError as err:
            notices.append(f"{err} — using seed {DEFAULT_SEED}")
            seed_value = DEFAULT_SEED
        user = controls.current_overrides() if controls is not None else {}
        config = self._config(choice, user, notices)
        controlled = controls.current_controlled_member() if controls is not None else None
        if controlled is not None and controlled not in self._codes_of(config):
            notices.append(f"{controlled} is not a member in '{choice.label}'; nobody is "
                           f"under player control")
            controlled = None
        super().__init__(config, seed=seed_value, controlled_member=controlled)
        self.choice = choice
        self.notices = notices
        #: The user's changes that make this run differ from the chosen scenario or lesson.
        self.overrides = self._differences(choice, config, user)
        self.grid = tilemap.build_tile_grid(self)
        self.tile_positions = tilemap.tile_layout(self.codes, self.data.region)
        #: Held by a step and by taking a snapshot: the views never see half a year.
        self.lock = threading.RLock()
        self.reference = (AllianceModel(self._base_config(choice), seed=seed_value)
                          if self.overrides else None)
        self.player_log: list[PlayerYear] = []
        self._snapshot: Snapshot | None = None

    @staticmethod
    def _config(choice: Choice, user: dict[str, Any], notices: list[str]):
        try:
            return load_scenario(choice.scenario, {**choice.overrides, **user})
        except ConfigError as err:
            if user:
                notices.append(f"your parameter changes were not applied: {err}")
        try:
            return load_scenario(choice.scenario, choice.overrides)
        except ConfigError as err:  # a broken lesson preset: say so, show the baseline
            notices.append(f"'{choice.label}' cannot be run ({err}); showing baseline instead")
            return load_scenario("baseline")

    @staticmethod
    def _base_config(choice: Choice):
        """The chosen scenario or lesson with none of the user's changes."""
        try:
            return load_scenario(choice.scenario, choice.overrides)
        except ConfigError:
            return load_scenario("baseline")

    @classmethod
    def _differences(cls, choice: Choice, config, user: dict[str, Any]) -> dict[str, Any]:
        base = cls._base_config(choice)
        return {k: config.get(k) for k in sorted(user) if config.get(k) != base.get(k)}

    @staticmethod
    def _codes_of(config) -> list[str]:
        from ..data import fictional_members, real_members

        if config.members.source == "fictional":
            return fictional_members(config.members.fictional).code
        return real_members(config.run.start_year, config.run.max_accession_year,
                            config.threat.neighbour_exposure).code

    def step(self) -> None:
        """One simulated year, unless the run has ended; allies that join get their tile.

        A step past the end year does nothing: a second click on Step in the last year, or
        a Play thread that wakes after the end, cannot run a year the scenario does not have.
        """
        with self.lock:
            if not self.running:
                return
            if self.controlled_member is not None:
                chosen = "you" if self.controlled_member in self._pending_policy else "the agent"
                self.player_log.append(PlayerYear(self.year + 1, chosen))
            super().step()
            if self.reference is not None and self.reference.running:
                self.reference.step()
            if len(self.members) != len(tilemap.tiles_on_grid(self.grid)):
                tilemap.place_members(self.grid, self)

    def snapshot(self) -> Snapshot:
        """The last finished year, for the views (made once per year, under the lock)."""
        with self.lock:
            if self._snapshot is None or self._snapshot.year != self.year:
                self._snapshot = Snapshot(
                    model=self, year=self.year, running=self.running, results=self.results(),
                    cluster_units=self.history.cluster_units[self.history.rows - 1].copy(),
                    partner_troops=self.history.yearly["partner_troops"][
                        :self.history.rows].copy(),
                    reference=(self.reference.results() if self.reference is not None
                               else None),
                    player=self._player_state())
            return self._snapshot

    def viz_results(self) -> Results:
        """The three result tables of the last finished year (see :meth:`snapshot`)."""
        return self.snapshot().results

    def set_policy(self, code: str, **choices: Any) -> None:
        """As :meth:`AllianceModel.set_policy`, under the lock (the play thread may step)."""
        with self.lock:
            super().set_policy(code, **choices)
            self._snapshot = None  # the panel shows the pending choices

    def _player_state(self) -> PlayerState | None:
        code = self.controlled_member
        if code is None:
            return None
        i, s = self.codes.index(code), self.state
        pending = self._pending_policy.get(code)
        return PlayerState(
            code=code, burden_pct=float(100 * s.budget[i] / s.gdp[i]),
            caveat=float(s.caveat[i]), troops=round(float(s.troops[i])),
            deployable=int(s.deployable[i]), withdrawn=bool(s.withdrawn[i]),
            operation_running=self.requirement_path.get(self.year + 1, 0.0) > 0,
            log=tuple(self.player_log),
            pending=None if pending is None else {
                k: v for k, v in vars(pending).items() if v is not None})
