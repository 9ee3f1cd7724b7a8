"""Small numeric helpers for the yearly maths on arrays of a few dozen members.

The pure functions of the yearly cycle are compiled to machine code by numba (:func:`kernel`).
On arrays this small a numpy call costs mostly its own overhead (about half a microsecond),
and a phase makes dozens of them; compiled, each function is one loop over the members. The
functions stay plain numpy code: they read, test and document as before.
"""

from __future__ import annotations

import numpy as np
from numba import njit

ArrayOrFloat = np.ndarray | float


def kernel[F](function: F) -> F:
    """Compile a pure array function with numba, keeping numpy's semantics.

    ``error_model="numpy"``: a division by zero gives inf or nan as in numpy instead of
    raising. ``cache=True``: the machine code is kept on disk (``__pycache__``), so only the
    first run after an install or an edit pays the compilation; later processes load it.
    """
    return njit(cache=True, error_model="numpy")(function)


@kernel
def bounded(values: ArrayOrFloat, low: ArrayOrFloat, high: ArrayOrFloat) -> np.ndarray:
    """``np.clip(values, low, high)`` (NaN stays NaN), callable from compiled functions."""
    return np.minimum(np.maximum(values, low), high)


@kernel
def ratio(numerator: ArrayOrFloat, denominator: ArrayOrFloat, tiny: float = 1e-12) -> np.ndarray:
    """``numerator / denominator`` with the denominator floored at ``tiny``.

    For ratios whose numerator is zero wherever the denominator is (a member with no budget
    has no spending of any kind), this is exact and cheaper than ``np.divide(..., where=)``.
    """
    return numerator / np.maximum(denominator, tiny)
