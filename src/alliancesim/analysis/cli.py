"""``alliancesim validate`` and ``alliancesim sensitivity``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError


def _cmd_validate(args: argparse.Namespace) -> int:
    from ..outputs import check_target, output_folder

    out = check_target(args.out, "validation", force=args.force)  # refuse before the runs
    from .validate import fmt, per_seed_table, scorecard_markdown, table, validate

    checks = validate(seeds=args.seeds, workers=args.workers)
    frame = table(checks)
    # The scorecard goes into a temporary folder beside --out, moved into place complete.
    with output_folder(out, "validation", force=args.force) as tmp:
        (tmp / "validation.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
        (tmp / "validation_seeds.csv").write_text(per_seed_table(checks).to_csv(index=False),
                                                  encoding="utf-8")
        (tmp / "validation.md").write_text(scorecard_markdown(frame, args.seeds),
                                           encoding="utf-8")
    width = max(len(c) for c in frame["check"])
    for kind in ("sanity", "validation"):
        print(f"{kind} checks:")
        for r in frame[frame["kind"] == kind].itertuples():
            naive = f"  naive {fmt(r.naive_value)}" if r.naive_name else ""
            print(f"  {'PASS' if r.passed else 'FAIL'}  {r.check:<{width}}  {fmt(r.value)} "
                  f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]{naive}  target {r.target}  "
                  f"seeds {r.seeds_passing}/{r.seeds}")
    v = frame[frame["kind"] == "validation"]
    failed = v.loc[~v["passed"], "check"].tolist()
    print(f"{len(v) - len(failed)} of {len(v)} validation checks pass; wrote "
          f"{out}/validation.csv, validation_seeds.csv and validation.md")
    if failed:
        print(f"failed validation checks: {', '.join(failed)}")
    return 1 if failed and args.strict else 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    import sys

    from ..outputs import work_folder
    from .sensitivity import RANKING_INDEX, load_sensitivity, run_sensitivity

    design = load_sensitivity(args.experiment, method=args.method)
    if args.workers < 1:
        raise ConfigError(f"--workers {args.workers}: expected at least 1")
    again = (f"alliancesim sensitivity {args.experiment} --method {design.method} "
             f"--out {args.out} --resume")
    # --resume works in --out itself, so that an interrupted analysis can be finished; without
    # it an earlier analysis there is replaced only once the new one is complete, and a
    # folder alliancesim did not write is refused unless --force. See alliancesim.outputs.
    in_place = False
    try:
        with work_folder(args.out, "sensitivity", force=args.force,
                         fresh=not args.resume) as work:
            in_place = Path(work).resolve() == Path(args.out).resolve()
            report = run_sensitivity(design, work, workers=args.workers,
                                     backend=args.backend, scheduler=args.scheduler,
                                     resume=args.resume)
            if report.failures:
                raise _RunsFailedError(report)
    except KeyboardInterrupt:
        kept = (f"the finished runs are kept in {args.out}. To finish: {again}" if in_place
                else f"the earlier contents of {args.out} are untouched")
        print(f"interrupted; {kept}", file=sys.stderr)
        return 130
    except _RunsFailedError as failed:
        report = failed.report
        print(f"{len(report.failures)} of {report.n_runs} run(s) failed, so nothing was "
              f"analysed:", file=sys.stderr)
        for f in report.failures[:5]:
            print(f"  run {f['run']} (sample {f['sample']}, seed {f['seed']}): {f['error']}",
                  file=sys.stderr)
        if in_place:
            print(f"details (parameters, traceback) in {args.out}/batch/failures.json; after a "
                  f"fix, {again}", file=sys.stderr)
        else:
            print(f"the earlier contents of {args.out} are untouched", file=sys.stderr)
        return 1
    key = RANKING_INDEX[design.method]
    indices = report.indices
    for output, group in indices[indices["index"] == key].groupby("output", sort=False):
        top = group.sort_values("value", ascending=False).head(5)
        ranked = ", ".join(f"{p} {v:.3g} ± {c:.2g}" for p, v, c in zip(
            top["parameter"], top["value"], top["conf"], strict=True))
        print(f"{output} ({key}): {ranked}")
    for output, note in report.notes.items():
        print(f"note: {output} {note}", file=sys.stderr)
    print(f"{design.name}: {report.n_runs} runs ({report.n_runs - report.n_done_before} run "
          f"now); wrote {args.out}/sensitivity.csv, convergence.csv, figures/ and batch/ "
          f"(samples.parquet, runs.parquet)")
    return 0


class _RunsFailedError(Exception):
    """Some runs failed: nothing is analysed (raised inside the work folder, so that a
    replacement folder is not moved into place)."""

    def __init__(self, report: object) -> None:
        super().__init__("runs failed")
        self.report = report


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``alliancesim validate`` and ``alliancesim sensitivity``."""
    v = subparsers.add_parser("validate", help="score the model against the evidence")
    v.add_argument("--seeds", type=int, default=10, help="seeds per condition (default 10)")
    v.add_argument("--out", default="out/validation", help="output folder")
    v.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    v.add_argument("--strict", action="store_true",
                   help="exit with code 1 when any validation check fails")
    v.add_argument("--force", action="store_true",
                   help="replace --out even if it holds files alliancesim did not write")
    v.set_defaults(handler=_cmd_validate)

    s = subparsers.add_parser("sensitivity", help="global sensitivity analysis (SALib)")
    s.add_argument("experiment", type=Path, help="sensitivity experiment TOML file")
    s.add_argument("--method", choices=("morris", "sobol"), help="overrides the file's method")
    s.add_argument("--out", type=Path, default=Path("out/sensitivity"), help="output folder")
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--backend", choices=("local", "dask"), default="local")
    s.add_argument("--scheduler", help="address of an existing Dask scheduler")
    s.add_argument("--resume", action="store_true", help="finish an interrupted analysis")
    s.add_argument("--force", action="store_true",
                   help="replace --out even if it holds files alliancesim did not write")
    s.set_defaults(handler=_cmd_sensitivity)


__all__ = ["ConfigError", "register"]
