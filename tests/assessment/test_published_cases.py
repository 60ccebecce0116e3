"""Published pNET case reports, encoded as examples: assess reports them correctly (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from netline.assessment import Assessment, assess
from netline.records import load_case

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = sorted(p for p in EXAMPLES.glob("*.yaml"))
PUBLISHED = [p for p in CASES if p.name != "seed-case.yaml"]


def run(name: str) -> Assessment:
    return assess(load_case(EXAMPLES / name))


def test_three_or_more_further_published_cases() -> None:
    assert len(PUBLISHED) >= 3


@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: p.stem)
def test_each_case_cites_its_source_and_lists_its_assumptions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert re.search(r"doi:10\.\d{4,}/", header), "the header names the DOI"
    assert "Assumptions" in header
    data = yaml.safe_load(text)
    assert "doi:10." in data["source"]
    assert data["assumptions"], "every assumption is also in the record"
    record = load_case(path)
    assert not record.synthetic
    assert re.match(r"^[a-z]+-\d{4}-[a-z0-9-]+$", path.stem)


def test_locally_advanced_primary_with_portal_tumour_thrombus_is_yp_after_everolimus() -> None:
    result = run("surgcaserep-2017-everolimus-portal-thrombus.yaml")
    assert result.grade is not None
    assert result.grade.value == "NET G2"
    assert result.grades[0].reported is True
    assert result.staging_basis.prefix == "yp"
    assert result.staging_text("AJCC 8") == "cT3 NX M0, stage not assignable"
    assert result.staging_after_therapy is not None
    after = result.to_dict()["staging_after_therapy"]["AJCC 8"]["code"]
    assert after == "ypT3 N0 M0, stage II"
    [thrombus] = result.thrombi
    assert (thrombus.vessel, thrombus.kind) == ("portal_vein", "tumour")
    assert thrombus.extent is not None
    assert "hepatic hilus" in thrombus.extent
    assert result.course is not None
    assert [line.label for line in result.course.lines] == ["everolimus"]
    assert result.no_evidence_of_disease_since == dt.date(2017, 5, 15)
    assert result.m_timeline == ()
    text = result.render("text")
    assert "ypT3 N0 M0, stage II" in text
    assert "tumour thrombus in the portal vein" in text
    assert "NET G2, as reported" in text


def test_insulinoma_with_diazoxide_enucleation_and_recurrence() -> None:
    result = run("ahmad-2017-recurrent-insulinoma.yaml")
    assert result.primary["functioning_syndrome"] == "insulinoma"
    assert result.grade is None  # the report read gives no grade: nothing is invented
    # octreotide was given only for hypoglycaemia: the resection is not post-therapy
    assert result.staging_basis.prefix == "p"
    assert result.staging_text("AJCC 8").startswith("pTX NX M0")
    assert [(m.drug, m.purpose) for m in result.medications] == [
        ("hydrocortisone", "other"),
        ("diazoxide", "syndrome_control"),
    ]
    assert [s.procedure for s in result.surgeries] == ["enucleation"]
    assert result.local_therapies == ()
    # no evidence of disease after enucleation, ended by the recurrence 2 years later
    assert result.no_evidence_of_disease_since is None
    assert result.disease_status[-1][1] == "progressing"
    text = result.render("text")
    assert "diazoxide (syndrome control)" in text
    assert "pancreatic head" in text


def test_liver_metastases_with_tace_and_portal_vein_thrombosis() -> None:
    result = run("tian-2022-liver-metastases-tace.yaml")
    assert result.staging_basis.prefix == "c"
    assert result.staging_text("AJCC 8") == "cTX NX M1a, stage IV"
    assert [(s.since.isoformat(), s.m["AJCC 8"]) for s in result.m_timeline] == [
        ("2016-07-01", "M1a")
    ]
    [tace] = result.local_therapies
    assert (tace.modality, tace.organ, tace.target) == ("tace", "liver", "metastasis")
    [thrombus] = result.thrombi
    assert thrombus.kind == "unknown"
    assert result.course is not None
    assert result.course.lines == ()
    assert [m.drug for m in result.medications] == ["anticoagulant"]
    text = result.render("text")
    assert "transarterial chemoembolisation (TACE) of metastasis in the liver" in text
    assert "thrombus (tumour or bland not stated)" in text


def test_seed_case_prefixes_m_over_time_and_nodal_recurrence() -> None:
    result = run("seed-case.yaml")
    assert result.staging_basis.prefix == "p"
    assert result.staging_text("AJCC 8") == "pT3 N0 M0, stage II"
    assert [(s.since.year, s.m["AJCC 8"]) for s in result.m_timeline] == [
        (2015, "M1a"),
        (2018, "M1c"),
        (2023, "M1b"),
    ]
    assert result.nodal_recurrence == dt.date(2016, 3, 1)
    text = result.render("text")
    assert "M1a from 2015-01-01 (liver)" in text
    assert "M1c from 2018-07-01 (bone, liver)" in text
    assert "rN1 from 2016-03-01" in text
