"""Array helpers of the synthetic cohort generator (ragged rows, RECIST on sums, Arrow)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from netline.clinical.recist.thresholds import (
    PD_ABSOLUTE_MM,
    PD_INCREASE_FRACTION,
    PR_DECREASE_FRACTION,
    at_least_array,
)

__all__ = ["recist_responses"]

_KEY = 1 << 20  # day numbers stay below 2**20 (year 4840); patient ids are the generator's


def _ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and position within owner for ragged rows (counts per owner)."""
    counts = counts.astype(np.int64)
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    position = np.arange(owner.size) - starts[owner]
    return owner, position


def _segmented_cummin(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Return the running minimum, restarted at each new group (groups contiguous)."""
    values = values.astype(np.int64)
    if values.size == 0:
        return values
    big = np.int64(values.max() - values.min() + 1)
    rank = np.cumsum(np.r_[True, group[1:] != group[:-1]]).astype(np.int64)
    shifted = values - rank * big
    out: np.ndarray = np.minimum.accumulate(shifted) + rank * big
    return out


def recist_responses(
    pid: np.ndarray,
    day: np.ndarray,
    total: np.ndarray,
    new_lesion: np.ndarray,
    reset_pid: np.ndarray,
    reset_day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """RECIST 1.1 time-point responses of sorted scans, vectorised.

    The rules of :func:`netline.clinical.recist.imaging_timepoints` (thresholds imported from
    :mod:`netline.clinical.recist.thresholds`), with every lesion a target: baseline is the
    last scan on or before the latest treatment start before the scan (else the first scan
    after that start, or the patient's first scan); the nadir is the smallest sum since
    baseline.

    Parameters
    ----------
    pid, day : ndarray of int
        Patient and day number of each scan, sorted by (pid, day), one scan per day.
    total : ndarray of int
        Sum of diameters in tenths of a millimetre.
    new_lesion : ndarray of bool
        Unequivocal new lesion on the scan.
    reset_pid, reset_day : ndarray of int
        Treatment starts, sorted by (pid, day).

    Returns
    -------
    has_response : ndarray of bool
        Whether the scan has a time-point response (it is not a baseline).
    response : ndarray of int8
        Index into ``("PD", "SD", "PR", "CR")``.
    """
    key = pid.astype(np.int64) * _KEY + day
    reset_key = reset_pid.astype(np.int64) * _KEY + reset_day
    j = np.searchsorted(reset_key, key, side="left") - 1
    has_reset = (j >= 0) & (reset_pid[j.clip(0)] == pid)
    reset_at = np.where(has_reset, reset_key[j.clip(0)], -1)
    first = np.searchsorted(key, pid.astype(np.int64) * _KEY, side="left")
    on_or_before = np.searchsorted(key, reset_at, side="right") - 1
    before_ok = has_reset & (on_or_before >= first)
    after = np.searchsorted(key, reset_at, side="right")
    baseline = np.where(has_reset, np.where(before_ok, on_or_before, after), first)
    has_response = (baseline < np.arange(key.size)) | new_lesion
    base_total = total[baseline]
    within = _segmented_cummin(total, baseline)
    previous = np.r_[np.int64(0), within[:-1]]
    first_of_group = np.r_[True, baseline[1:] != baseline[:-1]]
    nadir = np.where(first_of_group, base_total, np.minimum(previous, base_total))
    rise = total - nadir
    # thresholds of netline.clinical.recist (sums here in tenths of a millimetre)
    grew = at_least_array(rise, PD_INCREASE_FRACTION * nadir) & at_least_array(
        rise, np.full(rise.shape, 10 * PD_ABSOLUTE_MM)
    )
    shrank = at_least_array(base_total - total, PR_DECREASE_FRACTION * base_total)
    progression = new_lesion | grew
    response = np.where(progression, 0, np.where(total == 0, 3, np.where(shrank, 2, 1))).astype(
        np.int8
    )
    return has_response, response


def _days(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(values.astype(np.int32), type=pa.int32(), mask=mask).cast(pa.date32())


def _coded(codes: np.ndarray, names: list[str], valid: np.ndarray | None = None) -> pa.Array:
    """Dictionary-encoded text (compact: an int32 code per row)."""
    mask = None if valid is None else ~valid
    indices = pa.array(codes.astype(np.int32), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string()))
