"""Experiment designs: a base scenario, replicates, and a grid or a list of named conditions.

An experiment file is TOML::

    scenario = "isaf"
    years = 12                      # optional; the scenario's own span otherwise
    [replicates]
    count = 30                      # with base_seed = 1, or: seeds = [3, 5, 8]
    base_seed = 1
    [grid]                          # every combination of these values
    "opinion.elite_consensus" = [0.3, 0.7]
    # or instead of [grid]:
    [[conditions]]
    name = "coalition"
    set = { "operation.framework" = "coalition" }

Every condition is validated against the parameter schema before any run starts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError, list_scenarios, load_scenario, read_toml


@dataclass(frozen=True)
class Condition:
    """One named set of parameter overrides (dotted names of ``alliancesim describe``)."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """One run: a condition of the experiment with one seed."""

    run_id: str
    condition: str
    seed: int
    scenario: str
    overrides: tuple[tuple[str, Any], ...]


@dataclass
class Experiment:
    """A validated experiment design."""

    scenario: str
    seeds: list[int]
    conditions: list[Condition]
    years: int | None = None
    name: str = "experiment"

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ConfigError("the experiment needs at least one seed")
        if len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"seeds must be distinct, got {self.seeds}")
        if not self.conditions:
            self.conditions = [Condition("baseline", {})]
        names = [c.name for c in self.conditions]
        if len(set(names)) != len(names):
            raise ConfigError(f"condition names must be unique, got {names}")
        if self.years is not None and self.years < 1:
            raise ConfigError(f"years must be at least 1, got {self.years}")
        for condition in self.conditions:
            self.config_for(condition)  # validates before any run starts

    @property
    def varied(self) -> list[str]:
        """Dotted names of every parameter that some condition sets."""
        names: list[str] = []
        for condition in self.conditions:
            names.extend(k for k in condition.overrides if k not in names)
        return names

    def resolved_overrides(self, condition: Condition) -> dict[str, Any]:
        """The condition's overrides plus the run length set by ``years``."""
        overrides = dict(condition.overrides)
        if self.years is not None:
            start = load_scenario(self.scenario).run.start_year
            overrides.setdefault("run.end_year", start + self.years)
        return overrides

    def config_for(self, condition: Condition) -> Config:
        """The validated config of one condition."""
        try:
            return load_scenario(self.scenario, self.resolved_overrides(condition))
        except ConfigError as err:
            raise ConfigError(f"condition '{condition.name}': {err}") from None

    def tasks(self) -> list[Task]:
        """Every run of the design, in a stable order; ids depend only on condition and seed."""
        out = []
        for index, condition in enumerate(self.conditions):
            frozen = tuple(sorted(self.resolved_overrides(condition).items()))
            out.extend(Task(f"c{index:04d}-s{seed:08d}", condition.name, seed, self.scenario,
                            frozen) for seed in self.seeds)
        return out

    def to_json(self) -> dict[str, Any]:
        """The resolved design, for experiment.json."""
        return {"name": self.name, "scenario": self.scenario, "years": self.years,
                "seeds": self.seeds, "varied": self.varied,
                "conditions": [{"name": c.name, "set": c.overrides} for c in self.conditions]}

    def fingerprint(self) -> str:
        """A hash of the design: a resumed sweep must have the same one."""
        text = json.dumps(self.to_json(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _seeds(replicates: dict[str, Any], origin: str) -> list[int]:
    allowed = {"count", "base_seed", "seeds"}
    unknown = set(replicates) - allowed
    if unknown:
        raise ConfigError(f"{origin}: unknown key(s) in [replicates]: {sorted(unknown)}; "
                          f"allowed: count, base_seed, seeds")
    if "seeds" in replicates:
        if "count" in replicates:
            raise ConfigError(f"{origin}: [replicates] takes either seeds or count, not both")
        seeds = replicates["seeds"]
        if not isinstance(seeds, list) or not all(isinstance(s, int) and s >= 0 for s in seeds):
            raise ConfigError(f"{origin}: replicates.seeds = {seeds!r}: expected a list of "
                              f"non-negative integers")
        return list(seeds)
    count = replicates.get("count", 1)
    base = replicates.get("base_seed", 1)
    for key, value, low in (("count", count, 1), ("base_seed", base, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ConfigError(f"{origin}: replicates.{key} = {value!r}: expected an integer "
                              f">= {low}")
    return list(range(base, base + count))


def _grid_conditions(grid: dict[str, Any], origin: str) -> list[Condition]:
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{origin}: grid.\"{key}\" = {values!r}: expected a non-empty "
                              f"list of values")
    keys = list(grid)
    conditions = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        overrides = dict(zip(keys, combo, strict=True))
        name = ",".join(f"{k}={v}" for k, v in overrides.items())
        conditions.append(Condition(name, overrides))
    return conditions


def experiment_from_dict(data: dict[str, Any], origin: str = "experiment") -> Experiment:
    """Validate a parsed experiment file; every problem is a :class:`ConfigError`."""
    allowed = {"scenario", "years", "replicates", "grid", "conditions", "name", "description"}
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"{origin}: unknown key(s) {sorted(unknown)}; allowed: "
                          f"{', '.join(sorted(allowed))}")
    scenario = data.get("scenario")
    if scenario not in list_scenarios():
        raise ConfigError(f"{origin}: scenario = {scenario!r}: expected one of "
                          f"{', '.join(list_scenarios())}")
    years = data.get("years")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool)):
        raise ConfigError(f"{origin}: years = {years!r}: expected a whole number of years")
    if "grid" in data and "conditions" in data:
        raise ConfigError(f"{origin}: give either [grid] or [[conditions]], not both")
    if "grid" in data:
        conditions = _grid_conditions(data["grid"], origin)
    else:
        conditions = []
        for entry in data.get("conditions", []):
            extra = set(entry) - {"name", "set"}
            if "name" not in entry or extra:
                raise ConfigError(f"{origin}: each [[conditions]] needs a name and an optional "
                                  f"set table; got keys {sorted(entry)}")
            conditions.append(Condition(str(entry["name"]), dict(entry.get("set", {}))))
    try:
        return Experiment(scenario=scenario, seeds=_seeds(data.get("replicates", {}), origin),
                          conditions=conditions, years=years,
                          name=str(data.get("name", Path(origin).stem)))
    except ConfigError as err:
        raise ConfigError(f"{origin}: {err}") from None


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file."""
    path = Path(path)
    data = read_toml(path, "experiment")
    data.setdefault("name", path.stem)
    return experiment_from_dict(data, origin=str(path))
