"""Matching rules that keep unknown or borderline facts from promoting an option (item 4)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from netline.advice._logic import Applicability, evaluate_condition
from netline.advice.matching import KI67_EDGE_POINTS, ki67_cutoffs, match_trial, refine
from netline.advice.option_types import GuidelineMatch
from netline.advice.options import _support
from netline.advice.resection import resection_history
from netline.advice.state import record_as_of
from netline.evidence.facts import PatientFacts, as_facts
from netline.evidence.schema import Condition, Range

from .cases import make_case

ABOVE_10 = Condition(ki67_percent=Range(min=10, min_inclusive=False))
BELOW_10 = Condition(ki67_percent=Range(max=10, max_inclusive=False))
G1_G2 = Condition.model_validate({"grades": ["G1", "G2"]})


def _refined(
    condition: Condition, facts: dict[str, object], specimens: tuple[float, ...] = ()
) -> Applicability:
    patient = as_facts(facts)
    raw = evaluate_condition(condition, patient, {})
    return refine(condition, raw, patient, specimens)


def test_cutoffs_are_read_from_the_condition_and_its_branches() -> None:
    nested = Condition(any_of=(ABOVE_10, Condition(ki67_percent=Range(min=20, max=55))))
    assert ki67_cutoffs(nested) == (10.0, 20.0, 55.0)


def test_ki67_12_against_10_is_a_band_edge_on_both_sides() -> None:
    # the seed case: 12 % in the liver metastasis, 10 % in the primary (issue 12 item 4)
    above = _refined(ABOVE_10, {"ki67_percent": 12.0}, (10.0, 12.0))
    below = _refined(BELOW_10, {"ki67_percent": 12.0}, (10.0, 12.0))
    assert above.value is None
    assert below.value is None
    assert "10 % cut-off" in above.explain()
    assert "10 % cut-off" in below.explain()


def test_far_from_the_cut_off_the_answer_stands() -> None:
    assert _refined(ABOVE_10, {"ki67_percent": 30.0}).value is True
    assert _refined(BELOW_10, {"ki67_percent": 3.0}).value is True
    assert _refined(BELOW_10, {"ki67_percent": 30.0}).value is False


def test_a_grade_dependent_statement_does_not_apply_while_the_grade_is_unknown() -> None:
    assert _refined(G1_G2, {"grade": None}).value is False
    # a statement without a grade restriction is unaffected by the unknown grade
    assert (
        _refined(Condition(sstr_positive=True), {"grade": None, "sstr_positive": None}).value
        is None
    )


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.floats(min_value=1, max_value=99))
def test_the_edge_rule_only_ever_unsettles_an_answer_near_a_cut_off(
    ki67: float, cut: float
) -> None:
    condition = Condition(ki67_percent=Range(min=cut, min_inclusive=False))
    facts = PatientFacts(ki67=ki67)
    raw = evaluate_condition(condition, facts, {})
    refined = refine(condition, raw, facts)
    if abs(ki67 - cut) > KI67_EDGE_POINTS:
        assert refined == raw
    else:
        assert refined.value in (raw.value, None)


def _match(preference: str, applies: Applicability) -> GuidelineMatch:
    return GuidelineMatch("s-" + preference, "topic", (), preference, None, applies, (), "recalled")


@given(st.sampled_from(["preferred", "option", "alternative", "reserved"]))
def test_possible_support_never_outranks_certain_support_of_the_same_strength(pref: str) -> None:
    possible = _support([_match(pref, Applicability(None, ("grade",)))])
    certain = _support([_match(pref, Applicability(True))])
    # (best, label, breadth, certain, possible): the order compares certain support first
    assert possible[3] == 0.0
    assert certain[3] > possible[4]


def test_no_evidence_of_disease_after_r0_and_recurrence_after_it() -> None:
    record = make_case(
        organs=("liver",),
        metastases_found="2020-12-01",
        lines=(),
    )
    before = resection_history(record_as_of(record, dt.date(2019, 1, 1)))
    assert before.ned is not None
    assert "R0" in before.ned.reason
    after = resection_history(record)
    assert after.ned is None
    assert after.recurrence_since == dt.date(2020, 12, 1)


def test_an_r1_resection_does_not_clear_the_disease() -> None:
    record = make_case(organs=("liver",), metastases_found="2020-12-01")
    data = record.model_dump(mode="json", exclude_none=True)
    for event in data["events"]:
        if event.get("id") == "resection":
            event["margin"] = "R1"
    from netline.records import CaseRecord

    r1 = CaseRecord.model_validate(data)
    assert resection_history(record_as_of(r1, dt.date(2019, 1, 1))).ned is None


def _line(agents: tuple[str, ...], progressed: bool) -> object:
    return SimpleNamespace(agents=agents, progressed_on=progressed)


def _trial(published: dt.date | None, description: str = "pNET") -> object:
    return SimpleNamespace(
        published=published,
        name="TRIAL",
        ref="trial2020",
        population=SimpleNamespace(description=description),
    )


def test_evidence_published_after_the_decision_date_is_marked_not_used() -> None:
    state = SimpleNamespace(at=dt.date(2018, 6, 1), lines=())
    later = match_trial(
        state,  # type: ignore[arg-type]
        _trial(dt.date(2024, 6, 1)),  # type: ignore[arg-type]
        frozenset({"lu177_dotatate"}),
        SimpleNamespace(),  # type: ignore[arg-type]
        same_agent=True,
        pancreatic=True,
    )
    assert later.later
    assert "after the decision date" in " ".join(later.match)
    unknown = match_trial(
        state,  # type: ignore[arg-type]
        _trial(None),  # type: ignore[arg-type]
        frozenset({"lu177_dotatate"}),
        SimpleNamespace(reference=lambda key: SimpleNamespace()),  # type: ignore[arg-type]
        same_agent=True,
        pancreatic=True,
    )
    assert not unknown.later
    assert "publication date unknown" in unknown.match


def test_no_treatment_naive_figure_after_progression_on_the_same_drug() -> None:
    state = SimpleNamespace(at=dt.date(2021, 1, 1), lines=(_line(("everolimus",), True),))
    fit = match_trial(
        state,  # type: ignore[arg-type]
        _trial(dt.date(2011, 2, 10)),  # type: ignore[arg-type]
        frozenset({"everolimus"}),
        SimpleNamespace(),  # type: ignore[arg-type]
        same_agent=True,
        pancreatic=True,
    )
    assert fit.withheld is not None
    assert "progressed on it" in fit.withheld
    retreat = match_trial(
        SimpleNamespace(at=dt.date(2021, 1, 1), lines=(_line(("lu177_dotatate",), False),)),  # type: ignore[arg-type]
        _trial(dt.date(2014, 1, 1), "PRRT re-treatment after progression"),  # type: ignore[arg-type]
        frozenset({"lu177_dotatate"}),
        SimpleNamespace(),  # type: ignore[arg-type]
        same_agent=True,
        pancreatic=True,
    )
    assert retreat.withheld is None
    assert "re-treatment evidence" in retreat.match
