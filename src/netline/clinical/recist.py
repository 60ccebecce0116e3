"""Tumour response under RECIST 1.1 (knowledge base section A3).

RECIST 1.1 is built from small steps a reader can check one by one:

1. :func:`classify_lesion` and :func:`check_target_selection` at baseline;
2. :func:`sum_of_diameters` and :func:`nadir` of the target lesions;
3. :func:`target_response` at a time point, then :func:`overall_response` from the target,
   non-target and new-lesion assessments;
4. :func:`best_overall_response` over the series, with or without confirmation.

Rows of the knowledge base tagged [R] (the time-point response table, the best-response table
with confirmation, the 5 mm default for lesions too small to measure, the minimum duration of
stable disease) mark a result unverified when they decide it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical._values import StructuredValue, at_least
from netline.errors import InsufficientDataError, Problem
from netline.records.vocabulary import Organ

__all__ = [
    "MAX_TARGETS",
    "MAX_TARGETS_PER_ORGAN",
    "TOO_SMALL_TO_MEASURE_MM",
    "LesionCategory",
    "LesionMeasurement",
    "NewLesions",
    "NonTargetResponse",
    "OverallResponse",
    "TargetResponse",
    "TargetSelection",
    "TimePoint",
    "best_overall_response",
    "check_target_selection",
    "classify_lesion",
    "nadir",
    "overall_response",
    "sum_of_diameters",
    "target_response",
]

#: Nominal diameter of a lesion still present but too small to measure ([R] Eisenhauer 2009).
TOO_SMALL_TO_MEASURE_MM = 5.0
#: Most target lesions in total, and per organ (all lymph nodes together count as one organ).
MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2

_MEASURABLE_MIN_MM = 10.0  # non-nodal longest diameter on CT/MRI (slice ≤ 5 mm)
_NODE_TARGET_MIN_MM = 15.0  # nodal short axis for a measurable (target) node
_NODE_PATHOLOGICAL_MIN_MM = 10.0  # nodal short axis below which a node is normal
_PR_DECREASE = 0.30
_PD_INCREASE = 0.20
_PD_ABSOLUTE_MM = 5.0
_EPS = 1e-9

_RECIST = ("eisenhauer-2009",)
_FAQ = "eortc-recist-faq"


class LesionCategory(StrEnum):
    """What a lesion is at baseline under RECIST 1.1."""

    MEASURABLE = "measurable"
    NON_MEASURABLE = "non_measurable"
    PATHOLOGICAL_NODE = "pathological_node"
    NORMAL_NODE = "normal_node"


class TargetResponse(StrEnum):
    """Response of the target lesions at one time point."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"


class NonTargetResponse(StrEnum):
    """Response of the non-target lesions at one time point (``NE``: not all evaluated)."""

    CR = "CR"
    NON_CR_NON_PD = "non-CR/non-PD"
    PD = "PD"
    NE = "NE"


class NewLesions(StrEnum):
    """Whether new lesions were seen at a time point."""

    ABSENT = "absent"
    PRESENT = "present"
    EQUIVOCAL = "equivocal"
    NOT_ASSESSED = "not_assessed"


class OverallResponse(StrEnum):
    """Overall response at a time point or best overall response.

    The values are those of :class:`netline.records.vocabulary.RecordedResponse`, so a computed
    response compares equal to a recorded one.
    """

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NON_CR_NON_PD = "non-CR/non-PD"
    PD = "PD"
    NE = "NE"


@dataclass(frozen=True, slots=True)
class LesionMeasurement:
    """One lesion measured on one scan; the same ``id`` follows the lesion across scans.

    Parameters
    ----------
    id : str
        Identifier of the lesion, stable across scans.
    organ : Organ
        Organ of the lesion. For the two-per-organ rule all lymph nodes count as one organ.
    is_lymph_node : bool
        Whether the lesion is a lymph node (measured in short axis).
    diameter_mm : float or None
        Longest diameter (non-nodal) or short axis (node) in mm; 0 when the lesion has
        disappeared; ``None`` when it was not measured or not evaluable.
    too_small_to_measure : bool, default False
        Present but too small to measure: counted as :data:`TOO_SMALL_TO_MEASURE_MM` (5 mm);
        ``diameter_mm`` must then be ``None``.
    """

    id: str
    organ: Organ
    is_lymph_node: bool
    diameter_mm: float | None
    too_small_to_measure: bool = False


@dataclass(frozen=True, slots=True)
class TargetSelection(StructuredValue):
    """The result of checking a baseline choice of target lesions.

    Parameters
    ----------
    problems : tuple of Problem
        Every rule the selection breaks; empty when it is valid.
    """

    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """Whether the selection breaks no rule."""
        return not self.problems

    def __str__(self) -> str:
        if self.valid:
            return "valid target selection"
        return "; ".join(str(problem) for problem in self.problems)


@dataclass(frozen=True, slots=True)
class TimePoint:
    """The overall response at one assessment.

    Parameters
    ----------
    day : float
        Days from the start of treatment (baseline = day 0); must be > 0.
    response : OverallResponse
        The overall response at that assessment (see :func:`overall_response`).
    """

    day: float
    response: OverallResponse


# --------------------------------------------------------------------------- baseline


def classify_lesion(
    lesion: LesionMeasurement, *, slice_thickness_mm: float | None = None
) -> Finding[LesionCategory]:
    """Classify a lesion at baseline as measurable, non-measurable or a normal/pathological node.

    Non-nodal: measurable if the longest diameter is ≥ 10 mm (or ≥ 2 × the slice thickness when
    slices are thicker than 5 mm), else non-measurable. Nodes (short axis): ≥ 15 mm measurable;
    10 to < 15 mm pathological but non-target; < 10 mm normal.

    Parameters
    ----------
    lesion : LesionMeasurement
        The lesion, measured.
    slice_thickness_mm : float, optional
        CT/MRI slice thickness; only matters above 5 mm.

    Returns
    -------
    Finding[LesionCategory]
        The category.

    Raises
    ------
    InvalidInputError
        For a malformed lesion or slice thickness.
    InsufficientDataError
        If the lesion has no measurement.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009].
    """
    checks = Checks()
    _check_lesion(checks, "lesion", lesion)
    thickness = checks.optional_number(
        "slice_thickness_mm",
        slice_thickness_mm,
        low=0,
        high=50,
        low_open=True,
        expected="a slice thickness in mm, 0 < t ≤ 50",
    )
    checks.done()
    if lesion.diameter_mm is None:
        raise InsufficientDataError(
            ["lesion.diameter_mm"], "classifying a lesion needs its measurement"
        )
    category, reason = _classify(lesion, lesion.diameter_mm, thickness)
    return Finding(
        value=category,
        rule="RECIST",
        edition="1.1",
        inputs={
            "id": lesion.id,
            "organ": lesion.organ,
            "is_lymph_node": lesion.is_lymph_node,
            "diameter_mm": lesion.diameter_mm,
            "slice_thickness_mm": thickness,
        },
        reason=reason,
        references=_RECIST,
    )


def check_target_selection(
    targets: Sequence[LesionMeasurement], *, slice_thickness_mm: float | None = None
) -> Finding[TargetSelection]:
    """Check a baseline choice of target lesions and return every violation found.

    Rules: at most 5 targets in total and 2 per organ (all lymph nodes together count as one
    organ, per the RECIST committee's published clarification); each target measured and
    measurable (non-nodal ≥ 10 mm, node short axis ≥ 15 mm); identifiers unique. An empty
    selection is valid (non-target-only disease).

    Parameters
    ----------
    targets : sequence of LesionMeasurement
        The baseline target lesions.
    slice_thickness_mm : float, optional
        CT/MRI slice thickness; only matters above 5 mm.

    Returns
    -------
    Finding[TargetSelection]
        Every violation (none when the selection is valid), each a
        :class:`~netline.errors.Problem` with a location such as ``"targets[2].diameter_mm"``.

    Raises
    ------
    InvalidInputError
        If an element is not a well-formed lesion (a malformed input, not a rule violation).

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [eortc-recist-faq].
    """
    checks = Checks()
    for i, lesion in enumerate(targets):
        _check_lesion(checks, f"targets[{i}]", lesion)
    thickness = checks.optional_number(
        "slice_thickness_mm",
        slice_thickness_mm,
        low=0,
        high=50,
        low_open=True,
        expected="a slice thickness in mm, 0 < t ≤ 50",
    )
    checks.done()

    problems: list[Problem] = []
    notes: list[str] = []
    verified = True
    if len(targets) > MAX_TARGETS:
        problems.append(
            Problem("targets", len(targets), f"at most {MAX_TARGETS} target lesions in total")
        )
    for lesion_id, count in sorted(Counter(t.id for t in targets).items()):
        if count > 1:
            problems.append(Problem("targets", lesion_id, "each lesion id once"))
    per_organ: dict[str, list[str]] = {}
    for lesion in targets:
        per_organ.setdefault(_organ_group(lesion), []).append(lesion.id)
    for group, ids in sorted(per_organ.items()):
        if len(ids) > MAX_TARGETS_PER_ORGAN:
            problems.append(
                Problem(
                    "targets", ids, f"at most {MAX_TARGETS_PER_ORGAN} target lesions in {group}"
                )
            )
            if group == "lymph nodes":
                verified = False
                notes.append(
                    "All lymph nodes count as one organ: RECIST committee clarification (EORTC "
                    "RECIST FAQ), not in the knowledge base."
                )
    for i, lesion in enumerate(targets):
        where = f"targets[{i}].diameter_mm"
        if lesion.too_small_to_measure:
            problems.append(
                Problem(f"targets[{i}].too_small_to_measure", True, "a measured target lesion")
            )
        elif lesion.diameter_mm is None:
            problems.append(Problem(where, None, "a baseline measurement"))
        else:
            category, _ = _classify(lesion, lesion.diameter_mm, thickness)
            if category is not LesionCategory.MEASURABLE:
                minimum = (
                    _NODE_TARGET_MIN_MM if lesion.is_lymph_node else _measurable_minimum(thickness)
                )
                axis = "short axis" if lesion.is_lymph_node else "longest diameter"
                problems.append(
                    Problem(
                        where,
                        lesion.diameter_mm,
                        f"a {axis} ≥ {minimum:g} mm for a target (lesion is {category.value})",
                    )
                )
    organs = len(per_organ)
    reason = (
        f"{len(targets)} target lesion(s) in {organs} organ(s): "
        + ("valid" if not problems else f"{len(problems)} violation(s)")
        if targets
        else "no target lesions: non-target-only disease"
    )
    return Finding(
        value=TargetSelection(tuple(problems)),
        rule="RECIST target selection",
        edition="1.1",
        inputs={
            "targets": [[t.id, t.organ, t.is_lymph_node, t.diameter_mm] for t in targets],
            "slice_thickness_mm": thickness,
        },
        reason=reason,
        references=(*_RECIST, _FAQ) if not verified else _RECIST,
        verified=verified,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- sums


def sum_of_diameters(lesions: Sequence[LesionMeasurement]) -> Finding[float]:
    """Return the sum of diameters of the target lesions at one time point.

    Longest diameters of non-nodal targets plus short axes of nodal targets (a node's short
    axis is added even after it falls below 10 mm). A lesion too small to measure counts as
    5 mm, which marks the result unverified.

    Parameters
    ----------
    lesions : sequence of LesionMeasurement
        The target lesions at this time point (at least one).

    Returns
    -------
    Finding[float]
        The sum in mm.

    Raises
    ------
    InvalidInputError
        For no lesions or a malformed lesion.
    InsufficientDataError
        If a lesion was not measured.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009].
    """
    checks = Checks()
    if len(lesions) == 0:
        checks.add("lesions", [], "at least one target lesion")
    for i, lesion in enumerate(lesions):
        _check_lesion(checks, f"lesions[{i}]", lesion)
    _check_unique(checks, "lesions", lesions)
    checks.done()
    missing = [lesion.id for lesion in lesions if _diameter(lesion) is None]
    if missing:
        raise InsufficientDataError(
            [f"diameter of {lesion_id}" for lesion_id in missing],
            "the sum of diameters needs every target lesion measured",
        )
    total, small = _sum(lesions)
    return Finding(
        value=total,
        rule="RECIST",
        edition="1.1",
        inputs={"diameters_mm": {t.id: _diameter(t) for t in lesions}},
        reason=f"sum of {len(lesions)} target diameter(s) = {total:g} mm",
        references=_RECIST,
        verified=not small,
        notes=_too_small_notes(small),
    )


def nadir(sums_mm: Sequence[float | None]) -> Finding[float]:
    """Return the nadir: the smallest sum of diameters on study, baseline included.

    Parameters
    ----------
    sums_mm : sequence of float or None
        Sums of diameters in time order, baseline first; ``None`` for a time point that could
        not be evaluated (skipped).

    Returns
    -------
    Finding[float]
        The smallest sum; ``inputs["index"]`` is its position in ``sums_mm``.

    Raises
    ------
    InvalidInputError
        For a negative or non-numeric sum, or a missing baseline sum.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009].
    """
    checks = Checks()
    values: list[tuple[int, float]] = []
    for i, value in enumerate(sums_mm):
        number = checks.optional_number(
            f"sums_mm[{i}]", value, low=0, expected="a sum of diameters in mm ≥ 0, or None"
        )
        if number is not None:
            values.append((i, number))
    if not sums_mm or sums_mm[0] is None:
        checks.add("sums_mm[0]", None if not sums_mm else sums_mm[0], "the baseline sum")
    checks.done()
    index, smallest = min(values, key=lambda item: (item[1], item[0]))
    where = "baseline" if index == 0 else f"time point {index}"
    return Finding(
        value=smallest,
        rule="RECIST",
        edition="1.1",
        inputs={"sums_mm": list(sums_mm), "index": index},
        reason=f"smallest sum on study {smallest:g} mm at {where}",
        references=_RECIST,
    )


# --------------------------------------------------------------------------- time point


def target_response(
    baseline: Sequence[LesionMeasurement],
    current: Sequence[LesionMeasurement],
    *,
    nadir_mm: float | None = None,
) -> Finding[TargetResponse]:
    """Return the response of the target lesions at one time point.

    * CR: every non-nodal target gone (0 mm) and every nodal target < 10 mm short axis.
    * PD: sum ≥ 20 % above the nadir **and** ≥ 5 mm above it (the nadir includes baseline).
    * PR: sum ≥ 30 % below the baseline sum.
    * SD: neither.
    * NE: a target was not measured; but if the measured targets alone already meet PD, the
      result is PD (diameters cannot be negative, so the full sum would meet it too).

    When every target is gone or a node < 10 mm, the result is CR even if the sum of node
    short axes rose by ≥ 20 % and ≥ 5 mm (nodes < 10 mm are normal, per the RECIST
    committee's clarification); that case is marked unverified with a note.

    Parameters
    ----------
    baseline : sequence of LesionMeasurement
        The target lesions at baseline, each measured.
    current : sequence of LesionMeasurement
        The same lesions (by ``id``) now; a lesion left out counts as not measured.
    nadir_mm : float, optional
        Smallest sum on study so far, baseline included (see :func:`nadir`); defaults to the
        baseline sum.

    Returns
    -------
    Finding[TargetResponse]
        The target response; ``inputs`` holds the sums and the changes.

    Raises
    ------
    InvalidInputError
        For malformed or duplicate lesions, a lesion now that was not a baseline target (new
        lesions go to :func:`overall_response`), a lesion whose node status changed, a baseline
        target without a measurement, or a nadir above the baseline sum.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [eortc-recist-faq].
    """
    checks = Checks()
    if len(baseline) == 0:
        checks.add("baseline", [], "at least one target lesion")
    for i, lesion in enumerate(baseline):
        _check_lesion(checks, f"baseline[{i}]", lesion)
        if isinstance(lesion, LesionMeasurement) and (
            lesion.diameter_mm is None or lesion.too_small_to_measure
        ):
            checks.add(f"baseline[{i}].diameter_mm", lesion.diameter_mm, "a baseline measurement")
    for i, lesion in enumerate(current):
        _check_lesion(checks, f"current[{i}]", lesion)
    _check_unique(checks, "baseline", baseline)
    _check_unique(checks, "current", current)
    checks.done()
    by_id = {lesion.id: lesion for lesion in baseline}
    for i, lesion in enumerate(current):
        base = by_id.get(lesion.id)
        if base is None:
            checks.add(
                f"current[{i}].id",
                lesion.id,
                "a baseline target id (report new lesions to overall_response)",
            )
        elif base.is_lymph_node != lesion.is_lymph_node:
            checks.add(f"current[{i}].is_lymph_node", lesion.is_lymph_node, str(base.is_lymph_node))
    base_sum, _ = _sum(baseline)
    if base_sum <= 0:
        checks.add("baseline", base_sum, "a baseline sum of diameters > 0 mm")
    reference = checks.optional_number(
        "nadir_mm",
        nadir_mm,
        low=0,
        high=base_sum + _EPS,
        expected=f"a nadir in mm between 0 and the baseline sum ({base_sum:g} mm)",
    )
    checks.done()
    nadir_sum = base_sum if reference is None else reference

    now = {lesion.id: lesion for lesion in current}
    measured = [now[i] for i in by_id if i in now and _diameter(now[i]) is not None]
    unmeasured = [i for i in by_id if i not in now or _diameter(now[i]) is None]
    current_sum, small = _sum(measured)
    change_nadir = current_sum - nadir_sum
    meets_pd = at_least(change_nadir, _PD_INCREASE * nadir_sum) and at_least(
        change_nadir, _PD_ABSOLUTE_MM
    )
    inputs: dict[str, object] = {
        "baseline_sum_mm": base_sum,
        "nadir_mm": nadir_sum,
        "current_sum_mm": current_sum if not unmeasured else None,
        "measured_sum_mm": current_sum,
        "change_from_baseline_percent": 100 * (current_sum - base_sum) / base_sum,
        "change_from_nadir_mm": change_nadir,
        "change_from_nadir_percent": (100 * change_nadir / nadir_sum if nadir_sum > 0 else None),
        "unmeasured": unmeasured,
        "too_small_to_measure": small,
    }
    notes = list(_too_small_notes(small))
    verified = not small
    references: tuple[str, ...] = _RECIST
    pd_text = (
        f"sum {current_sum:g} mm vs nadir {nadir_sum:g} mm: +{change_nadir:g} mm "
        f"(≥ 20 % and ≥ 5 mm)"
    )

    if unmeasured:
        if meets_pd:
            value = TargetResponse.PD
            reason = (
                f"PD: measured targets alone give {pd_text}; unmeasured "
                f"{', '.join(unmeasured)} can only add to the sum"
            )
        else:
            value = TargetResponse.NE
            reason = f"NE: target(s) {', '.join(unmeasured)} not measured"
    elif all(
        (_diameter(lesion) or 0.0) < _NODE_PATHOLOGICAL_MIN_MM
        if lesion.is_lymph_node
        else _diameter(lesion) == 0
        for lesion in measured
    ):
        value = TargetResponse.CR
        reason = "CR: every non-nodal target gone and every nodal target < 10 mm short axis"
        if meets_pd:
            verified = False
            references = (*_RECIST, _FAQ)
            notes.append(
                f"The node short axes rose from the nadir ({pd_text}) but every node is "
                "< 10 mm, i.e. normal: CR per the RECIST committee's lymph-node clarification, "
                "which is not in the knowledge base."
            )
    elif meets_pd:
        value = TargetResponse.PD
        reason = f"PD: {pd_text}"
    elif at_least(base_sum - current_sum, _PR_DECREASE * base_sum):
        value = TargetResponse.PR
        reason = (
            f"PR: sum {current_sum:g} mm vs baseline {base_sum:g} mm "
            f"({100 * (current_sum - base_sum) / base_sum:+.1f} %, ≥ 30 % decrease)"
        )
    else:
        value = TargetResponse.SD
        reason = (
            f"SD: sum {current_sum:g} mm; {100 * (current_sum - base_sum) / base_sum:+.1f} % vs "
            f"baseline {base_sum:g} mm, {change_nadir:+g} mm vs nadir {nadir_sum:g} mm"
        )
    return Finding(
        value=value,
        rule="RECIST target response",
        edition="1.1",
        inputs=inputs,
        reason=reason,
        references=references,
        verified=verified,
        notes=tuple(notes),
    )


def overall_response(
    *,
    target: TargetResponse | str | None,
    non_target: NonTargetResponse | str | None,
    new_lesions: NewLesions | bool | str,
) -> Finding[OverallResponse]:
    """Combine target, non-target and new-lesion assessments into the time-point response.

    With target lesions (Eisenhauer 2009, Table 1):

    ====================  ===========================  ===========  =======
    target                non-target                   new lesion   overall
    ====================  ===========================  ===========  =======
    CR                    CR (or none at baseline)     no           CR
    CR                    non-CR/non-PD or NE          no           PR
    PR                    not PD (incl. NE)            no           PR
    SD                    not PD (incl. NE)            no           SD
    NE                    not PD                       no           NE
    PD                    any                          any          PD
    any                   PD                           any          PD
    any                   any                          yes          PD
    ====================  ===========================  ===========  =======

    Non-target-only disease (``target=None``): CR → CR, non-CR/non-PD → non-CR/non-PD, NE → NE,
    PD → PD, new lesion → PD.

    An equivocal new lesion does not make PD now (if a later scan confirms it, PD is dated to
    its first observation); new lesions not assessed give NE unless another part is PD.

    Parameters
    ----------
    target : TargetResponse or str or None
        Target response (see :func:`target_response`); ``None`` if there were no target lesions.
    non_target : NonTargetResponse or str or None
        Non-target response; ``None`` if there were no non-target lesions at baseline.
    new_lesions : NewLesions or bool or str
        ``True``/``"present"`` (unequivocal), ``False``/``"absent"``, ``"equivocal"`` or
        ``"not_assessed"``.

    Returns
    -------
    Finding[OverallResponse]
        The overall response at this time point. Only "new lesion → PD" is verified in the
        knowledge base; every other row of the table is recalled ([R]) and marked unverified.

    Raises
    ------
    InvalidInputError
        For unknown categories, or neither target nor non-target disease.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009].
    """
    checks = Checks()
    t = None if target is None else checks.member("target", target, TargetResponse)
    nt = None if non_target is None else checks.member("non_target", non_target, NonTargetResponse)
    new: NewLesions | None
    if isinstance(new_lesions, bool):
        new = NewLesions.PRESENT if new_lesions else NewLesions.ABSENT
    else:
        new = checks.member("new_lesions", new_lesions, NewLesions)
    if target is None and non_target is None:
        checks.add("target", None, "target or non-target disease at baseline (both are None)")
    checks.done()
    assert new is not None

    inputs: dict[str, object] = {"target": t, "non_target": nt, "new_lesions": new}
    notes: list[str] = []
    table_note = (
        "Decided by the RECIST 1.1 time-point response table, which the knowledge base holds "
        "as recalled ([R]), not checked against the paper."
    )
    if new is NewLesions.EQUIVOCAL:
        notes.append(
            "Equivocal new lesion: not PD at this time point; if a later scan confirms it, PD is "
            "dated to this assessment."
        )

    if new is NewLesions.PRESENT:
        return _overall(
            OverallResponse.PD, "PD: unequivocal new lesion", inputs, verified=True, notes=notes
        )
    if t is TargetResponse.PD or nt is NonTargetResponse.PD:
        part = "target" if t is TargetResponse.PD else "non-target"
        value, reason = OverallResponse.PD, f"PD: {part} progression"
    elif new is NewLesions.NOT_ASSESSED:
        value, reason = OverallResponse.NE, "NE: new lesions not assessed"
    elif t is None:
        assert nt is not None
        value = {
            NonTargetResponse.CR: OverallResponse.CR,
            NonTargetResponse.NON_CR_NON_PD: OverallResponse.NON_CR_NON_PD,
            NonTargetResponse.NE: OverallResponse.NE,
        }[nt]
        reason = f"{value.value}: non-target-only disease, non-target {nt.value}"
    elif t is TargetResponse.CR:
        if nt is None or nt is NonTargetResponse.CR:
            value, reason = OverallResponse.CR, "CR: target CR and no non-target disease left"
        else:
            value = OverallResponse.PR
            reason = f"PR: target CR but non-target {nt.value}"
    else:
        value = {
            TargetResponse.PR: OverallResponse.PR,
            TargetResponse.SD: OverallResponse.SD,
            TargetResponse.NE: OverallResponse.NE,
        }[t]
        shown = "none" if nt is None else nt.value
        reason = f"{value.value}: target {t.value}, non-target {shown}, no new lesion"
    notes.append(table_note)
    return _overall(value, reason, inputs, verified=False, notes=notes)


def _overall(
    value: OverallResponse,
    reason: str,
    inputs: dict[str, object],
    *,
    verified: bool,
    notes: list[str],
) -> Finding[OverallResponse]:
    return Finding(
        value=value,
        rule="RECIST overall response",
        edition="1.1",
        inputs=inputs,
        reason=reason,
        references=_RECIST,
        verified=verified,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- best response

_STABLE = frozenset(
    {
        OverallResponse.CR,
        OverallResponse.PR,
        OverallResponse.SD,
        OverallResponse.NON_CR_NON_PD,
    }
)


def best_overall_response(
    assessments: Sequence[TimePoint],
    *,
    confirmation: bool = False,
    min_sd_days: float = 42,
    min_confirmation_days: float = 28,
) -> Finding[OverallResponse]:
    """Return the best overall response over a series of time-point responses.

    Only assessments up to and including the first PD count. Stable disease (and
    non-CR/non-PD for non-target-only disease) needs an assessment at least ``min_sd_days``
    after the start of treatment: RECIST leaves this to the protocol ("commonly 6-8 weeks",
    recalled in the knowledge base); the default of 42 days (6 weeks) is an assumption, and a
    result that it decides is marked unverified.

    Without confirmation: CR if any CR, else PR if any PR, else SD (or non-CR/non-PD) if the
    minimum duration is met, else PD if there was PD, else NE.

    With confirmation (non-randomised trials with response as primary end point; Eisenhauer
    2009 Table 3, recalled): a CR counts only if a later CR at least ``min_confirmation_days``
    (4 weeks) after it confirms it, with only CR or NE in between; a PR likewise needs a later PR
    or CR with only PR, CR or NE in between. An unconfirmed CR or PR counts as SD when the SD
    duration is met. A PR, SD or non-CR/non-PD after a CR means that disease reappeared, i.e.
    PD. So CR then PR gives SD if the duration is met, else PD; PR then NE gives SD if it is met,
    else NE. Unlike the printed table, "PR then SD" also needs the SD duration to be met.

    Parameters
    ----------
    assessments : sequence of TimePoint
        Time-point responses in strictly increasing ``day`` order (day > 0).
    confirmation : bool, default False
        Whether CR and PR need confirmation.
    min_sd_days : float, default 42
        Minimum time from the start of treatment for SD to count (0 disables the rule).
    min_confirmation_days : float, default 28
        Minimum interval between a response and its confirmation.

    Returns
    -------
    Finding[OverallResponse]
        The best overall response.

    Raises
    ------
    InvalidInputError
        For days not > 0 or not increasing, unknown responses, negative durations, or a series
        mixing non-CR/non-PD with PR or SD.
    InsufficientDataError
        If there is no assessment.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer-2009].
    """
    checks = Checks()
    points: list[tuple[float, OverallResponse]] = []
    previous = 0.0
    for i, point in enumerate(assessments):
        if not isinstance(point, TimePoint):
            checks.add(f"assessments[{i}]", point, "a TimePoint")
            continue
        day = checks.number(
            f"assessments[{i}].day",
            point.day,
            low=previous,
            low_open=True,
            expected=f"a day after the previous assessment (> {previous:g})",
        )
        response = checks.member(f"assessments[{i}].response", point.response, OverallResponse)
        if response is not None and not math.isnan(day):  # NaN: invalid, already reported
            points.append((day, response))
            previous = day
    min_sd = checks.number("min_sd_days", min_sd_days, low=0, expected="a number of days ≥ 0")
    min_conf = checks.number(
        "min_confirmation_days", min_confirmation_days, low=0, expected="a number of days ≥ 0"
    )
    kinds = {r for _, r in points}
    if OverallResponse.NON_CR_NON_PD in kinds and kinds & {OverallResponse.PR, OverallResponse.SD}:
        checks.add(
            "assessments",
            sorted(k.value for k in kinds),
            "one kind of disease: non-CR/non-PD (non-target only) cannot mix with PR or SD",
        )
    checks.done()
    if not points:
        raise InsufficientDataError(["assessments"], "a best response needs assessments")

    notes: list[str] = []
    counted: list[tuple[float, OverallResponse]] = []
    seen_cr = False
    for day, response in points:
        if seen_cr and response in _STABLE - {OverallResponse.CR}:
            notes.append(
                f"{response.value} at day {day:g} after a CR means disease reappeared: "
                "counted as PD."
            )
            response = OverallResponse.PD
        seen_cr = seen_cr or response is OverallResponse.CR
        counted.append((day, response))
        if response is OverallResponse.PD:
            break
    ignored = len(points) - len(counted)
    if ignored:
        notes.append(f"{ignored} assessment(s) after the first PD ignored.")

    stable_label = (
        OverallResponse.NON_CR_NON_PD
        if OverallResponse.NON_CR_NON_PD in kinds
        else OverallResponse.SD
    )
    stable_days = [day for day, r in counted if r in _STABLE and at_least(day, min_sd)]
    early_stable = [day for day, r in counted if r in _STABLE and not at_least(day, min_sd)]
    had_pd = counted[-1][1] is OverallResponse.PD
    sd_note = (
        f"Minimum SD duration {min_sd:g} days from the start of treatment: protocol-defined "
        "(commonly 6-8 weeks, recalled); the 6-week default is an assumption."
    )

    verified = True
    if confirmation:
        verified = False
        notes.append(
            "Confirmation rules follow the RECIST 1.1 best-response table, held in the "
            "knowledge base as recalled ([R])."
        )
        cr = _confirmed(counted, OverallResponse.CR, min_conf)
        pr = None if cr else _confirmed(counted, OverallResponse.PR, min_conf)
        if cr is not None:
            value, reason = OverallResponse.CR, _confirmed_text("CR", cr)
        elif pr is not None:
            value, reason = OverallResponse.PR, _confirmed_text("PR", pr)
        else:
            value, reason = _fallback(stable_label, stable_days, early_stable, had_pd)
            reason = "no confirmed response; " + reason
            if stable_days or early_stable:
                notes.append(sd_note)
    else:
        best = next(
            (r for r in (OverallResponse.CR, OverallResponse.PR) if r in {x for _, x in counted}),
            None,
        )
        if best is not None:
            day = next(d for d, r in counted if r is best)
            value, reason = best, f"{best.value} at day {day:g} (no confirmation required)"
        else:
            value, reason = _fallback(stable_label, stable_days, early_stable, had_pd)
            if stable_days or early_stable:
                verified = False
                notes.append(sd_note)

    return Finding(
        value=value,
        rule="RECIST best overall response",
        edition="1.1",
        inputs={
            "assessments": [[day, response] for day, response in points],
            "confirmation": confirmation,
            "min_sd_days": min_sd,
            "min_confirmation_days": min_conf,
            "counted_until_day": counted[-1][0],
        },
        reason=reason,
        references=_RECIST,
        verified=verified,
        notes=tuple(notes),
    )


def _confirmed(
    points: list[tuple[float, OverallResponse]], kind: OverallResponse, min_days: float
) -> tuple[float, float] | None:
    """Return (day, confirming day) of the first confirmed ``kind`` (CR or PR), if any."""
    # A CR is confirmed by a CR; a PR by a PR or CR. In between only these or NE may occur.
    confirms = (
        {OverallResponse.CR}
        if kind is OverallResponse.CR
        else {OverallResponse.CR, OverallResponse.PR}
    )
    for i, (day, response) in enumerate(points):
        if response is not kind:
            continue
        for later_day, later in points[i + 1 :]:
            if later in confirms and at_least(later_day - day, min_days):
                return day, later_day
            if later not in confirms and later is not OverallResponse.NE:
                break
    return None


def _confirmed_text(kind: str, days: tuple[float, float]) -> str:
    first, second = days
    return f"{kind} at day {first:g} confirmed at day {second:g} ({second - first:g} days later)"


def _fallback(
    stable_label: OverallResponse,
    stable_days: list[float],
    early_stable: list[float],
    had_pd: bool,
) -> tuple[OverallResponse, str]:
    if stable_days:
        return stable_label, (
            f"{stable_label.value}: disease control at day {stable_days[-1]:g} meets the "
            "minimum SD duration"
        )
    detail = "SD duration not met" if early_stable else "no response or stable disease"
    if had_pd:
        return OverallResponse.PD, f"PD: {detail}, then progression"
    return OverallResponse.NE, f"NE: {detail}"


# --------------------------------------------------------------------------- helpers


def _check_lesion(checks: Checks, location: str, lesion: object) -> None:
    if not isinstance(lesion, LesionMeasurement):
        checks.add(location, lesion, "a LesionMeasurement")
        return
    if not isinstance(lesion.id, str) or not lesion.id:
        checks.add(f"{location}.id", lesion.id, "a non-empty identifier")
    checks.member(f"{location}.organ", lesion.organ, Organ)
    if not isinstance(lesion.is_lymph_node, bool):
        checks.add(f"{location}.is_lymph_node", lesion.is_lymph_node, "True or False")
    checks.optional_number(
        f"{location}.diameter_mm",
        lesion.diameter_mm,
        low=0,
        high=1000,
        expected="a diameter in mm between 0 and 1000, or None",
    )
    if lesion.too_small_to_measure and lesion.diameter_mm is not None:
        checks.add(
            f"{location}.too_small_to_measure",
            True,
            "False when a diameter is given (too small to measure means no measurement)",
        )


def _check_unique(checks: Checks, location: str, lesions: Sequence[LesionMeasurement]) -> None:
    counts = Counter(getattr(lesion, "id", None) for lesion in lesions)
    for lesion_id, count in counts.items():
        if count > 1:
            checks.add(location, lesion_id, "each lesion id once")


def _classify(
    lesion: LesionMeasurement, diameter: float, thickness: float | None
) -> tuple[LesionCategory, str]:
    if lesion.is_lymph_node:
        if diameter >= _NODE_TARGET_MIN_MM:
            return LesionCategory.MEASURABLE, f"node short axis {diameter:g} mm ≥ 15 mm"
        if diameter >= _NODE_PATHOLOGICAL_MIN_MM:
            return (
                LesionCategory.PATHOLOGICAL_NODE,
                f"node short axis {diameter:g} mm: 10 to < 15 mm, pathological non-target",
            )
        return LesionCategory.NORMAL_NODE, f"node short axis {diameter:g} mm < 10 mm: normal"
    minimum = _measurable_minimum(thickness)
    if diameter >= minimum:
        return LesionCategory.MEASURABLE, f"longest diameter {diameter:g} mm ≥ {minimum:g} mm"
    return (
        LesionCategory.NON_MEASURABLE,
        f"longest diameter {diameter:g} mm < {minimum:g} mm: non-measurable",
    )


def _measurable_minimum(thickness: float | None) -> float:
    if thickness is None or thickness <= 5:
        return _MEASURABLE_MIN_MM
    return max(_MEASURABLE_MIN_MM, 2 * thickness)


def _organ_group(lesion: LesionMeasurement) -> str:
    return "lymph nodes" if lesion.is_lymph_node else str(lesion.organ.value).replace("_", " ")


def _diameter(lesion: LesionMeasurement) -> float | None:
    if lesion.too_small_to_measure:
        return TOO_SMALL_TO_MEASURE_MM
    return lesion.diameter_mm


def _sum(lesions: Sequence[LesionMeasurement]) -> tuple[float, list[str]]:
    total = 0.0
    small: list[str] = []
    for lesion in lesions:
        diameter = _diameter(lesion)
        if diameter is not None:
            total += diameter
        if lesion.too_small_to_measure:
            small.append(lesion.id)
    return total, small


def _too_small_notes(small: list[str]) -> tuple[str, ...]:
    if not small:
        return ()
    return (
        f"Lesion(s) {', '.join(small)} too small to measure counted as "
        f"{TOO_SMALL_TO_MEASURE_MM:g} mm (recalled RECIST default, unverified).",
    )
