"""Plausibility warnings: possible but unusual values, each with a cited threshold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from netline.records import load_case, record_from_data
from netline.records.plausibility import PlausibilityWarning, plausibility_warnings

SEED = Path(__file__).parents[2] / "examples" / "seed-case.yaml"


def base() -> dict[str, Any]:
    return {
        "id": "case-1",
        "index_date": "2020-01-01",
        "patient": {"id": "p1", "sex": "female", "birth_date": "1960-05-01"},
        "primary": {"site": "pancreas_tail", "size_mm": 25, "diagnosed": "index"},
        "events": [],
    }


def warnings_of(data: dict[str, Any], at: dt.date | None = None) -> list[PlausibilityWarning]:
    return plausibility_warnings(record_from_data(data), at=at)


def prrt(*activities: float, start: str = "index + 1 month") -> dict[str, Any]:
    return {
        "id": "prrt",
        "type": "systemic_therapy",
        "agent": "lu177_dotatate",
        "start": start,
        "stop": f"{start} {8 * (len(activities) - 1)} weeks",
        "cycles": [
            {"date": f"{start} {8 * i} weeks", "activity_gbq": a} for i, a in enumerate(activities)
        ],
    }


def test_seed_case_has_no_warning() -> None:
    assert plausibility_warnings(load_case(SEED)) == []


def test_label_activities_give_no_warning() -> None:
    data = base()
    data["events"] = [prrt(7.4, 7.4, 7.4, 7.4)]
    assert warnings_of(data) == []


def test_activity_per_cycle_above_the_label() -> None:
    data = base()
    data["events"] = [prrt(7.4, 9.0)]
    (warning,) = warnings_of(data)
    assert warning.location == "events[0].cycles[1].activity_gbq"
    assert warning.value == 9.0
    assert "7.4 GBq per cycle" in warning.threshold
    assert "LUTATHERA" in warning.source
    assert warning.status == "verified"


def test_cumulative_activity_above_the_label_is_warned_once() -> None:
    data = base()
    data["events"] = [prrt(7.4, 7.4, 7.4, 7.4), prrt(7.4, 7.4, start="index + 40 months")]
    data["events"][1]["id"] = "prrt-2"
    (warning,) = warnings_of(data)
    assert warning.location == "events[1].cycles[0].activity_gbq"
    assert warning.value == pytest.approx(37.0)
    assert "29.6 GBq" in warning.threshold


def test_complete_response_with_tumour_bearing_lesions() -> None:
    data = base()
    data["events"] = [
        {
            "type": "surgery",
            "date": "index + 2 months",
            "procedure": "partial_hepatectomy",
            "organs": ["liver"],
            "pathology": {"viable_tumour": False, "lesions_resected": 3, "lesions_with_tumour": 2},
        }
    ]
    (warning,) = warnings_of(data)
    assert warning.location == "events[0].pathology"
    assert "complete response" in warning.message


@pytest.mark.parametrize(
    ("ecog", "karnofsky", "warned"), [(0, 90, False), (1, 60, False), (0, 50, True), (3, 90, True)]
)
def test_ecog_and_karnofsky_contradictions(ecog: int, karnofsky: int, warned: bool) -> None:
    data = base()
    data["patient"]["performance"] = [{"date": "index", "ecog": ecog, "karnofsky": karnofsky}]
    found = warnings_of(data)
    assert bool(found) is warned
    if warned:
        assert found[0].status == "recalled"
        assert "Oken" in found[0].source


def test_age_at_diagnosis_over_110() -> None:
    data = base()
    data["patient"]["birth_date"] = "1905-01-01"
    (warning,) = warnings_of(data)
    assert warning.location == "primary.diagnosed"
    assert "115.0 years" in warning.message


def test_treatment_before_the_diagnosis() -> None:
    data = base()
    data["events"] = [
        {
            "type": "surgery",
            "date": "index - 3 months",
            "procedure": "distal_pancreatectomy",
            "organs": ["pancreas"],
        }
    ]
    (warning,) = warnings_of(data)
    assert warning.location == "events[0].date"


def test_decision_date_after_the_last_follow_up() -> None:
    data = base()
    data["patient"]["last_follow_up"] = "index + 12 months"
    assert warnings_of(data, at=dt.date(2020, 6, 1)) == []
    (warning,) = warnings_of(data, at=dt.date(2022, 1, 1))
    assert warning.location == "--at"
    assert "after the last follow-up" in warning.message


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "warned"),
    [
        ("creatinine", 80, "umol/L", False),
        ("creatinine", 80, "mg/dL", True),  # a unit slip: 80 mg/dL is 7,072 umol/L
        ("haemoglobin", 0.5, "g/dL", True),
        ("platelets", 250, "10^9/L", False),
        ("chromogranin_a", 50000, "ng/mL", False),  # tumour markers may be enormous
    ],
)
def test_labs_outside_physiological_ranges(
    analyte: str, value: float, unit: str, warned: bool
) -> None:
    data = base()
    data["events"] = [
        {
            "type": "labs",
            "date": "index",
            "results": [{"analyte": analyte, "value": value, "unit": unit}],
        }
    ]
    found = warnings_of(data)
    assert bool(found) is warned
    if warned:
        assert found[0].location == "events[0].results[0].value"
        assert found[0].status == "uncertain"


def test_warnings_are_json_ready() -> None:
    data = base()
    data["events"] = [prrt(9.0)]
    (warning,) = warnings_of(data)
    assert set(warning.to_dict()) == {
        "location",
        "value",
        "message",
        "threshold",
        "source",
        "status",
    }
