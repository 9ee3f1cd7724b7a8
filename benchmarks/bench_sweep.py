"""Sweep throughput against mesa.batch_run, and peak memory as the number of runs grows.

Prints, in one invocation:

* runs per second of ``alliancesim.sweep.run_experiment`` with 1 and 2 workers, and of
  ``mesa.batch_run`` on the same model and design with 1 and 2 processes. The design is the
  ``baseline`` scenario (28 members, 2012-2030) over ``--runs`` seeds. Both produce the same
  data: ``batch_run`` drives ``BatchAllianceModel``, whose DataCollector records the run's
  timeseries table (the same columns ``runs.parquet`` holds) when the run ends, and keeps it in
  memory; our runner also writes each run to disk as it finishes, merges the runs into
  ``runs.parquet`` and writes ``summary.csv``, the figures and ``experiment.json``, all inside
  the timed interval.
* the peak resident memory of a sweep of 500 and of 5,000 short runs (``baseline``, 3 years)
  with one worker (everything in one process), each measured in a fresh process.

Every measurement runs in its own subprocess, so ``batch_run`` forcing the "spawn" start
method globally cannot affect ours, and memory figures do not mix. The last line is a JSON
object ``{"ours_1", "ours_2", "batch_run_1", "batch_run_2", "rss_500_mb", "rss_5000_mb"}``.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa

from alliancesim import AllianceModel, load_scenario
from alliancesim.results import timeseries_table
from alliancesim.sweep import Experiment, run_experiment


def final_timeseries(model: mesa.Model) -> dict:
    """The run's timeseries table as columns: the data our runner writes for a run."""
    return timeseries_table(model)


class BatchAllianceModel(AllianceModel):
    """AllianceModel with keyword parameters and a DataCollector, as batch_run needs."""

    def __init__(self, scenario: str = "baseline", seed: int | None = None) -> None:
        super().__init__(load_scenario(scenario), seed=seed)
        self.datacollector = mesa.DataCollector(
            model_reporters={"timeseries": final_timeseries})

    def step(self) -> None:
        super().step()
        if not self.running:
            self.datacollector.collect(self)


def measure_ours(runs: int, workers: int) -> dict:
    exp = Experiment(scenario="baseline", seeds=list(range(1, runs + 1)), conditions=[])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_experiment(exp, Path(tmp) / "out", workers=workers, progress=False)
        elapsed = time.perf_counter() - start
    return {"runs_per_s": runs / elapsed}


def measure_batch_run(runs: int, processes: int) -> dict:
    start = time.perf_counter()
    rows = mesa.batch_run(BatchAllianceModel, parameters={"scenario": "baseline"},
                          rng=list(range(1, runs + 1)), number_processes=processes,
                          data_collection_period=-1, max_steps=100, display_progress=False)
    elapsed = time.perf_counter() - start
    assert len(rows) == runs and all(len(r["timeseries"]["year"]) == 19 for r in rows)
    return {"runs_per_s": runs / elapsed}


def measure_rss(runs: int) -> dict:
    exp = Experiment(scenario="baseline", seeds=list(range(1, runs + 1)), years=3,
                     conditions=[])
    with tempfile.TemporaryDirectory() as tmp:
        run_experiment(exp, Path(tmp) / "out", workers=1, progress=False)
    return {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(kind: str, runs: int, workers: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--runs", str(runs),
                          "--workers", str(workers)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--child", choices=("ours", "batch_run", "rss"))
    args = parser.parse_args()
    if args.child == "ours":
        print(json.dumps(measure_ours(args.runs, args.workers)))
        return
    if args.child == "batch_run":
        print(json.dumps(measure_batch_run(args.runs, args.workers)))
        return
    if args.child == "rss":
        print(json.dumps(measure_rss(args.runs)))
        return
    figures = {}
    for workers in (1, 2):
        figures[f"ours_{workers}"] = _child("ours", args.runs, workers)["runs_per_s"]
        figures[f"batch_run_{workers}"] = _child("batch_run", args.runs, workers)["runs_per_s"]
    for runs in (500, 5000):
        figures[f"rss_{runs}_mb"] = _child("rss", runs, 1)["rss_mb"]
    print(f"design: baseline, {args.runs} seeds, full 2012-2030 runs")
    for workers in (1, 2):
        print(f"  {workers} worker(s): ours {figures[f'ours_{workers}']:.1f} runs/s, "
              f"mesa.batch_run {figures[f'batch_run_{workers}']:.1f} runs/s")
    print(f"  speed-up of ours from 1 to 2 workers: "
          f"{figures['ours_2'] / figures['ours_1']:.2f}x")
    print(f"peak RSS, 3-year baseline runs, one process: 500 runs "
          f"{figures['rss_500_mb']:.0f} MB, 5,000 runs {figures['rss_5000_mb']:.0f} MB "
          f"({figures['rss_5000_mb'] / figures['rss_500_mb'] - 1:+.1%})")
    print(json.dumps({k: round(v, 2) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
