"""CTCAE v5.0 grades of haematological toxicity (knowledge base section A6).

Grades 2-4 have fixed thresholds; grade 1 runs from the laboratory's lower limit of normal
(LLN) down to the grade-2 threshold, so without the LLN a value at or above the grade-2
threshold can only be placed as "grade 0 or 1". The result is then a :class:`GradeRange` from 0
to 1 (``grade`` is ``None``) rather than an error, so a caller can still rule out grade ≥ 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical._values import StructuredValue

__all__ = ["CTCAETerm", "GradeRange", "ctcae_grade"]


class CTCAETerm(StrEnum):
    """CTCAE v5.0 haematological terms graded from a laboratory value."""

    NEUTROPHIL_COUNT_DECREASED = "neutrophil_count_decreased"
    PLATELET_COUNT_DECREASED = "platelet_count_decreased"
    LYMPHOCYTE_COUNT_DECREASED = "lymphocyte_count_decreased"
    WHITE_BLOOD_CELL_DECREASED = "white_blood_cell_decreased"
    ANEMIA = "anemia"


@dataclass(frozen=True, slots=True)
class GradeRange(StructuredValue):
    """A CTCAE grade, or the range it is known to lie in.

    Parameters
    ----------
    lowest, highest : int
        Bounds of the grade (equal when the grade is known).
    """

    lowest: int
    highest: int

    @property
    def grade(self) -> int | None:
        """The grade when it is known exactly, else ``None``."""
        return self.lowest if self.lowest == self.highest else None

    def __str__(self) -> str:
        if self.grade is not None:
            return f"grade {self.grade}"
        return f"grade {self.lowest} or {self.highest}"


@dataclass(frozen=True, slots=True)
class _Term:
    label: str
    unit: str
    below: tuple[float, ...]  # grade 2, 3 (and 4) apply below these values
    plausible_max: float
    unit_hint: str


_TERMS: dict[CTCAETerm, _Term] = {
    CTCAETerm.NEUTROPHIL_COUNT_DECREASED: _Term(
        "neutrophils", "10^9/L", (1.5, 1.0, 0.5), 100, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.PLATELET_COUNT_DECREASED: _Term(
        "platelets", "10^9/L", (75.0, 50.0, 25.0), 5000, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.LYMPHOCYTE_COUNT_DECREASED: _Term(
        "lymphocytes", "10^9/L", (0.8, 0.5, 0.2), 1000, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.WHITE_BLOOD_CELL_DECREASED: _Term(
        "white cells", "10^9/L", (3.0, 2.0, 1.0), 1000, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.ANEMIA: _Term("haemoglobin", "g/dL", (10.0, 8.0), 25, "g/L ÷ 10"),
}


def ctcae_grade(
    term: CTCAETerm | str, value: float, *, lln: float | None = None
) -> Finding[GradeRange]:
    """Grade a haematological laboratory value by CTCAE v5.0.

    ==========================  ==============  ==========  ==========  =========
    term (unit)                 grade 1         grade 2     grade 3     grade 4
    ==========================  ==============  ==========  ==========  =========
    neutrophils (10⁹/L)         < LLN to 1.5    < 1.5-1.0   < 1.0-0.5   < 0.5
    platelets (10⁹/L)           < LLN to 75     < 75-50     < 50-25     < 25
    lymphocytes (10⁹/L)         < LLN to 0.8    < 0.8-0.5   < 0.5-0.2   < 0.2
    white cells (10⁹/L)         < LLN to 3.0    < 3.0-2.0   < 2.0-1.0   < 1.0
    haemoglobin (g/dL)          < LLN to 10.0   < 10.0-8.0  < 8.0       clinical
    ==========================  ==============  ==========  ==========  =========

    A value exactly at the upper edge of a band belongs to the milder grade (platelets 75 →
    grade 1, 74 → grade 2; neutrophils 0.5 → grade 3, 0.49 → grade 4; a value equal to the LLN
    is grade 0). Anaemia grade 4 (life-threatening, urgent intervention) has no numeric
    threshold: haemoglobin < 8.0 g/dL is graded 3, with a note.

    Without ``lln``, a value at or above the grade-2 threshold gives ``GradeRange(0, 1)``
    ("grade 0 or 1, LLN unknown"), whose ``grade`` is ``None``.

    Parameters
    ----------
    term : CTCAETerm or str
        The CTCAE term.
    value : float
        The laboratory value: counts in 10⁹/L, haemoglobin in g/dL.
    lln : float, optional
        The laboratory's lower limit of normal, in the same unit.

    Returns
    -------
    Finding[GradeRange]
        The grade (or the range 0-1 when the LLN is unknown).

    Raises
    ------
    InvalidInputError
        For an unknown term, a negative value or LLN, or a value implausible in the unit (e.g.
        a neutrophil count of 1500, which is cells/mm³).

    References
    ----------
    National Cancer Institute, Common Terminology Criteria for Adverse Events v5.0 (2017)
    [ctcae-5].
    """
    checks = Checks()
    resolved = checks.member("term", term, CTCAETerm)
    spec = _TERMS[resolved] if resolved is not None else None
    high = spec.plausible_max if spec else None
    expected = (
        f"{spec.unit} between 0 and {spec.plausible_max:g} (convert {spec.unit_hint})"
        if spec
        else "a number ≥ 0"
    )
    number = checks.number("value", value, low=0, high=high, expected=expected)
    limit = checks.optional_number(
        "lln", lln, low=0, high=high, low_open=True, expected=f"an LLN > 0 in {expected}"
    )
    checks.done()
    assert resolved is not None
    assert spec is not None

    notes: list[str] = []
    shown = f"{spec.label} {number:g} {spec.unit}"
    grade: int | None = None
    for g, threshold in enumerate(spec.below, start=2):  # thresholds fall as grades rise
        if number < threshold:
            grade = g
    if grade is not None:
        threshold = spec.below[grade - 2]
        result = GradeRange(grade, grade)
        reason = f"{shown} < {threshold:g} → grade {grade}"
        if resolved is CTCAETerm.ANEMIA and grade == 3:
            notes.append(
                "Anaemia grade 4 (life-threatening consequences, urgent intervention) has no "
                "numeric threshold: graded 3 from the value; assess clinically."
            )
    elif limit is None:
        result = GradeRange(0, 1)
        reason = (
            f"{shown} ≥ {spec.below[0]:g} → grade 0 or 1 (LLN unknown; grade 1 needs the "
            "value below the LLN)"
        )
    elif number < limit:
        result = GradeRange(1, 1)
        reason = f"{shown} < LLN {limit:g} and ≥ {spec.below[0]:g} → grade 1"
    else:
        result = GradeRange(0, 0)
        reason = f"{shown} ≥ LLN {limit:g} → grade 0"
    return Finding(
        value=result,
        rule="CTCAE",
        edition="5.0",
        inputs={"term": resolved, "value": number, "unit": spec.unit, "lln": limit},
        reason=reason,
        references=("ctcae-5",),
        notes=tuple(notes),
    )
