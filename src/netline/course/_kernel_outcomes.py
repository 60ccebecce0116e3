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
    lines: tuple[I64, I64, I64],
    progressions: tuple[I64, I64],
    procedures: tuple[I64, I64, Bools],
    window_ends_at_procedure: bool,
    out: tuple[I64, I64, I64, Bools],
) -> None:
    """First progression, response limit and next therapy of each line.

    ``lines``: patient, start, next line's start (NONE: none); ``progressions``: patient and
    day of the assessments that record progression; ``procedures``: patient, day, whether it
    is a next therapy. Fills per line: the first progression strictly after the start; the
    limit of the response window (that progression, or the first procedure after the start
    when earlier and ``window_ends_at_procedure``); the next therapy (next line or therapy
    procedure, whichever is first); whether that is a procedure. Line starts do not decrease
    within a patient, so each pointer only moves forward: a row passed over (too early, or
    not of the kind sought) is passed over for the later lines too.
    """
    l_patient, l_start, next_start = lines
    a_patient, a_day = progressions
    p_patient, p_day, p_therapy = procedures
    first_pd, limit, next_therapy, by_procedure = out
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
        ia, iq, it = a, q, q
        for line in range(j, k):
            s = l_start[line]
            while ia < na and a_patient[ia] == p and a_day[ia] <= s:
                ia += 1
            pd = a_day[ia] if ia < na and a_patient[ia] == p else NONE
            while iq < np_ and p_patient[iq] == p and p_day[iq] <= s:
                iq += 1
            procedure = p_day[iq] if iq < np_ and p_patient[iq] == p else NONE
            while it < np_ and p_patient[it] == p and (p_day[it] <= s or not p_therapy[it]):
                it += 1
            therapy = p_day[it] if it < np_ and p_patient[it] == p else NONE
            first_pd[line] = pd
            limit[line] = pd
            if window_ends_at_procedure and procedure != NONE and (pd == NONE or procedure < pd):
                limit[line] = procedure
            following = next_start[line]
            by_procedure[line] = therapy != NONE and (following == NONE or therapy < following)
            next_therapy[line] = therapy if by_procedure[line] else following
        j = k


@kernel
def owned_assessments(
    lines: tuple[I64, I64, I64, I64],
    rows: tuple[I64, I64, I64, I64],
    tables: tuple[I8, I64, Bools, I64],
    sd_min_days: float,
    out: tuple[I64, I64, I64, I64, I64, I64, Bools],
    points: tuple[F64, I8, I64],
) -> int:
    """Walk the assessments each line owns (the latest line started strictly before them).

    ``lines``: patient, start, response limit, next therapy (NONE: none). ``rows``: the
    assessments' patient, day, response and source codes. ``tables`` by response code: its
    RECIST category (-1: none), clinician rank and stability; by source code: its priority.
    Fills ``out`` per line: last assessment before the next therapy, last assessment of the
    patient, clinician status and its day, number of RECIST points and index of the first,
    measurable disease. Appends the RECIST time points (one a day, the first row of the day
    in the window) to ``points``: days since the start, category (non-CR/non-PD read as SD in
    a measurable series), assessment row. Returns the number of points.
    """
    l_patient, l_start, limit, next_therapy = lines
    a_patient, a_day, a_response, a_source = rows
    recist_of, rank_of, stable_of, priority_of = tables
    last_assessment, patient_last, status, status_day, count, first, measurable = out
    pt_since, pt_code, pt_row = points
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
                pt_row[used] = r
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
    points: tuple[F64, I8, I64],
    rows: tuple[I64, I64, I64],
    sd_min_days: float,
    out: tuple[I64, I64],
) -> None:
    """Source and day of the point that shows each line's best response.

    ``rows``: the assessments' source code and day, and the priority by source code. A stable
    reading before ``sd_min_days`` shows NE; of the points showing the best response, the one
    of the highest priority, then the earliest.
    """
    pt_since, pt_code, pt_row = points
    a_source, a_day, priority_of = rows
    source, date = out
    for line in range(first.size):
        top = -1
        for i in range(first[line], first[line] + count[line]):
            shown = pt_code[i]
            if shown in (_SD, _NCR) and pt_since[i] < sd_min_days:
                shown = _NE
            r = pt_row[i]
            priority = priority_of[a_source[r]]
            if shown == best[line] and priority > top:
                top = priority
                source[line] = a_source[r]
                date[line] = a_day[r]


@kernel
def line_times(
    days: tuple[I64, I64, I64, I64, I64, I64, I64, I64],
    flags: tuple[Bools, Bools],
    rules: tuple[bool, bool],
    times: tuple[I64, I64, I64, I64, I64],
    events: tuple[Bools, Bools, Bools],
    codes: tuple[I64, I64],
) -> None:
    """PFS, time to next treatment, OS and the shown end of each line.

    ``days`` per line: start, first progression, death, end of follow-up, next therapy, last
    assessment before it, last assessment of the patient, the line's end; ``flags``: ongoing,
    next therapy is a procedure; ``rules``: PFS censored at the next line, censored at the
    last follow-up (else at the last assessment). Codes are those of ``PFS_REASONS`` and
    ``TTNT_REASONS``.
    """
    start, first_pd, death, fu_end, next_therapy, last_assessment, patient_last, end = days
    ongoing, by_procedure = flags
    at_next, at_follow_up = rules
    pfs_days, ttnt_days, os_days, out_end, duration = times
    pfs_event, ttnt_event, os_event = events
    pfs_reason, ttnt_reason = codes
    for i in range(start.size):
        s, pd, died, fu = start[i], first_pd[i], death[i], fu_end[i]
        has_next = next_therapy[i] != NONE
        bound = next_therapy[i] if at_next and has_next else fu
        pd_event = pd != NONE and pd <= bound
        death_event = died != NONE and died <= bound and died >= s
        next_reason = 2 if by_procedure[i] else 3
        if at_follow_up:
            censor_day = bound
            censor_reason = next_reason if has_next and at_next else 4
        else:
            last = last_assessment[i] if at_next else patient_last[i]
            if not at_next and last <= s:
                last = NONE
            censor_day = last if last != NONE else s
            censor_reason = 5 if last == NONE else (next_reason if has_next and at_next else 6)
        if pd_event and (not death_event or pd <= died):
            pfs_days[i] = pd - s
            pfs_reason[i] = 0
        elif death_event:
            pfs_days[i] = died - s
            pfs_reason[i] = 1
        else:
            pfs_days[i] = censor_day - s
            pfs_reason[i] = censor_reason
        pfs_event[i] = pd_event or death_event
        ttnt_days[i] = (next_therapy[i] if has_next else fu) - s
        ttnt_event[i] = has_next or died != NONE
        ttnt_reason[i] = (0 if by_procedure[i] else 1) if has_next else (2 if died != NONE else 3)
        os_days[i] = fu - s
        os_event[i] = died != NONE
        out_end[i] = max(fu, s) if ongoing[i] else end[i]
        duration[i] = out_end[i] - s


@kernel
def end_reasons(
    days: tuple[I64, I64, I64, I64, I64],
    lines: tuple[Bools, I64, I64],
    reasons: tuple[Bools, Bools],
    grace: int,
    n_end: int,
    out: I64,
) -> None:
    """Why each line ended: the first rule that applies (docs/course.md, "End reason").

    ``days`` per line: first progression, death, end, natural end, next line's start;
    ``lines``: ongoing, kind (a procedure counted as a line: its class, else -1), stop reason
    (-1: none); ``reasons`` by stop reason: progression, quiet (unknown, other, ongoing).
    Codes: those of ``END_REASONS``, then ``n_end`` + the stop reason.
    """
    first_pd, death, end, natural_end, next_start = days
    ongoing, kind, reason = lines
    is_progression, quiet = reasons
    for i in range(out.size):
        pd, following = first_pd[i], next_start[i]
        has_next = following != NONE
        r = reason[i]
        if kind[i] >= 0:
            code = 0  # a procedure counted as a line
        elif ongoing[i]:
            code = 1
        elif (r >= 0 and is_progression[r]) or (
            pd != NONE and pd <= end[i] + grace and (not has_next or pd <= following)
        ):
            code = 2
        elif has_next and following < natural_end[i]:
            code = 3  # cut short by the next line
        elif r >= 0 and not quiet[r]:
            code = n_end + r
        elif death[i] != NONE and death[i] <= end[i] + grace:
            code = 4
        else:
            code = 3 if has_next else 5
        out[i] = code


@kernel
def patient_times(
    lines: tuple[I64, I64, I64, I64],
    patients: tuple[I64, I64, I64, I64],
    days: tuple[I64, I64, I64, I64, I64],
    flags: tuple[Bools, Bools],
    codes: tuple[I64, I64],
) -> None:
    """Per patient: number of lines, first-line start, OS from three origins, the EMA PFS2.

    ``lines``: patient, number, start, first progression (sorted by patient and number);
    ``patients``: diagnosis, first metastasis, death, end of follow-up.
    Fills ``days``: first-line start, OS from diagnosis, metastasis and first line, PFS2
    (NONE: unknown), and ``flags``: PFS2 event, PFS2 known (a first line), ``codes``: number
    of lines, PFS2 reason (code of ``PFS_REASONS``; -1 without a first line). PFS2 runs from
    the first line's start to progression on the second line, or death, whichever is first.
    """
    l_patient, l_number, l_start, l_first_pd = lines
    diagnosis, metastasis, death, fu_end = patients
    l1, os_diagnosis, os_metastasis, os_first_line, pfs2 = days
    pfs2_event, known = flags
    n_lines, reason = codes
    n = diagnosis.size
    for p in range(n):
        n_lines[p] = 0
        l1[p] = NONE
    l2_pd = np.full(n, NONE, dtype=np.int64)
    for i in range(l_patient.size):
        p = l_patient[i]
        n_lines[p] = max(n_lines[p], l_number[i])
        if l_number[i] == 1:
            l1[p] = l_start[i]
        elif l_number[i] == 2:
            l2_pd[p] = l_first_pd[i]
    for p in range(n):
        fu, died, second = fu_end[p], death[p], l2_pd[p]
        os_diagnosis[p] = fu - diagnosis[p] if diagnosis[p] != NONE else NONE
        os_metastasis[p] = fu - metastasis[p] if metastasis[p] != NONE else NONE
        os_first_line[p] = fu - l1[p] if l1[p] != NONE else NONE
        known[p] = l1[p] != NONE
        if not known[p]:
            pfs2[p] = NONE
            pfs2_event[p] = False
            reason[p] = -1
            continue
        event_day = second if died == NONE or (second != NONE and second < died) else died
        pfs2_event[p] = event_day != NONE
        pfs2[p] = (event_day if event_day != NONE else fu) - l1[p]
        if second != NONE and (died == NONE or second <= died):
            reason[p] = 0
        else:
            reason[p] = 1 if died != NONE else 4
