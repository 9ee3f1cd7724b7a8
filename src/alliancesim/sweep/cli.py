"""``alliancesim sweep``: run an experiment file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .design import load_experiment
from .runner import run_experiment


def _cmd_sweep(args: argparse.Namespace) -> int:
    experiment = load_experiment(args.experiment)
    report = run_experiment(experiment, args.out, workers=args.workers, backend=args.backend,
                            scheduler=args.scheduler, resume=args.resume, members=args.members)
    ran = report.n_runs - report.n_done_before
    print(f"{experiment.name}: {report.n_runs} runs ({len(experiment.conditions)} conditions x "
          f"{len(experiment.seeds)} seeds); {ran} run now, {report.n_done_before} kept from "
          f"before; outputs in {report.out_dir}")
    if report.n_failed:
        print(f"{report.n_failed} run(s) failed:", file=sys.stderr)
        for f in report.failures:
            print(f"  {f['run_id']} condition={f['condition']} seed={f['seed']} "
                  f"parameters={f['parameters']}: {f['error']}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``alliancesim sweep`` to the command line."""
    p = subparsers.add_parser("sweep", help="run an experiment: conditions x replicates")
    p.add_argument("experiment", type=Path, help="experiment TOML file")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--backend", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted sweep in --out, keeping its finished runs")
    p.add_argument("--members", action="store_true", help="also write members.parquet")
    p.set_defaults(handler=_cmd_sweep)
