"""State extraction: what is read from the record, what is reported unknown, the date cut."""

from __future__ import annotations

import datetime as dt

import pytest

from netline.advice import decision_state, record_as_of
from netline.errors import InsufficientDataError

from .cases import AT, make_case


def test_facts_feed_the_knowledge_base_conditions() -> None:
    state = decision_state(make_case(ki67=8, band="10-25%"), AT)
    facts = state.facts
    assert str(facts.site) == "pancreas"
    assert str(facts.grade) == "G2"
    assert facts.ki67 == 8
    assert facts.sstr_positive is True
    assert str(facts.tumour_burden) == "moderate"
    assert facts.hepatic_burden == 17.5
    assert state.alternatives["hepatic_burden"] == (10.0, 25.0)
    assert str(facts.disease_course) == "stable"
    assert facts.line == 1
    assert facts.prior_classes == frozenset()
    assert facts.platelets == 220
    assert facts.bilirubin_to_uln == pytest.approx(0.5)
    # the knowledge base's names read the same facts in the unit they state
    assert facts.value("platelets_10e9_l") == 220
    assert facts.value("albumin_g_l") == pytest.approx(42)
    assert facts.value("albumin_g_dl") == pytest.approx(4.2)


def test_nothing_missing_is_assumed_normal() -> None:
    state = decision_state(make_case(labs={}, ecog=None, karnofsky=None, krenning=None), AT)
    for key in ("platelets", "creatinine_clearance", "karnofsky", "sstr_positive"):
        assert getattr(state.facts, key) is None
    items = [u.item for u in state.unknowns]
    assert any(item.startswith("labs:") for item in items)
    assert "performance status" in items
    assert "SSTR imaging (SRS or SSTR-PET)" in items


def test_progression_pace_is_not_guessed() -> None:
    state = decision_state(make_case(response="PD"), AT)
    assert str(state.facts.disease_course) == "progressive"
    alternatives = [str(v) for v in state.alternatives["disease_course"]]
    assert alternatives == ["slowly_progressive", "rapidly_progressive"]
    assert any("pace of progression" in note for note in state.notes)


def test_highest_ki67_across_specimens_is_used() -> None:
    liver = {
        "id": "liver-resection",
        "type": "surgery",
        "date": "2019-06-01",
        "procedure": "partial_hepatectomy",
        "organs": ["liver"],
        "pathology": {"histology": {"specimen": "liver_metastasis", "ki67_percent": 14}},
    }
    state = decision_state(make_case(ki67=6, extra_events=[liver]), AT)
    assert state.ki67_percent == 14
    assert state.ki67_source is not None
    assert "liver_metastasis" in state.ki67_source
    assert [s.ki67_percent for s in state.specimens] == [6, 14]
    assert state.liver_resections == (dt.date(2019, 6, 1),)


def test_record_as_of_drops_later_data_and_reopens_running_therapy() -> None:
    later_labs = {
        "id": "late-labs",
        "type": "labs",
        "date": "2022-01-01",
        "results": [{"analyte": "platelets", "value": 40, "unit": "10^9/L"}],
    }
    record = make_case(
        lines=[("everolimus", "2020-06-01", "2021-06-01", "progression")],
        later_events=[later_labs],
    )
    view = record_as_of(record, AT)
    therapy = next(e for e in view.events if getattr(e, "agent", None) is not None)
    assert therapy.stop is None  # type: ignore[union-attr]
    assert all(e.when <= AT for e in view.events)
    state = decision_state(record, AT)
    assert state.labs["platelets"].value == 220
    assert state.current_line is not None
    assert state.current_line.ongoing


def test_growth_rate_from_two_measured_scans() -> None:
    scans = [
        {
            "id": f"ct-{i}",
            "type": "imaging",
            "date": date,
            "modality": "ct",
            "lesions": [{"id": "L1", "organ": "liver", "diameter_mm": size}],
        }
        for i, (date, size) in enumerate((("2020-06-01", 20.0), ("2020-12-01", 25.0)))
    ]
    state = decision_state(make_case(extra_events=scans), AT)
    assert state.growth_rate_percent_per_month is not None
    assert state.growth_rate_percent_per_month == pytest.approx(11.8, abs=0.3)
    assert state.growth_rate_basis is not None
    assert "20 → 25" in state.growth_rate_basis


def test_decision_date_before_diagnosis_is_refused() -> None:
    with pytest.raises(InsufficientDataError, match="before the diagnosis"):
        decision_state(make_case(), dt.date(2017, 1, 1))


def test_state_json_is_serialisable() -> None:
    import json

    data = decision_state(make_case(response="PD"), AT).to_dict()
    text = json.dumps(data)
    assert '"disease_course": "progressive"' in text
    assert data["facts"]["prior_classes"] == []
