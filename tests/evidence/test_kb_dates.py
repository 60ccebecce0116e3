"""Publication dates, evidence as known on a date, the provenance rules, statement sources."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from netline.evidence import KnowledgeBase, Verification, validate_knowledge_base
from netline.evidence.schema import GuidelineStatement, Reference

_REFERENCE = {
    "key": "test2011",
    "kind": "journal_article",
    "authors": ["Test A"],
    "source": "J Test",
    "year": 2011,
    "status": "recalled",
}


# --------------------------------------------------------------------------- the model


@pytest.mark.parametrize(
    ("given_date", "expected", "available", "text"),
    [
        (date(2011, 2, 10), date(2011, 2, 10), date(2011, 2, 10), "2011-02-10"),
        ("2011-02", date(2011, 2, 1), date(2011, 2, 28), "2011-02"),
        ("2011", date(2011, 1, 1), date(2011, 12, 31), "2011"),
        (2011, date(2011, 1, 1), date(2011, 12, 31), "2011"),
    ],
)
def test_publication_date_forms(
    given_date: object, expected: date, available: date, text: str
) -> None:
    reference = Reference.model_validate({**_REFERENCE, "published": given_date})
    assert reference.published == expected
    assert reference.available_from == available
    assert reference.published_text() == text


@pytest.mark.parametrize("bad", ["2011-13", "2012-01", "2011-02-30", "Feb 2011"])
def test_bad_publication_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        Reference.model_validate({**_REFERENCE, "published": bad})


def test_precision_must_match_the_date() -> None:
    with pytest.raises(ValidationError, match="more precise"):
        Reference.model_validate(
            {**_REFERENCE, "published": "2011-02-10", "published_precision": "month"}
        )


def test_statement_names_guidelines_or_basis_trials() -> None:
    base: dict[str, Any] = {
        "id": "s",
        "topic": "t",
        "condition": {},
        "options": [{"therapy": "everolimus", "preference": "option"}],
        "status": "recalled",
    }
    with pytest.raises(ValidationError, match="exactly one"):
        GuidelineStatement.model_validate(base)
    with pytest.raises(ValidationError, match="exactly one"):
        GuidelineStatement.model_validate(
            {**base, "guidelines": ["esmo2020"], "basis_trials": ["x"]}
        )


# --------------------------------------------------------------------------- the validator


def test_verified_against_an_uncertain_reference_is_refused(raw: dict[str, Any], find: Any) -> None:
    # Issue 11: RADIANT-3's headline was "verified" against a report of uncertain identity.
    subgroup = find(find(raw["trials"]["trials"], "radiant3")["subgroups"], "prior_ssa")
    estimate = subgroup["endpoints"][0]["comparisons"][0]["estimate"]
    estimate.update(ref="pavel2011_asco", status="verified")
    del estimate["reported_in"]
    problems = validate_knowledge_base(raw)
    assert [p.location for p in problems] == [
        "trials.yaml:trials[radiant3].subgroups[prior_ssa].endpoints[pfs].comparisons[0]"
        ".estimate.status"
    ]
    assert "identity is uncertain" in problems[0].expected


def test_a_verified_interval_against_an_uncertain_reference_is_refused(
    raw: dict[str, Any], find: Any
) -> None:
    endpoint = find(find(raw["trials"]["trials"], "radiant3")["endpoints"], "pfs")
    estimate = endpoint["comparisons"][0]["estimate"]
    estimate.update(ref="pavel2011_asco", status="uncertain", ci_status="verified")
    problems = validate_knowledge_base(raw)
    assert [p.location.rsplit(".", 1)[-1] for p in problems] == ["status"]


def test_reported_in_decides_what_was_checked(raw: dict[str, Any], find: Any) -> None:
    # A figure read in an identified secondary source may be verified as reported there.
    find(raw["references"]["references"], "walter2026", key="key")["status"] = "uncertain"
    problems = validate_knowledge_base(raw)
    assert problems
    assert all("walter2026" in p.expected for p in problems)
    assert not any("pnet].endpoints[pfs].comparisons" in p.location for p in problems)  # recalled


def test_missing_publication_date(raw: dict[str, Any], find: Any) -> None:
    del find(raw["references"]["references"], "yao2011", key="key")["published"]
    problems = validate_knowledge_base(raw)
    assert [p.location for p in problems] == ["references.yaml:references[yao2011].published"]


def test_guideline_citing_a_later_trial_is_refused(raw: dict[str, Any], find: Any) -> None:
    statement = find(raw["guidelines"]["statements"], "progressive_after_ssa")
    statement["evidence_trials"].append("netter2")
    problems = validate_knowledge_base(raw)
    assert [(p.location, p.value) for p in problems] == [
        ("guidelines.yaml:statements[progressive_after_ssa].evidence_trials", "netter2")
    ]
    assert "basis_trials" in problems[0].expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ({"guideline": "esmo2020", "status": "verified"}, ".section"),
        ({"guideline": "nccn", "status": "recalled"}, ".guideline"),
    ],
)
def test_statement_sources_are_checked(
    raw: dict[str, Any], find: Any, source: dict[str, Any], fragment: str
) -> None:
    statement = find(raw["guidelines"]["statements"], "progressive_after_ssa")
    statement["sources"] = [source]
    if source["status"] == "verified":
        statement["status"] = "verified"
    problems = validate_knowledge_base(raw)
    assert any(p.location.endswith(fragment) for p in problems), problems


def test_statement_tag_is_the_best_of_its_sources(raw: dict[str, Any], find: Any) -> None:
    statement = find(raw["guidelines"]["statements"], "progressive_after_ssa")
    statement["sources"] = [
        {"guideline": "esmo2020", "status": "verified", "section": "Table 4, p. 852"}
    ]
    problems = validate_knowledge_base(raw)
    assert [(p.location, p.value) for p in problems] == [
        ("guidelines.yaml:statements[progressive_after_ssa].status", "recalled")
    ]
    statement["status"] = "verified"
    assert validate_knowledge_base(raw) == []


# --------------------------------------------------------------------------- queries


def test_every_entry_has_a_date(kb: KnowledgeBase) -> None:
    assert all(r.published is not None for r in kb.references)
    assert all(kb.published(t) is not None for t in kb.trials)
    assert all(kb.published(s) is not None for s in kb.statements)


def test_trial_and_statement_dates(kb: KnowledgeBase) -> None:
    assert kb.published(kb.trial("RADIANT-3")) == date(2011, 2, 10)
    assert kb.published(kb.trial("NETTER-2")) == date(2024, 6, 30)
    assert kb.published(kb.trial("SEQTOR")) == date(2024, 9, 30)  # ESMO 2024, before ESMO Open
    assert kb.published(kb.statement("netter2_first_line_prrt")) == date(2024, 6, 30)
    assert kb.published(kb.statement("progressive_after_ssa")) == date(2020, 7, 31)  # ESMO 2020
    pfs = kb.trial("SEQTOR").endpoint("pfs1_rate_12m")
    assert pfs is not None
    assert kb.published(pfs.values[0].value) == date(2026, 1, 31)
    assert kb.available_at(kb.trial("CABINET"), date(2025, 1, 1)) is False
    assert kb.available_at(kb.trial("CABINET"), date(2025, 3, 1)) is True


def test_a_2018_decision_sees_no_later_evidence(kb: KnowledgeBase) -> None:
    # Issue 12: a 2018 decision in replay was given 2024-2026 evidence with no mark.
    snapshot = kb.published_on_or_before(date(2018, 6, 1))
    known = {t.id for t in snapshot.trials}
    later = {t.id for t in snapshot.later_trials}
    assert {"radiant3", "sun1111", "clarinet", "netter1"} <= known
    assert {"netter2", "cabinet", "compete", "seqtor"} <= later
    statements = {s.id for s in snapshot.later_statements}
    assert {
        "netter2_first_line_prrt",
        "cabinet_cabozantinib",
        "progressive_after_ssa",
    } <= statements
    assert snapshot.knows(kb.trial("radiant3"))
    assert not snapshot.knows(kb.trial("netter2"))


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=date(1975, 1, 1), max_value=date(2030, 12, 31)))
def test_snapshot_partitions_the_trials(kb: KnowledgeBase, on: date) -> None:
    snapshot = kb.published_on_or_before(on)
    assert len(snapshot.trials) + len(snapshot.later_trials) == len(kb.trials)
    assert not set(snapshot.trials) & set(snapshot.later_trials)
    assert snapshot.undated == ()
    earlier = kb.published_on_or_before(on - timedelta(days=400))
    assert set(earlier.trials) <= set(snapshot.trials)  # monotone in time


def test_statement_sources_show_verification_and_source(kb: KnowledgeBase) -> None:
    rows = kb.statement_sources(kb.statement("progressive_after_ssa"))
    assert [r.source_id for r in rows] == ["enets2023_nf_pnet", "esmo2020"]
    assert all(r.status is Verification.RECALLED and r.kind == "guideline" for r in rows)
    assert "section not read" in rows[1].describe()
    assert "{pavel2020}" in rows[1].describe()
    (trial_row,) = kb.statement_sources(kb.statement("cabinet_cabozantinib"))
    assert trial_row.kind == "trial"
    assert "not a guideline's word" in trial_row.describe()
    for statement in kb.statements:
        assert kb.statement_sources(statement)
