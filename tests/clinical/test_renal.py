"""Cockcroft-Gault creatinine clearance (Cockcroft & Gault 1976)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical.renal import cockcroft_gault
from netline.errors import InsufficientDataError, InvalidInputError
from netline.records.vocabulary import Sex


@pytest.mark.parametrize(
    ("age", "weight", "creatinine", "sex", "expected"),
    [
        (60, 72, 1.0, "male", 80.0),  # (140-60)*72/(72*1.0)
        (60, 72, 1.0, "female", 68.0),
        (40, 70, 1.0, Sex.MALE, 100 * 70 / 72),
        (75, 55, 1.4, Sex.FEMALE, 65 * 55 / (72 * 1.4) * 0.85),
        (52, 65, 0.8, "male", 88 * 65 / (72 * 0.8)),
    ],
)
def test_cockcroft_gault(
    age: float, weight: float, creatinine: float, sex: str, expected: float
) -> None:
    finding = cockcroft_gault(
        age_years=age, weight_kg=weight, serum_creatinine_mg_dl=creatinine, sex=sex
    )
    assert finding.value == pytest.approx(expected)
    assert finding.references == ("cockcroft1976",)
    assert finding.verified
    assert f"{finding.value:.1f} mL/min" in finding.reason


@pytest.mark.parametrize("sex", ["other", "unknown"])
def test_sex_needed(sex: str) -> None:
    with pytest.raises(InsufficientDataError) as info:
        cockcroft_gault(age_years=60, weight_kg=70, serum_creatinine_mg_dl=1.0, sex=sex)
    assert info.value.missing == ("sex",)


@pytest.mark.parametrize(
    ("kwargs", "location", "value"),
    [
        ({"serum_creatinine_mg_dl": 88.0}, "serum_creatinine_mg_dl", 88.0),  # µmol/L given
        ({"serum_creatinine_mg_dl": 0}, "serum_creatinine_mg_dl", 0),
        ({"age_years": 150}, "age_years", 150),
        ({"age_years": 12}, "age_years", 12),
        ({"weight_kg": -70}, "weight_kg", -70),
        ({"sex": "f"}, "sex", "f"),
    ],
)
def test_invalid_cockcroft_gault(kwargs: dict[str, object], location: str, value: object) -> None:
    arguments: dict[str, object] = {
        "age_years": 60,
        "weight_kg": 70,
        "serum_creatinine_mg_dl": 1.0,
        "sex": "male",
    }
    arguments.update(kwargs)
    with pytest.raises(InvalidInputError) as info:
        cockcroft_gault(**arguments)  # type: ignore[arg-type]
    assert [(p.location, p.value) for p in info.value.problems] == [(location, value)]


@given(
    age=st.floats(min_value=18, max_value=120),
    weight=st.floats(min_value=30, max_value=200),
    a=st.floats(min_value=0.2, max_value=30),
    b=st.floats(min_value=0.2, max_value=30),
)
def test_clearance_falls_with_creatinine_and_female_factor(
    age: float, weight: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    male_low = cockcroft_gault(
        age_years=age, weight_kg=weight, serum_creatinine_mg_dl=low, sex="male"
    )
    male_high = cockcroft_gault(
        age_years=age, weight_kg=weight, serum_creatinine_mg_dl=high, sex="male"
    )
    female_low = cockcroft_gault(
        age_years=age, weight_kg=weight, serum_creatinine_mg_dl=low, sex="female"
    )
    assert male_low.value >= male_high.value
    assert female_low.value == pytest.approx(0.85 * male_low.value)
