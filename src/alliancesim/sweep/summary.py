"""Per condition and year: mean, standard deviation and 95% confidence interval of each metric.

Computed from the batches of the merge (running sums), so memory does not grow with the
number of runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats

from ..results import TIMESERIES_COLUMNS

METRICS = [c for c in TIMESERIES_COLUMNS if c != "year"]


class SummaryAccumulator:
    """Running count, sum and sum of squares per (condition, year) and metric."""

    def __init__(self) -> None:
        self.count: dict[tuple[str, int], np.ndarray] = {}
        self.total: dict[tuple[str, int], np.ndarray] = {}
        self.squares: dict[tuple[str, int], np.ndarray] = {}

    def add(self, table: pa.Table) -> None:
        """Add a batch of run-year rows."""
        frame = table.select(["condition", "year", *METRICS]).to_pandas()
        values = frame[METRICS].to_numpy(dtype=float)
        finite = np.isfinite(values)
        clean = np.where(finite, values, 0.0)
        keys = pd.MultiIndex.from_frame(frame[["condition", "year"]])
        parts = {"count": finite.astype(float), "total": clean, "squares": clean ** 2}
        for name, data in parts.items():
            grouped = pd.DataFrame(data, index=keys).groupby(level=[0, 1]).sum()
            store = getattr(self, name)
            for key, row in zip(grouped.index, grouped.to_numpy(), strict=True):
                key = (str(key[0]), int(key[1]))
                store[key] = store.get(key, 0.0) + row

    def frame(self, conditions: list[str]) -> pd.DataFrame:
        """The tidy summary: condition, year, metric, n, mean, sd, ci_low, ci_high."""
        order = {name: i for i, name in enumerate(conditions)}
        records = []
        for key in sorted(self.count, key=lambda k: (order.get(k[0], len(order)), k[1])):
            n, s, ss = self.count[key], self.total[key], self.squares[key]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(n > 0, s / n, np.nan)
                var = np.where(n > 1, (ss - n * mean ** 2) / (n - 1), np.nan)
                sd = np.sqrt(np.maximum(var, 0.0))
                half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
            for k, metric in enumerate(METRICS):
                records.append((key[0], key[1], metric, int(n[k]), mean[k], sd[k],
                                mean[k] - half[k], mean[k] + half[k]))
        return pd.DataFrame(records, columns=["condition", "year", "metric", "n", "mean", "sd",
                                              "ci_low", "ci_high"])
