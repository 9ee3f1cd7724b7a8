"""Global sensitivity analysis with SALib, run through the sweep runner.

An experiment file names the scenario, the run length, the method and its sample size, the
outputs, and which parameters to vary (all behavioural parameters of the schema by default,
with the schema's ranges unless the file narrows them)::

    scenario = "isaf"
    years = 12
    method = "morris"                 # or "sobol"; --method overrides
    seeds = [1]                       # each sample point is run with every seed (averaged)
    outputs = ["cohesion_index:mean", "capability_gap_index:final", "burden_gini:final"]
    [morris]
    trajectories = 10
    levels = 4
    [sobol]
    base_samples = 64
    [parameters]
    include = []                      # empty: every behavioural float parameter
    exclude = ["economy.inflation"]
    [parameters.bounds]
    "opinion.elite_consensus" = [0.3, 0.9]

Each sample point is one sweep condition, so the analysis resumes and can run on Dask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import ConfigError, list_scenarios, parameter_table, read_toml
from ..results import TIMESERIES_COLUMNS
from ..sweep import Condition, Experiment, run_experiment

REDUCTIONS = ("final", "mean", "max", "min")
DEFAULT_OUTPUTS = ("cohesion_index:mean", "capability_gap_index:final", "burden_gini:final")


@dataclass
class SensitivityDesign:
    """A validated sensitivity experiment."""

    scenario: str
    parameters: dict[str, tuple[float, float]]
    outputs: list[tuple[str, str]]
    method: str = "morris"
    years: int | None = None
    seeds: list[int] = field(default_factory=lambda: [1])
    trajectories: int = 10
    levels: int = 4
    base_samples: int = 64
    name: str = "sensitivity"

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        names = list(self.parameters)
        return {"num_vars": len(names), "names": names,
                "bounds": [list(self.parameters[n]) for n in names]}

    def sample(self, seed: int = 0) -> np.ndarray:
        """The design matrix (one row per model evaluation)."""
        problem = self.problem()
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(problem, self.trajectories, num_levels=self.levels,
                                 seed=seed)
        from SALib.sample import sobol

        return sobol.sample(problem, self.base_samples, calc_second_order=False, seed=seed)


def _error(origin: str, message: str) -> ConfigError:
    return ConfigError(f"{origin}: {message}")


def design_from_dict(data: dict[str, Any], origin: str = "sensitivity",
                     method: str | None = None) -> SensitivityDesign:
    """Validate a parsed sensitivity file."""
    allowed = {"scenario", "years", "method", "seeds", "outputs", "morris", "sobol",
               "parameters", "name", "description"}
    unknown = set(data) - allowed
    if unknown:
        raise _error(origin, f"unknown key(s) {sorted(unknown)}; allowed: "
                             f"{', '.join(sorted(allowed))}")
    scenario = data.get("scenario")
    if scenario not in list_scenarios():
        raise _error(origin, f"scenario = {scenario!r}: expected one of "
                             f"{', '.join(list_scenarios())}")
    method = method or data.get("method", "morris")
    if method not in ("morris", "sobol"):
        raise _error(origin, f"method = {method!r}: expected morris or sobol")
    table = {r["name"]: r for r in parameter_table()}
    spec = data.get("parameters", {})
    extra = set(spec) - {"include", "exclude", "bounds"}
    if extra:
        raise _error(origin, f"unknown key(s) in [parameters]: {sorted(extra)}; allowed: "
                             f"include, exclude, bounds")
    include = list(spec.get("include", [])) or [
        n for n, r in table.items() if r["behavioural"] and r["type"] == "float"]
    for name in [*include, *spec.get("exclude", []), *spec.get("bounds", {})]:
        if name not in table:
            raise _error(origin, f"unknown parameter '{name}' (see `alliancesim describe`)")
    parameters = {}
    for name in include:
        if name in spec.get("exclude", []):
            continue
        row = table[name]
        if row["type"] != "float" or row["min"] is None or row["max"] is None:
            raise _error(origin, f"parameter '{name}' is not a bounded number; only float "
                                 f"parameters with a range can be varied")
        low, high = spec.get("bounds", {}).get(name, (row["min"], row["max"]))
        if not (row["min"] <= low < high <= row["max"]):
            raise _error(origin, f"bounds for '{name}' = [{low}, {high}]: must be an "
                                 f"increasing pair inside the schema range "
                                 f"[{row['min']}, {row['max']}]")
        parameters[name] = (float(low), float(high))
    if len(parameters) < 2:
        raise _error(origin, "vary at least two parameters")
    outputs = []
    for item in data.get("outputs", DEFAULT_OUTPUTS):
        metric, _, how = str(item).partition(":")
        how = how or "final"
        if metric not in TIMESERIES_COLUMNS or metric == "year" or how not in REDUCTIONS:
            raise _error(origin, f"output {item!r}: expected METRIC[:{'|'.join(REDUCTIONS)}] "
                                 f"with a timeseries column as METRIC")
        outputs.append((metric, how))
    seeds = data.get("seeds", [1])
    if not isinstance(seeds, list) or not seeds or not all(
            isinstance(s, int) and s >= 0 for s in seeds):
        raise _error(origin, f"seeds = {seeds!r}: expected a non-empty list of integers")
    morris_spec, sobol_spec = data.get("morris", {}), data.get("sobol", {})
    trajectories, levels = morris_spec.get("trajectories", 10), morris_spec.get("levels", 4)
    base = sobol_spec.get("base_samples", 64)
    for key, value, low in (("morris.trajectories", trajectories, 2),
                            ("morris.levels", levels, 2), ("sobol.base_samples", base, 2)):
        if not isinstance(value, int) or value < low:
            raise _error(origin, f"{key} = {value!r}: expected an integer >= {low}")
    if method == "sobol" and base & (base - 1):
        raise _error(origin, f"sobol.base_samples = {base}: must be a power of two")
    years = data.get("years")
    if years is not None and (not isinstance(years, int) or years < 1):
        raise _error(origin, f"years = {years!r}: expected a positive whole number")
    return SensitivityDesign(scenario=scenario, parameters=parameters, outputs=outputs,
                             method=method, years=years, seeds=seeds,
                             trajectories=trajectories, levels=levels, base_samples=base,
                             name=str(data.get("name", Path(origin).stem)))


def load_sensitivity(path: str | Path, method: str | None = None) -> SensitivityDesign:
    """Read and validate a sensitivity experiment file."""
    data = read_toml(path, "sensitivity")
    return design_from_dict(data, origin=str(path), method=method)


def point_outputs(runs: pd.DataFrame, metric: str, how: str) -> pd.Series:
    """One value per sample point: each run reduced over its years (final, mean, max or min,
    ignoring NaN), then averaged over the seeds."""
    grouped = runs.sort_values("year").groupby(["condition", "seed"])[metric]
    per_run = {"final": grouped.last, "mean": grouped.mean, "max": grouped.max,
               "min": grouped.min}[how]()
    return per_run.groupby(level="condition").mean()


def analyse(design: SensitivityDesign, samples: np.ndarray,
            runs: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices per output: columns output, parameter, index, value, conf."""
    problem = design.problem()
    names = [f"p{i:05d}" for i in range(len(samples))]
    records = []
    for metric, how in design.outputs:
        y = point_outputs(runs, metric, how).reindex(names).to_numpy(dtype=float)
        output = f"{metric}:{how}"
        if not np.isfinite(y).any():
            continue  # e.g. cohesion in a run without an operation: nothing to attribute
        # A point whose runs never produced the output is given the mean, not dropped:
        # SALib needs the full design.
        y = np.where(np.isfinite(y), y, np.nanmean(y))
        if design.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(problem, samples, y, num_levels=design.levels, seed=0)
            for k, name in enumerate(problem["names"]):
                records.append((output, name, "mu_star", res["mu_star"][k],
                                res["mu_star_conf"][k]))
                records.append((output, name, "mu", res["mu"][k], np.nan))
                records.append((output, name, "sigma", res["sigma"][k], np.nan))
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=0)
            for k, name in enumerate(problem["names"]):
                records.append((output, name, "S1", res["S1"][k], res["S1_conf"][k]))
                records.append((output, name, "ST", res["ST"][k], res["ST_conf"][k]))
    return pd.DataFrame(records, columns=["output", "parameter", "index", "value", "conf"])


def ranking_figures(indices: pd.DataFrame, method: str, folder: Path) -> list[Path]:
    """One PNG per output ranking the parameters by mu* (Morris) or ST (Sobol)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = "mu_star" if method == "morris" else "ST"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for output, group in indices[indices["index"] == key].groupby("output", sort=False):
        group = group.sort_values("value")
        fig, ax = plt.subplots(figsize=(8, max(3.0, 0.28 * len(group))))
        ax.barh(group["parameter"], group["value"], xerr=group["conf"].fillna(0.0),
                color="#2e86c1")
        ax.set(xlabel=f"{key} ({method})", title=f"What drives {output}")
        ax.tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        path = folder / f"{output.replace(':', '_')}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def run_sensitivity(design: SensitivityDesign, out_dir: str | Path, workers: int = 1,
                    backend: str = "local", scheduler: str | None = None,
                    resume: bool = False, progress: bool = True) -> pd.DataFrame:
    """Sample, run every point through the sweep runner, analyse; writes sensitivity.csv,
    samples.csv and figures/ into ``out_dir`` and returns the indices."""
    out = Path(out_dir)
    samples = design.sample()
    names = list(design.parameters)
    conditions = [Condition(f"p{i:05d}", dict(zip(names, map(float, row), strict=True)))
                  for i, row in enumerate(samples)]
    experiment = Experiment(scenario=design.scenario, seeds=design.seeds,
                            conditions=conditions, years=design.years, name=design.name)
    run_experiment(experiment, out / "sweep", workers=workers, backend=backend,
                   scheduler=scheduler, resume=resume, progress=progress)
    runs = pd.read_parquet(out / "sweep" / "runs.parquet",
                           columns=["condition", "seed", "year",
                                    *{m for m, _ in design.outputs}])
    indices = analyse(design, samples, runs)
    out.mkdir(parents=True, exist_ok=True)
    indices.to_csv(out / "sensitivity.csv", index=False)
    pd.DataFrame(samples, columns=names).assign(
        condition=[c.name for c in conditions]).to_csv(out / "samples.csv", index=False)
    ranking_figures(indices, design.method, out / "figures")
    return indices
