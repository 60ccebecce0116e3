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

from netline.clinical.recist.thresholds import MIN_CONFIRMATION_DAYS
from netline.clinical.recist.vectorised import OVERALL_CODES, best_response_runs
from netline.course._arrays import NONE, one_of
from netline.course._inputs import Batch
from netline.course._kernel_outcomes import (
    end_reasons,
    line_events,
    line_times,
    owned_assessments,
    patient_times,
    shown_best,
)
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
_CODE = {code.value: i for i, code in enumerate(OVERALL_CODES)}
SOURCE_PRIORITY: dict[str, int] = {"recist": 4, "recorded": 3, "clinician": 2, "stop_reason": 1}
_QUIET = ("unknown", "other", "ongoing")


def _codes(batch: Batch) -> tuple[npt.NDArray[np.int8], I64, Bools, I64]:
    """Lookup tables by response code (RECIST category, clinician rank, stable) and by source."""
    responses, sources = batch.assessments.responses, batch.assessments.sources
    return (
        np.array([_CODE.get(r, -1) for r in responses] + [-1], dtype=np.int8),
        np.array([CLINICIAN_RANK.get(r, 0) for r in responses] + [0], dtype=np.int64),
        np.array([r in STABLE for r in responses] + [False], dtype=bool),
        np.array([SOURCE_PRIORITY.get(s, 0) for s in sources] + [0], dtype=np.int64),
    )


def _responses(
    batch: Batch, lines: Lines, limit: I64, next_therapy: I64, rules: LineRules
) -> dict[str, Column]:
    """Best RECIST response (and confirmed), clinician status and last assessments per line.

    One time point a day, from the source of highest priority; non-CR/non-PD reads as SD in a
    series that also holds PR or SD (measurable disease). The categories come from the one
    RECIST rule, :func:`~netline.clinical.recist.vectorised.best_response_runs`; the date and
    source shown are those of the assessment that shows the best response (a stable reading
    before ``sd_min_days`` shows NE), of the highest-priority source, earliest first. The
    clinician's best status: the highest rank, then priority, then the earliest.
    """
    asm = batch.assessments
    n, m = len(lines.start), len(asm.day)
    sd_min = float(rules.sd_min_days)
    out = (
        np.full(n, NONE, dtype=np.int64),  # last assessment before the next therapy
        np.full(n, NONE, dtype=np.int64),  # last assessment of the patient
        np.full(n, -1, dtype=np.int64),  # clinician status
        np.full(n, NONE, dtype=np.int64),  # its day
        np.zeros(n, dtype=np.int64),  # RECIST points of the line
        np.zeros(n, dtype=np.int64),  # index of the first
        np.zeros(n, dtype=bool),  # measurable disease
    )
    points = (np.empty(m, dtype=np.float64), np.empty(m, dtype=np.int8), np.empty(m, np.int64))
    tables = _codes(batch)
    owned_assessments(
        (lines.patient, lines.start, limit, next_therapy),
        (asm.patient, asm.day, asm.response, asm.source),
        tables,
        sd_min,
        out,
        points,
    )
    count, first = out[4], out[5]
    bounds = np.append(first, first[-1] + count[-1] if n else 0)
    best, confirmed = best_response_runs(
        bounds, points[0], points[1], sd_min, MIN_CONFIRMATION_DAYS
    )
    none = count == 0
    source = np.full(n, -1, dtype=np.int64)
    date = np.full(n, NONE, dtype=np.int64)
    shown_best(first, count, best, points, (asm.source, asm.day, tables[3]), sd_min, (source, date))
    return {
        "best_response": np.where(none, -1, best).astype(np.int64),
        "best_response_confirmed": np.where(none, -1, confirmed).astype(np.int64),
        "best_response_source": source,
        "best_response_date": date,
        "clinician_status": out[2],
        "clinician_status_date": out[3],
        "last_assessment": out[0],
        "patient_last": out[1],
    }


def line_outcomes(batch: Batch, lines: Lines, rules: LineRules) -> dict[str, Column]:
    """First progression, best response, PFS, TTNT, OS and the end reason of each line.

    Returns columns (days as ``int64`` with NONE; texts as codes into the vocabularies of
    :func:`netline.course.engine` or, for the end reason, into ``END_REASONS`` then the stop
    reasons) keyed by the output column names.
    """
    asm, pr = batch.assessments, batch.procedures
    n = len(lines.start)
    therapy = one_of(pr.kind, [batch.class_code(k) for k in sorted(rules.next_therapy_procedures)])
    first_pd, limit, next_therapy = (np.empty(n, dtype=np.int64) for _ in range(3))
    by_procedure = np.empty(n, dtype=bool)
    line_events(
        (lines.patient, lines.start, lines.next_start),
        asm.progressions,
        (pr.patient, pr.day, therapy),
        rules.response_window_ends_at_procedure,
        (first_pd, limit, next_therapy, by_procedure),
    )
    resp = _responses(batch, lines, limit, next_therapy, rules)
    last_assessment, patient_last = resp.pop("last_assessment"), resp.pop("patient_last")
    death = batch.death[lines.patient]
    fu_end = batch.fu_end[lines.patient]
    pfs, ttnt, os_days, end, duration = (np.empty(n, dtype=np.int64) for _ in range(5))
    pfs_event, ttnt_event, os_event = (np.empty(n, dtype=bool) for _ in range(3))
    pfs_reason, ttnt_reason = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    line_times(
        (
            lines.start,
            first_pd,
            death,
            fu_end,
            next_therapy,
            last_assessment,
            patient_last,
            lines.end,
        ),
        (lines.ongoing, by_procedure),
        (rules.pfs_censor_at_next_line, rules.pfs_censor_date == "last_follow_up"),
        (pfs, ttnt, os_days, end, duration),
        (pfs_event, ttnt_event, os_event),
        (pfs_reason, ttnt_reason),
    )
    return {
        **resp,
        "first_progression": first_pd,
        "pfs_days": pfs,
        "pfs_event": pfs_event,
        "pfs_reason": pfs_reason,
        "ttnt_days": ttnt,
        "ttnt_event": ttnt_event,
        "ttnt_reason": ttnt_reason,
        "os_days": os_days,
        "os_event": os_event,
        "end": end,
        "duration_days": duration,
        "end_reason": _end_reason(batch, lines, first_pd, death, rules),
    }


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


def _end_reason(batch: Batch, lines: Lines, first_pd: I64, death: I64, rules: LineRules) -> I64:
    """Why each line ended (codes of END_REASONS, then the stop reasons; ``end_reasons``)."""
    reasons = batch.reasons.to_pylist()
    out = np.empty(len(lines.start), dtype=np.int64)
    end_reasons(
        (first_pd, death, lines.end, lines.natural_end, lines.next_start),
        (lines.ongoing, lines.kind, lines.last_reason),
        (
            np.array([r == "progression" for r in reasons] + [False], bool),
            np.array([r in _QUIET for r in reasons] + [True], bool),
        ),
        rules.end_grace_days,
        len(END_REASONS),
        out,
    )
    return out


def patient_outcomes(batch: Batch, lines: Lines, first_pd: I64) -> dict[str, Column]:
    """Per patient: number of lines, OS from three origins and the EMA PFS2 (``patient_times``)."""
    n = len(batch.fu_end)
    l1, os_diagnosis, os_metastasis, os_first_line, pfs2 = (
        np.empty(n, dtype=np.int64) for _ in range(5)
    )
    event, known = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    n_lines, reason = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    patient_times(
        (lines.patient, lines.line, lines.start, first_pd),
        (batch.diagnosis, batch.first_metastasis, batch.death, batch.fu_end),
        (l1, os_diagnosis, os_metastasis, os_first_line, pfs2),
        (event, known),
        (n_lines, reason),
    )
    return {
        "n_lines": n_lines,
        "diagnosis": batch.diagnosis,
        "first_metastasis": batch.first_metastasis,
        "first_line_start": l1,
        "death": batch.death,
        "last_follow_up": batch.last_follow_up,
        "os_from_diagnosis_days": os_diagnosis,
        "os_from_metastasis_days": os_metastasis,
        "os_from_first_line_days": os_first_line,
        "os_event": batch.death > NONE,
        "pfs2_ema_days": pfs2,
        "pfs2_ema_event": event,
        "__pfs2_known": known,
        "pfs2_ema_reason": reason,
    }
