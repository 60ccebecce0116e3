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


@kernel
def string_offsets(codes: I64, starts: I64, offsets: npt.NDArray[np.int32]) -> None:
    """Arrow offsets of the strings ``codes`` pick from a vocabulary (``starts``: its offsets).

    ``codes`` of -1 (null) are empty; ``offsets`` has one more entry than ``codes``.
    """
    total = 0
    offsets[0] = 0
    for i in range(codes.size):
        c = codes[i]
        if c >= 0:
            total += starts[c + 1] - starts[c]
        offsets[i + 1] = total


@kernel
def string_bytes(
    codes: I64,
    starts: I64,
    vocabulary: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int32],
    data: npt.NDArray[np.uint8],
) -> None:
    """Copy the bytes of each picked string of the vocabulary to its place in ``data``."""
    for i in range(codes.size):
        c = codes[i]
        if c >= 0:
            at = offsets[i]
            for j in range(starts[c], starts[c + 1]):  # a few bytes: a loop beats a slice copy
                data[at] = vocabulary[j]
                at += 1
