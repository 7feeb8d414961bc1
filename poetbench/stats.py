"""Bootstrap confidence intervals: resampling prompts, with a fixed seed for reproducibility."""

from __future__ import annotations

import numpy as np

N_RESAMPLES = 2000
SEED = 12345


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks; tied values share the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    starts = np.cumsum(counts) - counts
    return (starts + (counts + 1) / 2)[inverse]


def mean_ci(values: list[float], level: float = 0.95, resamples: int = N_RESAMPLES, seed: int = SEED) -> dict:
    """``{mean, low, high, n}`` of ``values`` (None values dropped); CI by the percentile bootstrap."""
    data = np.array([v for v in values if v is not None], dtype=float)
    if not len(data):
        return {"mean": None, "low": None, "high": None, "n": 0}
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return {"mean": float(data.mean()), "low": float(np.percentile(means, tail)),
            "high": float(np.percentile(means, 100 - tail)), "n": int(len(data))}
