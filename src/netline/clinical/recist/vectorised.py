"""RECIST 1.1 time-point responses of many series at once (numpy).

The same rules as :func:`~netline.clinical.recist.series.response_series` (which is the
reference; a hypothesis property test compares the two), written over arrays so that a
registry of patients is one call. Every threshold comes from
:mod:`netline.clinical.recist.thresholds`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from netline._jit import kernel, kernel_mode
from netline.clinical._values import EPS
from netline.clinical.recist._model import NewLesions, NonTargetResponse, OverallResponse
from netline.clinical.recist.thresholds import (
    DEFAULT_MIN_SD_DAYS,
    MIN_CONFIRMATION_DAYS,
    PD_ABSOLUTE_MM,
    PD_INCREASE_FRACTION,
    PR_DECREASE_FRACTION,
    at_least_array,
)
from netline.errors import InvalidInputError

__all__ = [
    "NEW_LESION_CODES",
    "NON_TARGET_CODES",
    "OVERALL_CODES",
    "best_response_codes",
    "best_response_runs",
    "series_response_codes",
]

#: Code ``i`` of a response array is ``OVERALL_CODES[i]``; -1 marks a baseline row.
OVERALL_CODES: Final = tuple(OverallResponse)
#: Code ``i`` of a non-target array is ``NON_TARGET_CODES[i]``; -1: no non-target disease.
NON_TARGET_CODES: Final = tuple(NonTargetResponse)
#: Code ``i`` of a new-lesion array is ``NEW_LESION_CODES[i]``.
NEW_LESION_CODES: Final = tuple(NewLesions)

_O = {member: np.int8(i) for i, member in enumerate(OVERALL_CODES)}
_NT = {member: np.int8(i) for i, member in enumerate(NON_TARGET_CODES)}
_NEW = {member: np.int8(i) for i, member in enumerate(NEW_LESION_CODES)}
# target codes (internal): CR, PR, SD, PD, NE
_T_CR, _T_PR, _T_SD, _T_PD, _T_NE = range(5)

Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int8]
Index = npt.NDArray[np.int64]


def _segment_start(group: npt.NDArray[np.int64]) -> tuple[Bools, npt.NDArray[np.int64]]:
    """Whether each row starts its group, and the index of its group's first row."""
    n = group.size
    first = np.ones(n, dtype=bool)
    first[1:] = group[1:] != group[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    return first, start


def _running_min_before(
    values: npt.NDArray[np.float64], first: Bools, start: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Minimum of ``values`` over the earlier rows of the same group (first row: its own)."""
    uniques, rank = np.unique(values, return_inverse=True)
    rank = rank.astype(np.int64).reshape(-1)
    big = np.int64(uniques.size + 1)
    segment = np.cumsum(first).astype(np.int64)
    shifted = rank - segment * big
    inclusive = np.minimum.accumulate(shifted) + segment * big
    before = np.empty_like(inclusive)
    before[0] = inclusive[0]
    before[1:] = inclusive[:-1]
    before = np.where(first, rank, before)
    result: npt.NDArray[np.float64] = uniques[before]
    return result


def _any_before(flag: Bools, first: Bools, start: npt.NDArray[np.int64]) -> Bools:
    """Whether ``flag`` holds on an earlier row of the same group."""
    counts = np.cumsum(flag.astype(np.int64))
    inclusive_before = counts - flag.astype(np.int64)  # rows < i, whole array
    at_start = inclusive_before[start]
    result: Bools = (inclusive_before - at_start) > 0
    return result


def _check(arrays: dict[str, npt.NDArray[np.generic]]) -> int:
    sizes = {name: np.asarray(value).shape for name, value in arrays.items()}
    n = np.asarray(arrays["group"]).size
    problems = [
        (name, shape, f"a one-dimensional array of {n} rows like 'group'")
        for name, shape in sizes.items()
        if shape != (n,)
    ]
    if problems:
        raise InvalidInputError.single(*problems[0])
    group = np.asarray(arrays["group"])
    if n and np.any(group[1:] < group[:-1]):
        raise InvalidInputError.single("group", "unsorted", "rows sorted by group, then day")
    return n


def series_response_codes(
    group: npt.ArrayLike,
    sum_mm: npt.ArrayLike,
    gone: npt.ArrayLike,
    unmeasured: npt.ArrayLike,
    non_target: npt.ArrayLike,
    new_lesions: npt.ArrayLike,
) -> tuple[Codes, Codes]:
    """Return the overall response of every scan of many RECIST series.

    Rows are scans sorted by series (``group``) then day; the first row of each series is its
    baseline. The rules are those of :func:`response_series`: target PD at ≥ 20 % and ≥ 5 mm
    above the nadir (smallest earlier sum, baseline included), PR at ≥ 30 % below baseline, CR
    when every target is gone; after CR any reappearance is PD; equivocal new lesions confirmed
    by the next unequivocal finding make the run of equivocal scans before it PD (``revised``).

    Parameters
    ----------
    group : array of int
        Series id per row, sorted (ascending), rows of a series contiguous.
    sum_mm : array of float
        Sum of the measured target diameters (too-small lesions at 5 mm); NaN throughout a
        series without targets.
    gone : array of bool
        Every measured target gone (non-nodal 0 mm, node < 10 mm short axis).
    unmeasured : array of bool
        Some target not measured (ignored on baseline rows, which must be measured).
    non_target : array of int
        Index into :data:`NON_TARGET_CODES`, -1 when the series has no non-target disease.
    new_lesions : array of int
        Index into :data:`NEW_LESION_CODES`.

    Returns
    -------
    response : ndarray of int8
        Index into :data:`OVERALL_CODES` as judged at each scan; -1 on baseline rows.
    revised : ndarray of int8
        The same after later scans (confirmed equivocal new lesions revised to PD).

    Raises
    ------
    InvalidInputError
        For arrays of different lengths or rows not sorted by group.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    n = _check(
        {
            "group": np.asarray(group),
            "sum_mm": np.asarray(sum_mm),
            "gone": np.asarray(gone),
            "unmeasured": np.asarray(unmeasured),
            "non_target": np.asarray(non_target),
            "new_lesions": np.asarray(new_lesions),
        }
    )
    g = np.asarray(group, dtype=np.int64)
    total = np.asarray(sum_mm, dtype=np.float64)
    all_gone = np.asarray(gone, dtype=bool)
    missing = np.asarray(unmeasured, dtype=bool)
    nt = np.asarray(non_target, dtype=np.int8)
    new = np.asarray(new_lesions, dtype=np.int8)
    if n == 0:
        empty = np.empty(0, dtype=np.int8)
        return empty, empty.copy()
    first, start = _segment_start(g)
    base = total[start]
    has_targets = ~np.isnan(base)
    # nadir: smallest earlier sum with every target measured (baseline included)
    usable = np.where(first | ~missing, total, np.inf)
    usable = np.where(has_targets, usable, 0.0)
    nadir = _running_min_before(usable, first, start)
    target = _target_codes(total, base, nadir, all_gone, missing)
    new_ok = (new != _NEW[NewLesions.PRESENT]) & (new != _NEW[NewLesions.NOT_ASSESSED])
    nt_ok = np.where(has_targets, (nt == -1) | (nt == _NT[NonTargetResponse.CR]), nt == 0)
    raw_cr = ~first & new_ok & nt_ok & (~has_targets | (all_gone & ~missing))
    after_cr = _any_before(raw_cr, first, start)
    response = _overall_codes(target, has_targets, all_gone, nt, new, after_cr)
    response[first] = -1
    revised = _revise(response, new, first, g)
    return response, revised


def _target_codes(
    total: npt.NDArray[np.float64],
    base: npt.NDArray[np.float64],
    nadir: npt.NDArray[np.float64],
    all_gone: Bools,
    missing: Bools,
) -> npt.NDArray[np.int64]:
    """Target response before the after-CR rule (which :func:`_overall_codes` applies)."""
    with np.errstate(invalid="ignore"):
        change = total - nadir
        meets_pd = at_least_array(change, PD_INCREASE_FRACTION * nadir) & at_least_array(
            change, np.full_like(change, PD_ABSOLUTE_MM)
        )
        meets_pr = at_least_array(base - total, PR_DECREASE_FRACTION * base)
    measured = np.select([all_gone, meets_pd, meets_pr], [_T_CR, _T_PD, _T_PR], default=_T_SD)
    result: npt.NDArray[np.int64] = np.where(missing, np.where(meets_pd, _T_PD, _T_NE), measured)
    return result


def _overall_codes(
    target: npt.NDArray[np.int64],
    has_targets: Bools,
    all_gone: Bools,
    nt: Codes,
    new: Codes,
    after_cr: Bools,
) -> Codes:
    """Overall response codes from the parts (Eisenhauer 2009 Table 1, after-CR rule)."""
    nt_pd = nt == _NT[NonTargetResponse.PD]
    nt_non_cr = nt == _NT[NonTargetResponse.NON_CR_NON_PD]
    # after CR a measured target that is not gone is PD (reappearance), whatever the sum
    target_back = has_targets & ~all_gone
    reappeared = after_cr & (target_back | nt_non_cr)
    progression = (
        (new == _NEW[NewLesions.PRESENT]) | (has_targets & (target == _T_PD)) | nt_pd | reappeared
    )
    non_target_only = np.select(
        [nt == _NT[NonTargetResponse.CR], nt_non_cr],
        [_O[OverallResponse.CR], _O[OverallResponse.NON_CR_NON_PD]],
        default=_O[OverallResponse.NE],
    )
    with_targets = np.select(
        [
            (target == _T_CR) & ((nt == -1) | (nt == _NT[NonTargetResponse.CR])),
            (target == _T_CR) | (target == _T_PR),
            target == _T_SD,
        ],
        [_O[OverallResponse.CR], _O[OverallResponse.PR], _O[OverallResponse.SD]],
        default=_O[OverallResponse.NE],
    )
    table = np.where(has_targets, with_targets, non_target_only)
    table = np.where(new == _NEW[NewLesions.NOT_ASSESSED], _O[OverallResponse.NE], table)
    result: Codes = np.where(progression, _O[OverallResponse.PD], table).astype(np.int8)
    return result


def _revise(response: Codes, new: Codes, first: Bools, group: npt.NDArray[np.int64]) -> Codes:
    """Revise to PD the run of equivocal scans just before a first PD with a new lesion."""
    n = response.size
    pd = response == _O[OverallResponse.PD]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    first_pd = pd & ~_any_before(pd, first, start)
    equivocal = (new == _NEW[NewLesions.EQUIVOCAL]) & ~first
    breaker = ~equivocal | pd
    index = np.where(breaker, np.arange(n), n)
    next_breaker = np.minimum.accumulate(index[::-1])[::-1]
    safe = np.minimum(next_breaker, n - 1)
    confirms = (
        (next_breaker < n)
        & (group[safe] == group)
        & first_pd[safe]
        & (new[safe] == _NEW[NewLesions.PRESENT])
    )
    revised = response.copy()
    revised[equivocal & ~pd & confirms] = _O[OverallResponse.PD]
    return revised


def best_response_codes(
    group: npt.ArrayLike,
    day: npt.ArrayLike,
    response: npt.ArrayLike,
    *,
    min_sd_days: float = DEFAULT_MIN_SD_DAYS,
    min_confirmation_days: float = MIN_CONFIRMATION_DAYS,
) -> tuple[npt.NDArray[np.int64], Codes, Codes]:
    """Return the best overall response of many series, without and with confirmation.

    The rules of :func:`best_overall_response` over arrays: only assessments up to the first PD
    count; a PR, SD or non-CR/non-PD after a CR counts as PD; SD (non-CR/non-PD for
    non-target-only series) needs an assessment at least ``min_sd_days`` after the start; with
    confirmation a CR needs a later CR, a PR a later PR or CR, at least
    ``min_confirmation_days`` later with only those or NE in between.

    Parameters
    ----------
    group : array of int
        Series id per row, sorted, rows of a series contiguous (no baseline rows).
    day : array of float
        Days from the start of treatment, strictly increasing within a series.
    response : array of int
        Index into :data:`OVERALL_CODES` of each time-point response.
    min_sd_days : float, default 42
        Minimum time from the start of treatment for SD to count.
    min_confirmation_days : float, default 28
        Minimum interval between a response and its confirmation.

    Returns
    -------
    groups : ndarray of int
        The series ids, in order.
    best, best_confirmed : ndarray of int8
        Index into :data:`OVERALL_CODES` of each series' best response.

    Raises
    ------
    InvalidInputError
        For arrays of different lengths or rows not sorted by group.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    _check({"group": np.asarray(group), "day": np.asarray(day), "response": np.asarray(response)})
    g = np.asarray(group, dtype=np.int64)
    n = g.size
    first = np.ones(n, dtype=bool)
    np.not_equal(g[1:], g[:-1], out=first[1:])
    heads = np.flatnonzero(first)
    bounds = np.append(heads, n).astype(np.int64)
    with kernel_mode(n):
        best, confirmed = best_response_runs(
            bounds,
            np.ascontiguousarray(day, dtype=np.float64),
            np.ascontiguousarray(response, dtype=np.int8),
            float(min_sd_days),
            float(min_confirmation_days),
        )
    return g[heads], best, confirmed


def best_response_runs(
    bounds: Index,
    day: npt.NDArray[np.float64],
    code: Codes,
    min_sd_days: float,
    min_confirmation_days: float,
) -> tuple[Codes, Codes]:
    """Best overall response of series ``i`` = rows ``bounds[i]:bounds[i + 1]`` (no checks).

    The loop kernel behind :func:`best_response_codes`, for callers whose rows are already
    grouped (the course engine); it runs compiled or not as the caller's
    :func:`netline._jit.kernel_mode` says.
    """
    m = bounds.size - 1
    best = np.full(max(m, 0), _O[OverallResponse.NE], dtype=np.int8)
    confirmed = best.copy()
    if m > 0:
        _best_kernel(bounds, day, code, min_sd_days, min_confirmation_days, EPS, best, confirmed)
    return best, confirmed


_CR = int(_O[OverallResponse.CR])
_PR = int(_O[OverallResponse.PR])
_SD = int(_O[OverallResponse.SD])
_NCR = int(_O[OverallResponse.NON_CR_NON_PD])
_PD = int(_O[OverallResponse.PD])
_NE = int(_O[OverallResponse.NE])


@kernel
def _best_kernel(
    bounds: Index,
    day: npt.NDArray[np.float64],
    code: Codes,
    min_sd: float,
    min_conf: float,
    eps: float,
    best: Codes,
    confirmed: Codes,
) -> None:
    """Per series: one pass forward (cut at the first effective PD), one backward (confirmation).

    A PR, SD or non-CR/non-PD after the first CR counts as PD; rows from the first PD on do
    not count. A CR (PR) is confirmed by the farthest later CR (CR or PR) before the next row
    that is neither one of those nor NE, at least ``min_conf`` days later. Comparisons with a
    threshold are :func:`~netline.clinical.recist.thresholds.at_least` (tolerance ``eps``).
    """
    sd_bound = min_sd - eps * max(1.0, abs(min_sd))
    conf_bound = min_conf - eps * max(1.0, abs(min_conf))
    for s in range(bounds.size - 1):
        lo, hi = bounds[s], bounds[s + 1]
        cut = hi
        seen_cr = False
        any_cr = False
        any_pr = False
        stable_ok = False
        has_ncr = False
        for i in range(lo, hi):
            c = code[i]
            if c == _NCR:
                has_ncr = True
            if i >= cut:
                continue
            if c == _PD or (seen_cr and c in (_PR, _SD, _NCR)):
                cut = i
                continue
            if c == _CR:
                seen_cr = True
                any_cr = True
            elif c == _PR:
                any_pr = True
            if c in (_CR, _PR, _SD, _NCR) and day[i] >= sd_bound:
                stable_ok = True
        if stable_ok:
            fallback = _NCR if has_ncr else _SD
        elif cut < hi:
            fallback = _PD
        else:
            fallback = _NE
        best[s] = _CR if any_cr else (_PR if any_pr else fallback)
        # backward: the farthest confirming row before the next breaker, for CR and for PR
        last_cr = -1
        last_pr = -1
        conf_cr = False
        conf_pr = False
        first_cr = hi
        for i in range(lo, cut):
            if code[i] == _CR:
                first_cr = i
                break
        for i in range(hi - 1, lo - 1, -1):
            c = code[i]
            effective_pd = c == _PD or (i > first_cr and c in (_PR, _SD, _NCR))
            if i < cut and not effective_pd:
                if c == _CR and last_cr > i and day[last_cr] - day[i] >= conf_bound:
                    conf_cr = True
                if c == _PR and last_pr > i and day[last_pr] - day[i] >= conf_bound:
                    conf_pr = True
            if effective_pd or (c != _CR and c != _PR and c != _NE):
                last_cr = -1
                last_pr = -1
            elif c == _CR:
                if last_cr < 0:
                    last_cr = i
                if last_pr < 0:
                    last_pr = i
            elif c == _PR:
                last_cr = -1
                if last_pr < 0:
                    last_pr = i
        confirmed[s] = _CR if conf_cr else (_PR if conf_pr else fallback)
