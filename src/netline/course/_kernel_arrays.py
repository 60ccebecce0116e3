"""Loop kernels behind :mod:`netline.course._arrays`: order checks, sorts, codes, gathers.

They run compiled by numba or as plain Python (:mod:`netline._jit`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from netline._jit import kernel

__all__ = ["gather_or", "id_codes", "in_order", "in_order_then", "sort_within_runs"]

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
def in_order_then(keys: tuple[I64, ...], codes: I64, rank_of: I64) -> bool:
    """Whether the rows are sorted by ``keys`` and then by ``rank_of[codes]`` (looked up here)."""
    for i in range(1, keys[0].size):
        tied = True
        for k in range(len(keys)):
            before, here = keys[k][i - 1], keys[k][i]
            if before < here:
                tied = False
                break
            if before > here:
                return False
        if tied and rank_of[codes[i - 1]] > rank_of[codes[i]]:
            return False
    return True


@kernel
def gather_or(values: I64, index: npt.NDArray[np.integer], fill: int, out: I64) -> None:
    """``out[i] = values[index[i]]``, or ``fill`` where ``index[i]`` is negative (one pass)."""
    for i in range(index.size):
        at = index[i]
        out[i] = values[at] if at >= 0 else fill


@kernel
def id_codes(values: npt.NDArray[np.integer], known: npt.NDArray[np.integer], out: I64) -> None:
    """Index of each value in the sorted, distinct ``known`` (-1: absent).

    One look-up per run of equal values (rows are usually grouped by patient): first the id
    after the last one found (rows are usually in id order too), else a binary search.
    """
    code = -1
    m = known.size
    for i in range(values.size):
        value = values[i]
        if i > 0 and value == values[i - 1]:
            out[i] = code
            continue
        if code + 1 < m and known[code + 1] == value:
            code += 1
        else:
            lo, hi = 0, m
            while lo < hi:
                mid = (lo + hi) // 2
                if known[mid] < value:
                    lo = mid + 1
                else:
                    hi = mid
            code = lo if lo < m and known[lo] == value else -1
        out[i] = code


@kernel
def sort_within_runs(keys: tuple[I64, ...], longest: int, order: I64) -> bool:
    """Stable sort of ``order`` (0, 1, ...) by ``keys`` when rows are grouped by the first.

    Rows whose first key is equal (one patient's) must be contiguous and in increasing order
    of it; each such run is sorted by the other keys: by insertion when it has at most
    ``longest`` rows (a patient's few), else by stable merge sorts, one per key from the last
    (an insertion sort costs the square of its length). Returns False, with ``order``
    unspecified, when the first key ever decreases: the caller then sorts by other means.
    """
    n = order.size
    start = 0
    while start < n:
        end = start + 1
        while end < n and keys[0][end] == keys[0][start]:
            end += 1
        if end < n and keys[0][end] < keys[0][start]:
            return False
        if end - start > longest:  # stable merge sorts, one per key from the last
            rows = order[start:end].copy()
            values = np.empty(rows.size, dtype=np.int64)
            for k in range(len(keys) - 1, 0, -1):
                for i in range(rows.size):
                    values[i] = keys[k][rows[i]]
                rows = rows[np.argsort(values, kind="mergesort")]
            order[start:end] = rows
            start = end
            continue
        for i in range(start + 1, end):
            row = order[i]
            j = i - 1
            while j >= start:
                before = order[j]
                greater = False
                for k in range(1, len(keys)):
                    if keys[k][before] != keys[k][row]:
                        greater = keys[k][before] > keys[k][row]
                        break
                if not greater:
                    break
                order[j + 1] = before
                j -= 1
            order[j + 1] = row
        start = end
    return True
