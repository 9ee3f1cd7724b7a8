"""``alliancesim sweep``: run an experiment file."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from pathlib import Path

EXIT_FAILED = 1
EXIT_USAGE = 2  # also for files that cannot be written (a full disk), as every command
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process ended by Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C: the sweep stops and says how to resume."""


_received: set[int] = set()


def _terminate(signum: int, frame: object) -> None:
    _received.add(signum)
    raise Terminated


def resume_command(args: argparse.Namespace) -> str:
    """The command that finishes this sweep, with the options it was started with."""
    words = ["alliancesim", "sweep", str(args.experiment), "--out", str(args.out), "--resume",
             "--workers", str(args.workers)]
    if args.backend != "local":
        words += ["--backend", args.backend]
    if args.scheduler:
        words += ["--scheduler", args.scheduler]
    if args.members:
        words.append("--members")
    return shlex.join(words)


def _kept(args: argparse.Namespace) -> str:
    from . import storage

    n_done = len(storage.finished_run_ids(args.out)) if args.out.is_dir() else 0
    return f"{n_done} finished run(s) are kept in {args.out}"


def _stopped(args: argparse.Namespace, reason: str) -> str:
    return f"{reason}; {_kept(args)}. To finish the sweep: {resume_command(args)}"


def _cmd_sweep(args: argparse.Namespace) -> int:
    from ..outputs import check_target, disk_error_message
    from .backends import SweepAbortedError
    from .design import load_experiment
    from .runner import run_experiment

    experiment = load_experiment(args.experiment)
    # The folder rules every command shares (never /, home, the current folder or its
    # parents; no files, links or folders that are not an earlier sweep); resuming and
    # locking are the runner's.
    check_target(args.out, "sweep", resumable=True)
    cpus = os.cpu_count() or 1
    if args.backend == "local" and min(args.workers, len(experiment.tasks())) > cpus:
        print(f"warning: --workers {args.workers} is more than the {cpus} CPUs of this "
              f"machine; the extra workers only share them", file=sys.stderr)
    _received.clear()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        report = run_experiment(experiment, args.out, workers=args.workers,
                                backend=args.backend, scheduler=args.scheduler,
                                resume=args.resume, members=args.members)
    except (KeyboardInterrupt, SweepAbortedError) as err:
        if signal.SIGTERM in _received:  # workers ended by the same signal break the pool
            print(_stopped(args, "terminated (SIGTERM)"), file=sys.stderr)
            return EXIT_TERMINATED
        if isinstance(err, KeyboardInterrupt):
            print(_stopped(args, "interrupted"), file=sys.stderr)
            return EXIT_INTERRUPTED
        print(_stopped(args, f"error: {err}"), file=sys.stderr)
        return EXIT_FAILED
    except OSError as err:  # e.g. a full disk: the files cut short are already removed
        message = disk_error_message(err, f"--out {args.out}", kept=_kept(args),
                                     advice=f"Free some space, then finish the sweep: "
                                            f"{resume_command(args)}")
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        signal.signal(signal.SIGTERM, previous)
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
