"""The typed facts contract between advise and the evidence criteria (issue 12 item 9).

Facts are one frozen :class:`PatientFacts` with units in its field documentation; the KB's YAML
names (``platelets_10e9_l``) map to fields in one table, read at knowledge-base load; an unknown
fact is ``None`` and never promotes (a condition that held can only become possible).
"""

from __future__ import annotations

import copy
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netline.advice._logic import check_criterion, evaluate_condition
from netline.advice.state import decision_state
from netline.errors import InvalidEvidenceError
from netline.evidence import load_knowledge_base, read_knowledge_base_data
from netline.evidence.facts import FACT_NAMES, PatientFacts, as_facts
from netline.evidence.schema import FIELDS

from .cases import AT, make_case

_FIELD_NAMES = [f.name for f in dataclasses.fields(PatientFacts)]
_KB = load_knowledge_base()
_CONDITIONS = [s.condition for s in _KB.statements if s.condition is not None]
_CRITERIA = [c for p in _KB.profiles for c in p.criteria]
_STATE = decision_state(make_case(ki67=12, band="10-25%", response="PD"), AT)


def test_every_kb_name_maps_to_a_field_and_no_field_has_a_unit_in_its_name() -> None:
    assert {entry.field for entry in FACT_NAMES.values()} <= set(_FIELD_NAMES)
    assert set(FIELDS) <= set(FACT_NAMES)
    for name in _FIELD_NAMES:
        assert not name.endswith(("_percent", "_months", "_years", "_g_l", "_g_dl", "_ml_min"))


def test_facts_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _STATE.facts.ki67 = 3.0  # type: ignore[misc]


def test_an_unknown_fact_name_in_the_kb_yaml_names_the_file_and_entry() -> None:
    raw = copy.deepcopy(read_knowledge_base_data())
    profile = next(p for p in raw["profiles"]["profiles"] if p["id"] == "prrt_netter1")
    profile["criteria"][0]["field"] = "platelet_count"
    with pytest.raises(InvalidEvidenceError) as error:
        load_knowledge_base(raw)
    text = str(error.value)
    assert "profiles.yaml:profiles[prrt_netter1]" in text
    assert "platelet_count" in text


def test_a_mapping_with_an_unknown_name_is_refused() -> None:
    with pytest.raises(KeyError, match="platelet_count"):
        as_facts({"platelet_count": 100})


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(_FIELD_NAMES), min_size=1, max_size=8))
def test_forgetting_facts_never_promotes_a_condition_or_criterion(forgotten: set[str]) -> None:
    known = _STATE.facts
    blind = known.replace(**dict.fromkeys(forgotten))
    for condition in _CONDITIONS:
        before = evaluate_condition(condition, known, {}).value
        after = evaluate_condition(condition, blind, {}).value
        assert after in (before, None), condition.describe()
    for criterion in _CRITERIA:
        met = check_criterion(criterion, known, {}).outcome
        now = check_criterion(criterion, blind, {}).outcome
        if now == "met":
            assert met == "met", criterion.id
