"""RECIST 1.1 over one line of treatment: baseline, nadir, time points and best response.

:func:`response_series` runs the scalar calculators scan by scan, carrying the two references a
time point needs (the nadir and whether the patient has reached CR), revises equivocal new
lesions that a later scan confirms, and returns the best overall response with and without
confirmation and the progression day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from netline.clinical._result import Finding, _jsonable
from netline.clinical._validation import Checks
from netline.clinical._values import StructuredValue
from netline.clinical.recist._model import (
    FAQ_REF,
    RECIST_REFS,
    LesionMeasurement,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    TargetResponse,
    TimePoint,
    check_lesion,
    check_unique,
    total,
)
from netline.clinical.recist.best import best_overall_response
from netline.clinical.recist.thresholds import DEFAULT_MIN_SD_DAYS, MIN_CONFIRMATION_DAYS
from netline.clinical.recist.timepoint import overall_response, target_response
from netline.errors import InsufficientDataError

__all__ = ["ResponseSeries", "ScanAssessment", "SeriesPoint", "response_series"]


@dataclass(frozen=True, slots=True)
class ScanAssessment:
    """What one follow-up scan shows, for :func:`response_series`.

    Parameters
    ----------
    day : float
        Days from the start of treatment (> 0; baseline is day 0 or before).
    targets : sequence of LesionMeasurement, default ()
        The baseline target lesions measured now (by ``id``); a target left out is not
        measured. Empty for non-target-only disease.
    non_target : NonTargetResponse or str or None, default None
        Non-target response (see ``non_target_response``); ``None`` when there was no
        non-target disease at baseline.
    new_lesions : NewLesions or bool or str, default "absent"
        ``"present"`` (unequivocal), ``"absent"``, ``"equivocal"`` or ``"not_assessed"``.
    """

    day: float
    targets: Sequence[LesionMeasurement] = ()
    non_target: NonTargetResponse | str | None = None
    new_lesions: NewLesions | bool | str = NewLesions.ABSENT


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One time point of a :class:`ResponseSeries`.

    Parameters
    ----------
    day : float
        Days from the start of treatment.
    sum_mm : float or None
        Sum of the target diameters (``None`` when a target was not measured or there are no
        targets).
    nadir_mm : float or None
        The reference for PD at this scan: smallest sum before it, baseline included.
    target, non_target : TargetResponse or None, NonTargetResponse or None
        The parts of the response (``None``: no such disease).
    new_lesions : NewLesions
        New lesions as reported.
    response : OverallResponse
        The overall response as judged at this scan (the prior response applied).
    revised : OverallResponse
        The response after later scans: PD when a later scan confirms an equivocal new lesion
        first seen here; otherwise ``response``.
    reason : str
        Why.
    """

    day: float
    sum_mm: float | None
    nadir_mm: float | None
    target: TargetResponse | None
    non_target: NonTargetResponse | None
    new_lesions: NewLesions
    response: OverallResponse
    revised: OverallResponse
    reason: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "day": self.day,
            "sum_mm": self.sum_mm,
            "nadir_mm": self.nadir_mm,
            "target": _jsonable(self.target),
            "non_target": _jsonable(self.non_target),
            "new_lesions": self.new_lesions.value,
            "response": self.response.value,
            "revised": self.revised.value,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ResponseSeries(StructuredValue):
    """RECIST 1.1 responses over one line of treatment.

    Parameters
    ----------
    baseline_sum_mm : float or None
        Sum of the target diameters at baseline (``None``: non-target-only disease).
    nadir_mm : float or None
        Smallest sum on study, baseline included, up to the progression (or the last scan).
    points : tuple of SeriesPoint
        One per scan, in time order.
    best : OverallResponse
        Best overall response without confirmation.
    best_confirmed : OverallResponse
        Best overall response when CR and PR need confirmation.
    progression_day : float or None
        Day of progression: the first PD, dated back to the first sighting of an equivocal
        new lesion that a later scan confirmed; ``None`` without progression.
    progression_confirmed_day : float or None
        Day of the scan that established the progression.
    unconfirmed_equivocal_days : tuple of float
        Scans with an equivocal new lesion that no later scan confirmed (not progression).
    """

    baseline_sum_mm: float | None
    nadir_mm: float | None
    points: tuple[SeriesPoint, ...]
    best: OverallResponse
    best_confirmed: OverallResponse
    progression_day: float | None
    progression_confirmed_day: float | None
    unconfirmed_equivocal_days: tuple[float, ...] = field(default=())

    @property
    def value(self) -> dict[str, object]:
        """The fields as a JSON-ready mapping (used by ``Finding.to_dict``)."""
        return {
            "baseline_sum_mm": self.baseline_sum_mm,
            "nadir_mm": self.nadir_mm,
            "points": [point.to_dict() for point in self.points],
            "best": self.best.value,
            "best_confirmed": self.best_confirmed.value,
            "progression_day": self.progression_day,
            "progression_confirmed_day": self.progression_confirmed_day,
            "unconfirmed_equivocal_days": list(self.unconfirmed_equivocal_days),
            "text": str(self),
        }

    def __str__(self) -> str:
        text = f"best {self.best.value} (confirmed: {self.best_confirmed.value})"
        if self.progression_day is not None:
            text += f", progression at day {self.progression_day:g}"
        return text


def _check(
    checks: Checks, baseline: Sequence[LesionMeasurement], scans: Sequence[ScanAssessment]
) -> None:
    for i, lesion in enumerate(baseline):
        check_lesion(checks, f"baseline[{i}]", lesion)
        if isinstance(lesion, LesionMeasurement) and (
            lesion.diameter_mm is None or lesion.too_small_to_measure
        ):
            checks.add(f"baseline[{i}].diameter_mm", lesion.diameter_mm, "a baseline measurement")
    check_unique(checks, "baseline", baseline)
    ids = {getattr(lesion, "id", None): lesion for lesion in baseline}
    previous = 0.0
    for i, scan in enumerate(scans):
        where = f"scans[{i}]"
        if not isinstance(scan, ScanAssessment):
            checks.add(where, scan, "a ScanAssessment")
            continue
        day = checks.number(
            f"{where}.day",
            scan.day,
            low=previous,
            low_open=True,
            expected=f"a day after the previous scan (> {previous:g})",
        )
        previous = previous if math.isnan(day) else day
        for j, lesion in enumerate(scan.targets):
            check_lesion(checks, f"{where}.targets[{j}]", lesion)
            base = ids.get(getattr(lesion, "id", None))
            if isinstance(lesion, LesionMeasurement) and base is None:
                checks.add(f"{where}.targets[{j}].id", lesion.id, "a baseline target id")
            elif isinstance(lesion, LesionMeasurement) and (
                base is not None and base.is_lymph_node != lesion.is_lymph_node
            ):
                checks.add(
                    f"{where}.targets[{j}].is_lymph_node",
                    lesion.is_lymph_node,
                    str(base.is_lymph_node),
                )
        check_unique(checks, f"{where}.targets", scan.targets)
        if scan.non_target is not None:
            checks.member(f"{where}.non_target", scan.non_target, NonTargetResponse)
        if not isinstance(scan.new_lesions, bool):
            checks.member(f"{where}.new_lesions", scan.new_lesions, NewLesions)
        if not baseline and scan.non_target is None:
            checks.add(f"{where}.non_target", None, "a non-target response (no target lesions)")
        if not baseline and scan.targets:
            checks.add(f"{where}.targets", len(scan.targets), "no targets (none at baseline)")
    checks.done()
    if baseline and total(baseline)[0] <= 0:
        checks.add("baseline", 0, "a baseline sum of diameters > 0 mm")
    checks.done()


def response_series(
    baseline: Sequence[LesionMeasurement],
    scans: Sequence[ScanAssessment],
    *,
    min_sd_days: float = DEFAULT_MIN_SD_DAYS,
    min_confirmation_days: float = MIN_CONFIRMATION_DAYS,
) -> Finding[ResponseSeries]:
    """Return the RECIST 1.1 responses of one line of treatment, scan by scan.

    For each scan in time order: the target response against the baseline sum and the nadir
    (smallest sum before this scan, baseline included), then the overall response, both with
    the prior response (once the patient has reached CR, the reappearance of any lesion is PD;
    after PR or SD a reappearing lesion is back in the sum and judged by 20 % and 5 mm).

    Equivocal new lesions: a scan reporting an equivocal new lesion is not PD. When a later
    scan shows new lesions unequivocally and the scans just before it (a consecutive run)
    reported equivocal ones, progression is dated to the first scan of that run and those time
    points are revised to PD (netline takes the later new lesion to be the one first seen as
    equivocal). An equivocal finding that a later scan does not confirm is not progression.

    The best overall response, with and without confirmation, is computed by
    :func:`best_overall_response` from the revised responses.

    Parameters
    ----------
    baseline : sequence of LesionMeasurement
        The target lesions at baseline, each measured; empty for non-target-only disease.
    scans : sequence of ScanAssessment
        The follow-up scans, days strictly increasing and > 0.
    min_sd_days : float, default 42
        Minimum time from the start of treatment for SD to count (protocol-defined).
    min_confirmation_days : float, default 28
        Minimum interval between a response and its confirmation.

    Returns
    -------
    Finding[ResponseSeries]
        The series; ``inputs`` holds the durations used.

    Raises
    ------
    InvalidInputError
        For malformed lesions or scans (each problem located, e.g.
        ``scans[2].targets[0].diameter_mm``), days not increasing, or no disease at all.
    InsufficientDataError
        If there is no scan.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    checks = Checks()
    _check(checks, baseline, scans)
    if not scans:
        raise InsufficientDataError(["scans"], "a response series needs follow-up scans")
    base_sum = total(baseline)[0] if baseline else None
    nadir = base_sum
    reached_cr = False
    points: list[SeriesPoint] = []
    verified = True
    for scan in scans:
        prior = OverallResponse.CR if reached_cr else None
        target = None
        if baseline:
            target = target_response(baseline, scan.targets, nadir_mm=nadir, prior_response=prior)
            verified = verified and target.verified
        overall = overall_response(
            target=None if target is None else target.value,
            non_target=scan.non_target,
            new_lesions=scan.new_lesions,
            prior_response=prior,
        )
        verified = verified and overall.verified
        sum_now = None if target is None else target.inputs["current_sum_mm"]
        assert sum_now is None or isinstance(sum_now, float)
        new = overall.inputs["new_lesions"]
        assert isinstance(new, NewLesions)
        points.append(
            SeriesPoint(
                day=float(scan.day),
                sum_mm=sum_now,
                nadir_mm=nadir,
                target=None if target is None else target.value,
                non_target=(
                    None if scan.non_target is None else NonTargetResponse(scan.non_target)
                ),
                new_lesions=new,
                response=overall.value,
                revised=overall.value,
                reason=overall.reason if target is None else f"{target.reason}; {overall.reason}",
            )
        )
        if sum_now is not None and nadir is not None:
            nadir = min(nadir, sum_now)
        reached_cr = reached_cr or overall.value is OverallResponse.CR
    return _finish(base_sum, points, min_sd_days, min_confirmation_days, verified=verified)


def _finish(
    base_sum: float | None,
    points: list[SeriesPoint],
    min_sd_days: float,
    min_confirmation_days: float,
    *,
    verified: bool,
) -> Finding[ResponseSeries]:
    """Revise confirmed equivocal lesions, find progression and the best responses."""
    first_pd = next((j for j, p in enumerate(points) if p.response is OverallResponse.PD), None)
    start = first_pd
    notes: list[str] = []
    if first_pd is not None and points[first_pd].new_lesions is NewLesions.PRESENT:
        while start and points[start - 1].new_lesions is NewLesions.EQUIVOCAL:
            start -= 1
    if first_pd is not None and start is not None and start < first_pd:
        for k in range(start, first_pd):
            points[k] = _revise(points[k], points[first_pd].day)
        notes.append(
            f"Equivocal new lesion first seen at day {points[start].day:g} confirmed at day "
            f"{points[first_pd].day:g}: progression dated to day {points[start].day:g}."
        )
    unconfirmed = tuple(
        p.day
        for p in points
        if p.new_lesions is NewLesions.EQUIVOCAL and p.revised is not OverallResponse.PD
    )
    if unconfirmed:
        notes.append(
            "Equivocal new lesion(s) at day(s) "
            + ", ".join(f"{day:g}" for day in unconfirmed)
            + " not confirmed by a later scan: not progression."
        )
    timeline = [TimePoint(p.day, p.revised) for p in points]
    plain = best_overall_response(
        timeline, min_sd_days=min_sd_days, min_confirmation_days=min_confirmation_days
    )
    confirmed = best_overall_response(
        timeline,
        confirmation=True,
        min_sd_days=min_sd_days,
        min_confirmation_days=min_confirmation_days,
    )
    last = first_pd if first_pd is not None else len(points) - 1
    sums = [p.sum_mm for p in points[: last + 1] if p.sum_mm is not None]
    nadir = None if base_sum is None else min([base_sum, *sums])
    value = ResponseSeries(
        baseline_sum_mm=base_sum,
        nadir_mm=nadir,
        points=tuple(points),
        best=plain.value,
        best_confirmed=confirmed.value,
        progression_day=None if start is None else points[start].day,
        progression_confirmed_day=None if first_pd is None else points[first_pd].day,
        unconfirmed_equivocal_days=unconfirmed,
    )
    return Finding(
        value=value,
        rule="RECIST response series",
        edition="1.1",
        inputs={
            "scans": len(points),
            "min_sd_days": plain.inputs["min_sd_days"],
            "min_confirmation_days": plain.inputs["min_confirmation_days"],
        },
        reason=f"{value}; best without confirmation: {plain.reason}",
        references=(*RECIST_REFS, FAQ_REF),
        verified=verified and plain.verified,
        notes=(*notes, *plain.notes),
    )


def _revise(point: SeriesPoint, confirmed_day: float) -> SeriesPoint:
    return SeriesPoint(
        day=point.day,
        sum_mm=point.sum_mm,
        nadir_mm=point.nadir_mm,
        target=point.target,
        non_target=point.non_target,
        new_lesions=point.new_lesions,
        response=point.response,
        revised=OverallResponse.PD,
        reason=f"{point.reason}; PD: equivocal new lesion confirmed at day {confirmed_day:g}",
    )
