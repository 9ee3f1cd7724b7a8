"""The Spearman statistics over masked rows agree with scipy's spearmanr, ties included."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from alliancesim.metrics import spearman, spearman_rows

#: Few distinct values, so that ties are common; NaN and infinities too.
VALUES = st.sampled_from([-2.0, -0.0, 0.0, 0.5, 1.0, 3.0, np.inf, -np.inf, np.nan])


@st.composite
def rows_with_mask(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shape = draw(st.tuples(st.integers(1, 5), st.integers(1, 9)))
    x = draw(arrays(float, shape, elements=VALUES))
    y = draw(arrays(float, shape, elements=VALUES))
    mask = draw(arrays(bool, shape))
    return x, y, mask


def _finite(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple:
    mask = mask & np.isfinite(x) & np.isfinite(y)
    return np.where(mask, x, 0.0), np.where(mask, y, 0.0), mask


@settings(max_examples=300, deadline=None)
@given(rows_with_mask())
def test_spearman_rows_is_scipys_spearmanr_row_by_row(data):
    x, y, mask = _finite(*data)
    rho = spearman_rows(x, y, mask)
    for row in range(x.shape[0]):
        xs, ys = x[row][mask[row]], y[row][mask[row]]
        if len(xs) < 3 or np.ptp(xs) == 0 or np.ptp(ys) == 0:
            assert np.isnan(rho[row])
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = stats.spearmanr(xs, ys).statistic
        assert rho[row] == pytest.approx(expected, abs=1e-12)


def test_spearman_of_one_year():
    assert spearman(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 20, 40])) == pytest.approx(
        stats.spearmanr([1, 2, 3, 4], [10, 20, 20, 40]).statistic)
    assert np.isnan(spearman(np.array([1.0, 2]), np.array([2.0, 1])))  # too few points


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 9)), elements=VALUES))
def test_average_ranks_are_scipys_rankdata(values):
    from alliancesim.metrics import average_ranks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = stats.rankdata(values, axis=-1, nan_policy="omit")
    np.testing.assert_array_equal(average_ranks(values), expected)
