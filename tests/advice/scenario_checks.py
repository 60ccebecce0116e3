"""Assertions shared by the advice scenario table (tests/advice/test_scenarios.py)."""

from __future__ import annotations

from typing import Any

from netline.advice import Advice


def _texts(points: Any) -> str:
    return " | ".join(p.text for p in points)


def _assert_support(advice: Advice, key: str, preference: str) -> None:
    option = advice.option(key)
    assert option.support.startswith(preference), (key, option.support)


def _assert_fact(advice: Advice, fact: str, value: object) -> None:
    assert getattr(advice.state.facts, fact) == value


def _assert_criterion(advice: Advice, criterion: str, outcome: str) -> None:
    profile = advice.option("lu177_dotatate").eligibility[0]
    found = {c.id: c.outcome for c in profile.checks}
    assert found[criterion] == outcome, found


def _assert_statement(advice: Advice, key: str, statement: str) -> None:
    ids = [m.statement_id for m in advice.option(key).guideline if m.applies.value is True]
    assert statement in ids, ids


def _assert_possible(advice: Advice, key: str, statement: str) -> None:
    matches = {m.statement_id: m for m in advice.option(key).guideline}
    assert matches[statement].applies.value is None
    assert "tumour_burden = high" in matches[statement].applies.holds_if  # machines (JSON)
    # people read the reading in words, not the field name (issue 12, "Presentation")
    text = advice.render("text") + advice.render("html")
    assert "tumour burden category is high" in text
    assert "tumour_burden = high" not in text


def _assert_monitoring(advice: Advice, key: str, text: str) -> None:
    assert text in _texts(advice.option(key).monitoring)


def _assert_clearance(advice: Advice, basis: str) -> None:
    assert advice.state.creatinine_clearance_basis is not None
    assert basis in advice.state.creatinine_clearance_basis
    assert advice.state.creatinine_clearance_ml_min is not None
    assert advice.state.creatinine_clearance_ml_min < 50


def _assert_makuuchi(advice: Advice, text: str) -> None:
    assert advice.surgery.makuuchi is not None
    assert text in advice.surgery.makuuchi
    assert "ascites" in advice.surgery.makuuchi


def _assert_attr(advice: Advice, attr: str, value: object) -> None:
    assert getattr(advice.state, attr) == value


def _assert_entry(advice: Advice, key: str, trial: str, verdict: str) -> None:
    items = {e.trial_id: e for e in advice.option(key).evidence}
    assert items[trial].entry.verdict == verdict, items[trial].entry


def _assert_entry_failed(advice: Advice, key: str, trial: str, failed: str) -> None:
    items = {e.trial_id: e for e in advice.option(key).evidence}
    assert items[trial].entry.verdict == "not met", items[trial].entry
    assert failed in items[trial].entry.failed, items[trial].entry


def _assert_never_first_surgery(advice: Advice) -> None:
    surgery = advice.option("surgery")
    assert not surgery.curative_potential
    assert surgery.rank != 1
    assert "maintenance" in advice.option("lanreotide").name


def _assert_continuing(advice: Advice) -> None:
    option = advice.option("lanreotide")
    assert option.ongoing
    assert option.name.startswith("Continue")
    held = [o for o in advice.ranked if o.kind == "systemic" and not o.ongoing]
    assert held
    assert all(o.deferred for o in held)
    assert all("held for progression" in o.order_reason for o in held)


def _assert_not_cross(advice: Advice, key: str) -> None:
    assert not advice.option(key).cross_resistance


def _assert_note(advice: Advice, text: str) -> None:
    assert any(text in note for note in advice.state.notes), advice.state.notes


def _assert_later(advice: Advice, key: str, statement: str) -> None:
    option = advice.option(key)
    assert statement not in [m.statement_id for m in option.guideline]
    assert any(statement in p.text and "after the decision date" in p.text for p in option.cautions)
