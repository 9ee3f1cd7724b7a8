"""Validation: each statistic is computed right, and the command keeps its contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliancesim.analysis.cli import VALIDATION_COLUMNS
from alliancesim.analysis.validate import (
    Evidence,
    fact_caveats,
    fact_isaf_cohesion,
    fact_isaf_europe,
    mean_ci,
)
from alliancesim.cli import main


def test_mean_ci_is_a_t_interval_and_collapses_when_seeds_agree():
    mean, low, high = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5
    half = 3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert high - mean == pytest.approx(half, rel=1e-5)
    assert mean - low == pytest.approx(half, rel=1e-5)
    assert mean_ci([5.0, 5.0]) == (5.0, 5.0, 5.0)


def _runs(condition: str, seeds, years, **columns) -> pd.DataFrame:
    rows = []
    for s in seeds:
        for y in years:
            rows.append({"condition": condition, "seed": s, "year": y,
                         **{k: v(s, y) for k, v in columns.items()}})
    return pd.DataFrame(rows)


def _evidence(isaf: pd.DataFrame, members: pd.DataFrame | None = None) -> Evidence:
    empty = pd.DataFrame()
    return Evidence(baseline=empty, baseline_members=empty, isaf=isaf,
                    isaf_members=members if members is not None else empty, austerity=empty)


def test_cohesion_fact_fails_when_the_alliance_loses_members_early():
    years = range(2003, 2015)
    good = pd.concat([
        _runs("alliance", [1, 2, 3], years, defections=lambda s, y: 0),
        _runs("coalition", [1, 2, 3], years, defections=lambda s, y: 5 + s % 2)])
    assert all(c.passed for c in fact_isaf_cohesion(_evidence(good)))
    bad = pd.concat([
        _runs("alliance", [1, 2, 3], years, defections=lambda s, y: int(y >= 2006)),
        _runs("coalition", [1, 2, 3], years, defections=lambda s, y: 1)])
    early, diff = fact_isaf_cohesion(_evidence(bad))
    assert not early.passed and early.value == 1.0
    assert not diff.passed


def test_european_deployments_must_lie_in_the_reported_band():
    years = range(2009, 2013)
    inside = _runs("alliance", [1, 2], years, troops_deployed_europe=lambda s, y: 27_000 + s)
    assert fact_isaf_europe(_evidence(inside))[0].passed
    low = _runs("alliance", [1, 2], years, troops_deployed_europe=lambda s, y: 19_000 + s)
    check = fact_isaf_europe(_evidence(low))[0]
    assert not check.passed and check.value == pytest.approx(19_001.5)


def test_caveats_lifted_to_zero_fail_the_fact():
    def members(final_caveat: float) -> pd.DataFrame:
        rows = []
        for seed in (1, 2):
            for year in range(2003, 2015):
                caveat = 0.5 - (0.5 - final_caveat) * (year - 2003) / 11
                rows.append({"condition": "alliance", "seed": seed, "year": year,
                             "member": "DEU", "posture": "defender", "troops_deployed": 100.0,
                             "caveat": caveat})
        return pd.DataFrame(rows)

    relaxed = fact_caveats(_evidence(pd.DataFrame(), members(0.3)))
    assert all(c.passed for c in relaxed)
    lifted = fact_caveats(_evidence(pd.DataFrame(), members(0.0)))
    assert lifted[0].passed and not lifted[1].passed


def test_validate_command_writes_the_table_and_exits_by_the_result(tmp_path, capsys):
    code = main(["validate", "--seeds", "2", "--out", str(tmp_path / "v")])
    table = pd.read_csv(tmp_path / "v" / "validation.csv")
    assert list(table.columns) == VALIDATION_COLUMNS
    assert len(table) >= 8 and table["fact"].str[:2].nunique() == 8
    assert code == (0 if table["passed"].all() else 1)
    page = (tmp_path / "v" / "validation.md").read_text()
    assert "| fact |" in page and "seed:" in page
    out = capsys.readouterr().out
    assert "checks pass" in out


def test_validate_needs_two_seeds(capsys):
    assert main(["validate", "--seeds", "1", "--out", "unused"]) == 2
    assert "at least 2" in capsys.readouterr().err
