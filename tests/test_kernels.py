"""The numba-compiled maths gives what the same numpy code gives, uncompiled.

Every function decorated with ``@kernel`` keeps its plain-Python original as ``.py_func``.
Each is called both ways on random inputs -- including zeros where a ratio could divide by
zero, empty rows and NaN -- and the results must agree to the last few bits (numba sums
sequentially where numpy sums pairwise, so sums may differ in the last place).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliancesim import _numeric, capabilities, economy, incentives, operation, opinion, spending
from alliancesim.config import CAPABILITY_AREAS

AREAS = len(CAPABILITY_AREAS)
Draw = Callable[[np.random.Generator, int], tuple]


def unit(rng: np.random.Generator, n: int, zeros: float = 0.0) -> np.ndarray:
    """Values in [0, 1), a share of them exactly zero."""
    values = rng.random(n)
    return np.where(rng.random(n) < zeros, 0.0, values)


def mask(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.random(shape) < 0.5


def stocks(rng: np.random.Generator, n: int) -> np.ndarray:
    """Stocks with some empty holdings and, sometimes, a member with nothing at all."""
    values = rng.random((n, AREAS)) * 1e9 * mask(rng, n, AREAS)
    if n > 1:
        values[rng.integers(n)] = 0.0
    return values


#: Each kernel with a draw of valid arguments for ``n`` members.
CASES: dict[str, tuple[Callable, Draw]] = {
    "bounded": (_numeric.bounded, lambda r, n: (
        np.where(mask(r, n), np.nan, r.normal(size=n)), -0.5, unit(r, n))),
    "ratio": (_numeric.ratio, lambda r, n: (unit(r, n, 0.3), unit(r, n, 0.3))),
    "fiscal_stress": (economy.fiscal_stress, lambda r, n: (r.normal(0.02, 0.03, n), 0.02,
                                                           bool(r.integers(2)))),
    "perceived_threat": (economy.perceived_threat, lambda r, n: (
        r.random(), 0.3, mask(r, n).astype(float), 0.2, 2.0)),
    "casualty_losses": (opinion.casualty_losses, lambda r, n: (
        unit(r, n, 0.3) * 50, r.random(n) * 2, 0.1)),
    "operation_support": (opinion.operation_support, lambda r, n: (
        unit(r, n), unit(r, n), unit(r, n), mask(r, n), int(r.integers(10)), unit(r, n),
        unit(r, n), 0.1, 0.02, 0.5, 0.3, 0.7)),
    "defence_support": (opinion.defence_support, lambda r, n: (
        unit(r, n), unit(r, n), unit(r, n), unit(r, n), unit(r, n), 0.5, 0.3, 0.7)),
    "norm_pull": (incentives.norm_pull, lambda r, n: (
        unit(r, n) * 4, 2.0, 0.5, r.random(), unit(r, n))),
    "responsiveness": (incentives.responsiveness, lambda r, n: (
        unit(r, n), 0.8, unit(r, n))),
    "target_burden": (spending.target_burden, lambda r, n: (
        unit(r, n) * 3, unit(r, n), r.normal(size=n) * 0.2, r.normal(size=n) * 0.2, 1.0,
        unit(r, n), unit(r, n), r.normal(size=n) * 0.1, 0.8, unit(r, n, 0.5) * 0.2)),
    "next_budget": (spending.next_budget, lambda r, n: (
        unit(r, n, 0.2) * 1e10, 1e11 + unit(r, n) * 1e12, unit(r, n) * 4, 0.2, 0.1)),
    "split_budget": (spending.split_budget, lambda r, n: (
        unit(r, n, 0.2) * 1e10, unit(r, n) * 5e9, unit(r, n), unit(r, n) * 0.3,
        unit(r, n, 0.5) * 2e9, 0.7)),
    "split_budget_ring_fenced": (spending.split_budget, lambda r, n: (
        unit(r, n, 0.2) * 1e10, unit(r, n) * 5e9, unit(r, n), unit(r, n) * 0.3,
        unit(r, n, 0.5) * 2e9, 0.7, unit(r, n) * 1e9)),
}


def test_every_kernel_is_checked_against_its_numpy_original():
    modules = (_numeric, capabilities, economy, incentives, operation, opinion, spending)
    kernels = {name for module in modules for name, obj in vars(module).items()
               if hasattr(obj, "py_func") and obj.__module__ == module.__name__}
    assert kernels == {function.__name__ for function, _ in CASES.values()}


def _as_tuple(result: object) -> tuple:
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40))
def test_compiled_kernel_gives_what_numpy_gives(case: str, seed: int, n: int):
    function, draw = CASES[case]
    args = draw(np.random.default_rng(seed), n)
    with np.errstate(all="ignore"):  # numpy warns where the kernel silently gives inf/nan
        expected = _as_tuple(function.py_func(*args))
    got = _as_tuple(function(*args))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert np.asarray(g).dtype == np.asarray(e).dtype
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12, equal_nan=True)
