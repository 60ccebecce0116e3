"""Loop kernels of step 4 (outcomes): one walk over each patient's lines and assessments.

Lines are sorted by patient and line number (so by start within a patient), assessments by
patient, day and source priority (high first), procedures by patient and day. Each kernel walks
these rows once with pointers that only move forward; none packs values into keys. They run
compiled by numba or as plain Python (:mod:`netline._jit`); ``tests/course`` checks both modes
against the oracle. Rules and thresholds arrive as arguments (``LineRules``, RECIST codes).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from netline._jit import kernel
from netline.clinical.recist.vectorised import OVERALL_CODES
from netline.course._arrays import NONE

__all__ = ["line_events", "owned_assessments", "shown_best"]

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_CODE = {code.value: i for i, code in enumerate(OVERALL_CODES)}
_PR, _SD, _NCR, _NE = _CODE["PR"], _CODE["SD"], _CODE["non-CR/non-PD"], _CODE["NE"]


@kernel
def line_events(
    l_patient: I64,
    l_start: I64,
    a_patient: I64,
    a_day: I64,
    a_progression: Bools,
    p_patient: I64,
    p_day: I64,
    p_therapy: Bools,
    first_pd: I64,
    next_procedure: I64,
    therapy_procedure: I64,
) -> None:
    """First progression, procedure and therapy procedure strictly after each line start.

    Line starts do not decrease within a patient, so each pointer only moves forward: a row
    passed over (too early, or not of the kind sought) is passed over for the later lines too.
    """
    n, na, np_ = l_patient.size, a_patient.size, p_patient.size
    a = 0
    q = 0
    j = 0
    while j < n:
        p = l_patient[j]
        k = j
        while k < n and l_patient[k] == p:
            k += 1
        while a < na and a_patient[a] < p:
            a += 1
        while q < np_ and p_patient[q] < p:
            q += 1
        ia = a
        iq = q
        it = q
        for line in range(j, k):
            s = l_start[line]
            while ia < na and a_patient[ia] == p and (a_day[ia] <= s or not a_progression[ia]):
                ia += 1
            first_pd[line] = a_day[ia] if ia < na and a_patient[ia] == p else NONE
            while iq < np_ and p_patient[iq] == p and p_day[iq] <= s:
                iq += 1
            next_procedure[line] = p_day[iq] if iq < np_ and p_patient[iq] == p else NONE
            while it < np_ and p_patient[it] == p and (p_day[it] <= s or not p_therapy[it]):
                it += 1
            therapy_procedure[line] = p_day[it] if it < np_ and p_patient[it] == p else NONE
        j = k


@kernel
def owned_assessments(
    lines: tuple[I64, I64, I64, I64],
    rows: tuple[I64, I64, I64, I64],
    tables: tuple[I8, I64, Bools, I64],
    sd_min_days: float,
    out: tuple[I64, I64, I64, I64, I64, I64, Bools],
    points: tuple[F64, I8, I64, I64, I64],
) -> int:
    """Walk the assessments each line owns (the latest line started strictly before them).

    ``lines``: patient, start, response limit, next therapy (NONE: none). ``rows``: the
    assessments' patient, day, response and source codes. ``tables`` by response code: its
    RECIST category (-1: none), clinician rank and stability; by source code: its priority.
    Fills ``out`` per line: last assessment before the next therapy, last assessment of the
    patient, clinician status and its day, number of RECIST points and index of the first,
    measurable disease. Appends the RECIST time points (one a day, the first row of the day
    in the window) to ``points``: days since the start, category (non-CR/non-PD read as SD in
    a measurable series), priority, source, day. Returns the number of points.
    """
    l_patient, l_start, limit, next_therapy = lines
    a_patient, a_day, a_response, a_source = rows
    recist_of, rank_of, stable_of, priority_of = tables
    last_assessment, patient_last, status, status_day, count, first, measurable = out
    pt_since, pt_code, pt_priority, pt_source, pt_day = points
    n, na = l_patient.size, a_patient.size
    used = 0
    a = 0
    j = 0
    while j < n:
        p = l_patient[j]
        k = j
        while k < n and l_patient[k] == p:
            k += 1
        while a < na and a_patient[a] < p:
            a += 1
        end = a
        while end < na and a_patient[end] == p:
            end += 1
        last_of_patient = a_day[end - 1] if end > a else NONE
        for line in range(j, k):
            patient_last[line] = last_of_patient
        cur = j
        best_rank = 0
        best_priority = -1
        point_day = NONE
        for r in range(a, end):
            day = a_day[r]
            moved = False
            while cur + 1 < k and l_start[cur + 1] < day:
                cur += 1
                moved = True
            if l_start[cur] >= day:
                continue
            if moved:
                best_rank = 0
                best_priority = -1
                point_day = NONE
            after = next_therapy[cur]
            if after == NONE or day <= after:
                last_assessment[cur] = day
            if limit[cur] != NONE and day > limit[cur]:
                continue
            since = day - l_start[cur]
            response = a_response[r]
            if response < 0:
                continue
            priority = priority_of[a_source[r]]
            rank = rank_of[response]
            early = stable_of[response] and since < sd_min_days
            better = rank > best_rank or (rank == best_rank and priority > best_priority)
            if rank > 0 and not early and better:
                best_rank = rank
                best_priority = priority
                status[cur] = response
                status_day[cur] = day
            category = recist_of[response]
            if category >= 0 and day != point_day:
                point_day = day
                if category in (_PR, _SD):
                    measurable[cur] = True
                pt_since[used] = since
                pt_code[used] = category
                pt_priority[used] = priority
                pt_source[used] = a_source[r]
                pt_day[used] = day
                count[cur] += 1
                used += 1
        j = k
    total = 0
    for line in range(n):  # points are in line order
        first[line] = total
        total += count[line]
        if measurable[line]:
            for i in range(first[line], first[line] + count[line]):
                if pt_code[i] == _NCR:
                    pt_code[i] = _SD
    return used


@kernel
def shown_best(
    first: I64,
    count: I64,
    best: I8,
    points: tuple[F64, I8, I64, I64, I64],
    sd_min_days: float,
    source: I64,
    date: I64,
) -> None:
    """Source and day of the point that shows each line's best response.

    A stable reading before ``sd_min_days`` shows NE; of the points showing the best response,
    the one of the highest priority, then the earliest.
    """
    pt_since, pt_code, pt_priority, pt_source, pt_day = points
    for line in range(first.size):
        if count[line] == 0:
            continue
        top = -1
        for i in range(first[line], first[line] + count[line]):
            shown = pt_code[i]
            if shown in (_SD, _NCR) and pt_since[i] < sd_min_days:
                shown = _NE
            if shown == best[line] and pt_priority[i] > top:
                top = pt_priority[i]
                source[line] = pt_source[i]
                date[line] = pt_day[i]
