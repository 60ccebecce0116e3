"""Loop kernels of steps 1 and 2 (eras, line numbers): one ordered walk over each patient.

Rows arrive sorted (by patient, agent, start, episode id for the eras; by patient, start,
agent, number for the line numbers); each kernel walks them once, keeping the running state
of the current patient (latest stop, and per agent class the latest stop and agent). The
order-dependent rule (a novel agent opens a line when it starts more than the regimen window
after the current line's start) is simply the walk. They run compiled by numba or as plain
Python (:mod:`netline._jit`); rules arrive as arguments (``LineRules``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from netline._jit import kernel
from netline.course._arrays import NONE

__all__ = ["latest_before", "merge_eras", "number_rows"]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@kernel
def latest_before(q_patient: I64, q_day: I64, e_patient: I64, e_day: I64, out: I64) -> None:
    """Find the latest event day on or before each query day of the same patient (else NONE).

    Queries are sorted by patient (any day order within it); events by patient and day. One
    pointer finds each patient's events, a scan of them (a patient has few) the day.
    """
    n, m = q_patient.size, e_patient.size
    lo = 0
    for i in range(n):
        p = q_patient[i]
        while lo < m and e_patient[lo] < p:
            lo += 1
        if lo == m or e_patient[lo] != p:
            out[i] = NONE
            continue
        b = lo
        while b < m and e_patient[b] == p and e_day[b] <= q_day[i]:
            b += 1
        out[i] = e_day[b - 1] if b > lo else NONE


@kernel
def merge_eras(
    keys: tuple[I64, I64, I64, I64, I64],
    values: tuple[I64, I64, Bools, Bools, I64, I64],
    gaps: tuple[int, int, int],
    era_of: I64,
    era_row: I64,
    era: tuple[I64, I64, Bools, Bools, I64, I64],
) -> int:
    """Merge episodes of one agent into eras (step 1); returns the number of eras.

    ``keys``: patient, agent, class, start, stop (the stop, or the end of follow-up while
    ongoing), sorted by patient, agent, start, episode id. ``values``: cycles (-1: not
    recorded), stop reason, ongoing, trial, last progression on or before the start, last
    procedure counted as a line on or before the start. ``gaps``: the radioligand class
    code, its maximum interval, the restart gap. An episode continues the era of the one
    before (same patient and agent) unless it starts more than the gap after the latest stop
    so far, or a progression or a counted procedure came after the previous start.
    Fills ``era_of`` (per episode), ``era_row`` (first episode of each era), and per era:
    number within the agent, stop, ongoing, trial, cycles (-1 when none recorded; a
    radioligand episode without cycles counts one) and the row whose stop reason counts (the
    latest stop, then the highest episode id). ``values[1]`` is the episode id.
    """
    patient, agent, agent_class, start, stop = keys
    cycles, episode_id, ongoing, trial, last_pd, last_split = values
    radioligand, prrt_gap, restart_gap = gaps
    number, max_stop, any_ongoing, any_trial, total, reason_row = era
    n = patient.size
    count = -1
    latest = NONE
    recorded = False
    for i in range(n):
        first = i == 0 or patient[i] != patient[i - 1] or agent[i] != agent[i - 1]
        gap = prrt_gap if agent_class[i] == radioligand else restart_gap
        new = first
        if not first:
            prev_start = start[i - 1]
            new = start[i] - latest > gap or last_pd[i] > prev_start or last_split[i] > prev_start
        latest = stop[i] if first or stop[i] > latest else latest
        if new:
            if count >= 0 and not recorded:
                total[count] = -1
            count += 1
            era_row[count] = i
            number[count] = 1 if first else number[count - 1] + 1
            max_stop[count] = stop[i]
            any_ongoing[count] = ongoing[i]
            any_trial[count] = trial[i]
            total[count] = 0
            reason_row[count] = i
            recorded = False
        else:
            any_ongoing[count] = any_ongoing[count] or ongoing[i]
            any_trial[count] = any_trial[count] or trial[i]
            best = reason_row[count]
            if stop[i] > stop[best] or (stop[i] == stop[best] and episode_id[i] > episode_id[best]):
                reason_row[count] = i
            if stop[i] > max_stop[count]:
                max_stop[count] = stop[i]
        c = cycles[i]
        if c < 0 and agent_class[i] == radioligand:
            c = 1
        if c >= 0:
            recorded = True
            total[count] += c
        era_of[i] = count
    if count >= 0 and not recorded:
        total[count] = -1
    return count + 1


@kernel
def number_rows(
    keys: tuple[I64, I64, I64, I64, I64, Bools, I64],
    codes: tuple[int, int, int],
    rules: tuple[int, int, int, bool],
    line: I64,
    line_start: I64,
) -> None:
    """Give every era (and procedure counted as a line) its line number (step 2).

    ``keys``: patient, agent, class, start, stop, procedure, last progression on or before
    the start; sorted by patient, start, agent, number. ``codes``: the radioligand and SSA
    class codes, the number of class codes. ``rules``: the radioligand's maximum interval,
    the restart gap, the regimen window, whether a switch within a class opens a line.

    A row opens a line when it is *hard* (first row; a procedure line or right after one; a
    progression after the previous row started; every earlier row stopped more than the gap
    before) or *novel* (no row of its class, the same agent when switches count, stopped
    within the gap before it; not an SSA added while another therapy runs) and more than the
    regimen window after the start of the current line.
    """
    patient, agent, agent_class, start, stop, procedure, last_pd = keys
    radioligand, ssa, n_classes = codes
    prrt_gap, restart_gap, window, switch_opens = rules
    class_stop = np.full(n_classes, NONE, dtype=np.int64)  # latest stop so far, per class
    class_agent = np.full(n_classes, -1, dtype=np.int64)  # agent of its latest row
    touched = np.empty(patient.size, dtype=np.int64)
    n_touched = 0
    current = NONE
    number = 0
    stop_before = NONE
    for i in range(patient.size):
        first = i == 0 or patient[i] != patient[i - 1]
        if first:
            for t in range(n_touched):
                class_stop[touched[t]] = NONE
                class_agent[touched[t]] = -1
            n_touched = 0
            number = 0
            stop_before = NONE
        c = agent_class[i]
        gap = prrt_gap if c == radioligand else restart_gap
        hard = first or procedure[i] or procedure[i - 1]
        if not first:
            hard = hard or (last_pd[i] > start[i - 1] and last_pd[i] > NONE)
            hard = hard or start[i] - stop_before > gap
        before = class_stop[c]
        same_class = before > NONE and before >= start[i] - gap
        if switch_opens:
            same_class = same_class and class_agent[c] == agent[i]
        active = not first and stop_before > start[i]
        added_ssa = c == ssa and not procedure[i] and active
        candidate = not hard and not same_class and not added_ssa
        if hard or (candidate and start[i] - current > window):
            number += 1
            current = start[i]
        line[i] = number
        line_start[i] = current
        if class_stop[c] == NONE and class_agent[c] == -1:
            touched[n_touched] = c
            n_touched += 1
        if stop[i] > class_stop[c]:
            class_stop[c] = stop[i]
        class_agent[c] = agent[i]
        if stop[i] > stop_before:
            stop_before = stop[i]
