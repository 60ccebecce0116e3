"""RECIST 1.1 time-point responses from the scans of a patient record.

The course engine needs a dated overall response for every scan of a record. This module decides,
for each scan, what it is compared with, and then runs :func:`response_series` over each run of
scans that share a baseline:

* **Baseline.** The last CT/MRI with measurements on or before the most recent reset date (a
  treatment start) before the scan; with no such scan, the first measured scan after that date;
  with no reset yet, the first measured scan.
* **Targets.** Lesions flagged ``target`` (and measured) on the baseline scan; if none is
  flagged, :func:`choose_targets`. The other baseline lesions are non-targets.
* **New lesions.** ``Imaging.new_lesions`` or a lesion flagged ``new``; a scan that does not
  report new lesions is taken to show none. When the report calls every new lesion suspected or
  equivocal (``Imaging.new_lesions_equivocal`` or ``Lesion.equivocal``) they are equivocal: not
  progression unless a later scan confirms them, and then progression dates back to the first
  sighting. A new lesion or non-target progression is PD even on a scan without measurements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from netline.clinical.recist._model import LesionMeasurement, NewLesions
from netline.clinical.recist.baseline import choose_targets
from netline.clinical.recist.series import ScanAssessment, response_series
from netline.clinical.recist.timepoint import non_target_response
from netline.errors import NetlineError
from netline.records.model import Imaging, Lesion
from netline.records.vocabulary import ImagingModality

__all__ = ["ScanResponse", "imaging_timepoints", "new_lesions_of", "select_targets"]

_MEASURING = frozenset({ImagingModality.CT, ImagingModality.MRI})


@dataclass(frozen=True, slots=True)
class ScanResponse:
    """The overall RECIST 1.1 response of one scan.

    Parameters
    ----------
    date : date
        Date of the scan.
    response : str
        :class:`OverallResponse` value as judged at this scan (an equivocal new lesion is not
        PD).
    event_id : str or None
        ``Imaging.id``.
    equivocal_new : bool
        The scan shows new lesions that are only equivocal.
    progression_date : date or None
        For the scan that establishes progression: the date progression counts from (the
        first sighting of an equivocal new lesion it confirms, else the scan's own date).
        ``None`` for every other scan.
    """

    date: dt.date
    response: str
    event_id: str | None
    equivocal_new: bool
    progression_date: dt.date | None


def new_lesions_of(scan: Imaging) -> NewLesions:
    """Return what a scan reports about new lesions (absent when it says nothing).

    Parameters
    ----------
    scan : Imaging
        The scan.

    Returns
    -------
    NewLesions
        ``PRESENT`` for any unequivocal new lesion, ``EQUIVOCAL`` when every new lesion is
        called suspected or equivocal, else ``ABSENT``.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    flagged = [lesion for lesion in scan.lesions if lesion.new]
    unequivocal = any(not lesion.equivocal for lesion in flagged) or bool(
        scan.new_lesions and not scan.new_lesions_equivocal
    )
    if unequivocal:
        return NewLesions.PRESENT
    if flagged or scan.new_lesions:
        return NewLesions.EQUIVOCAL
    return NewLesions.ABSENT


def _measured(scan: Imaging) -> bool:
    return scan.modality in _MEASURING and any(
        lesion.diameter_mm is not None and not lesion.new for lesion in scan.lesions
    )


def _measurement(lesion: Lesion, node: bool | None = None) -> LesionMeasurement:
    size = None if lesion.diameter_mm is None else float(lesion.diameter_mm)
    return LesionMeasurement(
        lesion.id, lesion.organ, lesion.lymph_node if node is None else node, size
    )


def select_targets(baseline: Imaging) -> list[Lesion]:
    """Return the target lesions of a baseline scan (flagged, else chosen by RECIST 1.1).

    Parameters
    ----------
    baseline : Imaging
        The baseline scan.

    Returns
    -------
    list of Lesion
        Flagged measured targets, else those :func:`choose_targets` picks.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    existing = [lesion for lesion in baseline.lesions if not lesion.new]
    flagged = [lesion for lesion in existing if lesion.target and lesion.diameter_mm is not None]
    if flagged:
        return flagged
    by_id = {lesion.id: lesion for lesion in existing}
    chosen = choose_targets([_measurement(lesion) for lesion in existing]).value
    return [by_id[lesion.id] for lesion in chosen]


def _baseline(measured: Sequence[Imaging], reference: dt.date | None) -> Imaging | None:
    if not measured:
        return None
    if reference is None:
        return measured[0]
    before = [scan for scan in measured if scan.date <= reference]
    if before:
        return before[-1]
    return next((scan for scan in measured if scan.date > reference), None)


def _assess(scan: Imaging, baseline: Imaging, targets: Sequence[Lesion]) -> ScanAssessment:
    """Describe what one follow-up scan shows, against its baseline."""
    nodes = {t.id: t.lymph_node for t in targets}
    now = {lesion.id: lesion for lesion in scan.lesions if not lesion.new}
    measured = _measured(scan)
    current = [_measurement(now[i], nodes[i]) for i in nodes if i in now] if measured else []
    others = [x for x in baseline.lesions if x.id not in nodes and not x.new]
    non_target: str | None = None
    if others:
        still = [_measurement(now[x.id], x.lymph_node) for x in others if x.id in now]
        non_target = non_target_response(
            [_measurement(x) for x in others],
            still if measured else [],
            unequivocal_progression=bool(scan.non_target_progression),
        ).value.value
    elif scan.non_target_progression:
        non_target = "PD"
    return ScanAssessment(
        day=float((scan.date - baseline.date).days),
        targets=current,
        non_target=non_target,
        new_lesions=new_lesions_of(scan),
    )


def imaging_timepoints(
    scans: Sequence[Imaging], baseline_resets: Sequence[dt.date]
) -> list[ScanResponse]:
    """Compute the RECIST 1.1 overall response of every scan that can have one.

    Scans sharing a baseline form one series (:func:`response_series`): the nadir, the prior
    response (after CR any reappearance is PD) and equivocal new lesions carry over within it.
    A scan without measurements counts only when it shows unequivocal progression (new lesion
    or non-target progression); one with an equivocal new lesion only is kept in the series so
    that a later confirmation dates progression back to it, but has no response of its own.

    Parameters
    ----------
    scans : sequence of Imaging
        The patient's imaging, any order.
    baseline_resets : sequence of date
        Dates that start a new baseline period (the caller decides which treatment starts
        reset it).

    Returns
    -------
    list of ScanResponse
        One per scan after a baseline (or with unequivocal progression), in date order. A series
        the calculators reject (e.g. a target whose node status changed) gives NE for its
        scans, or PD for a scan with unequivocal progression.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    ordered = sorted(scans, key=lambda scan: scan.date)
    measured = [scan for scan in ordered if _measured(scan)]
    resets = sorted(set(baseline_resets))
    groups: dict[int, tuple[Imaging, list[Imaging]]] = {}
    loose: list[Imaging] = []
    for scan in ordered:
        reference = max((day for day in resets if day < scan.date), default=None)
        baseline = _baseline(measured, reference)
        if baseline is None or baseline.date >= scan.date:
            loose.append(scan)
            continue
        groups.setdefault(id(baseline), (baseline, []))[1].append(scan)
    results = [
        ScanResponse(scan.date, "PD", scan.id, False, scan.date)
        for scan in loose
        if _unequivocal(scan)
    ]
    for baseline, members in groups.values():
        results.extend(_series(baseline, members))
    return sorted(results, key=lambda point: point.date)


def _unequivocal(scan: Imaging) -> bool:
    return new_lesions_of(scan) is NewLesions.PRESENT or bool(scan.non_target_progression)


def _series(baseline: Imaging, members: Sequence[Imaging]) -> list[ScanResponse]:
    """Responses of the scans that share one baseline."""
    kept = [
        scan
        for scan in members
        if _measured(scan) or _unequivocal(scan) or new_lesions_of(scan) is NewLesions.EQUIVOCAL
    ]
    if not kept:
        return []
    targets = select_targets(baseline)
    try:
        series = response_series(
            [_measurement(t) for t in targets],
            [_assess(scan, baseline, targets) for scan in kept],
        ).value
    except NetlineError:
        return [
            ScanResponse(
                scan.date,
                "PD" if _unequivocal(scan) else "NE",
                scan.id,
                new_lesions_of(scan) is NewLesions.EQUIVOCAL,
                scan.date if _unequivocal(scan) else None,
            )
            for scan in kept
            if _measured(scan) or _unequivocal(scan)
        ]
    start = series.progression_day
    confirmed = series.progression_confirmed_day
    out: list[ScanResponse] = []
    for scan, point in zip(kept, series.points, strict=True):
        if not (_measured(scan) or _unequivocal(scan)):
            continue
        progression = None
        if confirmed is not None and point.day == confirmed and start is not None:
            progression = baseline.date + dt.timedelta(days=start)
        out.append(
            ScanResponse(
                scan.date,
                point.response.value,
                scan.id,
                point.new_lesions is NewLesions.EQUIVOCAL,
                progression,
            )
        )
    return out
