"""Small numeric helpers for the yearly maths on arrays of a few dozen members."""

from __future__ import annotations

import numpy as np

ArrayOrFloat = np.ndarray | float


def bounded(values: ArrayOrFloat, low: ArrayOrFloat, high: ArrayOrFloat) -> np.ndarray:
    """``np.clip(values, low, high)`` (NaN stays NaN)."""
    return np.minimum(np.maximum(values, low), high)


def ratio(numerator: ArrayOrFloat, denominator: ArrayOrFloat, tiny: float = 1e-12) -> np.ndarray:
    """``numerator / denominator`` with the denominator floored at ``tiny``.

    For ratios whose numerator is zero wherever the denominator is (a member with no budget
    has no spending of any kind), this is exact and cheaper than ``np.divide(..., where=)``.
    """
    return numerator / np.maximum(denominator, tiny)
