"""The assessment service on small hand-built records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from netline.assessment import assess, render_text
from netline.records import record_from_data


def case(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "t",
        "patient": {
            "id": "p",
            "sex": "female",
            "birth_date": "1960-01-01",
            "last_follow_up": "2024-01-01",
        },
        "primary": {
            "site": "pancreas_tail",
            "diagnosed": "2020-01-01",
            "size_mm": 20,
            "histology": {"differentiation": "well", "ki67_percent": 2.5},
        },
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("size_mm", "invasion", "expected"),
    [
        (20, [], {"AJCC 8": "cT2 NX M0", "UICC 8": "cT1 NX M0", "ENETS 2006": "cT2 NX M0"}),
        (45, [], {"AJCC 8": "cT3 NX M0", "UICC 8": "cT3 NX M0", "ENETS 2006": "cT3 NX M0"}),
        (15, ["spleen"], {"AJCC 8": "cT4 NX M0", "UICC 8": "cT4 NX M0", "ENETS 2006": "cT4 NX M0"}),
    ],
)
def test_staging_uses_each_edition(
    size_mm: float, invasion: list[str], expected: dict[str, str]
) -> None:
    data = case()
    data["primary"].update(size_mm=size_mm, invasion=invasion)
    result = assess(record_from_data(data))
    assert {e: f.value.code for e, f in result.staging.items()} == expected


def test_grade_from_ki67_alone() -> None:
    result = assess(record_from_data(case()))
    assert result.grade is not None
    assert result.grade.value == "NET G1"  # 2.5 % is G1 under WHO 2019 (< 3 %)


def test_missing_histology_gives_no_grade_and_no_crash() -> None:
    data = case()
    del data["primary"]["histology"]
    result = assess(record_from_data(data))
    assert result.grade is None
    assert "NET G" not in render_text(result)


def test_metastases_at_diagnosis_change_m_and_later_sites_are_restaged() -> None:
    data = case(
        metastases=[
            {"organ": "liver", "found": "2020-01-01"},
            {"organ": "lung", "found": "2022-05-01"},
        ]
    )
    result = assess(record_from_data(data))
    assert result.staging["AJCC 8"].value.m.value == "M1a"
    assert result.staging["ENETS 2006"].value.m.value == "M1"
    assert result.metastatic_status is not None
    assert result.metastatic_status.as_of == dt.date(2022, 5, 1)
    assert result.metastatic_status.staging["AJCC 8"].value.m.value == "M1c"


def test_death_and_follow_up() -> None:
    data = case()
    data["patient"].update(death_date="2023-01-01", last_follow_up="2023-01-01")
    result = assess(record_from_data(data))
    assert result.vital_status == "died"
    assert result.follow_up_months == pytest.approx(36.0, abs=0.1)


def test_non_pancreatic_primary_warns() -> None:
    data = case()
    data["primary"]["site"] = "jejunum_ileum"
    result = assess(record_from_data(data))
    assert any("pancreatic NET system" in w for w in result.warnings)


def test_therapy_without_stop_runs_to_follow_up() -> None:
    data = case(
        events=[
            {
                "type": "systemic_therapy",
                "agent": "everolimus",
                "start": "2023-01-01",
                "reason_stopped": "ongoing",
            }
        ]
    )
    result = assess(record_from_data(data))
    [therapy] = result.therapies
    assert therapy.stop is None
    assert therapy.duration_months == pytest.approx(12.0, abs=0.1)
    assert therapy.agent_class == "mtor_inhibitor"
    assert "ongoing" in render_text(result)


def test_json_is_serialisable() -> None:
    import json

    json.dumps(assess(record_from_data(case())).to_dict())
