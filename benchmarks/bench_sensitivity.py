"""A Sobol analysis against a plain sweep of the same number of runs: time and peak memory.

Prints, in one invocation, for the ``baseline`` scenario (28 members, 2012-2030) with every
behavioural float parameter of the schema varied (their number ``D`` is read from the
schema, so it follows the model):

* **small**: ``alliancesim sensitivity --method sobol`` with second-order indices on the
  largest power-of-two number of base samples whose ``base x (2D + 2)`` runs are at most
  ``--small-runs`` (the issue measured 2,208 runs), against ``alliancesim sweep`` of the same
  number of runs (one condition, that many seeds). Ratio of wall time and of peak memory;
  target at most 1.2x each.
* **large**: the same with at most ``--large-runs`` runs (the issue's 20,000-run design, as
  the largest power-of-two Sobol design within it: 64 base samples, 19,456 runs, with
  D = 151), against a plain sweep of the same runs plus SALib's own analysis of those outputs
  (timed here, in one process: ``SALib.analyze.sobol.analyze`` with
  ``calc_second_order=True`` per output). Target: the analysis finishes within that sum.
  Then the same command with ``--backend dask`` (a local Dask cluster of as many workers).
* memory flat in the number of runs: peak memory of the large analysis against the small.

Every measurement is a fresh ``alliancesim`` process, as a user runs it (start-up, imports
and writing the outputs are included, for both sides). Peak memory is the largest sum of the
resident set sizes of the command's process tree (the command, its workers, and for Dask
the nanny and worker processes), sampled every 20 ms; pages that forked workers share with
their parent are counted in each, for both sides alike. The machine may be shared: each
small figure is the best of ``--repeats`` (interleaved, so a disturbance hits one repeat of
each side), the large ones a single run each; the load average is printed first.
The last line is a JSON object of every figure.

    .venv/bin/python benchmarks/bench_sensitivity.py [--workers 2] [--small-runs 2500]
        [--large-runs 20000] [--repeats 3] [--no-dask]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from alliancesim.config import parameter_table

SCENARIO = "baseline"
OUTPUTS = ["cohesion_index:mean", "capability_gap_index:final",
           "capability_gap_index_europe:final", "burden_gini:final", "leader_share:final"]
CLI = [str(Path(sys.executable).with_name("alliancesim"))]  # the console script


def n_parameters() -> int:
    return sum(1 for r in parameter_table() if r["behavioural"] and r["type"] == "float")


def sobol_runs(base: int) -> int:
    return base * (2 * n_parameters() + 2)


def base_samples(most_runs: int) -> int:
    """The largest power of two (at least 4) whose Sobol design has at most that many runs."""
    base = 4
    while sobol_runs(base * 2) <= most_runs:
        base *= 2
    return base


def write_files(folder: Path, base: int, years: int | None) -> tuple[Path, Path]:
    """The Sobol design and a plain sweep of the same number of runs (and run length)."""
    length = f"years = {years}\n" if years else ""
    design = folder / f"sobol_{base}.toml"
    design.write_text(f'scenario = "{SCENARIO}"\n{length}method = "sobol"\nseeds = [1]\n'
                      f"outputs = {json.dumps(OUTPUTS)}\n"
                      f"[sobol]\nbase_samples = {base}\nsecond_order = true\n")
    sweep = folder / f"sweep_{base}.toml"
    sweep.write_text(f'scenario = "{SCENARIO}"\n{length}[replicates]\n'
                     f"count = {sobol_runs(base)}\nbase_seed = 1\n")
    return design, sweep


def tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, process tree) of one command."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
    process = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(process))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    stderr = child.stderr.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{stderr}")
    return elapsed, peak / 2**20


def sensitivity_command(design: Path, out: Path, workers: int, backend: str = "local"):
    return [*CLI, "sensitivity", str(design), "--out", str(out), "--workers", str(workers),
            "--backend", backend]


def sweep_command(sweep: Path, out: Path, workers: int):
    return [*CLI, "sweep", str(sweep), "--out", str(out), "--workers", str(workers)]


def salib_seconds(out: Path) -> float:
    """SALib's own Sobol analysis (second order) of every output of a finished design."""
    import pandas as pd
    from SALib.analyze import sobol

    # the design batch of a sensitivity output folder (alliancesim.sweep.batch)
    samples = pd.read_parquet(out / "batch" / "samples.parquet")
    runs = pd.read_parquet(out / "batch" / "runs.parquet")
    problem = {"num_vars": samples.shape[1], "names": list(samples.columns),
               "bounds": [[float(samples[c].min()), float(samples[c].max())]
                          for c in samples.columns]}
    start = time.perf_counter()
    for output in OUTPUTS:
        y = runs.groupby("sample")[output].mean().to_numpy()
        if not (y == y).all():  # NaN: as the analysis does, the mean where missing
            y = pd.Series(y).fillna(pd.Series(y).mean()).to_numpy()
        sobol.analyze(problem, y, calc_second_order=True, seed=1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--small-runs", type=int, default=2500, help="most runs, small design")
    parser.add_argument("--large-runs", type=int, default=20000,
                        help="most runs, large design")
    parser.add_argument("--repeats", type=int, default=3, help="best of, small design")
    parser.add_argument("--years", type=int, help="run length (default: the scenario's)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurement")
    args = parser.parse_args()
    w = args.workers
    args.small, args.large = base_samples(args.small_runs), base_samples(args.large_runs)
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}; "
          f"{SCENARIO} ({f'{args.years} years' if args.years else 'its own span'}), "
          f"D = {n_parameters()} behavioural parameters, {w} workers")
    fig: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        design, sweep = write_files(root, args.small, args.years)
        for i in range(args.repeats):
            for kind, command in (
                    ("sobol", sensitivity_command(design, root / f"s{i}", w)),
                    ("sweep", sweep_command(sweep, root / f"p{i}", w))):
                seconds, mb = measure(command)
                fig[f"{kind}_small_s"] = min(fig.get(f"{kind}_small_s", 1e9), seconds)
                fig[f"{kind}_small_mb"] = min(fig.get(f"{kind}_small_mb", 1e9), mb)
        n_small, n_large = sobol_runs(args.small), sobol_runs(args.large)
        print(f"small: {n_small:,} runs (Sobol, {args.small} base samples, second order), "
              f"best of {args.repeats}")
        print(f"  sobol {fig['sobol_small_s']:.1f} s {fig['sobol_small_mb']:.0f} MB; "
              f"plain sweep {fig['sweep_small_s']:.1f} s {fig['sweep_small_mb']:.0f} MB")
        fig["time_ratio_small"] = fig["sobol_small_s"] / fig["sweep_small_s"]
        fig["memory_ratio_small"] = fig["sobol_small_mb"] / fig["sweep_small_mb"]
        print(f"  ratio sobol / sweep: time {fig['time_ratio_small']:.2f}x, peak memory "
              f"{fig['memory_ratio_small']:.2f}x (target <= 1.2x each)")

        design, sweep = write_files(root, args.large, args.years)
        fig["sobol_large_s"], fig["sobol_large_mb"] = measure(
            sensitivity_command(design, root / "sl", w))
        print(f"large: sobol {fig['sobol_large_s']:.1f} s {fig['sobol_large_mb']:.0f} MB "
              f"({n_large:,} runs)", flush=True)  # printed at once: the rest takes as long
        fig["salib_large_s"] = salib_seconds(root / "sl")
        fig["sweep_large_s"], fig["sweep_large_mb"] = measure(
            sweep_command(sweep, root / "pl", w))
        budget = fig["sweep_large_s"] + fig["salib_large_s"]
        fig["time_ratio_large"] = fig["sobol_large_s"] / budget
        fig["memory_ratio_large"] = fig["sobol_large_mb"] / fig["sweep_large_mb"]
        print(f"large: {n_large:,} runs (Sobol, {args.large} base samples, second order)")
        print(f"  sobol {fig['sobol_large_s']:.1f} s {fig['sobol_large_mb']:.0f} MB; "
              f"plain sweep {fig['sweep_large_s']:.1f} s {fig['sweep_large_mb']:.0f} MB; "
              f"SALib's analysis alone (one process) {fig['salib_large_s']:.1f} s")
        print(f"  sobol / (sweep + SALib) time {fig['time_ratio_large']:.2f}x (target <= 1), "
              f"sobol / sweep peak memory {fig['memory_ratio_large']:.2f}x")
        fig["memory_growth"] = fig["sobol_large_mb"] / fig["sobol_small_mb"]
        print(f"  memory flat in the runs: {n_large:,} against {n_small:,} runs "
              f"{fig['memory_growth']:.2f}x")
        if not args.no_dask:
            fig["dask_large_s"], fig["dask_large_mb"] = measure(
                sensitivity_command(design, root / "dl", w, backend="dask"))
            fig["dask_ratio_large"] = fig["dask_large_s"] / budget
            same = all((root / "sl" / f).read_bytes() == (root / "dl" / f).read_bytes()
                       for f in ("sensitivity.csv", "convergence.csv", "batch/runs.parquet"))
            print(f"  --backend dask: {fig['dask_large_s']:.1f} s {fig['dask_large_mb']:.0f} "
                  f"MB; / (sweep + SALib) {fig['dask_ratio_large']:.2f}x (target <= 1); "
                  f"outputs identical to the local pool's: {same}")
            fig["dask_identical"] = float(same)
    print(json.dumps({k: round(v, 3) for k, v in fig.items()}))


if __name__ == "__main__":
    main()
