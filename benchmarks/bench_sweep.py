"""Sweep throughput against mesa.batch_run, and peak memory as the number of runs grows.

Prints, in one invocation:

* runs per second of ``alliancesim.sweep.run_experiment`` with 1 and 2 workers, and of
  ``mesa.batch_run`` on the same model and design with 1 and 2 processes. The design is the
  ``baseline`` scenario (28 members, 2012-2030, 19 steps) over ``--runs`` seeds.

  How the comparison is kept fair: both run the same ``AllianceModel`` with the same config
  and seeds and produce the same data. ``batch_run`` drives ``BatchAllianceModel`` (keyword
  parameters, as batch_run needs; the scenario's config is loaded once and cached, as our
  runner does), whose DataCollector records the run's timeseries table (the columns
  ``runs.parquet`` holds) when the run ends; batch_run keeps every result in memory and
  writes nothing. Our runner does more inside the timed interval: it writes each run to
  disk as it finishes, merges the runs into ``runs.parquet``, and writes ``summary.csv``,
  the 13 figures and ``experiment.json``. Timings are wall-clock for the whole call,
  including starting worker processes (batch_run's Pool uses "spawn", which it imposes).
* the peak resident memory (``ru_maxrss``) of a sweep of 500 and of 5,000 short runs
  (``baseline``, 3 years) with one worker, i.e. everything in one process.
* the machine's own ceiling for two processes: the same runs done in a plain loop (no
  runner, no files) by one process alone, then by two independent processes at once. Two
  busy cores share caches, memory bandwidth and clock boost, so the pair rarely does twice
  the work of one; no runner's 2-worker speed-up can exceed this ratio, beyond the
  noise of the two measurements (each a best of ``--repeats``).

Start-up is not in the speeds: each measuring process imports the runner first (for ours and
for ``batch_run`` alike), and workers forked from it have it already. Its time in a fresh
process is printed beside the figures.
``batch_run`` with 2 processes starts them with "spawn", so they pay that import inside its
figure, as any spawned worker does.

Every measurement runs in a fresh subprocess, so ``batch_run`` forcing the "spawn" start
method globally cannot affect ours, and memory figures do not mix. The machine may be shared,
so each speed is the best of ``--repeats`` runs (the least disturbed), as ``timeit`` does;
on a virtual machine whose speed drifts by up to 2x within minutes, five repeats (the
default) are needed for the best of each to come from a comparable state. The ceiling is
likewise the best pair against the best single process.
The last line is the JSON object
``{"ours_1", "ours_2", "batch_run_1", "batch_run_2", "rss_500_mb", "rss_5000_mb"}``.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import mesa

from alliancesim import AllianceModel, load_scenario
from alliancesim.results import timeseries_table
from alliancesim.sweep import Experiment, run_experiment

SCENARIO = "baseline"
STEPS = 19  # 2012-2030


def final_timeseries(model: mesa.Model) -> dict:
    """The run's timeseries table as columns: the data our runner writes for a run."""
    return timeseries_table(model)


class BatchAllianceModel(AllianceModel):
    """AllianceModel with keyword parameters and a DataCollector, as batch_run needs."""

    def __init__(self, scenario: str = SCENARIO, seed: int | None = None) -> None:
        super().__init__(_scenario(scenario), seed=seed)
        self.datacollector = mesa.DataCollector(
            model_reporters={"timeseries": final_timeseries})

    def step(self) -> None:
        super().step()
        if not self.running:
            self.datacollector.collect(self)


_scenario = lru_cache(load_scenario)


def measure_ours(runs: int, workers: int) -> float:
    exp = Experiment(scenario=SCENARIO, seeds=list(range(1, runs + 1)), conditions=[])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_experiment(exp, Path(tmp) / "out", workers=workers, progress=False)
        return runs / (time.perf_counter() - start)


def measure_batch_run(runs: int, processes: int) -> float:
    start = time.perf_counter()
    rows = mesa.batch_run(BatchAllianceModel, parameters={"scenario": SCENARIO},
                          rng=list(range(1, runs + 1)), number_processes=processes,
                          data_collection_period=-1, max_steps=100, display_progress=False)
    elapsed = time.perf_counter() - start
    assert len(rows) == runs and all(len(r["timeseries"]["year"]) == STEPS for r in rows)
    return runs / elapsed


def measure_rss(runs: int) -> float:
    exp = Experiment(scenario=SCENARIO, seeds=list(range(1, runs + 1)), years=3,
                     conditions=[])
    with tempfile.TemporaryDirectory() as tmp:
        run_experiment(exp, Path(tmp) / "out", workers=1, progress=False)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_loop(runs: int) -> float:
    """Runs per second of a plain loop over the runs in this process, once warmed up."""
    cfg = _scenario(SCENARIO)
    final_timeseries(_run(cfg, 0))  # warm-up, as a sweep's first run
    start = time.perf_counter()
    for seed in range(1, runs + 1):
        final_timeseries(_run(cfg, seed))
    return runs / (time.perf_counter() - start)


def _run(cfg, seed: int) -> AllianceModel:
    model = AllianceModel(cfg, seed=seed)
    model.run_model()
    return model


def _command(kind: str, runs: int, workers: int) -> list[str]:
    return [sys.executable, __file__, "--child", kind, "--runs", str(runs), "--workers",
            str(workers)]


def _child(kind: str, runs: int, workers: int) -> float:
    out = subprocess.run(_command(kind, runs, workers), capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def import_seconds() -> float:
    """Wall time to import the sweep runner in a fresh process."""
    code = ("import time; start = time.perf_counter(); import alliancesim.sweep.runner; "
            "print(time.perf_counter() - start)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def machine_ceiling(runs: int) -> tuple[float, float]:
    """Runs per second of one looping process alone, and of two independent ones at once."""
    alone = _child("loop", runs, 1)
    pair = [subprocess.Popen(_command("loop", runs, 1), stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    together = sum(float(p.communicate()[0].strip().splitlines()[-1]) for p in pair)
    return alone, together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="seeds per speed measurement")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many")
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=("ours", "batch_run", "rss", "loop"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure = {"ours": lambda: measure_ours(args.runs, args.workers),
                   "batch_run": lambda: measure_batch_run(args.runs, args.workers),
                   "rss": lambda: measure_rss(args.runs),
                   "loop": lambda: measure_loop(args.runs)}[args.child]
        print(measure())
        return
    load = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}, load average before: {load:.2f}"
          + ("  (busy machine: speeds will be low)" if load > 0.5 else ""))
    figures: dict[str, float] = {}
    alone = together = 0.0
    for _ in range(args.repeats):  # interleaved, so a disturbance hits one repeat of each
        for workers in (1, 2):
            for kind in ("ours", "batch_run"):
                key = f"{kind}_{workers}"
                figures[key] = max(figures.get(key, 0.0), _child(kind, args.runs, workers))
        one, two = machine_ceiling(args.runs // 2)
        alone, together = max(alone, one), max(together, two)
    ceiling = together / alone  # best against best, as the speeds
    for runs in (500, 5000):
        figures[f"rss_{runs}_mb"] = _child("rss", runs, 1)
    print(f"design: {SCENARIO}, {args.runs} seeds, full 2012-2030 runs; best of "
          f"{args.repeats}")
    for workers in (1, 2):
        print(f"  {workers} worker(s): ours {figures[f'ours_{workers}']:.1f} runs/s, "
              f"mesa.batch_run {figures[f'batch_run_{workers}']:.1f} runs/s "
              f"(ours {figures[f'ours_{workers}'] / figures[f'batch_run_{workers}']:.2f}x)")
    print(f"  speed-up of ours from 1 to 2 workers: "
          f"{figures['ours_2'] / figures['ours_1']:.2f}x (target >= 1.7x)")
    print(f"  start-up, not in the speeds: importing the runner "
          f"takes {import_seconds():.2f} s in a fresh process")
    print(f"  machine ceiling: two independent processes looping over runs do {ceiling:.2f}x "
          f"the work of one")
    print(f"peak RSS, 3-year {SCENARIO} runs, one process: 500 runs "
          f"{figures['rss_500_mb']:.0f} MB, 5,000 runs {figures['rss_5000_mb']:.0f} MB "
          f"({figures['rss_5000_mb'] / figures['rss_500_mb'] - 1:+.1%}; target within 20%)")
    order = ("ours_1", "ours_2", "batch_run_1", "batch_run_2", "rss_500_mb", "rss_5000_mb")
    print(json.dumps({k: round(figures[k], 2) for k in order}))


if __name__ == "__main__":
    main()
