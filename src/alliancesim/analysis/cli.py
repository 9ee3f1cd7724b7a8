"""``alliancesim validate`` and ``alliancesim sensitivity``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..config import ConfigError


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` next to ``path`` and move it into place, so no half file is left."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import fmt, per_seed_table, scorecard_markdown, table, validate

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a folder")
    checks = validate(seeds=args.seeds, workers=args.workers)
    frame = table(checks)
    out.mkdir(parents=True, exist_ok=True)
    _write_atomically(out / "validation.csv", frame.to_csv(index=False))
    _write_atomically(out / "validation_seeds.csv", per_seed_table(checks).to_csv(index=False))
    _write_atomically(out / "validation.md", scorecard_markdown(frame, args.seeds))
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
    from .sensitivity import load_sensitivity, run_sensitivity

    design = load_sensitivity(args.experiment, method=args.method)
    indices = run_sensitivity(design, args.out, workers=args.workers, backend=args.backend,
                              scheduler=args.scheduler, resume=args.resume)
    key = "mu_star" if design.method == "morris" else "ST"
    for output, group in indices[indices["index"] == key].groupby("output", sort=False):
        top = group.sort_values("value", ascending=False).head(5)
        ranked = ", ".join(f"{p} ({v:.3g})" for p, v in zip(top["parameter"], top["value"],
                                                          strict=True))
        print(f"{output}: {ranked}")
    print(f"wrote {args.out}/sensitivity.csv, samples.csv and figures/")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``alliancesim validate`` and ``alliancesim sensitivity``."""
    v = subparsers.add_parser("validate", help="score the model against the evidence")
    v.add_argument("--seeds", type=int, default=10, help="seeds per condition (default 10)")
    v.add_argument("--out", default="out/validation", help="output folder")
    v.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    v.add_argument("--strict", action="store_true",
                   help="exit with code 1 when any validation check fails")
    v.set_defaults(handler=_cmd_validate)

    s = subparsers.add_parser("sensitivity", help="global sensitivity analysis (SALib)")
    s.add_argument("experiment", type=Path, help="sensitivity experiment TOML file")
    s.add_argument("--method", choices=("morris", "sobol"), help="overrides the file's method")
    s.add_argument("--out", type=Path, default=Path("out/sensitivity"), help="output folder")
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--backend", choices=("local", "dask"), default="local")
    s.add_argument("--scheduler", help="address of an existing Dask scheduler")
    s.add_argument("--resume", action="store_true", help="finish an interrupted analysis")
    s.set_defaults(handler=_cmd_sensitivity)


__all__ = ["ConfigError", "register"]
