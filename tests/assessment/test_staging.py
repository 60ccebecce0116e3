"""The TNM prefix chosen from the record (c, p, yp) and recurrent nodal disease (rN)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from netline.assessment.staging import nodal_recurrence, staging_basis
from netline.records import record_from_data

RESECTION = {
    "type": "surgery",
    "date": "2021-01-01",
    "procedure": "distal_pancreatectomy",
    "organs": ["pancreas"],
    "intent": "curative",
}
LANREOTIDE = {
    "type": "systemic_therapy",
    "agent": "lanreotide",
    "start": "2020-03-01",
    "stop": "2020-12-01",
}


def record(*events: dict[str, Any]) -> Any:
    return record_from_data(
        {
            "id": "t",
            "patient": {"id": "p", "sex": "female", "birth_date": "1960-01-01"},
            "primary": {"site": "pancreas_tail", "diagnosed": "2020-01-01", "size_mm": 30},
            "events": list(events),
        }
    )


@pytest.mark.parametrize(
    ("events", "prefix"),
    [
        ([], "c"),
        ([RESECTION], "p"),
        ([LANREOTIDE, RESECTION], "yp"),
        ([{**LANREOTIDE, "start": "2021-02-01", "stop": None}, RESECTION], "p"),
        (
            [{**LANREOTIDE, "agent": "octreotide_sc", "given_for": "syndrome_control"}, RESECTION],
            "p",
        ),
        (
            [
                {
                    "type": "local_therapy",
                    "date": "2020-06-01",
                    "modality": "external_beam_radiotherapy",
                    "organ": "pancreas",
                    "target": "primary",
                },
                RESECTION,
            ],
            "yp",
        ),
        (
            [
                {
                    "type": "local_therapy",
                    "date": "2020-06-01",
                    "modality": "rfa",
                    "organ": "liver",
                    "target": "metastasis",
                },
                RESECTION,
            ],
            "p",
        ),
        ([{**RESECTION, "intent": "diagnostic"}], "c"),
    ],
)
def test_prefix_follows_the_record(events: list[dict[str, Any]], prefix: str) -> None:
    assert staging_basis(record(*events)).prefix == prefix


def test_nodal_disease_after_resection_is_rn1() -> None:
    scan = {
        "type": "imaging",
        "date": "2022-01-01",
        "modality": "ct",
        "organs_involved": ["regional_lymph_node"],
    }
    assert nodal_recurrence(record(RESECTION, scan)) == dt.date(2022, 1, 1)
    assert nodal_recurrence(record(scan)) is None  # no resection: not a recurrence


def test_nodes_known_before_the_resection_are_not_a_recurrence() -> None:
    before = {
        "type": "imaging",
        "date": "2020-12-01",
        "modality": "ct",
        "organs_involved": ["regional_lymph_node"],
    }
    after = {**before, "date": "2022-01-01"}
    assert nodal_recurrence(record(before, RESECTION, after)) is None
