"""Per condition and year: mean, standard deviation and 95% confidence interval of each metric.

Computed by streaming the per-run files (running sums), so memory does not grow with the
number of runs.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from scipy import stats

from ..results import TIMESERIES_COLUMNS
from . import storage

METRICS = [c for c in TIMESERIES_COLUMNS if c != "year"]


def summarise(out_dir: Path, run_ids: list[str], conditions: list[str]) -> pd.DataFrame:
    """The tidy summary table: condition, year, metric, n, mean, sd, ci_low, ci_high."""
    count: dict[tuple[str, int], np.ndarray] = defaultdict(lambda: np.zeros(len(METRICS)))
    total: dict[tuple[str, int], np.ndarray] = defaultdict(lambda: np.zeros(len(METRICS)))
    squares: dict[tuple[str, int], np.ndarray] = defaultdict(lambda: np.zeros(len(METRICS)))
    for run_id in run_ids:
        path = storage.run_path(out_dir, run_id)
        if not path.exists():
            continue
        frame = pq.read_table(path, columns=["condition", "year", *METRICS]).to_pandas()
        condition = str(frame["condition"].iloc[0])
        values = frame[METRICS].to_numpy(dtype=float)
        finite = np.isfinite(values)
        clean = np.where(finite, values, 0.0)
        for row, year in enumerate(frame["year"].to_numpy()):
            key = (condition, int(year))
            count[key] += finite[row]
            total[key] += clean[row]
            squares[key] += clean[row] ** 2
    order = {name: i for i, name in enumerate(conditions)}
    records = []
    for key in sorted(count, key=lambda k: (order.get(k[0], len(order)), k[1])):
        n, s, ss = count[key], total[key], squares[key]
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
