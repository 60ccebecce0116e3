"""RECIST 1.1 with the prior response: reappearance after CR and after PR/SD (issue 16 item 1).

Rule texts: RECIST working group FAQ ("Does a new lesion always result in PD?"): lesions that
disappear and reappear are PD only if the 20 % rule (or a new lesion) is met, OR if CR was
assigned at the previous assessment, in which case the reappearance of any lesion is PD.
Eisenhauer 2009: PD is >= 20 % AND >= 5 mm over the nadir; nodes < 10 mm short axis are normal.
"""

from __future__ import annotations

import pytest

from netline.clinical.recist import (
    LesionMeasurement,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    ScanAssessment,
    TargetResponse,
    non_target_response,
    overall_response,
    response_series,
    target_response,
)
from netline.clinical.recist import thresholds as th
from netline.errors import InvalidInputError
from netline.records.vocabulary import Organ

R = OverallResponse


def liver(lesion_id: str, size: float | None) -> LesionMeasurement:
    return LesionMeasurement(lesion_id, Organ.LIVER, False, size)


def node(lesion_id: str, size: float | None) -> LesionMeasurement:
    return LesionMeasurement(lesion_id, Organ.REGIONAL_LYMPH_NODE, True, size)


# ------------------------------------------------------------------ target response, prior CR


@pytest.mark.parametrize(
    ("now", "prior", "expected"),
    [
        # the defect of issue 16: 4 mm back after CR was PR (sum 4 vs baseline 30, < 5 mm rise)
        (4.0, R.CR, TargetResponse.PD),
        (4.0, None, TargetResponse.PR),
        (4.0, R.PR, TargetResponse.PR),
        (0.0, R.CR, TargetResponse.CR),
        (0.0, None, TargetResponse.CR),
        (0.1, R.CR, TargetResponse.PD),
        ("CR", "CR", TargetResponse.PD),  # prior given as its public string value
    ],
)
def test_non_nodal_reappearance(
    now: float | str, prior: R | str | None, expected: TargetResponse
) -> None:
    size = 4.0 if now == "CR" else float(now)
    finding = target_response(
        [liver("a", 30.0)], [liver("a", size)], nadir_mm=0.0, prior_response=prior
    )
    assert finding.value is expected


@pytest.mark.parametrize(
    ("short_axis", "expected"),
    [(9.9, TargetResponse.CR), (10.0, TargetResponse.PD), (5.0, TargetResponse.CR)],
)
def test_node_reappears_at_10_mm_after_cr(short_axis: float, expected: TargetResponse) -> None:
    finding = target_response(
        [node("n", 20.0)], [node("n", short_axis)], nadir_mm=8.0, prior_response=R.CR
    )
    assert finding.value is expected


def test_reappearance_after_cr_beats_unmeasured_targets() -> None:
    finding = target_response(
        [liver("a", 30.0), liver("b", 20.0)], [liver("a", 3.0)], nadir_mm=0, prior_response="CR"
    )
    assert finding.value is TargetResponse.PD
    assert "reappeared after CR" in finding.reason
    assert "recist_faq" in finding.references
    assert finding.verified


@pytest.mark.parametrize(
    ("b_now", "expected"),
    [
        (4.0, TargetResponse.PR),  # sum 14 vs nadir 10: +4 mm < 5 mm
        (4.9, TargetResponse.PR),
        (5.0, TargetResponse.PD),  # +5 mm and +50 %: both met
        (6.0, TargetResponse.PD),
    ],
)
def test_after_pr_reappearing_lesion_is_added_back(b_now: float, expected: TargetResponse) -> None:
    finding = target_response(
        [liver("a", 20.0), liver("b", 20.0)],
        [liver("a", 10.0), liver("b", b_now)],
        nadir_mm=10.0,
        prior_response=R.PR,
    )
    assert finding.value is expected


def test_invalid_prior_response() -> None:
    with pytest.raises(InvalidInputError) as info:
        target_response([liver("a", 30.0)], [liver("a", 4.0)], prior_response="better")
    assert info.value.problems[0].location == "prior_response"


# ------------------------------------------------------------------ overall response, prior CR


@pytest.mark.parametrize(
    ("target", "non_target", "new", "expected"),
    [
        ("CR", "CR", "absent", R.CR),
        ("CR", "non-CR/non-PD", "absent", R.PD),  # a non-target reappeared
        ("PR", None, "absent", R.PD),  # PR after CR implies reappearance
        ("SD", "CR", "absent", R.PD),
        ("NE", "CR", "absent", R.NE),
        ("CR", "NE", "absent", R.PR),  # not all evaluated: no reappearance seen
        (None, "non-CR/non-PD", "absent", R.PD),  # non-target-only disease
        (None, "CR", "equivocal", R.CR),
        ("CR", None, "not_assessed", R.NE),
    ],
)
def test_overall_after_cr(
    target: str | None, non_target: str | None, new: str, expected: OverallResponse
) -> None:
    finding = overall_response(
        target=target, non_target=non_target, new_lesions=new, prior_response=R.CR
    )
    assert finding.value is expected


def test_overall_without_prior_is_the_table() -> None:
    assert overall_response(target="CR", non_target="non-CR/non-PD", new_lesions=False).value is (
        R.PR
    )
    assert overall_response(target="PR", non_target=None, new_lesions=False).value is R.PR


# ------------------------------------------------------------------ non-target response


@pytest.mark.parametrize(
    ("now", "progression", "expected"),
    [
        ([liver("x", 0.0), node("y", 9.9)], False, NonTargetResponse.CR),
        ([liver("x", 0.0), node("y", 10.0)], False, NonTargetResponse.NON_CR_NON_PD),
        ([liver("x", None), node("y", 5.0)], False, NonTargetResponse.NON_CR_NON_PD),
        ([liver("x", 0.0)], False, NonTargetResponse.NE),
        ([liver("x", 0.0)], True, NonTargetResponse.PD),
    ],
)
def test_non_target_response(
    now: list[LesionMeasurement], progression: bool, expected: NonTargetResponse
) -> None:
    baseline = [liver("x", None), node("y", 12.0)]
    finding = non_target_response(baseline, now, unequivocal_progression=progression)
    assert finding.value is expected


def test_non_target_rejects_unknown_lesion() -> None:
    with pytest.raises(InvalidInputError) as info:
        non_target_response([liver("x", None)], [liver("z", None)])
    assert info.value.problems[0].location == "current[0].id"


# ------------------------------------------------------------------ the series


def test_series_reappearance_after_confirmed_cr_is_progression() -> None:
    # issue 16 reproduction: before, day 168 was PR and the progression was missed
    series = response_series(
        [liver("a", 30.0)],
        [
            ScanAssessment(56, [liver("a", 0.0)]),
            ScanAssessment(112, [liver("a", 0.0)]),
            ScanAssessment(168, [liver("a", 4.0)]),
        ],
    ).value
    assert [p.response for p in series.points] == [R.CR, R.CR, R.PD]
    assert series.progression_day == 168
    assert series.best is R.CR
    assert series.best_confirmed is R.CR
    assert series.nadir_mm == 0.0
    assert series.points[2].nadir_mm == 0.0


def test_series_after_pr_reappearance_is_judged_by_the_sum() -> None:
    series = response_series(
        [liver("a", 20.0), liver("b", 20.0)],
        [
            ScanAssessment(56, [liver("a", 10.0), liver("b", 0.0)]),
            ScanAssessment(112, [liver("a", 10.0), liver("b", 4.0)]),
            ScanAssessment(168, [liver("a", 10.0), liver("b", 6.0)]),
        ],
    ).value
    assert [p.response for p in series.points] == [R.PR, R.PR, R.PD]
    assert [p.sum_mm for p in series.points] == [10.0, 14.0, 16.0]
    assert series.progression_day == 168
    assert series.best is R.PR
    assert series.best_confirmed is R.PR  # 56 confirmed by 112 (>= 28 days)


def test_series_cr_with_non_target_left_is_pr_then_reappearance_by_sum() -> None:
    # target CR but a non-target persists: overall PR, so no "after CR" rule
    series = response_series(
        [liver("a", 30.0)],
        [
            ScanAssessment(56, [liver("a", 0.0)], non_target="non-CR/non-PD"),
            ScanAssessment(112, [liver("a", 4.0)], non_target="non-CR/non-PD"),
        ],
    ).value
    assert [p.response for p in series.points] == [R.PR, R.PR]
    assert series.progression_day is None


@pytest.mark.parametrize(
    ("new", "expected_day", "revised"),
    [
        # equivocal at 56, unequivocal at 112: PD dated back to 56
        (["equivocal", "present"], 56.0, [R.PD, R.PD]),
        (["equivocal", "equivocal", "present"], 56.0, [R.PD, R.PD, R.PD]),
        # the equivocal finding went away: no progression from it
        (["equivocal", "absent", "present"], 168.0, [R.SD, R.SD, R.PD]),
        (["equivocal", "absent"], None, [R.SD, R.SD]),
        (["absent", "equivocal"], None, [R.SD, R.SD]),
    ],
)
def test_series_equivocal_new_lesions(
    new: list[str], expected_day: float | None, revised: list[OverallResponse]
) -> None:
    scans = [
        ScanAssessment(56.0 * (i + 1), [liver("a", 28.0)], new_lesions=flag)
        for i, flag in enumerate(new)
    ]
    finding = response_series([liver("a", 30.0)], scans)
    series = finding.value
    assert series.progression_day == expected_day
    assert [p.revised for p in series.points] == revised
    assert all(
        p.response is not R.PD for p in series.points if p.new_lesions is NewLesions.EQUIVOCAL
    )
    if expected_day is None:
        assert series.unconfirmed_equivocal_days
        assert any("not confirmed" in note for note in finding.notes)


def test_series_equivocal_confirmed_changes_best_response() -> None:
    # SD at 56 would count (>= 42 days), but the equivocal lesion seen then is confirmed at 112
    series = response_series(
        [liver("a", 30.0)],
        [
            ScanAssessment(56, [liver("a", 28.0)], new_lesions=NewLesions.EQUIVOCAL),
            ScanAssessment(112, [liver("a", 28.0)], new_lesions=True),
        ],
    ).value
    assert series.best is R.PD
    assert series.progression_day == 56
    assert series.progression_confirmed_day == 112


def test_series_non_target_only() -> None:
    series = response_series(
        [],
        [
            ScanAssessment(56, non_target="CR"),
            ScanAssessment(112, non_target="non-CR/non-PD"),
        ],
    ).value
    assert [p.response for p in series.points] == [R.CR, R.PD]
    assert series.baseline_sum_mm is None


def test_series_reports_every_bad_scan() -> None:
    with pytest.raises(InvalidInputError) as info:
        response_series(
            [liver("a", 30.0)],
            [
                ScanAssessment(56, [liver("b", 3.0)], new_lesions="maybe"),
                ScanAssessment(50, [liver("a", -1.0)]),
            ],
        )
    where = {p.location for p in info.value.problems}
    assert {
        "scans[0].targets[0].id",
        "scans[0].new_lesions",
        "scans[1].day",
        "scans[1].targets[0].diameter_mm",
    } <= where


def test_series_json() -> None:
    finding = response_series([liver("a", 30.0)], [ScanAssessment(56, [liver("a", 10.0)])])
    data = finding.to_dict()
    assert data["value"]["best"] == "PR"
    assert data["value"]["points"][0]["response"] == "PR"


def test_thresholds_all_cited() -> None:
    names = [n for n in th.__all__ if n.isupper() and n != "THRESHOLD_SOURCES"]
    assert sorted(th.THRESHOLD_SOURCES) == sorted(names)
    assert {tag for _, tag in th.THRESHOLD_SOURCES.values()} <= {"verified", "recalled"}
    assert th.PD_ABSOLUTE_MM == 5.0
    assert th.PD_INCREASE_FRACTION == 0.20
    assert th.PR_DECREASE_FRACTION == 0.30
    assert th.MIN_CONFIRMATION_DAYS == 28
