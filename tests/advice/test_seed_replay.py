"""The seed case (Umino 2024) replayed: the decision points the issue names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netline.advice import Advice, Replay, advise, decision_points, replay
from netline.records import CaseRecord, load_case

SEED = Path(__file__).parents[2] / "examples" / "seed-case.yaml"


@pytest.fixture(scope="module")
def record() -> CaseRecord:
    return load_case(SEED)


@pytest.fixture(scope="module")
def walked(record: CaseRecord) -> Replay:
    return replay(record)


def _step(walked: Replay, date: dt.date) -> Advice:
    for step in walked.steps:
        if step.point.date == date:
            return step.advice
    raise AssertionError(f"no decision point on {date}: {[s.point for s in walked.steps]}")


def test_decision_points_of_the_seed_course(record: CaseRecord) -> None:
    points = {p.date: p for p in decision_points(record)}
    assert points[dt.date(2019, 2, 1)].kind == "progression"
    assert "progression on lanreotide" in points[dt.date(2019, 2, 1)].label
    assert points[dt.date(2019, 12, 16)].kind == "response"
    # the 2021 lesion was reported as suspected: labelled equivocal, not progression
    assert points[dt.date(2021, 5, 16)].kind == "equivocal"
    assert "not progression unless confirmed" in points[dt.date(2021, 5, 16)].label
    before_conversion = points[dt.date(2022, 6, 1)]
    assert before_conversion.kind == "before_procedure"
    # from diagnosis (the work-up CT before the pancreatoduodenectomy), not from 2015
    first = min(points)
    assert first == dt.date(2011, 3, 1)
    assert points[first].kind == "diagnosis"
    assert points[dt.date(2011, 4, 1)].kind == "after_resection"
    assert points[dt.date(2015, 1, 1)].kind == "metastasis"


def test_progression_on_lanreotide_puts_prrt_among_the_top_with_caveats(walked: Replay) -> None:
    advice = _step(walked, dt.date(2019, 2, 1))
    state = advice.state
    assert state.ki67_percent == 12
    assert state.krenning_score == 3
    assert set(state.organs) == {"liver", "bone"}
    assert state.disease_course == "progressive"
    prrt = advice.option("lu177_dotatate")
    assert prrt.rank is not None
    assert prrt.rank <= 3
    cautions = " | ".join(p.text for p in prrt.cautions)
    assert "Ki-67 12 % is above 10 %" in cautions
    assert "bone" in cautions
    assert "Extrahepatic disease" in cautions
    # issue 12 item 6: at a February 2019 decision only evidence published by then gives the
    # expected outcome; OCLURANDOM (ESMO 2022) is shown, marked as later, never as the headline
    assert "OCLURANDOM" not in (prrt.expected_pfs or "")
    assert prrt.expected_pfs is not None
    # lanreotide, on which the disease progressed, is ranked below with the reason
    lanreotide = advice.option("lanreotide")
    assert lanreotide.cross_resistance
    assert lanreotide.rank is not None
    assert lanreotide.rank > prrt.rank
    # what was done: PRRT, offered at that rank
    step = next(s for s in walked.steps if s.point.date == dt.date(2019, 2, 1))
    assert step.actual_key == "lu177_dotatate"
    assert step.actual_rank == prrt.rank
    assert advice.surgery.status == "not_suggested"


def test_after_response_to_prrt_and_lanreotide_conversion_surgery_is_flagged(
    walked: Replay,
) -> None:
    advice = _step(walked, dt.date(2022, 6, 1))
    surgery = advice.surgery
    assert surgery.flagged_for_discussion
    assert surgery.status == "discuss_with_caveats"
    assert surgery.mode == "conversion"
    assert surgery.suggestion is not None
    assert "HPB surgeons" in surgery.suggestion
    caveats = " | ".join(p.text for p in surgery.caveats)
    assert "bone" in caveats
    assert "not be curative" in caveats
    # the seed case is the umino2024 report: never its own precedent
    assert not any("umino2024" in p.refs for p in surgery.caveats)
    assert "SSTR-PET" in " | ".join(p.text for p in surgery.to_assess)
    extent = " | ".join(p.text for p in surgery.extent)
    assert "stable" in extent
    assert "criteria not met" in extent  # Milan-NET with extrahepatic disease
    assert advice.state.extrahepatic_stable is True
    option = advice.option("surgery")
    assert not option.curative_potential  # a hard criterion (extra-abdominal) fails
    assert "MDT discussion" in option.name
    assert option.rank == 2  # never first
    assert advice.option("lanreotide").ongoing  # continue lanreotide comes first
    assert advice.option("lanreotide").rank == 1
    step = next(s for s in walked.steps if s.point.date == dt.date(2022, 6, 1))
    assert step.actual_key == "surgery"
    assert "conversion" in step.actual


def test_after_prrt_response_surgery_reassessment_and_surveillance(walked: Replay) -> None:
    advice = _step(walked, dt.date(2019, 12, 16))
    assert advice.surgery.flagged_for_discussion
    assert advice.state.objective_response is True
    ranked = [o.key for o in advice.ranked]
    # SSA maintenance after PRRT (NETTER-1 protocol) first; no new systemic line
    assert set(ranked[:2]) == {"lanreotide", "octreotide_lar"}
    assert "maintenance" in advice.option("lanreotide").name
    assert all(
        o.deferred for o in advice.ranked if o.kind == "systemic" and o.key not in ranked[:2]
    )


def test_new_lesion_after_prrt_keeps_prrt_as_re_treatment(walked: Replay) -> None:
    advice = _step(walked, dt.date(2021, 5, 16))
    prrt = advice.option("lu177_dotatate")
    assert not prrt.cross_resistance
    assert "re-treatment" in " ".join(p.text for p in prrt.sequencing)
    step = next(s for s in walked.steps if s.point.date == dt.date(2021, 5, 16))
    assert step.actual_key == "lanreotide"
    assert step.offered


def test_only_data_up_to_the_decision_date_are_used(record: CaseRecord) -> None:
    early = advise(record, dt.date(2019, 2, 1))
    assert [line.label for line in early.state.lines] == ["lanreotide"]
    assert early.state.last_progression == dt.date(2019, 2, 1)
    assert all(a.date <= dt.date(2019, 2, 1) for a in early.state.assessments)
    late = advise(record, dt.date(2022, 6, 1))
    assert [line.label for line in late.state.lines][-1] == "lanreotide"
    assert late.state.lines[-1].ongoing  # stopped only on 2022-06-30, for the surgery


def test_advice_lines_are_the_course_lines(record: CaseRecord) -> None:
    from netline.advice.state import record_as_of
    from netline.course import derive_course

    for when in (dt.date(2019, 2, 1), dt.date(2021, 5, 16), dt.date(2022, 6, 1)):
        state = advise(record, when).state
        course = derive_course(record_as_of(record, when))
        assert [
            (line.agents, line.start, line.ongoing, line.end_reason, line.best_response)
            for line in state.lines
        ] == [
            (tuple(line.agents), line.start, line.ongoing, line.end_reason, line.best_response)
            for line in course.lines
            if line.kind == "systemic"
        ]
