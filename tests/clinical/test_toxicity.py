"""CTCAE v5.0 haematological grades (knowledge base A6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical.toxicity import CTCAETerm, GradeRange, ctcae_grade
from netline.errors import InvalidInputError

ANC = CTCAETerm.NEUTROPHIL_COUNT_DECREASED
PLT = CTCAETerm.PLATELET_COUNT_DECREASED
LYM = CTCAETerm.LYMPHOCYTE_COUNT_DECREASED
WBC = CTCAETerm.WHITE_BLOOD_CELL_DECREASED
HB = CTCAETerm.ANEMIA

LLN = {ANC: 2.0, PLT: 150.0, LYM: 1.0, WBC: 4.0, HB: 12.0}


@pytest.mark.parametrize(
    ("term", "value", "grade"),
    [
        (PLT, 150.0, 0),  # equal to the LLN is not below it
        (PLT, 149.0, 1),
        (PLT, 75.0, 1),
        (PLT, 74.0, 2),
        (PLT, 50.0, 2),
        (PLT, 49.9, 3),
        (PLT, 25.0, 3),
        (PLT, 24.9, 4),
        (ANC, 1.5, 1),
        (ANC, 1.49, 2),
        (ANC, 1.0, 2),
        (ANC, 0.99, 3),
        (ANC, 0.5, 3),
        (ANC, 0.49, 4),
        (ANC, 0.0, 4),
        (LYM, 0.8, 1),
        (LYM, 0.79, 2),
        (LYM, 0.5, 2),
        (LYM, 0.49, 3),
        (LYM, 0.2, 3),
        (LYM, 0.19, 4),
        (WBC, 3.0, 1),
        (WBC, 2.99, 2),
        (WBC, 2.0, 2),
        (WBC, 1.99, 3),
        (WBC, 1.0, 3),
        (WBC, 0.99, 4),
        (HB, 12.0, 0),
        (HB, 10.0, 1),
        (HB, 9.99, 2),
        (HB, 8.0, 2),
        (HB, 7.99, 3),
        (HB, 4.0, 3),  # capped: grade 4 is clinical
    ],
)
def test_ctcae_grades(term: CTCAETerm, value: float, grade: int) -> None:
    finding = ctcae_grade(term, value, lln=LLN[term])
    assert finding.value == GradeRange(grade, grade)
    assert finding.value.grade == grade
    assert finding.references == ("ctcae_v5",)
    assert finding.edition == "5.0"


def test_anaemia_grade_3_cap_is_noted() -> None:
    finding = ctcae_grade("anemia", 6.5)
    assert finding.value.grade == 3
    assert any("no numeric threshold" in n for n in finding.notes)


@pytest.mark.parametrize(
    ("term", "value"), [(PLT, 75.0), (PLT, 400.0), (ANC, 1.5), (HB, 11.0), (LYM, 0.8)]
)
def test_without_lln_grade_is_0_or_1(term: CTCAETerm, value: float) -> None:
    finding = ctcae_grade(term, value)
    assert finding.value == GradeRange(0, 1)
    assert finding.value.grade is None
    assert "LLN unknown" in finding.reason
    assert str(finding.value) == "grade 0 or 1"


@pytest.mark.parametrize(("term", "value", "grade"), [(PLT, 74.0, 2), (ANC, 0.49, 4), (HB, 7.0, 3)])
def test_without_lln_grades_2_to_4_still_assigned(
    term: CTCAETerm, value: float, grade: int
) -> None:
    assert ctcae_grade(term, value).value.grade == grade


@pytest.mark.parametrize(
    ("term", "value", "lln", "location"),
    [
        ("neutropenia", 1.0, None, "term"),
        (ANC, -0.1, None, "value"),
        (ANC, 1500, None, "value"),  # cells/mm³, not 10⁹/L
        (PLT, 150000, None, "value"),
        (HB, 95, None, "value"),  # g/L, not g/dL
        (PLT, 100, 0, "lln"),
    ],
)
def test_invalid_ctcae(term: str, value: float, lln: float | None, location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ctcae_grade(term, value, lln=lln)
    assert location in {p.location for p in info.value.problems}


@given(
    term=st.sampled_from([ANC, PLT, LYM, WBC, HB]),
    a=st.floats(min_value=0, max_value=25),
    b=st.floats(min_value=0, max_value=25),
)
def test_grade_never_rises_with_the_count(term: CTCAETerm, a: float, b: float) -> None:
    low, high = sorted((a, b))
    g_low = ctcae_grade(term, low, lln=LLN[term]).value.grade
    g_high = ctcae_grade(term, high, lln=LLN[term]).value.grade
    assert g_low is not None
    assert g_high is not None
    assert g_low >= g_high
