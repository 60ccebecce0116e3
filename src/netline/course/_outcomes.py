"""Step 4 of the course engine over arrays: responses and time-to-event outcomes (NumPy).

Each assessment belongs to the last line started strictly before it (an as-of join on the
patient and the day). From the assessments come the first progression after each line start,
the best response (a RECIST category, with the clinician-recorded status in a field of its
own), progression-free survival, time to next treatment and overall survival; per patient,
the EMA PFS2 and overall survival from three origins. ``docs/course.md`` states every
definition with its source.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from netline.clinical.recist.vectorised import OVERALL_CODES, best_response_codes
from netline.course._arrays import (
    NONE,
    asof_forward,
    asof_index,
    max_by_sorted,
    one_of,
    segment_starts,
)
from netline.course._inputs import Batch
from netline.course._lines import Lines
from netline.course.rules import LineRules

__all__ = [
    "CLINICIAN_RANK",
    "CLINICIAN_STATUSES",
    "RECIST_CATEGORIES",
    "SOURCE_PRIORITY",
    "line_outcomes",
    "patient_outcomes",
]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Column = npt.NDArray[Any]

#: Order of clinician-recorded statuses (higher is better) for ``clinician_status``; ties go
#: to the source of higher priority, then to the earlier assessment. The RECIST best overall
#: response is not ranked here: it comes from
#: :func:`netline.clinical.recist.vectorised.best_response_codes`.
CLINICIAN_RANK: dict[str, int] = {
    "NED": 5,
    "responding": 4,
    "stable": 3,
    "mixed": 2,
    "progressing": 1,
}
#: Responses that are RECIST 1.1 overall-response categories (``best_response``).
RECIST_CATEGORIES = frozenset(code.value for code in OVERALL_CODES)
#: Clinician-recorded disease status (``clinician_status``).
CLINICIAN_STATUSES = frozenset(CLINICIAN_RANK)
#: Clinician statuses that need ``sd_min_days`` since the line start to count.
STABLE = frozenset({"stable", "mixed"})
#: RECIST categories that need ``sd_min_days`` since the line start to count (else NE).
_RECIST_STABLE = ("SD", "non-CR/non-PD")
_CODE = {code.value: i for i, code in enumerate(OVERALL_CODES)}
_NAMES = [code.value for code in OVERALL_CODES]
_MEASURABLE = np.isin(np.arange(len(_NAMES)), [_CODE["PR"], _CODE["SD"]])
_STABLE_CODES = np.isin(np.arange(len(_NAMES)), [_CODE[c] for c in _RECIST_STABLE])
SOURCE_PRIORITY: dict[str, int] = {"recist": 4, "recorded": 3, "clinician": 2, "stop_reason": 1}
_QUIET = ("unknown", "other", "ongoing")


def earliest(a: I64, b: I64) -> I64:
    """Return the earlier of two days, ignoring a missing one (NONE when both are missing)."""
    return np.where(a == NONE, b, np.where(b == NONE, a, np.minimum(a, b)))


def _pick(group: I64, rows: I64, n: int, *keys: I64) -> I64:
    """For groups ``0..n-1``: the row with the highest ``keys`` (in turn), the first on a tie.

    ``rows`` are in group order; ``keys`` are per row of ``rows``. Like ordering the rows by
    group, then every key descending (stable) and taking the first of each group, without a
    sort: each key keeps the rows that reach their group's maximum of it.
    """
    of = group[rows]
    remaining = list(keys)
    while remaining and len(rows):
        key = remaining.pop(0)
        heads = np.flatnonzero(segment_starts(of))
        top = np.maximum.reduceat(key, heads)
        keep = key == np.repeat(top, np.diff(np.r_[heads, len(rows)]))
        rows, of = rows[keep], of[keep]
        remaining = [k[keep] for k in remaining]
    out = np.full(n, -1, dtype=np.int64)
    if len(rows):
        first = segment_starts(of)
        out[of[first]] = rows[first]
    return out


class _Owned:
    """The assessments owned by a line, with that line's start, limit and next therapy."""

    def __init__(self, batch: Batch, lines: Lines, limit: I64) -> None:
        asm = batch.assessments
        line = asof_index(asm.patient, asm.day, lines.patient, lines.start, inclusive=False)
        rows = np.flatnonzero(line >= 0)
        self.rows = rows
        self.line = line[rows]
        self.day = asm.day[rows]
        self.since = self.day - lines.start[self.line]
        priority = np.array([SOURCE_PRIORITY.get(s, 0) for s in asm.sources], np.int16)
        self.priority = priority[asm.source[rows]]
        self.source = asm.source[rows]
        self.response = asm.response[rows]
        line_limit = limit[self.line]
        self.in_window = (line_limit == NONE) | (self.day <= line_limit)


def _best(owned: _Owned, responses: list[str], n: int, rules: LineRules) -> dict[str, Column]:
    """Best overall response per line, without and with confirmation (RECIST 1.1).

    One time point a day, from the source of highest priority; non-CR/non-PD reads as SD in a
    series that also holds PR or SD (measurable disease). The categories come from the one
    RECIST rule, :func:`~netline.clinical.recist.vectorised.best_response_codes`; the date and
    source shown are those of the assessment that shows the best response (a stable reading
    before ``sd_min_days`` shows NE), of the highest-priority source, earliest first.
    """
    code_of = np.array([_CODE.get(r, -1) for r in responses] + [-1], dtype=np.int8)
    code = code_of[owned.response]  # int8: a sixth of the memory traffic of int64
    rows = np.flatnonzero((code >= 0) & owned.in_window)
    # rows are sorted by line, day and priority (high first): a day's first row is its point
    rows = rows[segment_starts(owned.line[rows], owned.day[rows])]
    line, code = owned.line[rows], code[rows]
    best = np.full(n, -1, dtype=np.int64)
    confirmed = np.full(n, -1, dtype=np.int64)
    source = np.full(n, -1, dtype=np.int64)
    date = np.full(n, NONE, dtype=np.int64)
    if len(rows) == 0:
        return {"best": best, "confirmed": confirmed, "source": source, "date": date}
    first = segment_starts(line)
    heads = np.flatnonzero(first)
    measurable = np.logical_or.reduceat(_MEASURABLE[code], heads)
    as_sd = (code == _CODE["non-CR/non-PD"]) & np.repeat(
        measurable, np.diff(np.r_[heads, len(code)])
    )
    code[as_sd] = _CODE["SD"]
    since = owned.since[rows]
    shown = np.where(_STABLE_CODES[code] & (since < rules.sd_min_days), _CODE["NE"], code)
    groups, best_codes, confirmed_codes = best_response_codes(
        line, since.astype(np.float64), code, min_sd_days=float(rules.sd_min_days)
    )
    best[groups] = best_codes
    confirmed[groups] = confirmed_codes
    # rows are by line, then day: of the rows showing the best response, the highest
    # priority (a per-line maximum over the lines' runs), then the earliest
    key = np.where(shown == best[line], owned.priority[rows], -1)
    top = np.maximum.reduceat(key, heads)
    hit = np.flatnonzero((key >= 0) & (key == np.repeat(top, np.diff(np.r_[heads, len(key)]))))
    hit_line = line[hit]
    first_hit = segment_starts(hit_line)
    chosen = np.full(n, -1, dtype=np.int64)
    chosen[hit_line[first_hit]] = hit[first_hit]
    found = chosen >= 0
    source[found] = owned.source[rows[chosen[found]]]
    date[found] = owned.day[rows[chosen[found]]]
    return {"best": best, "confirmed": confirmed, "source": source, "date": date}


def _clinician(owned: _Owned, responses: list[str], n: int, rules: LineRules) -> tuple[I64, I64]:
    """Return the best clinician-recorded status per line (rank, then priority, then earliest)."""
    rank_of = np.array([CLINICIAN_RANK.get(r, 0) for r in responses] + [0], dtype=np.int64)
    stable_of = np.array([r in STABLE for r in responses] + [False], dtype=bool)
    rank = rank_of[owned.response]
    early = stable_of[owned.response] & (owned.since < rules.sd_min_days)
    rows = np.flatnonzero((rank > 0) & owned.in_window & ~early)
    # rows are by line, then day: the highest rank, then priority, then the earliest
    levels = int(owned.priority.max()) + 1 if len(owned.priority) else 1
    chosen = _pick(owned.line, rows, n, rank[rows] * levels + owned.priority[rows])
    found = chosen >= 0
    status = np.full(n, -1, dtype=np.int64)
    date = np.full(n, NONE, dtype=np.int64)
    status[found] = owned.response[chosen[found]]
    date[found] = owned.day[chosen[found]]
    return status, date


def _next_events(batch: Batch, lines: Lines, rules: LineRules) -> dict[str, I64]:
    """First progression, procedure and therapy procedure strictly after each line start."""
    asm, pr = batch.assessments, batch.procedures
    therapy = one_of(pr.kind, [batch.class_code(k) for k in sorted(rules.next_therapy_procedures)])
    return {
        "first_pd": asof_forward(
            lines.patient, lines.start, asm.patient[asm.progression], asm.day[asm.progression]
        ),
        "next_procedure": asof_forward(lines.patient, lines.start, pr.patient, pr.day),
        "therapy_procedure": asof_forward(
            lines.patient, lines.start, pr.patient[therapy], pr.day[therapy]
        ),
    }


def line_outcomes(batch: Batch, lines: Lines, rules: LineRules) -> dict[str, Column]:
    """First progression, best response, PFS, TTNT, OS and the end reason of each line.

    Returns columns (days as ``int64`` with NONE; texts as codes into the vocabularies of
    :func:`netline.course.engine` or, for the end reason, into ``END_REASONS`` then the stop
    reasons) keyed by the output column names.
    """
    n = len(lines.start)
    events = _next_events(batch, lines, rules)
    first_pd = events["first_pd"]
    limit = first_pd
    if rules.response_window_ends_at_procedure:
        limit = earliest(first_pd, events["next_procedure"])
    therapy = events["therapy_procedure"]
    by_procedure = (therapy > NONE) & ((lines.next_start == NONE) | (therapy < lines.next_start))
    next_therapy = earliest(lines.next_start, therapy)
    owned = _Owned(batch, lines, limit)
    responses = batch.assessments.responses
    best = _best(owned, responses, n, rules)
    status, status_date = _clinician(owned, responses, n, rules)
    before = (next_therapy[owned.line] == NONE) | (owned.day <= next_therapy[owned.line])
    # owned rows are sorted by line, assessments by patient
    last_assessment = max_by_sorted(owned.line[before], owned.day[before], n, NONE)
    asm = batch.assessments
    patient_last = max_by_sorted(asm.patient, asm.day, len(batch.fu_end), NONE)
    out: dict[str, Column] = {
        "best_response": best["best"],
        "best_response_source": best["source"],
        "best_response_date": best["date"],
        "best_response_confirmed": best["confirmed"],
        "clinician_status": status,
        "clinician_status_date": status_date,
        "first_progression": first_pd,
    }
    death = batch.death[lines.patient]
    fu_end = batch.fu_end[lines.patient]
    out.update(
        _pfs(
            lines.start,
            first_pd,
            death,
            fu_end,
            next_therapy,
            by_procedure,
            last_assessment,
            patient_last[lines.patient],
            rules,
        )
    )
    has_next = next_therapy > NONE
    has_death = death > NONE
    ttnt = np.where(has_next & by_procedure, 0, np.where(has_next, 1, np.where(has_death, 2, 3)))
    end = np.where(lines.ongoing, np.maximum(fu_end, lines.start), lines.end)
    out.update(
        {
            "end": end,
            "end_reason": _end_reason(batch, lines, first_pd, death, rules),
            "ttnt_days": np.where(has_next, next_therapy, fu_end) - lines.start,
            "ttnt_event": has_next | has_death,
            "ttnt_reason": ttnt,
            "os_days": fu_end - lines.start,
            "os_event": has_death,
            "duration_days": end - lines.start,
        }
    )
    return out


#: ``pfs_reason`` codes.
PFS_REASONS = [
    "progression",
    "death",
    "censored_procedure",
    "censored_next_line",
    "censored_end_of_follow_up",
    "censored_no_assessment",
    "censored_last_assessment",
]
#: ``ttnt_reason`` codes.
TTNT_REASONS = ["procedure", "next_line", "death", "censored"]
#: ``end_reason`` codes below the stop reasons (code ``len(END_REASONS) + i`` is stop reason i).
END_REASONS = ["procedure", "ongoing", "progression", "new_line", "death", "unknown"]


def _pfs(
    start: I64,
    first_pd: I64,
    death: I64,
    fu_end: I64,
    next_therapy: I64,
    by_procedure: Bools,
    last_assessment: I64,
    patient_last: I64,
    rules: LineRules,
) -> dict[str, Column]:
    """Progression-free survival of each line: days, event and reason (codes of PFS_REASONS)."""
    at_next = rules.pfs_censor_at_next_line
    has_next = next_therapy > NONE
    bound = np.where(has_next, next_therapy, fu_end) if at_next else fu_end
    pd_event = (first_pd > NONE) & (first_pd <= bound)
    death_event = (death > NONE) & (death <= bound) & (death >= start)
    event_day = np.where(
        pd_event & death_event,
        np.minimum(first_pd, death),
        np.where(pd_event, first_pd, death),
    )
    is_pd = pd_event & (~death_event | (first_pd <= death))
    censored_next = has_next & at_next
    next_reason = np.where(by_procedure, 2, 3)
    if rules.pfs_censor_date == "last_follow_up":
        censor_day = bound
        censor_reason = np.where(censored_next, next_reason, 4)
    else:
        last = last_assessment if at_next else np.where(patient_last > start, patient_last, NONE)
        censor_day = np.where(last > NONE, last, start)
        censor_reason = np.where(last == NONE, 5, np.where(censored_next, next_reason, 6))
    pfs_event = pd_event | death_event
    pfs_day = np.where(pfs_event, event_day, censor_day)
    return {
        "pfs_days": pfs_day - start,
        "pfs_event": pfs_event,
        "pfs_reason": np.where(is_pd, 0, np.where(death_event, 1, censor_reason)),
    }


def _end_reason(batch: Batch, lines: Lines, first_pd: I64, death: I64, rules: LineRules) -> I64:
    """Why each line ended: the first rule that applies (codes of END_REASONS, then reasons)."""
    grace = rules.end_grace_days
    reasons = batch.reasons.to_pylist()
    has_next = lines.next_start > NONE
    pd_ends = (
        (first_pd > NONE)
        & (first_pd <= lines.end + grace)
        & (~has_next | (first_pd <= lines.next_start))
    )
    truncated = has_next & (lines.next_start < lines.natural_end)
    reason = lines.last_reason
    is_progression = np.array([r == "progression" for r in reasons] + [False], bool)[reason]
    quiet = np.array([r in _QUIET for r in reasons] + [True], bool)[reason]
    died = (death > NONE) & (death <= lines.end + grace)
    code = np.where(has_next, 3, 5)
    code = np.where(died, 4, code)
    code = np.where(~quiet, len(END_REASONS) + reason, code)
    code = np.where(truncated, 3, code)
    code = np.where(pd_ends | is_progression, 2, code)
    code = np.where(lines.ongoing, 1, code)
    return np.where(lines.kind >= 0, 0, code)


def patient_outcomes(batch: Batch, lines: Lines, first_pd: I64) -> dict[str, Column]:
    """Per patient: number of lines, OS from three origins and the EMA PFS2."""
    n = len(batch.fu_end)
    n_lines = max_by_sorted(lines.patient, lines.line, n, 0)
    l1 = np.full(n, NONE, dtype=np.int64)
    first = lines.line == 1
    l1[lines.patient[first]] = lines.start[first]
    l2_pd = np.full(n, NONE, dtype=np.int64)
    second = lines.line == 2
    l2_pd[lines.patient[second]] = first_pd[second]
    death, fu_end = batch.death, batch.fu_end
    has_l1 = l1 > NONE
    has_death = death > NONE
    event_day = earliest(l2_pd, death)
    event = has_l1 & (event_day > NONE)
    day = np.where(event, event_day, fu_end)
    progression = (l2_pd > NONE) & (~has_death | (l2_pd <= death))
    reason = np.where(progression, 0, np.where(has_death, 1, 4))

    def since(origin: I64) -> I64:
        return np.where(origin > NONE, fu_end - origin, NONE)

    return {
        "n_lines": n_lines,
        "diagnosis": batch.diagnosis,
        "first_metastasis": batch.first_metastasis,
        "first_line_start": l1,
        "death": death,
        "last_follow_up": batch.last_follow_up,
        "os_from_diagnosis_days": since(batch.diagnosis),
        "os_from_metastasis_days": since(batch.first_metastasis),
        "os_from_first_line_days": since(l1),
        "os_event": has_death,
        "pfs2_ema_days": np.where(has_l1, day - l1, NONE),
        "pfs2_ema_event": np.where(has_l1, event, False),
        "__pfs2_known": has_l1,
        "pfs2_ema_reason": np.where(has_l1, reason, -1),
    }
