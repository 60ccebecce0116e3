"""The seed case (Umino et al. 2024): its course as the report describes it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from netline.course import CourseSummary, derive_course
from netline.errors import UnknownKeyError
from netline.records import load_case

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"


@pytest.fixture(scope="module")
def course() -> CourseSummary:
    return derive_course(load_case(SEED))


def test_three_lines_in_order(course: CourseSummary) -> None:
    assert [line.label for line in course.lines] == [
        "lanreotide",
        "177Lu-DOTATATE x4",
        "lanreotide",
    ]
    assert [line.kind for line in course.lines] == ["systemic"] * 3
    assert [line.episode_ids for line in course.lines] == [
        ("lanreotide-1",),
        ("prrt",),
        ("lanreotide-2",),
    ]


def test_first_line_lanreotide_ends_in_progression(course: CourseSummary) -> None:
    l1 = course.line(1)
    assert l1.end_reason == "progression"
    assert l1.best_response == "PD"
    assert l1.pfs.event is True
    assert l1.pfs.reason == "progression"
    assert l1.pfs.days == (dt.date(2019, 2, 1) - dt.date(2018, 8, 1)).days


def test_second_line_prrt_in_trial_with_response(course: CourseSummary) -> None:
    l2 = course.line(2)
    assert l2.agents == ("lu177_dotatate",)
    assert l2.cycles == 4
    assert l2.clinical_trial is True
    assert l2.end_reason == "completed"
    assert l2.best_response == "PR"
    assert l2.best_response_source == "recorded"
    assert l2.responded
    # progression: the new liver lesion 20 months after the end of PRRT
    assert l2.first_progression == l2.end + relativedelta(months=20)
    assert l2.pfs.event is True
    assert l2.pfs.days == (l2.first_progression - l2.start).days


def test_third_line_lanreotide_reintroduced_after_new_lesion(course: CourseSummary) -> None:
    l2, l3 = course.line(2), course.line(3)
    assert l3.start == l2.end + relativedelta(months=21)  # 20 months, then 1 month to start
    assert l3.start > l2.first_progression  # re-introduced after documented progression
    assert l3.best_response == "responding"
    assert l3.best_response_source == "clinician"
    assert l3.responded
    assert l3.end_reason == "surgery"
    assert l3.pfs.event is False
    assert l3.ongoing is False


def test_conversion_surgery_r0_pcr_then_no_treatment_no_recurrence(
    course: CourseSummary,
) -> None:
    conversion = course.procedures[-1]
    assert conversion.margin == "R0"
    assert conversion.pathological_complete_response is True
    assert conversion.label == "partial hepatectomy (R0, pCR)"
    assert conversion.date > course.line(3).end
    # no line after the conversion surgery, no progression after it
    assert all(line.start < conversion.date for line in course.lines)
    assert not [a for a in course.assessments if a.progression and a.date > conversion.date]
    follow_up = course.outcomes.last_follow_up
    assert follow_up == conversion.date + relativedelta(months=17)
    assert course.outcomes.death is None


def test_patient_outcomes(course: CourseSummary) -> None:
    out = course.outcomes
    assert out.n_lines == 3
    assert out.first_metastasis == dt.date(2015, 1, 1)  # liver, 45 months after resection
    assert out.os_from_diagnosis.days == (out.last_follow_up - out.diagnosis).days
    assert out.os_from_diagnosis.event is False
    assert out.os_from_first_line.days == (out.last_follow_up - course.line(1).start).days
    # PFS2: from L1 start to progression on L2 (the new lesion)
    assert out.pfs2.event is True
    assert out.pfs2.days == (course.line(2).first_progression - course.line(1).start).days


def test_pfs_never_exceeds_os(course: CourseSummary) -> None:
    for line in course.lines:
        assert line.pfs.days is not None
        assert line.os.days is not None
        assert 0 <= line.pfs.days <= line.os.days


def test_summary_is_json(course: CourseSummary) -> None:
    data = json.loads(json.dumps(course.to_dict()))
    assert [line["name"] for line in data["lines"]] == ["L1", "L2", "L3"]
    assert data["lines"][1]["pfs"]["event"] is True
    assert data["lines"][0]["start"] == "2018-08-01"
    assert data["rules"]["regimen_window_days"] == 28
    assert "progression" in data["pfs_definition"]


def test_unknown_line_is_a_clear_error(course: CourseSummary) -> None:
    with pytest.raises(UnknownKeyError, match="L7"):
        course.line(7)
