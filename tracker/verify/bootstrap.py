"""A seeded percentile bootstrap over examples: the 95% interval of any metric."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.verify.metrics import Metric

RESAMPLES = 1000


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    n: int


def estimate(
    metric: Metric, stats: np.ndarray, *, seed: int, resamples: int = RESAMPLES
) -> Estimate:
    """The metric over all rows of stats, and the 2.5th/97.5th percentiles of its resamples."""
    n = len(stats)
    value = metric.reduce(stats)
    if n < 2:
        return Estimate(value, value, value, n)
    rng = np.random.default_rng(seed)
    values = np.empty(resamples)
    for b in range(resamples):
        values[b] = metric.reduce(stats[rng.integers(0, n, size=n)])
    low, high = np.percentile(values, [2.5, 97.5])
    # A percentile can fall a rounding error outside [min, max]; keep value inside.
    return Estimate(value, float(min(low, value)), float(max(high, value)), n)
