"""Global sensitivity analysis with SALib: a design run as one batch, its indices with
confidence intervals, and whether the sample was large enough.

An experiment file names the scenario, the run length, the method and its sample size, the
outputs, and which parameters to vary (all behavioural parameters of the schema by default,
with the schema's ranges unless the file narrows them)::

    scenario = "isaf"
    years = 12
    method = "sobol"                  # or "morris"; --method overrides
    seeds = [1]                       # each sample is run with every seed (averaged)
    sample_seed = 0                   # scrambles the Sobol sequence / places the trajectories
    outputs = ["cohesion_index:mean", "capability_gap_index:final", "burden_gini:final"]
    [morris]
    trajectories = 10
    levels = 4
    [sobol]
    base_samples = 64                 # a power of two
    second_order = true               # also the indices of every pair of parameters
    [parameters]
    include = []                      # empty: every behavioural float parameter
    exclude = ["economy.inflation"]
    [parameters.bounds]
    "opinion.elite_consensus" = [0.3, 0.9]

The sample matrix runs as one condition-free batch (:mod:`alliancesim.sweep.batch`): each run
returns only its outputs. The indices of each output are computed on the same workers, for the
whole design and for its nested leading parts (the first 4, 8, 16... Sobol base samples, or
2, 4, 8... Morris trajectories, each a valid design of that size), which shows how the
estimates settle as the sample grows.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import ConfigError, list_scenarios, parameter_table, read_toml
from ..sweep.batch import REDUCTIONS, parse_output  # noqa: F401 (REDUCTIONS re-exported)
from ..sweep.batch import read_runs as batch_runs

DEFAULT_OUTPUTS = ("cohesion_index:mean", "capability_gap_index:final", "burden_gini:final")
#: The columns of sensitivity.csv. ``parameter_2`` is the second parameter of a pair (Sobol
#: S2), empty otherwise; ``conf`` is the half-width of the 95% bootstrap interval
#: [ci_low, ci_high] (empty for Morris mu and sigma, which SALib gives no interval for).
INDEX_COLUMNS = ["output", "index", "parameter", "parameter_2", "value", "conf", "ci_low",
                 "ci_high"]
#: The columns of convergence.csv: the same indices estimated on the leading ``samples``
#: base samples (Sobol) or trajectories (Morris) of the design, i.e. ``runs`` runs.
CONVERGENCE_COLUMNS = ["output", "index", "parameter", "samples", "runs", "value", "conf",
                       "ci_low", "ci_high"]
#: Bootstrap resamples of SALib's confidence intervals (its default), and their level.
RESAMPLES = 100
CONF_LEVEL = 0.95
#: Seeds SALib's bootstrap, so the intervals are the same on every run. Not 0: SALib's Sobol
#: analysis tests ``if seed:`` and would fall back to NumPy's global generator.
BOOTSTRAP_SEED = 20130
#: The index that ranks parameters, per method.
RANKING_INDEX = {"morris": "mu_star", "sobol": "ST"}
#: Parameters shown in a ranking figure (the largest; sensitivity.csv has them all).
RANKED_IN_FIGURE = 40
#: The design batch's folder inside the output folder (its work folder, kept for --resume).
BATCH_FOLDER = "batch"
#: Resolution of the figures (a 67-parameter ranking is about 800 x 1,400 pixels).
DPI = 100


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
    second_order: bool = True
    sample_seed: int = 0
    name: str = "sensitivity"

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        names = list(self.parameters)
        return {"num_vars": len(names), "names": names,
                "bounds": [list(self.parameters[n]) for n in names]}

    @property
    def block(self) -> int:
        """Rows of the sample matrix per base sample (Sobol) or trajectory (Morris)."""
        d = len(self.parameters)
        if self.method == "morris":
            return d + 1
        return 2 * d + 2 if self.second_order else d + 2

    def sample(self) -> np.ndarray:
        """The design matrix (one row per model evaluation)."""
        problem = self.problem()
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(problem, self.trajectories, num_levels=self.levels,
                                 seed=self.sample_seed)
        from SALib.sample import sobol

        return sobol.sample(problem, self.base_samples, calc_second_order=self.second_order,
                            seed=self.sample_seed)


def _error(origin: str, message: str) -> ConfigError:
    return ConfigError(f"{origin}: {message}")


def _int(origin: str, key: str, value: Any, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _error(origin, f"{key} = {value!r}: expected an integer >= {low}")
    return value


def design_from_dict(data: dict[str, Any], origin: str = "sensitivity",
                     method: str | None = None) -> SensitivityDesign:
    """Validate a parsed sensitivity file; the parameters and their ranges come from the
    schema (every float parameter flagged ``behavioural``, unless ``include`` names some)."""
    allowed = {"scenario", "years", "method", "seeds", "sample_seed", "outputs", "morris",
               "sobol", "parameters", "name", "description"}
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
    if not isinstance(spec, dict):
        raise _error(origin, "[parameters] must be a table with include, exclude, bounds")
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
        bounds = spec.get("bounds", {}).get(name, (row["min"], row["max"]))
        if (not isinstance(bounds, list | tuple) or len(bounds) != 2 or not all(
                isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
                or not (row["min"] <= bounds[0] < bounds[1] <= row["max"])):
            raise _error(origin, f"bounds for '{name}' = {bounds!r}: "
                                 f"expected an increasing pair of numbers inside the schema "
                                 f"range [{row['min']}, {row['max']}] {row['unit']}")
        parameters[name] = (float(bounds[0]), float(bounds[1]))
    if len(parameters) < 2:
        raise _error(origin, "vary at least two parameters")
    outputs = []
    raw_outputs = data.get("outputs", list(DEFAULT_OUTPUTS))
    if not isinstance(raw_outputs, list) or not raw_outputs:
        raise _error(origin, f"outputs = {raw_outputs!r}: expected a non-empty list of "
                             f"METRIC:HOW strings")
    for item in raw_outputs:
        try:
            outputs.append(parse_output(item))
        except ConfigError as err:
            raise _error(origin, str(err)) from None
    if len(set(outputs)) != len(outputs):
        raise _error(origin, f"outputs = {raw_outputs!r}: an output is listed twice")
    seeds = data.get("seeds", [1])
    if not isinstance(seeds, list) or not seeds or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds) \
            or len(set(seeds)) != len(seeds):
        raise _error(origin, f"seeds = {seeds!r}: expected a non-empty list of distinct "
                             f"non-negative integers")
    morris_spec, sobol_spec = data.get("morris", {}), data.get("sobol", {})
    for section, keys, given in (("morris", {"trajectories", "levels"}, morris_spec),
                                 ("sobol", {"base_samples", "second_order"}, sobol_spec)):
        if not isinstance(given, dict) or set(given) - keys:
            raise _error(origin, f"[{section}] allows only {', '.join(sorted(keys))}")
    trajectories = _int(origin, "morris.trajectories", morris_spec.get("trajectories", 10), 2)
    levels = _int(origin, "morris.levels", morris_spec.get("levels", 4), 2)
    base = _int(origin, "sobol.base_samples", sobol_spec.get("base_samples", 64), 4)
    if method == "sobol" and base & (base - 1):
        raise _error(origin, f"sobol.base_samples = {base}: must be a power of two "
                             f"(e.g. {1 << (base.bit_length() - 1)} or {1 << base.bit_length()})")
    second_order = sobol_spec.get("second_order", True)
    if not isinstance(second_order, bool):
        raise _error(origin, f"sobol.second_order = {second_order!r}: expected true or false")
    sample_seed = _int(origin, "sample_seed", data.get("sample_seed", 0), 0)
    years = data.get("years")
    if years is not None:
        _int(origin, "years", years, 1)
    return SensitivityDesign(scenario=scenario, parameters=parameters, outputs=outputs,
                             method=method, years=years, seeds=seeds,
                             trajectories=trajectories, levels=levels, base_samples=base,
                             second_order=second_order, sample_seed=sample_seed,
                             name=str(data.get("name", Path(origin).stem)))


def load_sensitivity(path: str | Path, method: str | None = None) -> SensitivityDesign:
    """Read and validate a sensitivity experiment file."""
    data = read_toml(path, "sensitivity")
    return design_from_dict(data, origin=str(path), method=method)


# --------------------------------------------------------------------------- analysis


def sample_outputs(runs: pd.DataFrame, n_samples: int, output: str) -> np.ndarray:
    """One value per sample: the mean over its seeds (ignoring NaN); NaN for a sample none
    of whose runs gave a value."""
    means = runs.groupby("sample")[output].mean()
    return means.reindex(range(n_samples)).to_numpy(dtype=float)


def _first_order_layout(y: np.ndarray, d: int) -> np.ndarray:
    """The outputs of a second-order Saltelli design without its BA rows: the layout of a
    first-order design on the same base samples (each block is A, AB_1..AB_d, BA_1..BA_d, B)."""
    blocks = y.reshape(-1, 2 * d + 2)
    return np.concatenate([blocks[:, :d + 1], blocks[:, -1:]], axis=1).ravel()


def _records(output: str, index: str, names: list[str], values: np.ndarray,
             conf: np.ndarray | None) -> list[tuple]:
    conf = np.full(len(names), np.nan) if conf is None else np.asarray(conf, dtype=float)
    return [(output, index, name, "", float(v), float(c), float(v - c), float(v + c))
            for name, v, c in zip(names, values, conf, strict=True)]


@dataclass(frozen=True)
class AnalysisJob:
    """The analysis of one output, sent to a worker."""

    method: str
    problem: dict[str, Any]
    output: str
    y: np.ndarray                     # one value per sample (row of the design)
    samples: np.ndarray | None        # the design matrix (Morris needs it)
    block: int
    levels: int = 4
    second_order: bool = True
    n_seeds: int = 1                  # runs per sample

    def sizes(self) -> list[int]:
        """The leading numbers of blocks analysed for the convergence table: 4, 8, 16...
        base samples (Sobol; powers of two keep the Sobol sequence balanced) or 2, 4, 8...
        trajectories (Morris), and the whole design."""
        n = len(self.y) // self.block
        low = 2 if self.method == "morris" else 4
        sizes = [s for s in (low << k for k in range(32)) if s < n]
        return [*sizes, n]


def _sobol(problem: dict[str, Any], y: np.ndarray, second_order: bool) -> dict[str, Any]:
    from SALib.analyze import sobol

    return sobol.analyze(problem, y, calc_second_order=second_order, seed=BOOTSTRAP_SEED,
                         num_resamples=RESAMPLES, conf_level=CONF_LEVEL)


def _morris(job: AnalysisJob, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    from SALib.analyze import morris

    return morris.analyze(job.problem, x, y, num_levels=job.levels, seed=BOOTSTRAP_SEED,
                          num_resamples=RESAMPLES, conf_level=CONF_LEVEL)


def analyse_output(job: AnalysisJob) -> tuple[list[tuple], list[tuple]]:
    """The indices of one output (rows of sensitivity.csv) and their estimates on the
    nested leading parts of the design (rows of convergence.csv)."""
    names = job.problem["names"]
    d = len(names)
    indices: list[tuple] = []
    if job.method == "morris":
        res = _morris(job, job.samples, job.y)
        indices += _records(job.output, "mu_star", names, res["mu_star"],
                            res["mu_star_conf"])
        indices += _records(job.output, "mu", names, res["mu"], None)
        indices += _records(job.output, "sigma", names, res["sigma"], None)
    else:
        res = _sobol(job.problem, job.y, job.second_order)
        indices += _records(job.output, "S1", names, res["S1"], res["S1_conf"])
        indices += _records(job.output, "ST", names, res["ST"], res["ST_conf"])
        if job.second_order:
            for j in range(d):
                for k in range(j + 1, d):
                    v, c = float(res["S2"][j, k]), float(res["S2_conf"][j, k])
                    indices.append((job.output, "S2", names[j], names[k], v, c, v - c,
                                    v + c))
    convergence: list[tuple] = []
    # Sobol: the first-order layout is enough for S1 and ST, and far cheaper than S2.
    y_first = (_first_order_layout(job.y, d) if job.method == "sobol" and job.second_order
               else job.y)
    block = d + 1 if job.method == "morris" else d + 2
    for size in job.sizes():
        rows = size * block
        if job.method == "morris":
            res = _morris(job, job.samples[:rows], job.y[:rows])
            keys = [("mu_star", "mu_star_conf")]
        else:
            res = _sobol(job.problem, y_first[:rows], False)
            keys = [("S1", "S1_conf"), ("ST", "ST_conf")]
        runs_per_block = job.block * job.n_seeds  # the runs of the design's leading part
        for key, conf_key in keys:
            for name, v, c in zip(names, res[key], res[conf_key], strict=True):
                convergence.append((job.output, key, name, size, size * runs_per_block,
                                    float(v), float(c), float(v - c), float(v + c)))
    return indices, convergence


def analysis_jobs(design: SensitivityDesign, samples: np.ndarray,
                  runs: pd.DataFrame) -> tuple[list[AnalysisJob], dict[str, str]]:
    """One job per output that varies, and a note per output left out or patched: no value
    in any run, the same value in every run (nothing to attribute), or the number of samples
    whose value was missing (given the output's mean, since SALib needs the full design)."""
    jobs, notes = [], {}
    for metric, how in design.outputs:
        output = f"{metric}:{how}"
        y = sample_outputs(runs, len(samples), output)
        missing = ~np.isfinite(y)
        if missing.all():  # e.g. cohesion in runs without an operation
            notes[output] = "had no value in any run; it is not analysed"
            continue
        if np.ptp(y[~missing]) == 0:
            notes[output] = (f"is {y[~missing][0]:g} in every run: no parameter moves it; "
                             f"it is not analysed")
            continue
        if missing.any():
            notes[output] = (f"had no value in {int(missing.sum())} of {len(y)} samples "
                             f"(given the output's mean there)")
        y = np.where(missing, np.nanmean(np.where(missing, np.nan, y)), y)
        jobs.append(AnalysisJob(design.method, design.problem(), output, y,
                                samples if design.method == "morris" else None, design.block,
                                levels=design.levels, second_order=design.second_order,
                                n_seeds=len(design.seeds)))
    return jobs, notes


def analyse(design: SensitivityDesign, samples: np.ndarray, runs: pd.DataFrame,
            pool: Any = None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The indices (sensitivity.csv), their convergence (convergence.csv), and the notes of
    :func:`analysis_jobs`. ``runs`` has one row per run (``sample``,
    ``seed`` and one column per output); ``pool`` spreads the outputs over its workers."""
    jobs, notes = analysis_jobs(design, samples, runs)
    results = pool.map(analyse_output, jobs) if pool is not None else [
        analyse_output(j) for j in jobs]
    indices = pd.DataFrame([r for rows, _ in results for r in rows], columns=INDEX_COLUMNS)
    convergence = pd.DataFrame([r for _, rows in results for r in rows],
                               columns=CONVERGENCE_COLUMNS)
    return indices, convergence, notes


# --------------------------------------------------------------------------- figures


def _slug(output: str) -> str:
    return output.replace(":", "_")


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _interval_plot(ax: Any, values: pd.Series, conf: pd.Series, positions: np.ndarray,
                   **style: Any) -> None:
    """Points with horizontal 95% intervals (one artist for all, far cheaper than bars)."""
    ax.errorbar(values, positions, xerr=conf.fillna(0.0), linestyle="none", elinewidth=1.2,
                capsize=0, **style)


def ranking_figure(indices: pd.DataFrame, method: str, output: str) -> bytes:
    """PNG: the parameters of one output ranked by mu* (Morris) or ST (Sobol, with S1 beside
    it), each with its 95% interval; for Sobol with pairs, the ten largest S2 below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = RANKING_INDEX[method]
    rows = indices[indices["output"] == output]
    ranked = rows[rows["index"] == key].sort_values("value")
    left_out = max(0, len(ranked) - RANKED_IN_FIGURE)
    ranked = ranked.tail(RANKED_IN_FIGURE)
    pairs = rows[rows["index"] == "S2"].sort_values("value").tail(10)
    ratios = [max(len(ranked), 1)] + ([len(pairs) + 3] if len(pairs) else [])
    fig, axes = plt.subplots(len(ratios), 1, squeeze=False,
                             figsize=(8, 1.4 + 0.17 * sum(ratios)),
                             gridspec_kw={"height_ratios": ratios})
    ax = axes[0, 0]
    pos = np.arange(len(ranked))
    if method == "sobol":
        first = rows[rows["index"] == "S1"].set_index("parameter").reindex(ranked["parameter"])
        _interval_plot(ax, ranked["value"], ranked["conf"], pos + 0.15, fmt="o",
                       color="#1b4f72", markersize=4, label="total order ST")
        _interval_plot(ax, first["value"], first["conf"], pos - 0.15, fmt="s",
                       color="#ca6f1e", markersize=3, label="first order S1")
        ax.legend(loc="lower right", fontsize=8)
        ax.set_xlabel("Sobol index (share of the output's variance), 95% bootstrap interval")
    else:
        _interval_plot(ax, ranked["value"], ranked["conf"], pos, fmt="o", color="#1b4f72",
                       markersize=4)
        ax.set_xlabel("Morris mu* (per unit of normalised range), 95% bootstrap interval")
    ax.set_yticks(pos, ranked["parameter"])
    ax.set_ylim(-0.7, len(ranked) - 0.3)
    ax.tick_params(axis="y", labelsize=7)
    ax.axvline(0.0, color="#888888", linewidth=0.6)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
    ax.set_title(f"What drives {output}" + (
        f"\n(the {len(ranked)} largest {key}; {left_out} more, each below "
        f"{ranked['value'].min():.2g}, in sensitivity.csv)" if left_out else ""), fontsize=10)
    if len(pairs):
        ax2 = axes[1, 0]
        labels = [f"{a} × {b}" for a, b in zip(pairs["parameter"], pairs["parameter_2"],
                                               strict=True)]
        pos2 = np.arange(len(pairs))
        _interval_plot(ax2, pairs["value"], pairs["conf"], pos2, fmt="D", color="#6c3483",
                       markersize=3)
        ax2.set_yticks(pos2, labels)
        ax2.set_ylim(-0.7, len(pairs) - 0.3)
        ax2.tick_params(axis="y", labelsize=7)
        ax2.axvline(0.0, color="#888888", linewidth=0.6)
        ax2.set_xlabel("second-order Sobol index S2 of a pair (the ten largest), 95% interval")
    fig.tight_layout()
    return _png(fig)


def convergence_figure(convergence: pd.DataFrame, method: str, top: int = 6) -> bytes:
    """PNG: per output, the ranking index of its ``top`` parameters (largest on the whole
    design) against the runs it was estimated from, with 95% intervals: flat lines with
    narrow bands mean the sample was large enough."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    key = RANKING_INDEX[method]
    data = convergence[convergence["index"] == key]
    outputs = list(dict.fromkeys(data["output"]))
    cols = min(2, max(len(outputs), 1))
    nrows = max(1, -(-len(outputs) // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(6.5 * cols, 3.6 * nrows), squeeze=False)
    for ax, output in zip(axes.ravel(), outputs, strict=False):
        rows = data[data["output"] == output]
        final = rows[rows["runs"] == rows["runs"].max()]
        leaders = final.sort_values("value", ascending=False)["parameter"].head(top)
        for name in leaders:
            line = rows[rows["parameter"] == name].sort_values("runs")
            (drawn,) = ax.plot(line["runs"], line["value"], marker="o", markersize=3,
                               label=name)
            ax.fill_between(line["runs"], line["ci_low"], line["ci_high"],
                            color=drawn.get_color(), alpha=0.15, linewidth=0)
        ax.set_xscale("log", base=2)
        # plain numbers at the sizes analysed (a log axis' default labels are mathtext,
        # whose first use costs seconds)
        ax.xaxis.set_major_locator(FixedLocator(sorted(set(rows["runs"]))))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.tick_params(axis="x", labelsize=7)
        ax.set(title=output, xlabel="runs (leading part of the design)",
               ylabel=f"{key}, 95% interval")
        ax.legend(fontsize=6, loc="best")
    for ax in axes.ravel()[len(outputs):]:
        ax.set_visible(False)
    fig.suptitle(f"Did we run enough? {key} against sample size", fontsize=11)
    fig.tight_layout()
    return _png(fig)


def _draw(job: tuple[str, pd.DataFrame, str, str]) -> bytes:
    kind, table, method, output = job
    if kind == "convergence":
        return convergence_figure(table, method)
    return ranking_figure(table, method, output)


def draw_figures(indices: pd.DataFrame, convergence: pd.DataFrame, method: str,
                 folder: Path, pool: Any = None) -> list[Path]:
    """``<output>.png`` per output and ``convergence.png`` into ``folder``, drawn on the
    workers of ``pool`` (this process without one), which return the PNG's bytes."""
    jobs, paths = [], []
    for output in dict.fromkeys(indices["output"]):
        jobs.append(("ranking", indices[indices["output"] == output], method, output))
        paths.append(folder / f"{_slug(output)}.png")
    if not convergence.empty:
        jobs.append(("convergence", convergence, method, ""))
        paths.append(folder / "convergence.png")
    images = pool.map(_draw, jobs) if pool is not None else [_draw(j) for j in jobs]
    folder.mkdir(parents=True, exist_ok=True)
    for path, image in zip(paths, images, strict=True):
        path.write_bytes(image)
    return paths


# --------------------------------------------------------------------------- the command


@dataclass
class SensitivityReport:
    """What an analysis did and wrote."""

    out_dir: Path
    n_samples: int
    n_runs: int
    n_done_before: int
    failures: list[dict[str, Any]]
    indices: pd.DataFrame
    convergence: pd.DataFrame
    notes: dict[str, str]
    written: list[Path]


def _move_into_place(staging: Path, out: Path) -> list[Path]:
    """Move every file of ``staging`` to the same place under ``out``, replacing only those
    files (ours from an earlier pass); nothing else in ``out`` is touched."""
    moved = []
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = out / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(target)
    return moved


def run_sensitivity(design: SensitivityDesign, out_dir: str | Path, workers: int = 1,
                    backend: str = "local", scheduler: str | None = None,
                    resume: bool = False, progress: bool = True) -> SensitivityReport:
    """Sample, run the design as one batch, analyse on the same workers, write the outputs.

    ``out_dir/batch/`` holds the design batch (``samples.parquet``, ``runs.parquet``, see
    :mod:`alliancesim.sweep.batch`); ``sensitivity.csv``, ``convergence.csv`` and
    ``figures/`` are written to a temporary folder and moved into ``out_dir`` once complete.
    With failed runs nothing is analysed (the report lists them; ``resume`` runs them
    again). The command line wraps this in :func:`alliancesim.outputs.work_folder`.
    """
    from ..sweep.backends import open_backend
    from ..sweep.batch import Batch, run_batch

    if workers < 1:
        raise ConfigError(f"--workers = {workers}: expected at least 1")
    if scheduler and backend != "dask":
        raise ConfigError("--scheduler ADDRESS goes with --backend dask")
    out = Path(out_dir)
    work = out / BATCH_FOLDER
    samples = design.sample()
    batch = Batch(design.scenario, pd.DataFrame(samples, columns=list(design.parameters)),
                  tuple(design.seeds), tuple(design.outputs), design.years)
    with open_backend(backend, workers, scheduler) as pool:
        report = run_batch(batch, work, pool, resume=resume, progress=progress)
        if report.failures:
            return SensitivityReport(out, len(samples), report.n_runs, report.n_done_before,
                                     report.failures, pd.DataFrame(columns=INDEX_COLUMNS),
                                     pd.DataFrame(columns=CONVERGENCE_COLUMNS), {}, [])
        runs = batch_runs(work)
        indices, convergence, notes = analyse(design, samples, runs, pool)
        for stale in work.glob(".staging-*"):  # ours, left by a process killed mid-write
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=work))
        try:
            indices.to_csv(staging / "sensitivity.csv", index=False)
            convergence.to_csv(staging / "convergence.csv", index=False)
            draw_figures(indices, convergence, design.method, staging / "figures", pool)
            written = _move_into_place(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # our own temporary folder
    return SensitivityReport(out, len(samples), report.n_runs, report.n_done_before, [],
                             indices, convergence, notes, written)
