"""Lab units: required wherever a value has one; hormones converted on the way in."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.errors import InvalidRecordError
from netline.records import LabPanel, record_from_data
from netline.records.units import CANONICAL_UNITS, UNITLESS, accepted_units, to_canonical
from netline.records.vocabulary import Analyte


def with_lab(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "t",
        "patient": {"id": "p", "sex": "male", "birth_date": "1960-01-01"},
        "primary": {"site": "pancreas_head", "diagnosed": "2020-01-01"},
        "events": [{"type": "labs", "date": "2020-02-01", "results": [result]}],
    }


def lab(result: dict[str, Any]) -> Any:
    panel = record_from_data(with_lab(result)).events[0]
    assert isinstance(panel, LabPanel)
    return panel.results[0]


def test_a_value_without_its_unit_is_a_problem_not_the_default_unit() -> None:
    # creatinine 80 is 80 µmol/L in most of the world and would be lethal as 80 mg/dL
    with pytest.raises(InvalidRecordError) as caught:
        lab({"analyte": "creatinine", "value": 80})
    message = str(caught.value)
    assert "unit" in message
    assert "creatinine" in message
    assert "umol/L" in message


def test_the_inr_is_a_ratio_and_needs_no_unit() -> None:
    assert Analyte.INR in UNITLESS
    assert lab({"analyte": "inr", "value": 1.1}).value == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "expected", "canonical"),
    [
        ("gastrin", 476, "pmol/L", 999.6, "pg/mL"),  # ≈ 1000 pg/mL, the ZES threshold
        ("gastrin", 150, "ng/L", 150.0, "pg/mL"),
        ("insulin", 60, "pmol/L", 10.0, "mU/L"),
        ("c_peptide", 1.0, "nmol/L", 3.02, "ng/mL"),
        ("glucagon", 100, "pmol/L", 348.5, "pg/mL"),
        ("vip", 30, "pmol/L", 99.78, "pg/mL"),
        ("proinsulin", 93.9, "pg/mL", 10.0, "pmol/L"),
        ("creatinine", 88.4, "µmol/L", 1.0, "mg/dL"),
    ],
)
def test_hormones_and_markers_are_converted_on_the_way_in(
    analyte: str, value: float, unit: str, expected: float, canonical: str
) -> None:
    result = lab({"analyte": analyte, "value": value, "unit": unit})
    assert result.unit == canonical
    assert result.value == pytest.approx(expected, rel=1e-3)
    assert result.original_value == value
    assert result.original_unit == unit


def test_assay_specific_chromogranin_units_are_refused() -> None:
    with pytest.raises(InvalidRecordError) as caught:
        lab({"analyte": "chromogranin_a", "value": 3, "unit": "nmol/L"})
    assert "ng/mL" in str(caught.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_lab_values_are_refused(bad: float) -> None:
    with pytest.raises(InvalidRecordError):
        lab({"analyte": "gastrin", "value": bad, "unit": "pg/mL"})


def test_every_analyte_has_a_canonical_unit_it_accepts() -> None:
    for analyte in Analyte:
        assert CANONICAL_UNITS[analyte] in accepted_units(analyte)


@given(
    analyte=st.sampled_from(list(Analyte)),
    value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    scale=st.floats(min_value=0.5, max_value=2.0, allow_nan=False),
)
def test_conversion_is_linear_and_keeps_the_original(
    analyte: Analyte, value: float, scale: float
) -> None:
    for unit in accepted_units(analyte):
        one = to_canonical(analyte, value, unit)
        scaled = to_canonical(analyte, value * scale, unit)
        assert one.original_value == value
        assert one.original_unit == unit
        assert one.unit == CANONICAL_UNITS[analyte]
        assert scaled.value == pytest.approx(one.value * scale, rel=1e-5, abs=1e-5)


@given(analyte=st.sampled_from([a for a in Analyte if a not in UNITLESS]))
def test_to_canonical_refuses_a_missing_unit(analyte: Analyte) -> None:
    with pytest.raises(KeyError):
        to_canonical(analyte, 1.0, None)
