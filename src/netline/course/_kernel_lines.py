"""Loop kernels of step 3 (lines from numbered eras): one walk over each line's rows.

The numbered eras are sorted by patient, start, agent and number, so a line's rows are
contiguous (``heads``: the first row of each line, then the number of rows). The kernels run
compiled by numba or as plain Python (:mod:`netline._jit`); rules arrive as arguments.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from netline._jit import kernel
from netline.course._arrays import NONE

__all__ = ["backbone_pairs", "line_values", "sorted_distinct"]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@kernel
def backbone_pairs(
    heads: I64,
    rows: tuple[I64, I64, I64, I64, Bools],
    ssa: int,
    held_line: I64,
    held_era: I64,
) -> int:
    """SSA eras (of the patient) running when a systemic line starts: (line, era) pairs.

    ``rows``: patient, start, stop, class, procedure of the eras. An SSA era is held by a line
    when it started before the line and stops after the line's start. Pairs are written in
    line order, then era order, while they fit; returns their number (call again with arrays
    that large when it is more).
    """
    patient, start, stop, agent_class, procedure = rows
    count = 0
    capacity = held_line.size
    p0 = 0
    for line in range(heads.size - 1):
        head = heads[line]
        if patient[head] != patient[p0]:
            p0 = head
        if procedure[head]:
            continue
        r = p0
        while r < head:  # eras starting on the line's start are the line's own
            ssa_era = agent_class[r] == ssa and not procedure[r]
            if ssa_era and start[r] < start[head] and stop[r] > start[head]:
                if count < capacity:
                    held_line[count] = line
                    held_era[count] = r
                count += 1
            r += 1
    return count


@kernel
def line_values(
    heads: I64,
    rows: tuple[I64, I64, I64, Bools, I64, I64, Bools, Bools],
    held: tuple[I64, I64],
    radioligand: int,
    per_line: tuple[I64, I64, I64, Bools, Bools, I64, I64],
) -> None:
    """Aggregate each line's own eras and backbone (step 3).

    ``rows``: patient, start, stop, procedure, class, cycles, ongoing, trial of the eras;
    ``held``: the backbone pairs (:func:`backbone_pairs`); ``radioligand``: its class code.
    Fills per line: radioligand cycles (-1 without radioligand), end, next line's
    start (NONE: none), ongoing, trial, the row whose stop reason counts (the latest stop of
    the line's own eras, or of the backbone when it stops later; on a tie the later row) and
    the natural end (latest stop of its eras and backbone).
    """
    patient, start, stop, procedure, agent_class, cycles, ongoing, trial = rows
    held_line, held_era = held
    out_cycles, out_end, next_start, out_ongoing, out_trial, reason_row, natural_end = per_line
    n = heads.size - 1
    h = 0
    for line in range(n):
        lo, hi = heads[line], heads[line + 1]
        own_stop = NONE
        own_row = -1
        has_radio = False
        total = 0
        any_ongoing = False
        any_trial = False
        for r in range(lo, hi):
            if agent_class[r] == radioligand and not procedure[r]:
                has_radio = True
                total += max(cycles[r], 0)
            if stop[r] >= own_stop:
                own_stop = stop[r]
                own_row = r
            any_ongoing = any_ongoing or ongoing[r]
            any_trial = any_trial or trial[r]
        held_stop = NONE
        held_row = -1
        held_ongoing = False
        while h < held_line.size and held_line[h] == line:
            era = held_era[h]
            if stop[era] >= held_stop:
                held_stop = stop[era]
                held_row = era
            held_ongoing = held_ongoing or ongoing[era]
            h += 1
        following = NONE
        if line + 1 < n and patient[heads[line + 1]] == patient[lo]:
            following = start[heads[line + 1]]
        natural = max(own_stop, held_stop)
        out_cycles[line] = total if has_radio else -1
        natural_end[line] = natural
        out_end[line] = natural if following == NONE else min(natural, following)
        next_start[line] = following
        out_ongoing[line] = following == NONE and (any_ongoing or held_ongoing)
        out_trial[line] = any_trial
        reason_row[line] = held_row if held_stop > own_stop else own_row


@kernel
def sorted_distinct(a: tuple[I64, I64, I64], b: tuple[I64, I64, I64], out: I64) -> I64:
    """Per group: the values of both sources sorted by key, one per key (negative keys skipped).

    Each source is (bounds, values, keys): group ``g`` holds its rows
    ``bounds[g]:bounds[g + 1]``. Writes the values to ``out`` group after group and returns the
    groups' new bounds. Groups are small (a line's agents or label pieces): an insertion sort.
    """
    bounds_a, values_a, keys_a = a
    bounds_b, values_b, keys_b = b
    n = bounds_a.size - 1
    new_bounds = np.zeros(n + 1, dtype=np.int64)
    tv = np.empty(values_a.size + values_b.size, dtype=np.int64)
    tk = np.empty(values_a.size + values_b.size, dtype=np.int64)
    used = 0
    for g in range(n):
        k = 0
        for i in range(bounds_a[g], bounds_a[g + 1]):
            if keys_a[i] >= 0:
                tv[k] = values_a[i]
                tk[k] = keys_a[i]
                k += 1
        for i in range(bounds_b[g], bounds_b[g + 1]):
            if keys_b[i] >= 0:
                tv[k] = values_b[i]
                tk[k] = keys_b[i]
                k += 1
        for i in range(1, k):
            key, value = tk[i], tv[i]
            j = i
            while j > 0 and tk[j - 1] > key:
                tk[j] = tk[j - 1]
                tv[j] = tv[j - 1]
                j -= 1
            tk[j] = key
            tv[j] = value
        for i in range(k):
            if i == 0 or tk[i] != tk[i - 1]:
                out[used] = tv[i]
                used += 1
        new_bounds[g + 1] = used
    return new_bounds
