"""CTCAE v5.0 grades from laboratory values (knowledge base section A6).

Two kinds of term:

* **Decreased** (blood counts, haemoglobin, albumin, glucose): grades 2-4 have fixed thresholds;
  grade 1 runs from the laboratory's lower limit of normal (LLN) down to the grade-2 threshold, so
  without the LLN a value at or above the grade-2 threshold can only be placed as "grade 0 or 1"
  (:class:`GradeRange` from 0 to 1, ``grade`` ``None``).
* **Increased** (creatinine, bilirubin, AST, ALT, alkaline phosphatase, GGT): multiples of the
  upper limit of normal (ULN) and, where CTCAE v5.0 says so, of the patient's baseline value.
  For the liver terms the baseline rule applies when the baseline was abnormal (above the ULN);
  for creatinine, grades 2 and 3 are also met by a rise over the baseline, whatever the baseline.

Hyperglycaemia is graded in CTCAE v5.0 by the intervention it needs, not by a glucose value; a
glucose above the ULN alone gives the range 1-4 unless the intervention is given.

The CTCAE v5.0 term texts were read in the pharmaverse *admiral* grading metadata
(``data-raw/adlb_grading/ncictcaev5.json``, which reproduces the NCI text per term); the
hyperglycaemia text was not found there and is recalled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical._values import EPS, StructuredValue, at_least
from netline.errors import InsufficientDataError
from netline.records.vocabulary import Analyte

__all__ = ["CTCAE_TERM_OF_ANALYTE", "CTCAETerm", "GlucoseIntervention", "GradeRange", "ctcae_grade"]


class CTCAETerm(StrEnum):
    """CTCAE v5.0 terms graded from a laboratory value."""

    NEUTROPHIL_COUNT_DECREASED = "neutrophil_count_decreased"
    PLATELET_COUNT_DECREASED = "platelet_count_decreased"
    LYMPHOCYTE_COUNT_DECREASED = "lymphocyte_count_decreased"
    WHITE_BLOOD_CELL_DECREASED = "white_blood_cell_decreased"
    ANEMIA = "anemia"
    HYPOALBUMINEMIA = "hypoalbuminemia"
    HYPOGLYCEMIA = "hypoglycemia"
    HYPERGLYCEMIA = "hyperglycemia"
    CREATININE_INCREASED = "creatinine_increased"
    BLOOD_BILIRUBIN_INCREASED = "blood_bilirubin_increased"
    AST_INCREASED = "aspartate_aminotransferase_increased"
    ALT_INCREASED = "alanine_aminotransferase_increased"
    ALKALINE_PHOSPHATASE_INCREASED = "alkaline_phosphatase_increased"
    GGT_INCREASED = "ggt_increased"


#: The CTCAE v5.0 laboratory term of each analyte graded from its value alone. Glucose is left
#: out because its term (hypo- or hyperglycaemia) and grade depend on what the value led to.
CTCAE_TERM_OF_ANALYTE: dict[Analyte, CTCAETerm] = {
    Analyte.NEUTROPHILS: CTCAETerm.NEUTROPHIL_COUNT_DECREASED,
    Analyte.PLATELETS: CTCAETerm.PLATELET_COUNT_DECREASED,
    Analyte.LYMPHOCYTES: CTCAETerm.LYMPHOCYTE_COUNT_DECREASED,
    Analyte.WHITE_CELLS: CTCAETerm.WHITE_BLOOD_CELL_DECREASED,
    Analyte.HAEMOGLOBIN: CTCAETerm.ANEMIA,
    Analyte.ALBUMIN: CTCAETerm.HYPOALBUMINEMIA,
    Analyte.CREATININE: CTCAETerm.CREATININE_INCREASED,
    Analyte.BILIRUBIN: CTCAETerm.BLOOD_BILIRUBIN_INCREASED,
    Analyte.AST: CTCAETerm.AST_INCREASED,
    Analyte.ALT: CTCAETerm.ALT_INCREASED,
    Analyte.ALKALINE_PHOSPHATASE: CTCAETerm.ALKALINE_PHOSPHATASE_INCREASED,
}


class GlucoseIntervention(StrEnum):
    """What hyperglycaemia led to (CTCAE v5.0 grades hyperglycaemia by it; recalled)."""

    NONE = "none"  # grade 1: no medical intervention
    DAILY_MANAGEMENT_CHANGED = "daily_management_changed"  # grade 2: oral agent, work-up
    INSULIN_OR_HOSPITALISATION = "insulin_or_hospitalisation"  # grade 3
    LIFE_THREATENING = "life_threatening"  # grade 4: urgent intervention


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
        if self.highest == self.lowest + 1:
            return f"grade {self.lowest} or {self.highest}"
        return f"grade {self.lowest} to {self.highest}"


@dataclass(frozen=True, slots=True)
class _Low:
    """A decreased term: grades 2, 3 (and 4) apply below the thresholds."""

    label: str
    unit: str
    below: tuple[float, ...]
    plausible_max: float
    unit_hint: str
    clinical_grade_4: bool = False
    plausible_min: float = 0.0  # below it the value is probably in another unit


#: A rule of an increased term: (grade, multiple, inclusive): grade applies above (or from, when
#: inclusive) ``multiple`` × the reference (ULN or baseline).
_Rule = tuple[int, float, bool]


@dataclass(frozen=True, slots=True)
class _High:
    """An increased term graded by multiples of the ULN and of the baseline."""

    label: str
    by_uln: tuple[_Rule, ...]
    by_baseline: tuple[_Rule, ...]
    baseline_always: bool  # creatinine: baseline rules whatever the baseline; else abnormal only


_LOW: dict[CTCAETerm, _Low] = {
    CTCAETerm.NEUTROPHIL_COUNT_DECREASED: _Low(
        "neutrophils", "10^9/L", (1.5, 1.0, 0.5), 100, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.PLATELET_COUNT_DECREASED: _Low(
        "platelets", "10^9/L", (75.0, 50.0, 25.0), 5000, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.LYMPHOCYTE_COUNT_DECREASED: _Low(
        "lymphocytes", "10^9/L", (0.8, 0.5, 0.2), 1000, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.WHITE_BLOOD_CELL_DECREASED: _Low(
        "white cells", "10^9/L", (3.0, 2.0, 1.0), 1000, "cells/mm³ ÷ 1000"
    ),
    CTCAETerm.ANEMIA: _Low("haemoglobin", "g/dL", (10.0, 8.0), 25, "g/L ÷ 10", True),
    CTCAETerm.HYPOALBUMINEMIA: _Low("albumin", "g/L", (30.0, 20.0), 80, "g/dL × 10", True, 10.0),
    CTCAETerm.HYPOGLYCEMIA: _Low("glucose", "mmol/L", (3.0, 2.2, 1.7), 60, "mg/dL ÷ 18"),
}

_LIVER_AMINO = _High(
    "",
    ((1, 1.0, False), (2, 3.0, False), (3, 5.0, False), (4, 20.0, False)),
    ((1, 1.5, True), (2, 3.0, False), (3, 5.0, False), (4, 20.0, False)),
    baseline_always=False,
)
_LIVER_CHOLESTATIC = _High(
    "",
    ((1, 1.0, False), (2, 2.5, False), (3, 5.0, False), (4, 20.0, False)),
    ((1, 2.0, True), (2, 2.5, False), (3, 5.0, False), (4, 20.0, False)),
    baseline_always=False,
)
_HIGH: dict[CTCAETerm, _High] = {
    CTCAETerm.CREATININE_INCREASED: _High(
        "creatinine",
        ((1, 1.0, False), (2, 1.5, False), (3, 3.0, False), (4, 6.0, False)),
        ((2, 1.5, False), (3, 3.0, False)),
        baseline_always=True,
    ),
    CTCAETerm.BLOOD_BILIRUBIN_INCREASED: _High(
        "bilirubin",
        ((1, 1.0, False), (2, 1.5, False), (3, 3.0, False), (4, 10.0, False)),
        ((1, 1.0, False), (2, 1.5, False), (3, 3.0, False), (4, 10.0, False)),
        baseline_always=False,
    ),
    CTCAETerm.AST_INCREASED: _High("AST", _LIVER_AMINO.by_uln, _LIVER_AMINO.by_baseline, False),
    CTCAETerm.ALT_INCREASED: _High("ALT", _LIVER_AMINO.by_uln, _LIVER_AMINO.by_baseline, False),
    CTCAETerm.ALKALINE_PHOSPHATASE_INCREASED: _High(
        "alkaline phosphatase", _LIVER_CHOLESTATIC.by_uln, _LIVER_CHOLESTATIC.by_baseline, False
    ),
    CTCAETerm.GGT_INCREASED: _High(
        "GGT", _LIVER_CHOLESTATIC.by_uln, _LIVER_CHOLESTATIC.by_baseline, False
    ),
}
_INTERVENTION_GRADE = {
    GlucoseIntervention.NONE: 1,
    GlucoseIntervention.DAILY_MANAGEMENT_CHANGED: 2,
    GlucoseIntervention.INSULIN_OR_HOSPITALISATION: 3,
    GlucoseIntervention.LIFE_THREATENING: 4,
}
_SOURCE_NOTE = (
    "CTCAE v5.0 term text read in the pharmaverse admiral grading metadata "
    "(ncictcaev5.json), which reproduces the NCI table."
)


def ctcae_grade(
    term: CTCAETerm | str,
    value: float,
    *,
    lln: float | None = None,
    uln: float | None = None,
    baseline: float | None = None,
    intervention: GlucoseIntervention | str | None = None,
) -> Finding[GradeRange]:
    """Grade a laboratory value by CTCAE v5.0.

    Decreased terms (value below the LLN, then fixed thresholds):

    ==========================  ==============  ==========  ==========  =========
    term (unit)                 grade 1         grade 2     grade 3     grade 4
    ==========================  ==============  ==========  ==========  =========
    neutrophils (10⁹/L)         < LLN to 1.5    < 1.5-1.0   < 1.0-0.5   < 0.5
    platelets (10⁹/L)           < LLN to 75     < 75-50     < 50-25     < 25
    lymphocytes (10⁹/L)         < LLN to 0.8    < 0.8-0.5   < 0.5-0.2   < 0.2
    white cells (10⁹/L)         < LLN to 3.0    < 3.0-2.0   < 2.0-1.0   < 1.0
    haemoglobin (g/dL)          < LLN to 10.0   < 10.0-8.0  < 8.0       clinical
    albumin (g/L)               < LLN to 30     < 30-20     < 20        clinical
    glucose, low (mmol/L)       < LLN to 3.0    < 3.0-2.2   < 2.2-1.7   < 1.7
    ==========================  ==============  ==========  ==========  =========

    Increased terms (× ULN if the baseline was normal; × baseline if it was abnormal):

    =====================  ===============  =============  =============  ========
    term                   grade 1          grade 2        grade 3        grade 4
    =====================  ===============  =============  =============  ========
    AST, ALT               > 1-3 ULN;       > 3-5          > 5-20         > 20
                           1.5-3 baseline
    ALP, GGT               > 1-2.5 ULN;     > 2.5-5        > 5-20         > 20
                           2.0-2.5 baseline
    bilirubin              > 1-1.5 ULN;     > 1.5-3        > 3-10         > 10
                           > 1.0-1.5 base.
    creatinine             > 1-1.5 ULN      > 1.5-3 ULN or > 3-6 ULN or   > 6 ULN
                                            > 1.5-3 base.  > 3 baseline
    =====================  ===============  =============  =============  ========

    A value exactly at the upper edge of a band belongs to the milder grade (platelets 75 →
    grade 1; ALT exactly 3 × ULN → grade 1); a value equal to the LLN or ULN is grade 0. Grade 4
    of anaemia and hypoalbuminaemia has no numeric threshold: the lowest band is graded 3 with
    a note. Hyperglycaemia is graded by ``intervention``; without it, a glucose above the ULN
    gives the range 1-4.

    Parameters
    ----------
    term : CTCAETerm or str
        The CTCAE term (member or its string value, e.g. ``"alanine_aminotransferase_increased"``).
    value : float
        The laboratory value: counts in 10⁹/L, haemoglobin in g/dL, albumin in g/L, glucose in
        mmol/L; increased terms in any unit shared with ``uln`` and ``baseline``.
    lln : float, optional
        The laboratory's lower limit of normal (decreased terms).
    uln : float, optional
        The laboratory's upper limit of normal (needed by the increased terms).
    baseline : float, optional
        The patient's value before treatment (increased terms). Without it the baseline is
        taken to be normal, which a note says.
    intervention : GlucoseIntervention or str, optional
        For hyperglycaemia: what it led to.

    Returns
    -------
    Finding[GradeRange]
        The grade, or the range it lies in when a limit of normal or the intervention is not
        known.

    Raises
    ------
    InvalidInputError
        For an unknown term, a negative value or limit, or a value implausible in the unit (e.g.
        a neutrophil count of 1500, which is cells/mm³).
    InsufficientDataError
        When an increased term is given without the ULN.

    References
    ----------
    National Cancer Institute, Common Terminology Criteria for Adverse Events v5.0 (2017)
    [ctcae_v5].
    """
    checks = Checks()
    resolved = checks.member("term", term, CTCAETerm)
    if resolved is None:
        checks.done()
    assert resolved is not None
    if resolved in _LOW:
        return _grade_low(checks, resolved, value, lln)
    number, limit, base, action = _read_high(checks, value, uln, baseline, intervention)
    if resolved is CTCAETerm.HYPERGLYCEMIA:
        return _grade_hyperglycaemia(number, limit, action)
    if limit is None:
        raise InsufficientDataError(
            ["uln"], f"grading {resolved.value} needs the laboratory's upper limit of normal"
        )
    return _grade_high(resolved, number, limit, base)


def _read_high(
    checks: Checks, value: object, uln: object, baseline: object, intervention: object
) -> tuple[float, float | None, float | None, GlucoseIntervention | None]:
    """Check the inputs of an increased term (or hyperglycaemia)."""
    number = checks.number("value", value, low=0, expected="a laboratory value ≥ 0")
    limit = checks.optional_number("uln", uln, low=0, low_open=True, expected="a ULN > 0")
    base = checks.optional_number("baseline", baseline, low=0, expected="a baseline value ≥ 0")
    action = (
        None
        if intervention is None
        else checks.member("intervention", intervention, GlucoseIntervention)
    )
    checks.done()
    return number, limit, base, action


def _finding(
    term: CTCAETerm,
    result: GradeRange,
    reason: str,
    inputs: dict[str, object],
    notes: list[str],
    *,
    verified: bool = True,
) -> Finding[GradeRange]:
    return Finding(
        value=result,
        rule="CTCAE",
        edition="5.0",
        inputs={"term": term, **inputs},
        reason=reason,
        references=("ctcae_v5",),
        verified=verified,
        notes=tuple(notes),
    )


def _grade_low(checks: Checks, term: CTCAETerm, value: object, lln: object) -> Finding[GradeRange]:
    spec = _LOW[term]
    expected = (
        f"{spec.unit} between {spec.plausible_min:g} and {spec.plausible_max:g} "
        f"(convert {spec.unit_hint})"
    )
    number = checks.number(
        "value", value, low=spec.plausible_min, high=spec.plausible_max, expected=expected
    )
    limit = checks.optional_number(
        "lln",
        lln,
        low=spec.plausible_min,
        high=spec.plausible_max,
        low_open=True,
        expected=f"an LLN > 0 in {expected}",
    )
    checks.done()
    notes: list[str] = []
    shown = f"{spec.label} {number:g} {spec.unit}"
    grade: int | None = None
    for g, threshold in enumerate(spec.below, start=2):  # thresholds fall as grades rise
        if number < threshold:
            grade = g
    if grade is not None:
        result = GradeRange(grade, grade)
        reason = f"{shown} < {spec.below[grade - 2]:g} → grade {grade}"
        if spec.clinical_grade_4 and grade == len(spec.below) + 1:
            notes.append(
                f"{term.value} grade 4 (life-threatening consequences, urgent intervention) has "
                f"no numeric threshold: graded {grade} from the value; assess clinically."
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
    if term in (CTCAETerm.HYPOALBUMINEMIA, CTCAETerm.HYPOGLYCEMIA):
        notes.append(_SOURCE_NOTE)
    inputs: dict[str, object] = {"value": number, "unit": spec.unit, "lln": limit}
    return _finding(term, result, reason, inputs, notes)


def _above(value: float, reference: float, rule: _Rule) -> bool:
    _, multiple, inclusive = rule
    threshold = multiple * reference
    if inclusive:
        return at_least(value, threshold)
    return value > threshold + EPS * max(1.0, abs(threshold))


def _grade_high(
    term: CTCAETerm, value: float, uln: float, baseline: float | None
) -> Finding[GradeRange]:
    spec = _HIGH[term]
    notes = [_SOURCE_NOTE]
    by_uln = max((rule[0] for rule in spec.by_uln if _above(value, uln, rule)), default=0)
    abnormal = baseline is not None and baseline > uln
    use_baseline = baseline is not None and baseline > 0 and (spec.baseline_always or abnormal)
    by_base = 0
    if use_baseline:
        assert baseline is not None
        by_base = max(
            (rule[0] for rule in spec.by_baseline if _above(value, baseline, rule)), default=0
        )
    ratio = f"{value / uln:.2f} × ULN"
    if abnormal and not spec.baseline_always:
        assert baseline is not None
        grade = by_base
        reason = (
            f"{spec.label} {value:g} = {value / baseline:.2f} × baseline {baseline:g} "
            f"(baseline abnormal, > ULN {uln:g}) → grade {grade}"
        )
    else:
        grade = max(by_uln, by_base)
        reason = f"{spec.label} {value:g} = {ratio} (ULN {uln:g})"
        if by_base > by_uln:
            assert baseline is not None
            reason += f"; {value / baseline:.2f} × baseline {baseline:g}"
        reason += f" → grade {grade}"
        if by_base > by_uln and value <= uln:
            notes.append(
                "Graded by the rise over the baseline although the value is within the normal "
                "range (CTCAE v5.0 creatinine rule)."
            )
        if baseline is None:
            notes.append(
                "Baseline not given: graded as if the baseline was normal (an abnormal "
                "baseline is graded by multiples of the baseline instead)."
            )
    inputs: dict[str, object] = {
        "value": value,
        "uln": uln,
        "baseline": baseline,
        "baseline_abnormal": abnormal,
    }
    return _finding(term, GradeRange(grade, grade), reason, inputs, notes)


def _grade_hyperglycaemia(
    value: float, uln: float | None, action: GlucoseIntervention | None
) -> Finding[GradeRange]:
    notes = [
        "CTCAE v5.0 grades hyperglycaemia by the intervention it needs (1 none; 2 change in "
        "daily management, oral agent; 3 insulin or hospitalisation; 4 life-threatening); "
        "recalled, the term text was not read."
    ]
    inputs: dict[str, object] = {"value": value, "uln": uln, "intervention": action}
    if action is not None:
        grade = _INTERVENTION_GRADE[action]
        reason = f"hyperglycaemia with intervention {action.value} → grade {grade}"
        result = GradeRange(grade, grade)
    elif uln is None:
        result = GradeRange(0, 4)
        reason = "glucose without ULN or intervention → grade 0 to 4"
    elif value > uln:
        result = GradeRange(1, 4)
        reason = f"glucose {value:g} > ULN {uln:g}; intervention unknown → grade 1 to 4"
    else:
        result = GradeRange(0, 0)
        reason = f"glucose {value:g} ≤ ULN {uln:g} → grade 0"
    return _finding(CTCAETerm.HYPERGLYCEMIA, result, reason, inputs, notes, verified=False)
