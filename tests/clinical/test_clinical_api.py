"""Contract tests over every calculator: public API, docstrings, JSON output."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

import netline.clinical as clinical
from netline.clinical import Finding
from netline.clinical.recist import LesionMeasurement, TimePoint
from netline.records.vocabulary import Organ

CALCULATORS = sorted(
    name for name in clinical.__all__ if inspect.isfunction(getattr(clinical, name))
)


def test_all_is_sorted_unique_and_public() -> None:
    assert clinical.__all__ == sorted(clinical.__all__)
    assert len(set(clinical.__all__)) == len(clinical.__all__)
    assert not [name for name in clinical.__all__ if name.startswith("_")]
    assert "TNMEdition" in clinical.__all__
    assert clinical.TNMEdition.AJCC_8.value == "AJCC 8"


@pytest.mark.parametrize("name", CALCULATORS)
def test_calculator_docstring_is_numpydoc_with_references(name: str) -> None:
    doc = inspect.getdoc(getattr(clinical, name)) or ""
    for section in ("Parameters\n----------", "Returns\n-------", "References\n----------"):
        assert section in doc, f"{name}: missing {section.splitlines()[0]}"


@pytest.mark.parametrize("name", CALCULATORS)
def test_calculator_returns_a_finding(name: str) -> None:
    annotation = inspect.signature(getattr(clinical, name)).return_annotation
    assert "Finding[" in str(annotation) or name == "microscope_field_area"


EXAMPLES: list[tuple[Callable[..., Finding[Any]], dict[str, Any]]] = [
    (clinical.mitoses_per_2mm2, {"count": 6, "unit": "per_10hpf"}),
    (clinical.who_grade, {"ki67_percent": 10, "mitoses_per_2mm2": 6, "differentiation": "well"}),
    (clinical.t_category, {"size_mm": 35, "invaded": ["duodenum"], "edition": "AJCC 8"}),
    (clinical.n_category, {"positive_nodes": 0, "edition": "AJCC 8"}),
    (clinical.m_category, {"distant_metastases": ["liver"], "edition": "AJCC 8"}),
    (clinical.stage_pnet, {"size_mm": 35, "edition": "ENETS 2006", "basis": "p"}),
    (
        clinical.classify_lesion,
        {"lesion": LesionMeasurement("a", Organ.LIVER, False, 20.0)},
    ),
    (
        clinical.check_target_selection,
        {"targets": [LesionMeasurement("a", Organ.LIVER, False, 20.0)]},
    ),
    (
        clinical.sum_of_diameters,
        {"lesions": [LesionMeasurement("a", Organ.LIVER, False, 20.0)]},
    ),
    (clinical.nadir, {"sums_mm": [40.0, 30.0]}),
    (
        clinical.choose_targets,
        {"lesions": [LesionMeasurement("a", "liver", False, 20.0)]},
    ),
    (
        clinical.non_target_response,
        {
            "baseline": [LesionMeasurement("n", Organ.BONE, False, None)],
            "current": [LesionMeasurement("n", Organ.BONE, False, None)],
        },
    ),
    (
        clinical.response_series,
        {
            "baseline": [LesionMeasurement("a", Organ.LIVER, False, 20.0)],
            "scans": [
                clinical.ScanAssessment(56, [LesionMeasurement("a", Organ.LIVER, False, 10.0)])
            ],
        },
    ),
    (
        clinical.target_response,
        {
            "baseline": [LesionMeasurement("a", Organ.LIVER, False, 20.0)],
            "current": [LesionMeasurement("a", Organ.LIVER, False, 10.0)],
        },
    ),
    (clinical.overall_response, {"target": "PR", "non_target": None, "new_lesions": False}),
    (clinical.best_overall_response, {"assessments": [TimePoint(56, clinical.OverallResponse.PR)]}),
    (
        clinical.choi_response,
        {"baseline_sum_mm": 50, "current_sum_mm": 40, "new_lesions": False},
    ),
    (clinical.krenning_score, {"score": 3, "modality": "srs"}),
    (clinical.krenning_from_uptake, {"vs_liver": "higher", "modality": "sstr_pet"}),
    (
        clinical.child_pugh,
        {
            "bilirubin_mg_dl": 1,
            "albumin_g_l": 40,
            "inr": 1,
            "ascites": "none",
            "encephalopathy": "none",
        },
    ),
    (clinical.albi_grade, {"bilirubin_umol_l": 10, "albumin_g_l": 40}),
    (
        clinical.makuuchi_resection_limit,
        {"bilirubin_mg_dl": 0.8, "ascites": "absent", "icg_r15_percent": 3.3},
    ),
    (
        clinical.cockcroft_gault,
        {"age_years": 60, "weight_kg": 70, "serum_creatinine_mg_dl": 1, "sex": "male"},
    ),
    (clinical.ctcae_grade, {"term": "platelet_count_decreased", "value": 60}),
]


def test_every_calculator_has_an_example() -> None:
    covered = {function.__name__ for function, _ in EXAMPLES}
    assert covered == set(CALCULATORS) - {"microscope_field_area", "grade_histology"}


@pytest.mark.parametrize(("function", "kwargs"), EXAMPLES, ids=lambda x: getattr(x, "__name__", ""))
def test_finding_is_complete_and_json_ready(
    function: Callable[..., Finding[Any]], kwargs: dict[str, Any]
) -> None:
    finding = function(**kwargs)
    assert isinstance(finding, Finding)
    assert finding.rule
    assert finding.edition
    assert finding.reason
    assert finding.references
    assert finding.inputs
    data = json.loads(json.dumps(finding.to_dict(), ensure_ascii=False))
    assert data["verified"] is finding.verified
    assert str(finding)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_finding_follows_the_result_protocol(fmt: str) -> None:
    finding = clinical.krenning_from_uptake(vs_liver="higher", modality="sstr_pet")
    assert Finding.schema_version == "1"
    assert finding.to_dict()["schema_version"] == "1"
    text = finding.render(fmt)
    assert "3" in text
    if fmt == "json":
        assert json.loads(text)["value"]["score"] == 3
    if fmt == "html":
        assert text.startswith('<div class="finding">')
        assert "unverified" in text


def test_finding_render_rejects_other_formats() -> None:
    finding = clinical.nadir([40.0, 30.0])
    with pytest.raises(ValueError, match="unknown format"):
        finding.render("pdf")
