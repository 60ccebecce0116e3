"""RECIST 1.1 vocabulary: categories, the lesion measurement and shared input checks."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from netline.clinical._validation import Checks
from netline.clinical._values import StructuredValue
from netline.clinical.recist.thresholds import (
    MEASURABLE_MIN_MM,
    NODE_NORMAL_BELOW_MM,
    NODE_TARGET_MIN_MM,
    TOO_SMALL_TO_MEASURE_MM,
)
from netline.errors import Problem
from netline.records.vocabulary import Organ

__all__ = [
    "LesionCategory",
    "LesionMeasurement",
    "NewLesions",
    "NonTargetResponse",
    "OverallResponse",
    "TargetResponse",
    "TargetSelection",
    "TimePoint",
]

RECIST_REFS = ("eisenhauer2009",)
FAQ_REF = "recist_faq"


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
    organ : Organ or str
        Organ of the lesion (a member or its public string value, e.g. ``"liver"``; a valid
        string is stored as the member). For the two-per-organ rule all lymph nodes count as
        one organ.
    is_lymph_node : bool
        Whether the lesion is a lymph node (measured in short axis).
    diameter_mm : float or None
        Longest diameter (non-nodal) or short axis (node) in mm; 0 when the lesion has
        disappeared; ``None`` when it was not measured or not evaluable.
    too_small_to_measure : bool, default False
        Present but too small to measure: counted as ``TOO_SMALL_TO_MEASURE_MM`` (5 mm);
        ``diameter_mm`` must then be ``None``.
    """

    id: str
    organ: Organ | str
    is_lymph_node: bool
    diameter_mm: float | None
    too_small_to_measure: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.organ, Organ) and isinstance(self.organ, str):
            # an unknown string is left as given: the calculators report it with the choices
            with contextlib.suppress(ValueError):
                object.__setattr__(self, "organ", Organ(self.organ))


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
        The overall response at that assessment (see ``overall_response``).
    """

    day: float
    response: OverallResponse


# --------------------------------------------------------------------------- helpers


def check_lesion(checks: Checks, location: str, lesion: object) -> None:
    """Record every problem of one lesion measurement."""
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


def check_unique(checks: Checks, location: str, lesions: Sequence[LesionMeasurement]) -> None:
    """Record a problem for every lesion id given more than once."""
    counts = Counter(getattr(lesion, "id", None) for lesion in lesions)
    for lesion_id, count in counts.items():
        if count > 1:
            checks.add(location, lesion_id, "each lesion id once")


def classify(
    lesion: LesionMeasurement, diameter: float, thickness: float | None
) -> tuple[LesionCategory, str]:
    """Return the baseline category of a measured lesion and the reason."""
    if lesion.is_lymph_node:
        if diameter >= NODE_TARGET_MIN_MM:
            return (
                LesionCategory.MEASURABLE,
                f"node short axis {diameter:g} mm ≥ {NODE_TARGET_MIN_MM:g} mm",
            )
        if diameter >= NODE_NORMAL_BELOW_MM:
            return (
                LesionCategory.PATHOLOGICAL_NODE,
                f"node short axis {diameter:g} mm: {NODE_NORMAL_BELOW_MM:g} to < "
                f"{NODE_TARGET_MIN_MM:g} mm, pathological non-target",
            )
        return (
            LesionCategory.NORMAL_NODE,
            f"node short axis {diameter:g} mm < {NODE_NORMAL_BELOW_MM:g} mm: normal",
        )
    minimum = measurable_minimum(thickness)
    if diameter >= minimum:
        return LesionCategory.MEASURABLE, f"longest diameter {diameter:g} mm ≥ {minimum:g} mm"
    return (
        LesionCategory.NON_MEASURABLE,
        f"longest diameter {diameter:g} mm < {minimum:g} mm: non-measurable",
    )


def measurable_minimum(thickness: float | None) -> float:
    """Smallest measurable non-nodal diameter: 10 mm, or 2 × the slice thickness above 5 mm."""
    if thickness is None or thickness <= 5:
        return MEASURABLE_MIN_MM
    return max(MEASURABLE_MIN_MM, 2 * thickness)


def organ_group(lesion: LesionMeasurement) -> str:
    """Organ for the two-per-organ rule (all lymph nodes are one organ)."""
    if lesion.is_lymph_node:
        return "lymph nodes"
    return str(Organ(lesion.organ).value).replace("_", " ")


def diameter(lesion: LesionMeasurement) -> float | None:
    """Diameter counted for a lesion (5 mm when too small to measure)."""
    if lesion.too_small_to_measure:
        return TOO_SMALL_TO_MEASURE_MM
    return lesion.diameter_mm


def gone(lesion: LesionMeasurement) -> bool:
    """Whether a measured lesion counts as disappeared (non-nodal 0 mm, node < 10 mm)."""
    size = diameter(lesion)
    if size is None:
        return False
    return size < NODE_NORMAL_BELOW_MM if lesion.is_lymph_node else size == 0


def total(lesions: Sequence[LesionMeasurement]) -> tuple[float, list[str]]:
    """Sum of the diameters counted, and the ids of lesions too small to measure."""
    result = 0.0
    small: list[str] = []
    for lesion in lesions:
        size = diameter(lesion)
        if size is not None:
            result += size
        if lesion.too_small_to_measure:
            small.append(lesion.id)
    return result, small


def too_small_notes(small: list[str]) -> tuple[str, ...]:
    """Note saying which lesions were counted at the too-small default."""
    if not small:
        return ()
    return (
        f"Lesion(s) {', '.join(small)} too small to measure counted as "
        f"{TOO_SMALL_TO_MEASURE_MM:g} mm (recalled RECIST default, unverified).",
    )
