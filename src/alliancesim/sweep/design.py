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

The file's shape is checked by a pydantic schema (:class:`ExperimentFile`); every condition is
then validated against the parameter schema of the configs, all before any run starts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator

from ..config import MAX_SEED, Config, ConfigError, list_scenarios, load_scenario, read_toml


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


def run_id(condition_index: int, seed: int) -> str:
    """The id of a run: stable for a design, and sorting the ids sorts by condition, then seed."""
    return f"c{condition_index:04d}-s{seed:08d}"


@dataclass
class Experiment:
    """A validated experiment design: every condition is checked against the config schema."""

    scenario: str
    seeds: list[int]
    conditions: list[Condition]
    years: int | None = None
    name: str = "experiment"

    def __post_init__(self) -> None:
        if self.scenario not in list_scenarios():
            raise ConfigError(f"scenario = {self.scenario!r}: expected one of "
                              f"{', '.join(list_scenarios())}")
        if not self.seeds:
            raise ConfigError("the experiment needs at least one seed")
        if not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_SEED
                   for s in self.seeds):
            shown = (repr(self.seeds) if len(self.seeds) <= 6
                     else f"[{self.seeds[0]}, ..., {self.seeds[-1]}]")
            raise ConfigError(f"seeds = {shown}: expected integers from 0 to {MAX_SEED} "
                              f"(2**63-1; check replicates.base_seed and count)")
        if len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"seeds must be distinct, got {self.seeds}")
        if not self.conditions:
            self.conditions = [Condition("baseline", {})]
        names = [c.name for c in self.conditions]
        if len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            raise ConfigError(f"condition names must be unique; repeated: {duplicates}")
        if self.years is not None and self.years < 1:
            raise ConfigError(f"years = {self.years}: expected at least 1")
        for condition in self.conditions:
            self.config_for(condition)  # validates before any run starts

    @cached_property
    def _base(self) -> Config:
        return load_scenario(self.scenario)

    @property
    def varied(self) -> list[str]:
        """Dotted names of every parameter that some condition sets."""
        names: dict[str, None] = {}
        for condition in self.conditions:
            names.update(dict.fromkeys(condition.overrides))
        return list(names)

    def resolved_overrides(self, condition: Condition) -> dict[str, Any]:
        """The condition's overrides plus the run length set by ``years``.

        ``years`` counts from the condition's own start year when it sets one.
        """
        overrides = dict(condition.overrides)
        if self.years is not None:
            start = overrides.get("run.start_year", self._base.run.start_year)
            if isinstance(start, int):  # a bad value is reported by the config schema
                overrides.setdefault("run.end_year", start + self.years)
        return overrides

    def config_for(self, condition: Condition) -> Config:
        """The validated config of one condition."""
        try:
            return load_scenario(self.scenario, self.resolved_overrides(condition))
        except ConfigError as err:
            raise ConfigError(f"condition '{condition.name}': {err}") from None

    def tasks(self) -> list[Task]:
        """Every run of the design, in a stable order; ids depend only on the design."""
        out = []
        for index, condition in enumerate(self.conditions):
            frozen = tuple(sorted(self.resolved_overrides(condition).items()))
            out.extend(Task(run_id(index, seed), condition.name, seed, self.scenario, frozen)
                       for seed in self.seeds)
        return out

    def to_json(self) -> dict[str, Any]:
        """The resolved design, for experiment.json."""
        return {"name": self.name, "scenario": self.scenario, "years": self.years,
                "seeds": self.seeds, "varied": self.varied,
                "conditions": [{"name": c.name, "set": c.overrides} for c in self.conditions]}

    def fingerprint(self) -> str:
        """A hash of what the runs depend on: a resumed sweep must have the same one.

        The experiment's name is left out, so a renamed file still resumes its sweep.
        """
        design = {k: v for k, v in self.to_json().items() if k != "name"}
        text = json.dumps(design, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- the file schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Replicates(_Strict):
    """``[replicates]``: ``count`` seeds from ``base_seed``, or an explicit ``seeds`` list."""

    count: StrictInt | None = Field(None, ge=1)
    base_seed: StrictInt = Field(1, ge=0)
    seeds: list[StrictInt] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_way(self) -> Replicates:
        if self.seeds is not None:
            if self.count is not None or "base_seed" in self.model_fields_set:
                raise ValueError("give either seeds, or count with base_seed; not both")
            if any(s < 0 for s in self.seeds):
                raise ValueError("seeds must be non-negative integers")
            if len(set(self.seeds)) != len(self.seeds):
                raise ValueError("seeds must be distinct")
        return self

    def resolved(self) -> list[int]:
        """The seeds of the design."""
        if self.seeds is not None:
            return list(self.seeds)
        return list(range(self.base_seed, self.base_seed + (self.count or 1)))


class ConditionEntry(_Strict):
    """One ``[[conditions]]`` table."""

    name: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)


class ExperimentFile(_Strict):
    """The schema of an experiment TOML file."""

    scenario: str
    name: str | None = None
    description: str = ""
    years: StrictInt | None = Field(None, ge=1)
    replicates: Replicates = Field(default_factory=Replicates)
    grid: dict[str, list[Any]] | None = None
    conditions: list[ConditionEntry] | None = None

    @model_validator(mode="after")
    def _grid_or_conditions(self) -> ExperimentFile:
        if self.grid is not None and self.conditions is not None:
            raise ValueError("give either [grid] or [[conditions]], not both")
        for key, values in (self.grid or {}).items():
            if not values:
                raise ValueError(f"grid.\"{key}\" is empty: list at least one value")
        return self


_ALLOWED_KEYS = {"": ExperimentFile, "replicates": Replicates, "conditions": ConditionEntry}


def _format_error(err: ValidationError, origin: str) -> str:
    lines = [f"invalid experiment in {origin}:"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        if e["type"] == "extra_forbidden":
            section = next((str(p) for p in e["loc"][:-1] if not isinstance(p, int)), "")
            allowed = ", ".join(_ALLOWED_KEYS.get(section, ExperimentFile).model_fields)
            lines.append(f"  unknown key '{loc}'; allowed here: {allowed}")
        elif e["type"] == "missing":
            lines.append(f"  {loc} is missing")
        elif e["type"] == "value_error":
            where = f"{loc}: " if loc else ""
            lines.append(f"  {where}{e['msg'].removeprefix('Value error, ')}")
        else:
            lines.append(f"  {loc} = {e.get('input')!r}: {e['msg']}")
    return "\n".join(lines)


def _grid_conditions(grid: dict[str, list[Any]]) -> list[Condition]:
    keys = list(grid)
    conditions = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        overrides = dict(zip(keys, combo, strict=True))
        name = ",".join(f"{k}={v}" for k, v in overrides.items())
        conditions.append(Condition(name, overrides))
    return conditions


def experiment_from_dict(data: dict[str, Any], origin: str = "experiment") -> Experiment:
    """Validate a parsed experiment file; every problem is a :class:`ConfigError`.

    Examples:
        >>> exp = experiment_from_dict({"scenario": "isaf", "replicates": {"count": 2},
        ...                             "grid": {"opinion.elite_consensus": [0.4, 0.9]}})
        >>> [c.name for c in exp.conditions], exp.seeds
        (['opinion.elite_consensus=0.4', 'opinion.elite_consensus=0.9'], [1, 2])
    """
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_format_error(err, origin)) from None
    if spec.grid is not None:
        conditions = _grid_conditions(spec.grid)
    else:
        conditions = [Condition(c.name, dict(c.set)) for c in spec.conditions or []]
    try:
        return Experiment(scenario=spec.scenario, seeds=spec.replicates.resolved(),
                          conditions=conditions, years=spec.years,
                          name=spec.name or Path(origin).stem)
    except ConfigError as err:
        raise ConfigError(f"{origin}: {err}") from None


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file."""
    path = Path(path)
    data = read_toml(path, "experiment")
    data.setdefault("name", path.stem)
    return experiment_from_dict(data, origin=str(path))
