"""RECIST 1.1 at baseline: lesion categories, target choice, sums of diameters and the nadir."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical.recist._model import (
    FAQ_REF,
    RECIST_REFS,
    LesionCategory,
    LesionMeasurement,
    TargetSelection,
    check_lesion,
    check_unique,
    classify,
    diameter,
    measurable_minimum,
    organ_group,
    too_small_notes,
    total,
)
from netline.clinical.recist.thresholds import (
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    NODE_TARGET_MIN_MM,
)
from netline.errors import InsufficientDataError, Problem

__all__ = [
    "check_target_selection",
    "choose_targets",
    "classify_lesion",
    "nadir",
    "sum_of_diameters",
]


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
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    checks = Checks()
    check_lesion(checks, "lesion", lesion)
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
    category, reason = classify(lesion, lesion.diameter_mm, thickness)
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
        references=RECIST_REFS,
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
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    checks = Checks()
    for i, lesion in enumerate(targets):
        check_lesion(checks, f"targets[{i}]", lesion)
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
        per_organ.setdefault(organ_group(lesion), []).append(lesion.id)
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
    problems.extend(_measurability_problems(targets, thickness))
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
        references=(*RECIST_REFS, FAQ_REF) if not verified else RECIST_REFS,
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
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    checks = Checks()
    if len(lesions) == 0:
        checks.add("lesions", [], "at least one target lesion")
    for i, lesion in enumerate(lesions):
        check_lesion(checks, f"lesions[{i}]", lesion)
    check_unique(checks, "lesions", lesions)
    checks.done()
    missing = [lesion.id for lesion in lesions if diameter(lesion) is None]
    if missing:
        raise InsufficientDataError(
            [f"diameter of {lesion_id}" for lesion_id in missing],
            "the sum of diameters needs every target lesion measured",
        )
    summed, small = total(lesions)
    return Finding(
        value=summed,
        rule="RECIST",
        edition="1.1",
        inputs={"diameters_mm": {t.id: diameter(t) for t in lesions}},
        reason=f"sum of {len(lesions)} target diameter(s) = {summed:g} mm",
        references=RECIST_REFS,
        verified=not small,
        notes=too_small_notes(small),
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
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
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
        references=RECIST_REFS,
    )


def _measurability_problems(
    targets: Sequence[LesionMeasurement], thickness: float | None
) -> list[Problem]:
    """Problems of targets that are not measured or not measurable."""
    problems: list[Problem] = []
    for i, lesion in enumerate(targets):
        where = f"targets[{i}].diameter_mm"
        if lesion.too_small_to_measure:
            problems.append(
                Problem(f"targets[{i}].too_small_to_measure", True, "a measured target lesion")
            )
        elif lesion.diameter_mm is None:
            problems.append(Problem(where, None, "a baseline measurement"))
        else:
            category, _ = classify(lesion, lesion.diameter_mm, thickness)
            if category is not LesionCategory.MEASURABLE:
                minimum = (
                    NODE_TARGET_MIN_MM if lesion.is_lymph_node else measurable_minimum(thickness)
                )
                axis = "short axis" if lesion.is_lymph_node else "longest diameter"
                problems.append(
                    Problem(
                        where,
                        lesion.diameter_mm,
                        f"a {axis} ≥ {minimum:g} mm for a target (lesion is {category.value})",
                    )
                )
    return problems


def choose_targets(lesions: Sequence[LesionMeasurement]) -> Finding[tuple[LesionMeasurement, ...]]:
    """Choose target lesions at baseline when the report flags none.

    Measurable lesions only (non-nodal longest diameter ≥ 10 mm, node short axis ≥ 15 mm), the
    largest first (ties by id), at most 2 per organ (all lymph nodes count as one organ) and 5 in
    all. RECIST asks for lesions representative of the involved organs and suitable for
    reproducible measurement, which a reader judges; choosing by size is netline's stated
    assumption, so the result is marked unverified.

    Parameters
    ----------
    lesions : sequence of LesionMeasurement
        The lesions measured on the baseline scan (unmeasured ones are skipped).

    Returns
    -------
    Finding[tuple of LesionMeasurement]
        The chosen targets, largest first (empty when no lesion is measurable: non-target-only
        disease).

    Raises
    ------
    InvalidInputError
        For malformed or duplicate lesions.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    checks = Checks()
    for i, lesion in enumerate(lesions):
        check_lesion(checks, f"lesions[{i}]", lesion)
    check_unique(checks, "lesions", lesions)
    checks.done()
    measurable = [
        lesion
        for lesion in lesions
        if lesion.diameter_mm is not None
        and not lesion.too_small_to_measure
        and classify(lesion, lesion.diameter_mm, None)[0] is LesionCategory.MEASURABLE
    ]
    ranked = sorted(measurable, key=lambda lesion: (-(lesion.diameter_mm or 0.0), lesion.id))
    chosen: list[LesionMeasurement] = []
    per_organ: Counter[str] = Counter()
    for lesion in ranked:
        if len(chosen) == MAX_TARGETS:
            break
        group = organ_group(lesion)
        if per_organ[group] == MAX_TARGETS_PER_ORGAN:
            continue
        per_organ[group] += 1
        chosen.append(lesion)
    reason = (
        f"{len(chosen)} of {len(measurable)} measurable lesion(s) chosen, largest first, "
        f"≤ {MAX_TARGETS_PER_ORGAN} per organ and ≤ {MAX_TARGETS} in all"
    )
    return Finding(
        value=tuple(chosen),
        rule="RECIST target selection",
        edition="1.1",
        inputs={"lesions": [[x.id, x.organ, x.is_lymph_node, x.diameter_mm] for x in lesions]},
        reason=reason,
        references=(*RECIST_REFS, FAQ_REF),
        verified=False,
        notes=(
            "Targets chosen automatically by size; RECIST asks a reader to choose lesions "
            "representative of the involved organs and suitable for repeated measurement.",
        ),
    )
