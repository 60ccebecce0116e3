"""Output a clinician can read: one-screen summary, plain words, one decimal, every format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from netline.assessment import FORMATS, Assessment, assess, render_text
from netline.assessment.text import SUMMARY_MAX_LINES
from netline.records import load_case
from netline.records.vocabulary import (
    ImagingModality,
    InvadedStructure,
    LocalTherapyModality,
    Organ,
    PrimarySite,
    SurgicalProcedure,
    label,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module", params=CASES, ids=lambda p: p.stem)
def result(request: pytest.FixtureRequest) -> Assessment:
    return assess(load_case(request.param))


def test_summary_fits_one_screen_before_the_details(result: Assessment) -> None:
    lines = render_text(result).splitlines()
    details = lines.index("Diagnosis")
    before = lines[:details]
    while before and not before[-1].strip():
        before.pop()
    assert len(before) <= SUMMARY_MAX_LINES
    assert lines[2] == "Summary"


def test_no_vocabulary_codes_reach_the_reader(result: Assessment) -> None:
    text = render_text(result)
    body = text.split("Assumptions made in encoding the case")[0]
    codes = [
        member.value
        for enum in (
            PrimarySite,
            Organ,
            InvadedStructure,
            SurgicalProcedure,
            LocalTherapyModality,
            ImagingModality,
        )
        for member in enum
        if "_" in member.value
    ] + ["liver_metastasis", "no_evidence_of_disease", "mtor_inhibitor", "syndrome_control"]
    for code in codes:
        assert code not in body, code


def test_durations_have_one_decimal(result: Assessment) -> None:
    text = render_text(result)
    for match in re.finditer(r"(\S+) mo\b", text):
        assert re.fullmatch(r"\(?\d+\.\d", match.group(1)), match.group(0)


def test_pfs2_is_defined_where_it_appears(result: Assessment) -> None:
    for line in render_text(result).splitlines():
        if line.startswith("PFS2"):
            assert "first line" in line
            assert "second line" in line


def test_the_mitotic_conversion_is_stated() -> None:
    text = render_text(assess(load_case(EXAMPLES / "seed-case.yaml")))
    assert "6 per 10 HPF ≈ 6 per 2 mm² with a 0.2 mm² field" in text


def test_one_label_function_over_the_vocabulary() -> None:
    assert label(PrimarySite.PANCREAS_HEAD) == "pancreatic head"
    assert label("pancreas_head") == "pancreatic head"
    assert label(Organ.REGIONAL_LYMPH_NODE) == "regional lymph nodes"
    assert label(SurgicalProcedure.PARTIAL_HEPATECTOMY) == "partial hepatectomy"
    for enum in (PrimarySite, Organ, InvadedStructure, SurgicalProcedure, LocalTherapyModality):
        for member in enum:
            assert "_" not in label(member)


@pytest.mark.parametrize("fmt", FORMATS)
def test_result_protocol_renders_every_format(result: Assessment, fmt: str) -> None:
    out = result.render(fmt)
    assert result.case_id in out
    if fmt == "json":
        data = json.loads(out)
        assert data["schema_version"] == Assessment.schema_version
        assert data == json.loads(json.dumps(result.to_dict()))
    if fmt == "html":
        assert out.startswith("<!DOCTYPE html>")
        assert "<script" not in out
    if fmt == "markdown":
        assert out.startswith("# netline assessment")


def test_unknown_format_is_refused(result: Assessment) -> None:
    with pytest.raises(ValueError, match="markdown"):
        result.render("pdf")


def test_to_dict_carries_the_schema_version(result: Assessment) -> None:
    data = result.to_dict()
    assert data["schema_version"] == "1.1"
    assert data["staging_prefix"] in {"c", "p"}
    assert data["staging_basis"]["prefix"] in {"c", "p", "yp"}
