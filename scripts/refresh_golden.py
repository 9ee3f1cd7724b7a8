"""Rewrite the golden baseline summary that tests/test_golden.py compares against.

Run it after a deliberate change to the model, then review the diff of
``tests/golden/baseline_seed7.csv`` before committing:

    .venv/bin/python scripts/refresh_golden.py && git diff tests/golden/
"""

from __future__ import annotations

from pathlib import Path

from alliancesim import AllianceModel, load_scenario

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "baseline_seed7.csv"
SEED = 7
YEARS = 8
COLUMNS = ["year", "alliance_spending_usd", "leader_share", "mean_burden_pct",
           "members_at_2pct", "exploitation_rho", "burden_gini", "capability_gap_index",
           "capability_gap_index_europe", "areas_abandoned", "contributors", "troops_deployed",
           "casualties", "mean_caveat", "mean_support_operation", "mean_support_defence"]


def golden_summary():
    """The summary the golden file holds: a short fixed-seed baseline run."""
    cfg = load_scenario("baseline", {"run.end_year": 2012 + YEARS})
    model = AllianceModel(cfg, seed=SEED)
    model.run_model()
    return model.results().timeseries[COLUMNS]


def main() -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    golden_summary().to_csv(GOLDEN, index=False, float_format="%.10g")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
