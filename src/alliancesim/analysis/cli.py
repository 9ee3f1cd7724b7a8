"""``alliancesim validate`` and ``alliancesim sensitivity``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..config import ConfigError

VALIDATION_COLUMNS = ["fact", "statistic", "value", "ci_low", "ci_high", "target", "passed"]


def _fmt(value: float) -> str:
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def validation_markdown(table: pd.DataFrame, seeds: int) -> str:
    """The validation table as a markdown page with each fact's source."""
    lines = [f"# Validation ({seeds} seeds per condition)", "",
             "| fact | statistic | model value [95% CI] | target | result | source |",
             "|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.fact} | {r.statistic} | {_fmt(r.value)} [{_fmt(r.ci_low)}, "
                     f"{_fmt(r.ci_high)}] | {r.target} | {'pass' if r.passed else 'FAIL'} | "
                     f"{r.source} |")
    passed = int(table["passed"].sum())
    lines += ["", f"{passed} of {len(table)} checks pass."]
    return "\n".join(lines) + "\n"


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    out = Path(args.out)
    table = validate(seeds=args.seeds, out_dir=out, workers=args.workers)
    out.mkdir(parents=True, exist_ok=True)
    table[VALIDATION_COLUMNS].to_csv(out / "validation.csv", index=False)
    (out / "validation.md").write_text(validation_markdown(table, args.seeds))
    width = max(len(s) for s in table["statistic"])
    for r in table.itertuples():
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.fact:<34} {r.statistic:<{width}}  "
              f"{_fmt(r.value)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]  target {r.target}")
    failed = int((~table["passed"]).sum())
    print(f"{len(table) - failed} of {len(table)} checks pass; wrote {out}/validation.csv "
          f"and validation.md")
    return 1 if failed else 0


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
    v = subparsers.add_parser("validate", help="check the model against the evidence")
    v.add_argument("--seeds", type=int, default=20, help="seeds per condition (default 20)")
    v.add_argument("--out", default="out/validation", help="output folder")
    v.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
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


__all__ = ["ConfigError", "register", "validation_markdown"]
