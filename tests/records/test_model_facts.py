"""Record facts that published cases need (issue 11) and finite numbers everywhere (issue 10)."""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from netline.errors import InvalidRecordError
from netline.records import (
    CaseRecord,
    Medication,
    ReportedGrade,
    involved_organs,
    involvement_changes,
    load_case,
    no_evidence_of_disease_since,
    record_from_data,
)
from netline.records import model as model_package
from netline.records.model import _base
from netline.records.vocabulary import MedicationDrug, Organ

SEED = Path(__file__).parents[2] / "examples" / "seed-case.yaml"


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "t",
        "patient": {"id": "p", "sex": "female", "birth_date": "1960-01-01"},
        "primary": {"site": "pancreas_tail", "diagnosed": "2020-01-01", "size_mm": 25},
        "events": [],
    }
    data.update(overrides)
    return data


def problems_of(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidRecordError) as caught:
        record_from_data(data)
    return str(caught.value)


# --------------------------------------------------------------------------- reported grade


@pytest.mark.parametrize(
    ("text", "category", "grade", "edition"),
    [
        ("NET G2", "NET", 2, None),
        ("G1 (WHO 2013)", "NET", 1, 2013),
        ("net g3 (WHO 2019)", "NET", 3, 2019),
        ("NEC", "NEC", None, None),
    ],
)
def test_reported_grade_is_read_from_text(
    text: str, category: str, grade: int | None, edition: int | None
) -> None:
    data = minimal()
    data["primary"]["histology"] = {"reported_grade": text}
    histology = record_from_data(data).primary.histology
    assert histology is not None
    expected = ReportedGrade.model_validate(
        {"category": category, "grade": grade, "who_edition": edition}
    )
    assert histology.reported_grade == expected


@pytest.mark.parametrize("text", ["G5", "grade two", "NEC G1", ""])
def test_unreadable_or_impossible_reported_grade_is_a_problem(text: str) -> None:
    data = minimal()
    data["primary"]["histology"] = {"reported_grade": text}
    assert "reported_grade" in problems_of(data)


# --------------------------------------------------------------------------- local therapy


def test_local_therapy_keeps_its_target() -> None:
    data = minimal(
        events=[
            {
                "type": "local_therapy",
                "date": "2021-01-01",
                "modality": "rfa",
                "organ": "liver",
                "target": "metastasis",
                "lesions": ["s7"],
                "lesion_detail": "segment 7, 18 mm",
            }
        ]
    )
    [therapy] = record_from_data(data).events
    assert therapy.target.value == "metastasis"  # type: ignore[union-attr]
    assert therapy.lesions == ["s7"]  # type: ignore[union-attr]


def test_local_therapy_of_the_primary_must_be_in_the_pancreas() -> None:
    data = minimal(
        events=[
            {
                "type": "local_therapy",
                "date": "2021-01-01",
                "modality": "rfa",
                "organ": "liver",
                "target": "primary",
            }
        ]
    )
    assert "pancreas" in problems_of(data)


# --------------------------------------------------------------------------- medication


def test_syndrome_control_medication_with_dose() -> None:
    data = minimal(
        events=[
            {
                "type": "medication",
                "drug": "Nexium",
                "start": "2020-01-05",
                "dose": {"amount": 40, "unit": "mg"},
                "schedule": "twice daily",
            }
        ]
    )
    [medication] = record_from_data(data).events
    assert isinstance(medication, Medication)
    assert medication.drug is MedicationDrug.ESOMEPRAZOLE
    assert medication.drug.is_proton_pump_inhibitor
    assert medication.dose is not None
    assert medication.dose.amount == 40


def test_diazoxide_is_not_a_line_of_therapy() -> None:
    data = minimal(
        events=[{"type": "systemic_therapy", "agent": "diazoxide", "start": "2020-02-01"}]
    )
    assert "medication" in problems_of(data)


def test_an_antitumour_agent_is_not_a_medication() -> None:
    data = minimal(events=[{"type": "medication", "drug": "lanreotide", "start": "2020-02-01"}])
    assert "systemic_therapy" in problems_of(data)


def test_other_drug_needs_a_name() -> None:
    data = minimal(events=[{"type": "medication", "drug": "other", "start": "2020-02-01"}])
    assert "name" in problems_of(data)


# --------------------------------------------------------------------------- burden over time


def test_no_evidence_of_disease_clears_the_burden_from_that_date() -> None:
    data = minimal(
        metastases=[{"organ": "liver", "found": "2020-01-01"}],
        events=[
            {"type": "disease_status", "date": "2021-01-01", "status": "no_evidence_of_disease"}
        ],
    )
    record = record_from_data(data)
    assert Organ.LIVER in involved_organs(record, dt.date(2020, 12, 31))
    assert involved_organs(record, dt.date(2021, 1, 1)) == frozenset()
    assert no_evidence_of_disease_since(record, dt.date(2022, 1, 1)) == dt.date(2021, 1, 1)


def test_a_scan_that_finds_an_organ_clear_clears_only_that_organ() -> None:
    data = minimal(
        metastases=[
            {"organ": "liver", "found": "2020-01-01"},
            {"organ": "bone", "found": "2020-06-01"},
        ],
        events=[
            {
                "type": "imaging",
                "date": "2021-01-01",
                "modality": "ct",
                "organs_involved": ["bone"],
                "organs_clear": ["liver"],
            }
        ],
    )
    record = record_from_data(data)
    assert involved_organs(record, dt.date(2021, 1, 1)) == {Organ.BONE}


def test_tumour_found_again_after_clearing_counts_again() -> None:
    data = minimal(
        metastases=[
            {"organ": "liver", "found": "2020-01-01"},
            {"organ": "liver", "found": "2022-01-01"},
        ],
        events=[
            {"type": "disease_status", "date": "2021-01-01", "status": "no_evidence_of_disease"},
        ],
    )
    record = record_from_data(data)
    changes = involvement_changes(record)
    assert [(d.isoformat(), sorted(o)) for d, o in changes] == [
        ("2020-01-01", [Organ.LIVER]),
        ("2021-01-01", []),
        ("2022-01-01", [Organ.LIVER]),
    ]
    assert no_evidence_of_disease_since(record, dt.date(2022, 6, 1)) is None


def test_a_later_status_with_disease_ends_no_evidence_of_disease() -> None:
    data = minimal(
        events=[
            {"type": "disease_status", "date": "2021-01-01", "status": "no_evidence_of_disease"},
            {"type": "disease_status", "date": "2022-01-01", "status": "progressing"},
        ]
    )
    record = record_from_data(data)
    assert no_evidence_of_disease_since(record, dt.date(2021, 6, 1)) == dt.date(2021, 1, 1)
    assert no_evidence_of_disease_since(record, dt.date(2022, 6, 1)) is None


def test_an_organ_cannot_be_involved_and_clear_on_one_scan() -> None:
    data = minimal(
        events=[
            {
                "type": "imaging",
                "date": "2021-01-01",
                "modality": "ct",
                "organs_involved": ["liver"],
                "organs_clear": ["liver"],
            }
        ]
    )
    assert "not both" in problems_of(data)


def test_seed_case_m_category_over_time() -> None:
    record = load_case(SEED)
    changes = [
        (d.year, sorted(o.value for o in organs)) for d, organs in involvement_changes(record)
    ]
    assert changes == [(2015, ["liver"]), (2018, ["bone", "liver"]), (2023, ["bone"])]


# --------------------------------------------------------------------------- thrombus


def test_vascular_thrombus_with_extent() -> None:
    data = minimal()
    data["primary"]["vascular_thrombus"] = [
        {"vessel": "portal_vein", "kind": "tumour", "extent": "to the hepatic hilus"}
    ]
    [thrombus] = record_from_data(data).primary.vascular_thrombus
    assert thrombus.vessel.value == "portal_vein"
    assert thrombus.extent == "to the hepatic hilus"


# --------------------------------------------------------------------------- finite numbers


def _models() -> list[type[BaseModel]]:
    found = []
    for name in model_package.__all__:
        obj = getattr(model_package, name)
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            found.append(obj)
    return found


def test_every_record_model_refuses_non_finite_numbers() -> None:
    models = _models()
    assert CaseRecord in models
    assert len(models) > 20
    for model in models:
        assert issubclass(model, _base._Model), model
        assert model.model_config.get("allow_inf_nan") is False, model


NUMERIC_PATHS: list[tuple[str, ...]] = [
    ("primary", "size_mm"),
    ("primary", "histology", "ki67_percent"),
    ("primary", "histology", "mitotic_count", "count"),
    ("events", "0", "results", "0", "value"),
    ("events", "0", "results", "0", "upper_limit"),
    ("events", "1", "dose", "amount"),
    ("events", "2", "blood_loss_ml"),
    ("events", "3", "lesions", "0", "diameter_mm"),
]


def _full() -> dict[str, Any]:
    data = minimal()
    data["primary"]["histology"] = {
        "ki67_percent": 5,
        "mitotic_count": {"count": 2, "unit": "per_2mm2"},
    }
    data["events"] = [
        {
            "type": "labs",
            "date": "2020-02-01",
            "results": [
                {"analyte": "creatinine", "value": 80, "unit": "umol/L", "upper_limit": 100}
            ],
        },
        {
            "type": "systemic_therapy",
            "agent": "lanreotide",
            "start": "2020-03-01",
            "dose": {"amount": 120, "unit": "mg"},
        },
        {
            "type": "surgery",
            "date": "2020-04-01",
            "procedure": "distal_pancreatectomy",
            "organs": ["pancreas"],
            "blood_loss_ml": 300,
        },
        {
            "type": "imaging",
            "date": "2020-05-01",
            "modality": "ct",
            "lesions": [{"id": "a", "organ": "liver", "diameter_mm": 12}],
        },
    ]
    return data


@pytest.mark.parametrize("path", NUMERIC_PATHS, ids=".".join)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(path: tuple[str, ...], bad: float) -> None:
    data = copy.deepcopy(_full())
    record_from_data(copy.deepcopy(data))  # the base is valid
    target: Any = data
    for key in path[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    target[path[-1]] = bad
    with pytest.raises(InvalidRecordError):
        record_from_data(data)


_ORGANS = [Organ.LIVER, Organ.BONE, Organ.LUNG, Organ.PERITONEUM]


@given(
    found=st.lists(
        st.tuples(st.sampled_from(_ORGANS), st.integers(min_value=0, max_value=2000)),
        min_size=1,
        max_size=6,
    ),
    ned_day=st.integers(min_value=0, max_value=2000),
    probe=st.integers(min_value=0, max_value=2500),
)
def test_involvement_is_what_was_found_since_the_last_clearing(
    found: list[tuple[Organ, int]], ned_day: int, probe: int
) -> None:
    start = dt.date(2020, 1, 1)
    data = minimal(
        metastases=[
            {"organ": organ.value, "found": (start + dt.timedelta(days=day)).isoformat()}
            for organ, day in found
        ],
        events=[
            {
                "type": "disease_status",
                "date": (start + dt.timedelta(days=ned_day)).isoformat(),
                "status": "no_evidence_of_disease",
            }
        ],
    )
    record = record_from_data(data)
    when = start + dt.timedelta(days=probe)
    expected = {
        organ for organ, day in found if day <= probe and (ned_day > probe or day > ned_day)
    }
    assert involved_organs(record, when) == expected
    # the change list replays the same answer at every change date
    for date, organs in involvement_changes(record):
        assert organs == {o for o in involved_organs(record, date) if o.is_distant}
