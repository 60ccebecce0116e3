"""Loop kernels behind :mod:`netline.course._arrays`: order checks and patient codes.

They run compiled by numba or as plain Python (:mod:`netline._jit`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from netline._jit import kernel

__all__ = ["id_codes", "in_order"]

I64 = npt.NDArray[np.int64]


@kernel
def in_order(keys: tuple[I64, ...]) -> bool:
    """Whether the rows are already sorted by ``keys`` (the first the most significant)."""
    n = keys[0].size
    for i in range(1, n):
        for k in range(len(keys)):
            before, here = keys[k][i - 1], keys[k][i]
            if before < here:
                break
            if before > here:
                return False
    return True


@kernel
def id_codes(values: npt.NDArray[np.integer], known: npt.NDArray[np.integer], out: I64) -> None:
    """Index of each value in the sorted, distinct ``known`` (-1: absent).

    One binary search per run of equal values (rows are usually grouped by patient).
    """
    code = -1
    for i in range(values.size):
        if i == 0 or values[i] != values[i - 1]:
            lo, hi = 0, known.size
            while lo < hi:
                mid = (lo + hi) // 2
                if known[mid] < values[i]:
                    lo = mid + 1
                else:
                    hi = mid
            code = lo if lo < known.size and known[lo] == values[i] else -1
        out[i] = code
