"""A fixed-seed baseline run matches its reviewed golden summary.

A deliberate model change refreshes the file with ``scripts/refresh_golden.py``; the diff is
then reviewed like code.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _refresh_module():
    spec = importlib.util.spec_from_file_location("refresh_golden",
                                                  ROOT / "scripts" / "refresh_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_baseline_seed7_matches_the_golden_summary():
    refresh = _refresh_module()
    expected = pd.read_csv(refresh.GOLDEN)
    actual = refresh.golden_summary().reset_index(drop=True)
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False, rtol=1e-6, atol=1e-9)
