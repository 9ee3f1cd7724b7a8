"""The ``alliancesim`` command.

Sub-commands live beside the code they drive: this file holds ``run``, ``scenarios`` and
``describe``, and asks the modules in ``_EXTENSIONS`` to register theirs (sweep, viz, validate,
sensitivity). Any :class:`~alliancesim.config.ConfigError` ends the command with a one-paragraph
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from .config import ConfigError, list_scenarios, load_config, load_scenario, parameter_table
from .config import parse_override as _parse_override

#: Modules that add sub-commands with a ``register(subparsers)`` function.
_EXTENSIONS = ("alliancesim.sweep.cli", "alliancesim.viz.cli", "alliancesim.analysis.cli")

EXIT_USAGE = 2


def overrides_from(pairs: list[str] | None) -> dict[str, Any]:
    """``--set key=value`` pairs as a dict (values parsed as TOML)."""
    return dict(_parse_override(p) for p in pairs or [])


def config_from_args(args: argparse.Namespace) -> Any:
    """The validated config named by ``--scenario``/``--config`` with ``--years``/``--set``."""
    overrides = overrides_from(getattr(args, "set", None))
    if args.config:
        cfg = load_config(args.config, overrides)
    else:
        cfg = load_scenario(args.scenario or "baseline", overrides)
    if getattr(args, "years", None) is not None:
        if args.years < 1:
            raise ConfigError(f"--years must be at least 1, got {args.years}")
        cfg = cfg.with_overrides({"run.end_year": cfg.run.start_year + args.years})
    return cfg


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The scenario/config/--set options shared by sub-commands that run the model."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--scenario", help="a shipped scenario (see `alliancesim scenarios`)")
    source.add_argument("--config", type=Path, help="a scenario TOML file")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override one parameter, e.g. --set operation.framework=coalition")


def _cmd_run(args: argparse.Namespace) -> int:
    from .model import AllianceModel
    from .results import write_outputs

    cfg = config_from_args(args)
    out = Path(args.out or f"out/{cfg.name}")
    model = AllianceModel(cfg, seed=args.seed)
    model.run_model()
    write_outputs(model, out, figures=not args.no_figures)
    ts = model.results().timeseries
    last = ts.iloc[-1]
    print(f"{cfg.name}: {int(ts['year'].iloc[0])}-{int(last['year'])}, seed {args.seed}, "
          f"{int(last['members'])} members")
    print(f"  final year: leader share {last['leader_share']:.2f}, mean burden "
          f"{last['mean_burden_pct']:.2f}% GDP, {int(last['members_at_2pct'])} at 2%, "
          f"capability gap index {last['capability_gap_index']:.2f}")
    print(f"wrote {out}/timeseries.csv, members.csv, capabilities.csv, run.json"
          + ("" if args.no_figures else ", figures/"))
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    scenarios = list_scenarios()
    width = max(map(len, scenarios))
    for name, description in scenarios.items():
        print(f"{name:<{width}}  {description}")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    rows = parameter_table()
    if args.format == "markdown":
        print("| name | default | unit | range | source | description |")
        print("|---|---|---|---|---|---|")
    for r in rows:
        rng = (" | ".join(map(str, r["choices"])) if r["choices"]
               else f"[{_fmt(r['min'])}, {_fmt(r['max'])}]")
        if args.format == "markdown":
            print(f"| `{r['name']}` | {_fmt(r['default'])} | {r['unit']} | {rng} | "
                  f"{r['source']} | {r['description']} |")
        else:
            print(f"{r['name']:<45} {_fmt(r['default']):>10}  {r['unit']:<28} {rng:<22} "
                  f"{r['source']}")
    return 0


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="alliancesim", description="Agent-based simulation of alliance burden-sharing.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write tables and figures")
    add_config_arguments(run)
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--years", type=int, help="number of years to simulate after the start")
    run.add_argument("--out", help="output folder (default out/SCENARIO)")
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    run.set_defaults(handler=_cmd_run)

    sc = sub.add_parser("scenarios", help="list the shipped scenarios")
    sc.set_defaults(handler=_cmd_scenarios)

    de = sub.add_parser("describe", help="print the parameter table")
    de.add_argument("--format", choices=("text", "markdown"), default="text")
    de.set_defaults(handler=_cmd_describe)

    for module_name in _EXTENSIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name and module_name.startswith(err.name):
                continue  # that part of the package is not there
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``alliancesim`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `alliancesim describe | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
