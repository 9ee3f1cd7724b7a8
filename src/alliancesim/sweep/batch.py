"""A design batch: one table of parameter rows, each run with every seed, each run reduced to
a few numbers.

A sensitivity design (a Sobol or Morris sample matrix) has thousands of rows that differ in
every parameter, so treating each row as a sweep condition (per-year summaries, figures, a
manifest naming every condition) costs far more than the runs. A batch instead is condition
free: the sample matrix is stored once (``samples.parquet``), and each run returns only its
scalar outputs (a timeseries column reduced over the years: final, mean, max or min).

Runs go to the workers of the sweep's backends (:func:`~alliancesim.sweep.backends.open_backend`:
this process, a local process pool, or Dask) a *wave* at a time. This process writes each
wave's results as one Parquet file under a temporary name and renames it (``parts/``), so
after an interruption ``resume`` keeps every finished wave and runs only the rest. A run
depends only on its parameters and seed, and the results are assembled in run order, so the
output is the same whatever the number of workers or the backend.

Folder layout (``out_dir``)::

    batch.json         the design's fingerprint and provenance, status "running" or "complete"
    samples.parquet    the sample matrix: one row per sample, one column per parameter
    parts/             finished waves (while running; removed once runs.parquet is written)
    runs.parquet       one row per run: run, sample, seed, then one column per output
    failures.json      runs that raised, with their error (only when some did)
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import math
import platform
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import Config, ConfigError, list_scenarios, read_toml, scenario_dir, validate_config
from ..model import AllianceModel
from ..results import TIMESERIES_COLUMNS, timeseries_table
from .backends import chunks
from .storage import atomic_path, check_resumable, write_atomic_json

#: How a run's yearly values become one number. NaN years (e.g. cohesion after the operation
#: ended) are ignored; "final" is the last year with a value.
REDUCTIONS = ("final", "mean", "max", "min")
#: Runs per worker in one wave: one Parquet file per wave, so at most this many runs per
#: worker are lost to an interruption, and the progress bar moves every few seconds.
WAVE_RUNS_PER_WORKER = 400

BATCH_FILE = "batch.json"
SAMPLES_FILE = "samples.parquet"
RUNS_FILE = "runs.parquet"
FAILURES_FILE = "failures.json"
PARTS = "parts"


def parse_output(text: str) -> tuple[str, str]:
    """``"METRIC:HOW"`` (HOW defaults to final) as ``(metric, how)``; a bad one is a
    :class:`ConfigError` saying what is allowed."""
    metric, _, how = str(text).partition(":")
    how = how or "final"
    if metric not in TIMESERIES_COLUMNS or metric == "year" or how not in REDUCTIONS:
        raise ConfigError(f"output {text!r}: expected METRIC[:{'|'.join(REDUCTIONS)}] with a "
                          f"timeseries column as METRIC (see docs/ODD.md, or the columns of "
                          f"timeseries.csv)")
    return metric, how


def output_name(metric: str, how: str) -> str:
    """The column name of an output, e.g. ``cohesion_index:mean``."""
    return f"{metric}:{how}"


def reduce_years(values: np.ndarray, how: str) -> float:
    """One number from a run's yearly values, ignoring NaN; NaN when no year has a value."""
    values = np.asarray(values, dtype=float)
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return math.nan
    if how == "final":
        return float(finite[-1])
    return float({"mean": np.mean, "max": np.max, "min": np.min}[how](finite))


@dataclass(frozen=True)
class Batch:
    """A validated design: every row of ``samples`` is run with every seed.

    Attributes:
        scenario: shipped scenario the runs start from.
        samples: one row per sample, one column per parameter (dotted names).
        seeds: the seeds each sample runs with.
        outputs: ``(metric, how)`` pairs, see :func:`parse_output`.
        years: run length from the scenario's start year (its own span if None).
    """

    scenario: str
    samples: pd.DataFrame
    seeds: tuple[int, ...]
    outputs: tuple[tuple[str, str], ...]
    years: int | None = None

    def __post_init__(self) -> None:
        if self.scenario not in list_scenarios():
            raise ConfigError(f"scenario = {self.scenario!r}: expected one of "
                              f"{', '.join(list_scenarios())}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds) or not all(
                isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in self.seeds):
            raise ConfigError(f"seeds = {list(self.seeds)!r}: expected distinct "
                              f"non-negative integers")
        if self.years is not None and self.years < 1:
            raise ConfigError(f"years = {self.years}: expected at least 1")
        for metric, how in self.outputs:
            parse_output(output_name(metric, how))
        if len(self.samples) == 0:
            raise ConfigError("the design has no samples")
        # The extremes of every column are valid values: checks names and ranges before any
        # run starts (a schema range is an interval, so every row in between is valid too).
        for row in (self.samples.min(), self.samples.max()):
            run_config(self.scenario, self.years, tuple(self.samples.columns),
                       tuple(float(v) for v in row))

    @property
    def n_runs(self) -> int:
        return len(self.samples) * len(self.seeds)

    @property
    def output_names(self) -> list[str]:
        return [output_name(m, h) for m, h in self.outputs]

    def fingerprint(self) -> str:
        """A hash of what the runs depend on: a resumed batch must have the same one."""
        digest = hashlib.sha256()
        digest.update(json.dumps({"scenario": self.scenario, "seeds": list(self.seeds),
                                  "outputs": self.output_names, "years": self.years,
                                  "parameters": list(self.samples.columns)}).encode())
        digest.update(np.ascontiguousarray(self.samples.to_numpy(dtype=float)).tobytes())
        return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- the workers


@lru_cache(maxsize=16)
def _scenario_data(scenario: str) -> dict[str, Any]:
    data = read_toml(scenario_dir() / f"{scenario}.toml")
    data.setdefault("name", scenario)
    return data


def run_config(scenario: str, years: int | None, names: tuple[str, ...],
               values: Sequence[float]) -> Config:
    """The validated config of one sample: the config ``load_scenario(scenario, overrides)``
    gives, built from the scenario file read once (the names are checked here too)."""
    data = copy.deepcopy(_scenario_data(scenario))
    for name, value in zip(names, values, strict=True):
        node = data
        *sections, leaf = name.split(".")
        for part in sections:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"unknown parameter '{name}' (see `alliancesim describe`)")
        node[leaf] = value
    if years is not None:
        run = data.setdefault("run", {})
        start = run.get("start_year")
        if start is None:
            start = Config.model_fields["run"].default.start_year
        if isinstance(start, int):  # a bad value is reported by the schema
            run["end_year"] = start + years
    return validate_config(data, origin=f"scenario {scenario} with the design's parameters")


@dataclass(frozen=True)
class Chunk:
    """Consecutive runs sent to a worker in one message."""

    scenario: str
    years: int | None
    names: tuple[str, ...]
    outputs: tuple[tuple[str, str], ...]
    runs: np.ndarray      # run numbers
    seeds: np.ndarray     # the seed of each run
    values: np.ndarray    # the parameter values of each run (one row per run)


def run_outputs(config: Config, seed: int, outputs: Sequence[tuple[str, str]]) -> list[float]:
    """Run the model once and reduce each output over its years."""
    model = AllianceModel(config, seed=seed)
    model.run_model()
    table = timeseries_table(model)
    return [reduce_years(table[metric], how) for metric, how in outputs]


def run_chunk(chunk: Chunk) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Run a chunk in order; returns its outputs (one row per run, NaN for a failed run) and
    the failures (run number, seed, error, traceback)."""
    result = np.full((len(chunk.runs), len(chunk.outputs)), np.nan)
    failures = []
    for i, (run, seed, values) in enumerate(zip(chunk.runs, chunk.seeds, chunk.values,
                                                strict=True)):
        try:
            config = run_config(chunk.scenario, chunk.years, chunk.names, tuple(values))
            result[i] = run_outputs(config, int(seed), chunk.outputs)
        except Exception as err:
            failures.append({"run": int(run), "seed": int(seed),
                             "error": f"{type(err).__name__}: {err}",
                             "traceback": traceback.format_exc(limit=8)})
    return result, failures


# --------------------------------------------------------------------------- scheduling


def waves(todo: np.ndarray, parallelism: int) -> Iterator[list[np.ndarray]]:
    """The runs left, as waves of chunks: each wave about :data:`WAVE_RUNS_PER_WORKER` runs
    per worker, its chunks shrinking towards the wave's end (the sweep's
    :func:`~alliancesim.sweep.backends.chunks`)."""
    wave_size = WAVE_RUNS_PER_WORKER * parallelism
    for start in range(0, len(todo), wave_size):
        yield chunks(todo[start:start + wave_size], parallelism)


# --------------------------------------------------------------------------- files


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write a Parquet file so that it is either complete or absent."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _provenance(batch: Batch) -> dict[str, Any]:
    import mesa

    from .. import __version__

    return {"fingerprint": batch.fingerprint(), "scenario": batch.scenario,
            "years": batch.years, "seeds": list(batch.seeds), "outputs": batch.output_names,
            "parameters": list(batch.samples.columns), "n_samples": len(batch.samples),
            "n_runs": batch.n_runs, "alliancesim_version": __version__,
            "mesa_version": mesa.__version__, "numpy_version": np.__version__,
            "python_version": platform.python_version()}


def _prepare(batch: Batch, out: Path, resume: bool) -> None:
    """Check ``out`` (absent, empty, or this batch when resuming), and write batch.json
    ("running") and the sample matrix."""
    manifest = out / BATCH_FILE
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file, not a folder")
    if out.is_dir():
        check_resumable(out, manifest, batch.fingerprint(), resume, "analysis",
                        "design (parameters, bounds, sample size, seeds or outputs changed)")
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob(".*.tmp"), *(out / PARTS).glob(".*.tmp")]:
        stale.unlink()  # our own writes cut short by a crash
    status = "running"
    if manifest.is_file():
        status = json.loads(manifest.read_text()).get("status", status)
    if status != "complete":
        write_atomic_json({**_provenance(batch), "status": "running"}, manifest)
    if not (out / SAMPLES_FILE).is_file():
        write_parquet_atomic(pa.Table.from_pandas(batch.samples.reset_index(drop=True),
                                                  preserve_index=False), out / SAMPLES_FILE)


def _runs_table(runs: np.ndarray, batch: Batch, values: np.ndarray) -> pa.Table:
    n_seeds = len(batch.seeds)
    seeds = np.asarray(batch.seeds, dtype=np.int64)
    columns = {"run": pa.array(runs, pa.int64()),
               "sample": pa.array(runs // n_seeds, pa.int64()),
               "seed": pa.array(seeds[runs % n_seeds], pa.int64())}
    for k, name in enumerate(batch.output_names):
        columns[name] = pa.array(values[:, k], pa.float64())
    return pa.table(columns)


def _finished(out: Path) -> pa.Table | None:
    parts = sorted((out / PARTS).glob("runs-*.parquet"))
    if not parts:
        return None
    return pa.concat_tables(pq.read_table(p) for p in parts)


def read_runs(out_dir: str | Path) -> pd.DataFrame:
    """The runs of a finished batch: run, sample, seed and one column per output."""
    return pd.read_parquet(Path(out_dir) / RUNS_FILE)


@dataclass
class BatchReport:
    """What a batch did: runs in the design, runs found finished on disk, failures."""

    out_dir: Path
    n_runs: int
    n_done_before: int
    failures: list[dict[str, Any]]


def run_batch(batch: Batch, out_dir: str | Path, pool: Any, resume: bool = False,
              progress: bool = True) -> BatchReport:
    """Run every sample x seed of ``batch`` on ``pool`` (an open backend of
    :func:`~alliancesim.sweep.backends.open_backend`); write the files listed in the module
    docstring into ``out_dir``.

    Runs that raise are left out of ``runs.parquet`` and listed in ``failures.json`` (and in
    the report); ``resume`` tries them again.

    Raises:
        ConfigError: ``out_dir`` is not empty and ``resume`` is not set, or holds another
            design.
    """
    from .progress import progress_bar

    out = Path(out_dir)
    _prepare(batch, out, resume)
    n_seeds = len(batch.seeds)
    done = np.zeros(batch.n_runs, dtype=bool)
    if (out / RUNS_FILE).is_file():
        done[pq.read_table(out / RUNS_FILE, columns=["run"]).column("run").to_numpy()] = True
    finished = _finished(out)
    if finished is not None:
        done[finished.column("run").to_numpy()] = True
    n_done_before = int(done.sum())
    todo = np.flatnonzero(~done)
    names = tuple(batch.samples.columns)
    matrix = batch.samples.to_numpy(dtype=float)
    seeds = np.asarray(batch.seeds, dtype=np.int64)
    failures: list[dict[str, Any]] = []
    with progress_bar(batch.n_runs, n_done_before, progress) as bar:
        for wave in waves(todo, pool.parallelism):
            chunks = [Chunk(batch.scenario, batch.years, names, batch.outputs, runs,
                            seeds[runs % n_seeds], matrix[runs // n_seeds]) for runs in wave]
            results = pool.map(run_chunk, chunks)
            runs = np.concatenate(wave)
            values = np.concatenate([r for r, _ in results])
            wave_failures = [f for _, fs in results for f in fs]
            ok = ~np.isin(runs, [f["run"] for f in wave_failures])
            if ok.any():
                write_parquet_atomic(_runs_table(runs[ok], batch, values[ok]),
                                     out / PARTS / f"runs-{runs[0]:09d}.parquet")
            failures.extend(wave_failures)
            bar.update(len(runs))
    _merge(batch, out)
    for failure in failures:
        failure["sample"] = failure["run"] // n_seeds
        failure["parameters"] = dict(zip(names, map(float, matrix[failure["sample"]]),
                                         strict=True))
    if failures:
        write_atomic_json({"failures": failures}, out / FAILURES_FILE)
    else:
        (out / FAILURES_FILE).unlink(missing_ok=True)
    write_atomic_json({**_provenance(batch),
                       "status": "complete" if not failures else "failures",
                       "n_failed": len(failures)}, out / BATCH_FILE)
    return BatchReport(out, batch.n_runs, n_done_before, failures)


def _merge(batch: Batch, out: Path) -> None:
    """Every finished run (runs.parquet of an earlier pass, and the parts) into one
    runs.parquet in run order; then the parts are removed."""
    tables = []
    if (out / RUNS_FILE).is_file():
        tables.append(pq.read_table(out / RUNS_FILE))
    finished = _finished(out)
    if finished is not None:
        tables.append(finished)
    if tables:
        merged = pa.concat_tables(tables)
        merged = merged.take(np.argsort(merged.column("run").to_numpy(), kind="stable"))
    else:
        merged = _runs_table(np.zeros(0, dtype=np.int64), batch,
                             np.zeros((0, len(batch.outputs))))
    write_parquet_atomic(merged, out / RUNS_FILE)
    for part in (out / PARTS).glob("runs-*.parquet"):
        part.unlink()
    with contextlib.suppress(OSError):  # not empty: something else is in there, left alone
        (out / PARTS).rmdir()
