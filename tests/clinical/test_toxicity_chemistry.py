"""CTCAE v5.0 chemistry terms (issue 16 item 2), table-driven from the term texts.

Texts (NCI CTCAE v5.0, as reproduced in pharmaverse admiral ncictcaev5.json):
ALT/AST: >ULN-3.0 x ULN if baseline normal; 1.5-3.0 x baseline if abnormal; >3.0-5.0; >5.0-20.0;
>20.0. ALP/GGT: >ULN-2.5 x ULN; 2.0-2.5 x baseline; >2.5-5.0; >5.0-20.0; >20.0. Bilirubin:
>ULN-1.5 x ULN; >1.0-1.5 x baseline; >1.5-3.0; >3.0-10.0; >10.0. Creatinine: >ULN-1.5 x ULN;
>1.5-3.0 x baseline or x ULN; >3.0 x baseline or >3.0-6.0 x ULN; >6.0 x ULN.
Hypoalbuminaemia: <LLN-30 g/L; <30-20; <20. Hypoglycaemia: <LLN-3.0 mmol/L; <3.0-2.2; <2.2-1.7;
<1.7.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical import CTCAETerm, ctcae_grade
from netline.clinical.toxicity import GlucoseIntervention, GradeRange
from netline.errors import InsufficientDataError, InvalidInputError

T = CTCAETerm
ULN = 40.0  # U/L, e.g. ALT


@pytest.mark.parametrize("term", [T.ALT_INCREASED, T.AST_INCREASED])
@pytest.mark.parametrize(
    ("value", "grade"),
    [(40.0, 0), (40.1, 1), (120.0, 1), (120.1, 2), (200.0, 2), (200.1, 3), (800.0, 3), (800.1, 4)],
)
def test_aminotransferases_normal_baseline(term: CTCAETerm, value: float, grade: int) -> None:
    finding = ctcae_grade(term, value, uln=ULN, baseline=30.0)
    assert finding.value == GradeRange(grade, grade)
    assert not finding.inputs["baseline_abnormal"]


@pytest.mark.parametrize(
    ("value", "grade"),
    # baseline 60 U/L (> ULN 40): multiples of the baseline
    [(60.0, 0), (89.9, 0), (90.0, 1), (180.0, 1), (180.1, 2), (300.0, 2), (300.1, 3), (1200.1, 4)],
)
def test_aminotransferases_abnormal_baseline(value: float, grade: int) -> None:
    finding = ctcae_grade("alanine_aminotransferase_increased", value, uln=ULN, baseline=60.0)
    assert finding.value.grade == grade
    assert finding.inputs["baseline_abnormal"]
    assert "baseline" in finding.reason


@pytest.mark.parametrize("term", [T.ALKALINE_PHOSPHATASE_INCREASED, T.GGT_INCREASED])
@pytest.mark.parametrize(
    ("value", "baseline", "grade"),
    [
        (100.0, None, 0),  # ULN 100
        (100.1, None, 1),
        (250.0, None, 1),
        (250.1, None, 2),
        (500.1, None, 3),
        (2000.0, None, 3),
        (2000.1, None, 4),
        (399.9, 200.0, 0),  # abnormal baseline 200: grade 1 from 2.0 x baseline
        (400.0, 200.0, 1),
        (500.0, 200.0, 1),
        (500.1, 200.0, 2),
        (1000.1, 200.0, 3),
        (4000.1, 200.0, 4),
    ],
)
def test_alp_and_ggt(term: CTCAETerm, value: float, baseline: float | None, grade: int) -> None:
    assert ctcae_grade(term, value, uln=100.0, baseline=baseline).value.grade == grade


@pytest.mark.parametrize(
    ("value", "baseline", "grade"),
    [
        (1.2, None, 0),  # ULN 1.2 mg/dL
        (1.21, None, 1),
        (1.8, None, 1),
        (1.81, None, 2),
        (3.6, None, 2),
        (3.61, None, 3),
        (12.0, None, 3),
        (12.01, None, 4),
        (2.0, 2.0, 0),  # abnormal baseline 2.0: any rise is grade 1
        (2.01, 2.0, 1),
        (3.0, 2.0, 1),
        (3.01, 2.0, 2),
        (6.01, 2.0, 3),
        (20.01, 2.0, 4),
    ],
)
def test_bilirubin(value: float, baseline: float | None, grade: int) -> None:
    finding = ctcae_grade(T.BLOOD_BILIRUBIN_INCREASED, value, uln=1.2, baseline=baseline)
    assert finding.value.grade == grade


@pytest.mark.parametrize(
    ("value", "baseline", "grade"),
    [
        (1.1, None, 0),  # ULN 1.1 mg/dL
        (1.11, None, 1),
        (1.65, None, 1),
        (1.66, None, 2),
        (3.3, None, 2),
        (3.31, None, 3),
        (6.6, None, 3),
        (6.61, 6.0, 4),
        # a rise over the baseline counts whatever the baseline (normal baseline 0.6)
        (0.9, 0.6, 0),
        (0.91, 0.6, 2),  # > 1.5 x baseline although below the ULN
        (1.81, 0.6, 3),  # > 3 x baseline
        (1.2, 1.0, 1),  # 1.2 x baseline, > ULN: grade 1
    ],
)
def test_creatinine(value: float, baseline: float | None, grade: int) -> None:
    finding = ctcae_grade("creatinine_increased", value, uln=1.1, baseline=baseline)
    assert finding.value.grade == grade


@pytest.mark.parametrize(
    ("value", "lln", "grade"),
    [
        (35.0, 35.0, 0),
        (34.9, 35.0, 1),
        (30.0, 35.0, 1),
        (29.9, 35.0, 2),
        (20.0, None, 2),
        (19.9, None, 3),
        (10.0, None, 3),
    ],
)
def test_hypoalbuminaemia(value: float, lln: float | None, grade: int) -> None:
    finding = ctcae_grade(T.HYPOALBUMINEMIA, value, lln=lln)
    assert finding.value.grade == grade
    if grade == 3:
        assert any("no numeric threshold" in note for note in finding.notes)


def test_hypoalbuminaemia_in_g_dl_is_rejected() -> None:
    with pytest.raises(InvalidInputError) as info:
        ctcae_grade(T.HYPOALBUMINEMIA, 3.2, lln=3.5)
    assert {p.location for p in info.value.problems} == {"value", "lln"}
    assert "g/dL × 10" in str(info.value)


@pytest.mark.parametrize(
    ("value", "grade"),
    [(3.9, 0), (3.8, 1), (3.0, 1), (2.99, 2), (2.2, 2), (2.19, 3), (1.7, 3), (1.69, 4)],
)
def test_hypoglycaemia(value: float, grade: int) -> None:
    assert ctcae_grade(T.HYPOGLYCEMIA, value, lln=3.9).value.grade == grade


@pytest.mark.parametrize(
    ("intervention", "value", "expected"),
    [
        (None, 5.0, GradeRange(0, 0)),
        (None, 12.0, GradeRange(1, 4)),
        ("none", 12.0, GradeRange(1, 1)),
        (GlucoseIntervention.DAILY_MANAGEMENT_CHANGED, 12.0, GradeRange(2, 2)),
        ("insulin_or_hospitalisation", 20.0, GradeRange(3, 3)),
        ("life_threatening", 30.0, GradeRange(4, 4)),
    ],
)
def test_hyperglycaemia_by_intervention(
    intervention: str | None, value: float, expected: GradeRange
) -> None:
    finding = ctcae_grade(T.HYPERGLYCEMIA, value, uln=6.1, intervention=intervention)
    assert finding.value == expected
    assert not finding.verified  # the v5 term text was not read: recalled


def test_increased_terms_need_the_uln() -> None:
    with pytest.raises(InsufficientDataError):
        ctcae_grade(T.ALT_INCREASED, 100.0)


def test_missing_baseline_is_said() -> None:
    finding = ctcae_grade(T.AST_INCREASED, 100.0, uln=40.0)
    assert any("Baseline not given" in note for note in finding.notes)


def test_bad_chemistry_inputs_are_all_reported() -> None:
    with pytest.raises(InvalidInputError) as info:
        ctcae_grade(T.ALT_INCREASED, -1.0, uln=0.0, baseline=-3.0)
    assert {p.location for p in info.value.problems} == {"value", "uln", "baseline"}


@given(
    term=st.sampled_from(
        [
            T.ALT_INCREASED,
            T.ALKALINE_PHOSPHATASE_INCREASED,
            T.BLOOD_BILIRUBIN_INCREASED,
            T.CREATININE_INCREASED,
        ]
    ),
    a=st.floats(min_value=0, max_value=5000),
    b=st.floats(min_value=0, max_value=5000),
    baseline=st.one_of(st.none(), st.floats(min_value=0.1, max_value=500)),
)
def test_grade_never_falls_as_the_value_rises(
    term: CTCAETerm, a: float, b: float, baseline: float | None
) -> None:
    low, high = sorted((a, b))
    g_low = ctcae_grade(term, low, uln=40.0, baseline=baseline).value.grade
    g_high = ctcae_grade(term, high, uln=40.0, baseline=baseline).value.grade
    assert g_low is not None
    assert g_high is not None
    assert g_low <= g_high


def test_creatinine_rise_within_normal_range_is_noted() -> None:
    finding = ctcae_grade(T.CREATININE_INCREASED, 0.91, uln=1.1, baseline=0.6)
    assert finding.value.grade == 2
    assert any("within the normal range" in note for note in finding.notes)
