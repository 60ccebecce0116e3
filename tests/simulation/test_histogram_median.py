"""The engine's histogram medians and curves against a plain oracle.

The median of each draw is found with one ``searchsorted`` over row-offset cumulative counts
(benchmarks/README.md, issue 15); this checks it against the direct definition: the first bin
where the cumulative count reaches half, interpolated within that bin, NaN when not reached.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from netline.simulation._kernels import Accumulator

WIDTH, NBINS, STEP = 0.25, 96, 12


def _oracle(
    values: NDArray[np.float32], include: NDArray[np.bool_]
) -> tuple[list[float], list[list[float]]]:
    medians, curves = [], []
    for row, keep in zip(values, include, strict=True):
        kept = row[keep]
        counts = [0] * (NBINS + 1)
        for v in kept:
            counts[min(int(v / WIDTH), NBINS)] += 1
        n = len(kept)
        cum, median = 0, math.nan
        for b in range(NBINS):
            if n and cum + counts[b] >= n / 2:
                inside = counts[b]
                median = (b + ((n / 2 - cum) / inside if inside else 0.0)) * WIDTH
                break
            cum += counts[b]
        medians.append(median)
        below = np.cumsum([0, *counts[:NBINS]])
        curves.append([1 - below[j] / n if n else math.nan for j in range(0, NBINS + 1, STEP)])
    return medians, curves


@pytest.mark.parametrize("seed", range(6))
def test_median_and_curve_match_the_oracle(seed: int) -> None:
    rng = np.random.default_rng(seed)
    draws, patients = 7, 41
    values = rng.exponential(rng.uniform(1, 30), (draws, patients)).astype(np.float32)
    include = rng.random((draws, patients)) < rng.uniform(0.2, 1.0)
    include[0] = False  # nobody: no median, no curve
    values[1] = np.float32(NBINS * WIDTH * 3)  # everyone beyond the grid: not reached
    values[2, :5] = np.nan  # NaN durations of excluded patients are ignored
    include[2, :5] = False
    acc = Accumulator(WIDTH, NBINS, STEP)
    median, curve = acc.median_and_curve(acc.histogram(values, include))
    want_median, want_curve = _oracle(values, include)
    np.testing.assert_allclose(median, want_median, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(curve, np.asarray(want_curve, dtype=np.float32), rtol=1e-6)
    assert math.isnan(median[0])
    assert math.isnan(median[1])
