"""The ``alliancesim`` command.

Sub-commands live beside the code they drive: this file holds ``run``, ``scenarios`` and
``describe``, and asks the modules in ``_EXTENSIONS`` to register theirs (sweep, viz, validate,
sensitivity). Registering imports only those small ``cli`` modules: the model, pandas,
matplotlib and the sweep machinery are imported by the sub-command that needs them, so
``alliancesim --help`` and ``alliancesim scenarios`` answer at once.

Bad input (a :class:`~alliancesim.config.ConfigError`, an unreadable file, a full disk) ends
the command with a one-paragraph message on stderr and exit code 2, never a traceback; an
unexpected error prints one line asking for a bug report (exit 1), with the traceback only
when ``ALLIANCESIM_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .scenarios import list_scenarios

#: Modules that add sub-commands with a ``register(subparsers)`` function.
_EXTENSIONS = ("alliancesim.sweep.cli", "alliancesim.viz.cli", "alliancesim.analysis.cli")

EXIT_USAGE = 2
EXIT_INTERNAL = 1
FIGURE_FORMATS = ("png", "svg", "pdf")


def overrides_from(pairs: list[str] | None) -> dict[str, Any]:
    """``--set key=value`` pairs as a dict (values parsed as TOML)."""
    from .config import parse_override

    return dict(parse_override(p) for p in pairs or [])


def config_from_args(args: argparse.Namespace) -> Any:
    """The validated config named by ``--scenario``/``--config`` with ``--years``/``--set``."""
    from .config import load_config, load_scenario

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


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    """``--force``: replace an existing --out folder that alliancesim did not write."""
    parser.add_argument("--force", action="store_true",
                        help="replace --out even if it holds files alliancesim did not write "
                             "(never /, your home folder, the current folder or its parents)")


def check_seed(seed: int, option: str = "--seed") -> int:
    """A seed is an integer in [0, MAX_SEED]."""
    from .config import MAX_SEED

    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"{option} {seed}: expected an integer from 0 to {MAX_SEED} (2**63-1)")
    return seed


def _cmd_run(args: argparse.Namespace) -> int:
    from .outputs import check_target, disk_error_message, output_folder

    check_seed(args.seed)
    cfg = config_from_args(args)
    out = Path(args.out) if args.out is not None else Path("out") / cfg.name
    check_target(out, "run", force=args.force)  # before the run, so a refusal comes at once

    from .model import AllianceModel
    from .results import leader_code, write_tables

    model = AllianceModel(cfg, seed=args.seed)
    model.run_model()
    res = model.results()
    try:
        with output_folder(out, "run", force=args.force) as tmp:
            write_tables(model, tmp, res)
            if not args.no_figures:
                from .plots import write_run_figures

                write_run_figures(res, tmp / "figures", fmt=args.figure_format,
                                  norm_pct=cfg.incentives.spending_norm_pct,
                                  leader=leader_code(model))
    except OSError as err:
        raise ConfigError(disk_error_message(err, f"--out {out}")) from None
    ts = res.timeseries
    last = ts.iloc[-1]
    print(f"{cfg.name}: {int(ts['year'].iloc[0])}-{int(last['year'])}, seed {args.seed}, "
          f"{int(last['members'])} members")
    print(f"  final year: leader share {last['leader_share']:.2f}, mean burden "
          f"{last['mean_burden_pct']:.2f}% GDP, {int(last['members_at_2pct'])} at "
          f"{cfg.incentives.spending_norm_pct:g}%, capability gap index "
          f"{last['capability_gap_index']:.2f}")
    print(f"wrote {out}/timeseries.csv, members.csv, capabilities.csv, contributions.csv, "
          "run.json"
          + ("" if args.no_figures else f", figures/*.{args.figure_format}"))
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    scenarios = list_scenarios()
    width = max(map(len, scenarios))
    for name, description in scenarios.items():
        print(f"{name:<{width}}  {description}")
    return 0


def markdown_cell(value: Any) -> str:
    """Text safe inside a markdown table cell: ``|`` escaped, line breaks as spaces."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _cmd_describe(args: argparse.Namespace) -> int:
    from .config import parameter_table

    rows = parameter_table()
    markdown = args.format == "markdown"
    if markdown:
        print("| name | default | unit | range | source | description |")
        print("|---|---|---|---|---|---|")
    for r in rows:
        if r["choices"]:
            rng = (", " if markdown else " | ").join(map(str, r["choices"]))
        else:
            rng = f"[{_fmt(r['min'])}, {_fmt(r['max'])}]"
        if markdown:
            cells = [f"`{r['name']}`", _fmt(r["default"]), r["unit"], rng, r["source"],
                     r["description"]]
            print("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
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


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked (importlib.metadata is slow)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from . import __version__

        print(f"alliancesim {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="alliancesim", description="Agent-based simulation of alliance burden-sharing.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write tables and figures")
    add_config_arguments(run)
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--years", type=int, help="number of years to simulate after the start")
    run.add_argument("--out", help="output folder (default out/SCENARIO)")
    add_force_argument(run)
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    run.add_argument("--figure-format", choices=FIGURE_FORMATS, default="png",
                     help="file format of the figures (default png at 150 dpi; svg and pdf "
                          "are vector files)")
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
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `alliancesim describe | head`
        sys.stderr.close()
        return 0
    except OSError as err:  # full disk, permissions, a file that vanished
        where = f" ({err.filename})" if err.filename else ""
        print(f"error: {err.strerror or err}{where}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug: one line, the traceback only on request
        if os.environ.get("ALLIANCESIM_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}. This is a bug in alliancesim; "
              f"please report it with the command you ran (ALLIANCESIM_DEBUG=1 shows the "
              f"traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
