"""Fit spending-behaviour parameters on the 1990s; record the fit with its inputs.

Calibration is kept apart from validation: the window, the statistics and the parameters are
fixed in ``experiments/calibration_1990s.toml``; this script fits them with
``scipy.optimize.differential_evolution`` and writes ``experiments/calibration_1990s.json``:
the inputs (the TOML, the observed statistics, the git commit), the fitted values, the loss at
the defaults and at the fit, and the out-of-sample validation checks that do not overlap the
window (2003->2012, 2012->2013, the free-riding gradient) at the defaults and at the fit.

Why differential evolution (scipy): three bounded parameters; with common random numbers the
loss is deterministic but not smooth (budgets hit the yearly bound, members cross the 2% norm),
so a global, derivative-free, bounded search is the right tool; scipy is already a dependency,
and with a fixed seed the fit is reproducible. Optuna or ABC-SMC would add a dependency for a
problem this small.

Usage::

    .venv/bin/python experiments/calibrate.py            # fit and write the JSON (~2-5 min)
    .venv/bin/python experiments/calibrate.py --check-only 0.2,0.3,0.6   # loss at one point
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
import pandas as pd
from provenance import git_commit  # experiments/provenance.py
from scipy import optimize

from alliancesim.analysis import observed as obs
from alliancesim.analysis import validate as v
from alliancesim.config import load_scenario

HERE = Path(__file__).resolve().parent
SETTINGS = HERE / "calibration_1990s.toml"
RESULT = HERE / "calibration_1990s.json"


def observed_statistics(start: int, end: int) -> dict[str, float]:
    """The window's statistics from the shipped SIPRI table."""
    allies = obs.reported_both(obs.members_by(start), start, end)
    europeans = [c for c in allies if c not in ("USA", "CAN")]
    share = obs.sipri_wide("milex_share_gdp_pct")
    return {
        "europe_real_spending_change_pct": obs.real_spending_change(europeans, start, end),
        "leader_share_1999": obs.leader_share(end),
        "burden_mae_1999": 0.0,  # the observed burdens themselves: the model's error is the stat
        "_allies": allies, "_europeans": europeans,
        "_burden_end": share.loc[end, allies].to_dict(),
    }


def model_statistics(settings: dict[str, Any], overrides: dict[str, float],
                     observed: dict[str, Any]) -> dict[str, float]:
    """The same statistics from the model (mean over the settings' seeds)."""
    start, end = settings["start_year"], settings["end_year"]
    stats: dict[str, list[float]] = {k: [] for k in ("europe_real_spending_change_pct",
                                                     "leader_share_1999", "burden_mae_1999")}
    burden_end = pd.Series(observed["_burden_end"])
    for seed in settings["seeds"]:
        ts, members = v.run_condition((settings["scenario"], "fit",
                                       {"run.end_year": end, **overrides}, seed))
        budget = members.pivot(index="year", columns="member", values="budget_usd")
        eu = observed["_europeans"]
        stats["europe_real_spending_change_pct"].append(
            100.0 * (budget.loc[end, eu].sum() / budget.loc[start, eu].sum() - 1.0))
        stats["leader_share_1999"].append(float(ts.set_index("year").loc[end, "leader_share"]))
        burden = members[members["year"] == end].set_index("member")["burden_pct"]
        stats["burden_mae_1999"].append(obs.mean_absolute_error(burden, burden_end))
    return {k: float(np.mean(x)) for k, x in stats.items()}


def loss(settings: dict[str, Any], model: dict[str, float], observed: dict[str, Any]) -> float:
    """Sum of squared scaled errors over the targets."""
    return float(sum(((model[t["name"]] - observed[t["name"]]) / t["scale"]) ** 2
                     for t in settings["targets"]))


def out_of_sample(overrides: dict[str, float], seeds: int = 10) -> list[dict[str, Any]]:
    """The validation checks that do not overlap the 1990s, with these overrides applied."""
    keep = ("h2003_", "s2013_", "free_riding")
    sweeps = {name: (scenario, [(c, {**o, **overrides}) for c, o in conditions], members)
              for name, (scenario, conditions, members) in v.SWEEPS.items()
              if name in ("baseline", "isaf")}
    saved = v.SWEEPS
    try:
        v.SWEEPS = sweeps
        evidence = v.gather(list(range(1, seeds + 1)))
    finally:
        v.SWEEPS = saved
    targets = v.load_targets()
    picked = {**targets, "check": [c for c in targets["check"] if c["id"].startswith(keep)]}
    return [c.row() for c in v.validation_checks(evidence, picked)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", help="comma-separated parameter values: print the loss")
    args = parser.parse_args(argv)
    settings = tomllib.loads(SETTINGS.read_text())
    names = list(settings["parameters"])
    bounds = [tuple(settings["parameters"][n]) for n in names]
    observed = observed_statistics(settings["start_year"], settings["end_year"])

    def objective(x: np.ndarray) -> float:
        overrides = dict(zip(names, map(float, x), strict=True))
        return loss(settings, model_statistics(settings, overrides, observed), observed)

    if args.check_only:
        print(objective(np.array([float(s) for s in args.check_only.split(",")])))
        return 0
    scenario = load_scenario(settings["scenario"])
    defaults = {n: float(scenario.get(n)) for n in names}
    started = time.perf_counter()
    o = settings["optimizer"]
    fit = optimize.differential_evolution(
        objective, bounds, seed=o["seed"], popsize=o["popsize"], maxiter=o["maxiter"],
        tol=o["tol"], polish=o["polish"], updating="deferred", workers=1)
    seconds = time.perf_counter() - started
    fitted = dict(zip(names, map(float, fit.x), strict=True))
    at_default = model_statistics(settings, defaults, observed)
    at_fit = model_statistics(settings, fitted, observed)
    result = {
        "inputs": {"settings": settings, "settings_file": str(SETTINGS.relative_to(HERE.parent)),
                   "git_commit": git_commit(),
                   "observed": {k: val for k, val in observed.items() if not k.startswith("_")},
                   "allies": observed["_allies"], "europeans": observed["_europeans"]},
        "fit": {"parameters": fitted, "loss": float(fit.fun), "evaluations": int(fit.nfev),
                "message": str(fit.message), "seconds": round(seconds, 1)},
        "defaults": {"parameters": defaults, "loss": loss(settings, at_default, observed)},
        "statistics": {"observed": {k: val for k, val in observed.items()
                                    if not k.startswith("_")},
                       "model_at_defaults": at_default, "model_at_fit": at_fit},
        "out_of_sample": {"at_defaults": out_of_sample({}),
                          "at_fit": out_of_sample(fitted)},
        "applied_as_defaults": False,
        "why_not_applied": ("the 1990s window is the first half of the 1990-2010 hindcast; "
                            "applying the fit would turn the h1990_* checks in-sample"),
    }
    RESULT.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(json.dumps(result["fit"], indent=2))
    print(f"loss at defaults {result['defaults']['loss']:.2f}, at fit {fit.fun:.2f}; "
          f"wrote {RESULT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
