"""The seed case (Umino et al. 2024): its course as the report describes it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from netline.course import CourseSummary, LineRules, derive_course
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
    # the new liver lesion 20 months after PRRT is reported as suspected (equivocal) and was
    # never confirmed: not progression (RECIST 1.1); PFS is censored at the next line
    assert l2.first_progression is None
    assert l2.pfs.event is False
    assert l2.pfs.reason == "censored_next_line"


def test_third_line_lanreotide_reintroduced_after_new_lesion(course: CourseSummary) -> None:
    l2, l3 = course.line(2), course.line(3)
    assert l3.start == l2.end + relativedelta(months=21)  # 20 months, then 1 month to start
    # no RECIST category in L3: the clinician's words stay in their own field
    assert l3.best_response is None
    assert l3.clinician_status == "responding"
    assert l3.responded
    assert l3.end_reason == "surgery"
    assert l3.ongoing is False


def test_third_line_pfs_censored_at_the_conversion_surgery(course: CourseSummary) -> None:
    """Issue 9: PFS of L3 no longer runs through the hepatectomy and 17 drug-free months."""
    l3 = course.line(3)
    surgery = course.procedures[-1].date
    assert l3.pfs.event is False
    assert l3.pfs.reason == "censored_procedure"
    # FDA 2018: censored at the last assessment before the new therapy (2022-06-01)
    assert l3.start + dt.timedelta(days=l3.pfs.days or 0) == dt.date(2022, 6, 1)
    assert l3.pfs.months is not None
    assert round(l3.pfs.months, 1) == 11.5
    # time to next treatment ends at the surgery itself: about 12.5 months
    assert l3.ttnt.reason == "procedure"
    assert l3.start + dt.timedelta(days=l3.ttnt.days or 0) == surgery
    assert l3.ttnt.months is not None
    assert round(l3.ttnt.months, 1) == 12.5


def test_third_line_pfs_censored_at_the_surgery_date_when_asked() -> None:
    course = derive_course(load_case(SEED), LineRules(pfs_censor_date="last_follow_up"))
    l3 = course.line(3)
    assert l3.pfs.reason == "censored_procedure"
    assert l3.start + dt.timedelta(days=l3.pfs.days or 0) == course.procedures[-1].date
    assert l3.pfs.months is not None
    assert round(l3.pfs.months, 1) == 12.5


def test_procedures_need_not_censor() -> None:
    course = derive_course(load_case(SEED), LineRules(next_therapy_procedures=frozenset()))
    l3 = course.line(3)
    assert l3.pfs.reason == "censored_last_assessment"
    assert l3.pfs.days == (dt.date(2023, 12, 1) - l3.start).days


def test_equivocal_lesion_is_said_and_not_progression(course: CourseSummary) -> None:
    scan = [a for a in course.assessments if a.event_id == "ct-new-lesion"]
    assert scan
    assert all(not a.progression for a in scan)
    assert all(a.note is not None and "equivocal" in a.note for a in scan)


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
    assert out.last_follow_up is not None
    assert out.diagnosis is not None
    assert out.n_lines == 3
    assert out.first_metastasis == dt.date(2015, 1, 1)  # liver, 45 months after resection
    assert out.os_from_diagnosis.days == (out.last_follow_up - out.diagnosis).days
    assert out.os_from_diagnosis.event is False
    assert out.os_from_first_line.days == (out.last_follow_up - course.line(1).start).days
    # EMA PFS2: no progression after the start of L2 (the 2021 lesion was equivocal)
    assert out.pfs2_ema.event is False
    assert out.pfs2_ema.days == (out.last_follow_up - course.line(1).start).days
    assert out.pfs2 == out.pfs2_ema


def test_pfs_never_exceeds_os(course: CourseSummary) -> None:
    for line in course.lines:
        assert line.pfs.days is not None
        assert line.os.days is not None
        assert 0 <= line.pfs.days <= line.os.days


def test_summary_is_json(course: CourseSummary) -> None:
    data = json.loads(json.dumps(course.to_dict()))
    assert [line["name"] for line in data["lines"]] == ["L1", "L2", "L3"]
    assert data["lines"][0]["pfs"]["event"] is True
    assert data["lines"][0]["start"] == "2018-08-01"
    assert data["rules"]["regimen_window_days"] == 28
    assert "progression" in data["pfs_definition"]


def test_unknown_line_is_a_clear_error(course: CourseSummary) -> None:
    with pytest.raises(UnknownKeyError, match="L7"):
        course.line(7)
