"""Fit the size of the Cold War's threat on 1990-1995; record the fit with its inputs.

The window, statistics and bounds are fixed in ``experiments/calibration_cold_war.toml``
(committed before the fit); this script fits ``threat.cold_war_excess`` with
``scipy.optimize.minimize_scalar`` (bounded; one parameter, and with common random numbers the
loss is a deterministic function of it) and writes ``experiments/calibration_cold_war.json``:
the inputs, the observed and fitted statistics, the loss over a grid (to show the fit is not
degenerate), and the git commit. The value is then copied by hand into the schema
(``config.py``), whose source cites this file.

Usage::

    .venv/bin/python experiments/calibrate_cold_war.py          # fit and write the JSON (~30 s)
    .venv/bin/python experiments/calibrate_cold_war.py --check-only 0.3   # loss at one value
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from provenance import git_commit  # experiments/provenance.py
from scipy import optimize

from alliancesim.analysis import observed as obs
from alliancesim.analysis import validate as v
from alliancesim.config import load_scenario

HERE = Path(__file__).resolve().parent
SETTINGS = HERE / "calibration_cold_war.toml"
RESULT = HERE / "calibration_cold_war.json"
#: The European allies of 1990 (as in the h1990 checks' membership, from the shipped data).
EUROPEANS_1990 = ["BEL", "DNK", "FRA", "DEU", "GRC", "ITA", "LUX", "NLD", "NOR", "PRT", "ESP",
                  "TUR", "GBR"]


def observed_statistics(start: int, end: int) -> dict[str, float]:
    """The window's statistics from the shipped SIPRI table."""
    return {"europe_real_spending_change_pct": obs.real_spending_change(EUROPEANS_1990, start,
                                                                        end),
            "leader_real_spending_change_pct": obs.real_spending_change([obs.LEADER_CODE],
                                                                        start, end)}


def model_statistics(settings: dict[str, Any], overrides: dict[str, float]) -> dict[str, float]:
    """The same statistics from the model (mean over the settings' seeds)."""
    start, end = settings["start_year"], settings["end_year"]
    europe, leader = [], []
    for seed in settings["seeds"]:
        _, members = v.run_condition((settings["scenario"], "fit",
                                      {"run.end_year": end, **overrides}, seed))
        budget = members.pivot(index="year", columns="member", values="budget_usd")
        europe.append(100.0 * (budget.loc[end, EUROPEANS_1990].sum()
                               / budget.loc[start, EUROPEANS_1990].sum() - 1.0))
        leader.append(100.0 * (budget.loc[end, obs.LEADER_CODE]
                               / budget.loc[start, obs.LEADER_CODE] - 1.0))
    return {"europe_real_spending_change_pct": float(np.mean(europe)),
            "leader_real_spending_change_pct": float(np.mean(leader))}


def loss(settings: dict[str, Any], model: dict[str, float], observed: dict[str, float]) -> float:
    """Sum of squared scaled errors over the targets."""
    return float(sum(((model[t["name"]] - observed[t["name"]]) / t["scale"]) ** 2
                     for t in settings["targets"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", type=float, help="print the loss at this value")
    args = parser.parse_args(argv)
    settings = tomllib.loads(SETTINGS.read_text())
    (name, (low, high)), = settings["parameters"].items()
    observed = observed_statistics(settings["start_year"], settings["end_year"])

    def objective(x: float) -> float:
        return loss(settings, model_statistics(settings, {name: float(x)}), observed)

    if args.check_only is not None:
        print(objective(args.check_only))
        return 0
    started = time.perf_counter()
    fit = optimize.minimize_scalar(objective, bounds=(low, high), method="bounded",
                                   options={"xatol": settings["optimizer"]["xatol"]})
    seconds = time.perf_counter() - started
    value = float(fit.x)
    # The common threat is an index in [0, 1]: above 1 - base_level the excess is clipped and
    # the loss is flat, so the value to use is the smallest one at the optimum.
    ceiling = 1.0 - float(load_scenario(settings["scenario"]).threat.base_level)
    default = round(min(value, ceiling), 3)
    grid = {f"{x:.2f}": objective(x) for x in np.linspace(low, high, 6)}
    result = {
        "inputs": {"settings": settings, "settings_file": str(SETTINGS.relative_to(HERE.parent)),
                   "git_commit": git_commit(), "observed": observed,
                   "europeans": EUROPEANS_1990},
        "fit": {"parameter": name, "value": value, "loss": float(fit.fun),
                "evaluations": int(fit.nfev), "message": str(fit.message),
                "seconds": round(seconds, 1)},
        "statistics": {"observed": observed,
                       "model_at_fit": model_statistics(settings, {name: value}),
                       "model_without_cold_war": model_statistics(settings, {name: 0.0})},
        "loss_on_grid": grid,
        "threat_ceiling": ceiling,
        "reaches_ceiling": value >= ceiling,
        "default_set_to": default,
        "applied_as_default": True,
        "in_sample_checks": ("h1990_* (the 1990-2010 hindcast contains this window); "
                             "h2003_*, s2013_* and the free-riding gradient start after the "
                             "Cold War and do not depend on this parameter"),
    }
    RESULT.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(json.dumps(result["fit"], indent=2))
    print(json.dumps(result["statistics"], indent=2))
    print(f"wrote {RESULT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
