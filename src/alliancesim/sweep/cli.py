"""``alliancesim sweep``: run an experiment file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _cmd_sweep(args: argparse.Namespace) -> int:
    from ..outputs import check_target, disk_error_message
    from . import storage
    from .backends import SweepAbortedError
    from .design import load_experiment
    from .runner import run_experiment

    experiment = load_experiment(args.experiment)
    # The folder rules every command shares (never /, home, the current folder or its
    # parents; no files, links or folders that are not an earlier sweep); resuming and
    # locking are the runner's.
    check_target(args.out, "sweep", resumable=True)
    resume_command = (f"alliancesim sweep {args.experiment} --out {args.out} --resume"
                      + (f" --workers {args.workers}" if args.workers != 1 else "")
                      + (f" --backend {args.backend}" if args.backend != "local" else "")
                      + (" --members" if args.members else ""))
    try:
        report = run_experiment(experiment, args.out, workers=args.workers,
                                backend=args.backend, scheduler=args.scheduler,
                                resume=args.resume, members=args.members)
    except (KeyboardInterrupt, SweepAbortedError) as err:
        n_done = len(storage.finished_run_ids(args.out))
        reason = "interrupted" if isinstance(err, KeyboardInterrupt) else f"error: {err}"
        print(f"{reason}; {n_done} finished run(s) are kept in {args.out}. To finish the "
              f"sweep: {resume_command}", file=sys.stderr)
        return EXIT_INTERRUPTED if isinstance(err, KeyboardInterrupt) else EXIT_FAILED
    except OSError as err:  # e.g. the disk filled up: the finished runs are kept
        message = disk_error_message(err, f"--out {args.out}", kept="the finished runs are kept",
                                     advice=f"Free some space, then: {resume_command}")
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    ran = report.n_runs - report.n_done_before
    print(f"{experiment.name}: {_count(report.n_runs, 'run')} "
          f"({_count(len(experiment.conditions), 'condition')} x "
          f"{_count(len(experiment.seeds), 'seed')}); {ran} run now, {report.n_done_before} "
          f"kept from before; outputs in {report.out_dir}")
    if report.n_failed:
        print(f"{report.n_failed} run(s) failed:", file=sys.stderr)
        for f in report.failures:
            print(f"  {f['run_id']} condition={f['condition']} seed={f['seed']} "
                  f"parameters={f['parameters']}: {f['error']}", file=sys.stderr)
        print(f"details in {report.out_dir / 'runs'}/<run_id>.error.json; after a fix, "
              f"--resume runs just these again", file=sys.stderr)
        return EXIT_FAILED
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``alliancesim sweep`` to the command line."""
    p = subparsers.add_parser("sweep", help="run an experiment: conditions x replicates")
    p.add_argument("experiment", type=Path, help="experiment TOML file")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes, or workers of the Dask cluster started (default 1)")
    p.add_argument("--backend", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of an existing Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted sweep in --out, keeping its finished runs")
    p.add_argument("--members", action="store_true", help="also write members.parquet")
    p.set_defaults(handler=_cmd_sweep)
