"""RECIST 1.1 time-point responses from the lesions measured on a patient's scans.

The course engine needs a dated overall response for every scan of a record. The response at
a time point is decided by the RECIST calculators of :mod:`netline.clinical.recist`
(:func:`~netline.clinical.recist.target_response`, then
:func:`~netline.clinical.recist.overall_response`); this module only decides, for each scan,
what it is compared with:

* **Baseline.** The last CT/MRI with measurements on or before the most recent treatment start
  before the scan (see ``tables._treatment_starts``); with no such scan, the first measured
  scan after that start; with no treatment yet, the first measured scan.
* **Targets.** Lesions flagged ``target`` (and measured) on the baseline scan; if none is
  flagged, measurable lesions (non-nodal >= 10 mm, nodal >= 15 mm short axis), largest first,
  at most 2 per organ and 5 in all. The other baseline lesions are non-targets.
* **Nadir.** The smallest sum of the targets since baseline, baseline included.
* **New lesions.** ``Imaging.new_lesions`` or a lesion flagged ``new``; a scan that does not
  report new lesions is taken to show none. A new lesion or non-target progression is PD even
  on a scan without measurements.

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from netline.clinical.recist import (
    LesionMeasurement,
    NonTargetResponse,
    overall_response,
    target_response,
)
from netline.errors import NetlineError
from netline.records.model import Imaging, Lesion
from netline.records.vocabulary import ImagingModality

__all__ = ["TimePoint", "imaging_timepoints", "select_targets"]

_MEASURING = frozenset({ImagingModality.CT, ImagingModality.MRI})
_MAX_TARGETS = 5
_MAX_PER_ORGAN = 2


@dataclass(frozen=True, slots=True)
class TimePoint:
    """The overall RECIST 1.1 response of one scan."""

    date: dt.date
    response: str
    event_id: str | None


def _measured(scan: Imaging) -> bool:
    return scan.modality in _MEASURING and any(
        lesion.diameter_mm is not None for lesion in scan.lesions
    )


def _measurable(lesion: Lesion) -> bool:
    if lesion.diameter_mm is None:
        return False
    return lesion.diameter_mm >= (15.0 if lesion.lymph_node else 10.0)


def select_targets(baseline: Imaging) -> list[Lesion]:
    """Return the target lesions of a baseline scan (flagged, else chosen by RECIST 1.1)."""
    flagged = [les for les in baseline.lesions if les.target and les.diameter_mm is not None]
    if flagged:
        return flagged
    chosen: list[Lesion] = []
    per_organ: dict[str, int] = {}
    ranked = sorted(
        (lesion for lesion in baseline.lesions if _measurable(lesion)),
        key=lambda lesion: (-(lesion.diameter_mm or 0.0), lesion.id),
    )
    for lesion in ranked:
        if len(chosen) == _MAX_TARGETS:
            break
        organ = "lymph_node" if lesion.lymph_node else lesion.organ.value
        if per_organ.get(organ, 0) == _MAX_PER_ORGAN:
            continue
        per_organ[organ] = per_organ.get(organ, 0) + 1
        chosen.append(lesion)
    return chosen


def _as_measurement(lesion: Lesion, node: bool) -> LesionMeasurement:
    return LesionMeasurement(lesion.id, lesion.organ, node, lesion.diameter_mm)


def _sum(scan: Imaging, targets: Sequence[Lesion]) -> float | None:
    by_id = {lesion.id: lesion for lesion in scan.lesions}
    total = 0.0
    for target in targets:
        lesion = by_id.get(target.id)
        if lesion is None or lesion.diameter_mm is None:
            return None
        total += lesion.diameter_mm
    return total


def _gone(lesion: Lesion) -> bool:
    size = lesion.diameter_mm
    if size is None:
        return False
    return size < 10.0 if lesion.lymph_node else size == 0


def _non_target(scan: Imaging, baseline: Imaging, targets: Sequence[Lesion]) -> str | None:
    target_ids = {t.id for t in targets}
    others = [lesion for lesion in baseline.lesions if lesion.id not in target_ids]
    if scan.non_target_progression:
        return NonTargetResponse.PD.value
    if not others:
        return None
    now = {lesion.id: lesion for lesion in scan.lesions}
    if any(lesion.id not in now for lesion in others):
        return NonTargetResponse.NE.value
    if all(_gone(now[lesion.id]) for lesion in others):
        return NonTargetResponse.CR.value
    return NonTargetResponse.NON_CR_NON_PD.value


def _respond(
    scan: Imaging, baseline: Imaging, between: Sequence[Imaging], targets: Sequence[Lesion]
) -> str:
    new = bool(scan.new_lesions or any(lesion.new for lesion in scan.lesions))
    non_target = _non_target(scan, baseline, targets)
    target: str | None = None
    if targets:
        nodes = {t.id: t.lymph_node for t in targets}
        base = [_as_measurement(t, t.lymph_node) for t in targets]
        current = [
            _as_measurement(lesion, nodes[lesion.id])
            for lesion in scan.lesions
            if lesion.id in nodes
        ]
        sums = [s for s in (_sum(earlier, targets) for earlier in between) if s is not None]
        base_sum = sum(t.diameter_mm or 0.0 for t in targets)
        nadir = min([base_sum, *sums])
        target = target_response(base, current, nadir_mm=nadir).value.value
    elif non_target is None:
        non_target = (
            NonTargetResponse.CR.value
            if all(_gone(lesion) for lesion in scan.lesions)
            else NonTargetResponse.NON_CR_NON_PD.value
        )
    return overall_response(target=target, non_target=non_target, new_lesions=new).value.value


def imaging_timepoints(
    scans: Sequence[Imaging], treatment_starts: Sequence[dt.date]
) -> list[TimePoint]:
    """Compute the RECIST 1.1 overall response of every scan that can have one.

    Parameters
    ----------
    scans : sequence of Imaging
        The patient's imaging, any order.
    treatment_starts : sequence of date
        Dates that start a new baseline period (new systemic agents, surgeries, local
        therapies).

    Returns
    -------
    list of TimePoint
        One per scan after a baseline (or with unequivocal progression), in date order; a
        scan the calculators reject (e.g. a target whose node status changed) is ``NE``.
    """
    ordered = sorted(scans, key=lambda scan: scan.date)
    measured = [scan for scan in ordered if _measured(scan)]
    starts = sorted(set(treatment_starts))
    points: list[TimePoint] = []
    for scan in ordered:
        unequivocal = bool(scan.new_lesions or scan.non_target_progression)
        reference = max((start for start in starts if start < scan.date), default=None)
        baseline = _baseline(measured, reference)
        if baseline is None or baseline.date >= scan.date or not _measured(scan):
            if unequivocal:
                points.append(TimePoint(scan.date, "PD", scan.id))
            continue
        between = [s for s in measured if baseline.date < s.date < scan.date]
        targets = select_targets(baseline)
        try:
            response = _respond(scan, baseline, between, targets)
        except NetlineError:
            response = "PD" if unequivocal else "NE"
        points.append(TimePoint(scan.date, response, scan.id))
    return points


def _baseline(measured: Sequence[Imaging], reference: dt.date | None) -> Imaging | None:
    if not measured:
        return None
    if reference is None:
        return measured[0]
    before = [scan for scan in measured if scan.date <= reference]
    if before:
        return before[-1]
    return next(scan for scan in measured if scan.date > reference)
