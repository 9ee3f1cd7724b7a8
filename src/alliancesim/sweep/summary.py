"""Per condition and year: mean, standard deviation and 95% confidence interval of each metric.

Computed from the batches of the merge, so memory does not grow with the number of runs. Each
batch's count, mean and sum of squared deviations are merged into the running ones with Chan
et al.'s pairwise update: unlike running sums of squares it loses no precision when the spread
is small against the mean (e.g. 27,000 troops +- 30), and gives 0 for a constant metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats

from ..results import TIMESERIES_COLUMNS

METRICS = [c for c in TIMESERIES_COLUMNS if c != "year"]
Key = tuple[str, int]


def merge_moments(n_a: np.ndarray, mean_a: np.ndarray, m2_a: np.ndarray, n_b: np.ndarray,
                  mean_b: np.ndarray, m2_b: np.ndarray) -> tuple[np.ndarray, ...]:
    """Count, mean and sum of squared deviations of two samples taken together."""
    n = n_a + n_b
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = mean_b - mean_a
        share_b = np.where(n > 0, n_b / n, 0.0)
        mean = np.where(n_a == 0, mean_b, np.where(n_b == 0, mean_a, mean_a + delta * share_b))
        m2 = np.where((n_a == 0) | (n_b == 0), m2_a + m2_b,
                      m2_a + m2_b + delta ** 2 * n_a * share_b)
    return n, mean, m2


def _group_keys(table: pa.Table) -> tuple[list[Key], np.ndarray]:
    """The (condition, year) pairs of a batch in order of appearance, and each row's index
    into them (grouping by one integer is several times cheaper than by two columns)."""
    conditions, names = pd.factorize(table.column("condition").to_numpy())
    years, year_values = pd.factorize(table.column("year").to_numpy())
    width = len(year_values)
    group, pairs = pd.factorize(conditions * width + years)
    keys = [(str(names[p // width]), int(year_values[p % width])) for p in pairs]
    return keys, group


class SummaryAccumulator:
    """Running count, mean and sum of squared deviations per (condition, year) and metric."""

    def __init__(self) -> None:
        self.moments: dict[Key, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def add(self, table: pa.Table) -> None:
        """Add a batch of run-year rows (non-finite values are left out)."""
        block = np.column_stack([table.column(m).to_numpy() for m in METRICS]).astype(float)
        values = np.where(np.isinf(block), np.nan, block)
        keys, group = _group_keys(table)
        grouped = pd.DataFrame(values).groupby(group, sort=False)
        count = grouped.count()
        mean = grouped.mean()
        deviations = values - mean.to_numpy()[group]  # from each row's group mean
        m2 = pd.DataFrame(deviations ** 2).groupby(group, sort=False).sum()
        for key, n_b, mean_b, m2_b in zip(keys, count.to_numpy(dtype=float),
                                          mean.to_numpy(), m2.to_numpy(), strict=True):
            mean_b = np.nan_to_num(mean_b)  # no value yet: a mean of 0 with weight 0
            if key in self.moments:
                self.moments[key] = merge_moments(*self.moments[key], n_b, mean_b, m2_b)
            else:
                self.moments[key] = (n_b, mean_b, m2_b)

    def frame(self, conditions: list[str]) -> pd.DataFrame:
        """The tidy summary: condition, year, metric, n, mean, sd, ci_low, ci_high.

        The 95% interval is Student's t over the seeds; with one value the sd and interval
        are NaN, with none the mean is NaN too.
        """
        order = {name: i for i, name in enumerate(conditions)}
        records = []
        for key in sorted(self.moments, key=lambda k: (order.get(k[0], len(order)), k[1])):
            n, mean, m2 = self.moments[key]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(n > 0, mean, np.nan)
                sd = np.where(n > 1, np.sqrt(np.maximum(m2, 0.0) / (n - 1)), np.nan)
                half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
            for k, metric in enumerate(METRICS):
                records.append((key[0], key[1], metric, int(n[k]), mean[k], sd[k],
                                mean[k] - half[k], mean[k] + half[k]))
        return pd.DataFrame(records, columns=["condition", "year", "metric", "n", "mean", "sd",
                                              "ci_low", "ci_high"])
