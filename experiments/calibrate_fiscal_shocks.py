"""Calibrate the per-ally dispersion of economic shocks on 2008-2013; record the fit.

Calibration window: SIPRI real military expenditure, 2008 -> 2013, the European allies with
data in both years. Statistic: the cross-sectional standard deviation of the log change (how
unequally the crisis hit; Giegerich, seed line 562: -50% Latvia to +22% Poland in 2006-2010).
Only this second moment is fitted; which ally cut how much, the mean change and the ranks are
not used. The validation checks whose periods overlap the window (2003->2012, 2012->2013,
see src/alliancesim/validation/targets.toml) test other statistics: per-ally change ranks,
Europe's mean real change, the leader's share and change, burden MAE. None of them is the
dispersion.

Model run: the allies of 2008 from SIPRI, 2008-2013, a shock 2009-2011 (three years, the
source's 2008-2011 crisis) hitting the Europeans, everything else at its defaults. The fitted
parameter is ``economy.shock_dispersion`` (log-sd of each ally's severity); common random
numbers (seeds 1-8) make the loss deterministic; ``scipy.optimize.minimize_scalar`` (bounded)
finds the value whose mean model dispersion equals the observed one.

Usage::

    .venv/bin/python experiments/calibrate_fiscal_shocks.py   # ~30 s; writes the JSON beside
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from provenance import git_commit  # experiments/provenance.py
from scipy import optimize

from alliancesim import AllianceModel
from alliancesim.config import validate_config
from alliancesim.data import sipri_table

HERE = Path(__file__).resolve().parent
OUT = HERE / "calibration_fiscal_shocks.json"
START, END = 2008, 2013
SEEDS = range(1, 9)
SETTINGS = {
    "run": {"start_year": START, "end_year": END, "max_accession_year": 2012},
    "economy": {"shock_start_year": 2009, "shock_years": 3, "shock_scope": "europe",
                "austerity_cut": 0.06},
    "operation": {"framework": "alliance", "requirement": "isaf", "start_year": 2003,
                  "end_year": 2014, "drawdown_start_year": 2012},
}


def observed_dispersion() -> float:
    """SD across European allies of log real SIPRI spending change 2008 -> 2013."""
    table = sipri_table().dropna(subset=["iso3"])
    wide = table.pivot(index="year", columns="iso3", values="milex_const2023_usd_m")
    change = np.log(wide.loc[END] / wide.loc[START]).drop(["USA", "CAN"], errors="ignore")
    return float(change.dropna().std(ddof=1))


def model_dispersion(dispersion: float) -> float:
    """Mean over seeds of the same statistic in the model."""
    config = validate_config({**SETTINGS, "economy": {**SETTINGS["economy"],
                                                      "shock_dispersion": dispersion}})
    values = []
    for seed in SEEDS:
        model = AllianceModel(config, seed=seed)
        model.run_model()
        budget = model.history.member["budget"]
        europe = model.europeans & (model.data.joined <= START)
        change = np.log(budget[-1, europe] / budget[0, europe])
        values.append(float(np.std(change[np.isfinite(change)], ddof=1)))
    return float(np.mean(values))


def main() -> None:
    target = observed_dispersion()
    result = optimize.minimize_scalar(lambda d: (model_dispersion(d) - target) ** 2,
                                      bounds=(0.0, 3.0), method="bounded",
                                      options={"xatol": 0.01})
    commit = git_commit()
    record = {
        "parameter": "economy.shock_dispersion",
        "window": f"{START}-{END}",
        "statistic": "sd of log real military expenditure change, European allies (SIPRI)",
        "observed": round(target, 4),
        "fitted": round(float(result.x), 3),
        "model_at_fit": round(model_dispersion(float(result.x)), 4),
        "model_at_zero": round(model_dispersion(0.0), 4),
        "seeds": list(SEEDS),
        "settings": SETTINGS,
        "method": "scipy.optimize.minimize_scalar (bounded, xatol 0.01), common random numbers",
        "git_commit": commit,
    }
    OUT.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
