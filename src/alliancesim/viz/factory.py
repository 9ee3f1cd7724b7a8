"""The model as the browser app builds it: keyword inputs in, an AllianceModel out.

Mesa's SolaraViz makes a new model on Reset by calling the model's class with the page's
inputs as keyword arguments. :class:`VizModel` is that class: it turns the scenario menu,
the seed field and the parameter panel into a validated config and runs the ordinary
:class:`~alliancesim.model.AllianceModel` — nothing in the yearly cycle changes, so a run in
the browser is the same run as on the command line with the same scenario, overrides and seed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
                                description, lesson=key)
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
        self._results_cache: tuple[int, Results] | None = None

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
    def _differences(choice: Choice, config, user: dict[str, Any]) -> dict[str, Any]:
        try:
            base = load_scenario(choice.scenario, choice.overrides)
        except ConfigError:
            return {}
        return {k: config.get(k) for k in sorted(user) if config.get(k) != base.get(k)}

    @staticmethod
    def _codes_of(config) -> list[str]:
        from ..data import fictional_members, real_members

        if config.members.source == "fictional":
            return fictional_members(config.members.fictional).code
        return real_members(config.run.start_year, config.run.max_accession_year).code

    def step(self) -> None:
        """One simulated year; allies that join this year get their tile."""
        super().step()
        if len(self.members) != len(tilemap.tiles_on_grid(self.grid)):
            tilemap.place_members(self.grid, self)

    def viz_results(self) -> Results:
        """The three result tables, computed once per simulated year for all the views."""
        rows = self.history.rows
        if self._results_cache is None or self._results_cache[0] != rows:
            self._results_cache = (rows, self.results())
        return self._results_cache[1]
