"""Small numeric helpers for the yearly maths on arrays of a few dozen members."""

from __future__ import annotations

import numpy as np
from numpy._core.umath import clip as _clip_ufunc

ArrayOrFloat = np.ndarray | float


def bounded(values: ArrayOrFloat, low: ArrayOrFloat, high: ArrayOrFloat) -> np.ndarray:
    """``np.clip`` without its dispatch overhead, which dominates on arrays this small.

    ``np.clip`` checks and forwards its arguments in Python before calling this same ufunc;
    called directly it costs a third as much (NaN stays NaN, as with ``np.clip``).
    """
    return _clip_ufunc(values, low, high)


def ratio(numerator: ArrayOrFloat, denominator: ArrayOrFloat, tiny: float = 1e-12) -> np.ndarray:
    """``numerator / denominator`` with the denominator floored at ``tiny``.

    For ratios whose numerator is zero wherever the denominator is (a member with no budget
    has no spending of any kind), this is exact and cheaper than ``np.divide(..., where=)``.
    """
    return numerator / np.maximum(denominator, tiny)
