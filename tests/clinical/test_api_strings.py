"""Every calculator accepts the public string values of its enumerations (issue 16 item 5)."""

from __future__ import annotations

import pytest

import netline.clinical as clinical
from netline.clinical import (
    Differentiation,
    InvadedStructure,
    LesionMeasurement,
    Organ,
    check_target_selection,
    choose_targets,
    classify_lesion,
    m_category,
    stage_pnet,
    t_category,
    who_grade,
)
from netline.errors import InvalidInputError


def test_target_selection_accepts_organ_strings() -> None:
    # regression: an organ given as a string crashed with AttributeError
    targets = [
        LesionMeasurement("a", "liver", False, 30.0),
        LesionMeasurement("b", "liver", False, 20.0),
        LesionMeasurement("c", "liver", False, 25.0),
        LesionMeasurement("n", "regional_lymph_node", True, 16.0),
    ]
    finding = check_target_selection(targets)
    assert not finding.value.valid
    assert ("targets", ["a", "b", "c"]) in [(p.location, p.value) for p in finding.value.problems]
    assert targets[0].organ is Organ.LIVER


def test_unknown_organ_string_is_an_input_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        check_target_selection([LesionMeasurement("a", "livr", False, 30.0)])
    problem = info.value.problems[0]
    assert problem.location == "targets[0].organ"
    assert "'liver'" in problem.expected


def test_string_and_member_give_the_same_result() -> None:
    by_string = classify_lesion(LesionMeasurement("a", "lung", False, 12.0))
    by_member = classify_lesion(LesionMeasurement("a", Organ.LUNG, False, 12.0))
    assert by_string.value is by_member.value
    chosen = choose_targets([LesionMeasurement("a", "lung", False, 12.0)]).value
    assert [x.organ for x in chosen] == [Organ.LUNG]
    assert (
        t_category(35, ["duodenum"], edition="AJCC 8").value
        == t_category(35, [InvadedStructure.DUODENUM], edition="AJCC 8").value
    )
    assert (
        m_category(["liver"], edition="AJCC 8").value
        == m_category([Organ.LIVER], edition="AJCC 8").value
    )
    assert (
        who_grade(ki67_percent=5, mitoses_per_2mm2=1, differentiation="well").value
        == who_grade(ki67_percent=5, mitoses_per_2mm2=1, differentiation=Differentiation.WELL).value
    )
    assert stage_pnet(size_mm=35, edition="ENETS 2006", basis="p").value is not None


def test_vocabularies_are_exported() -> None:
    for name in ("Organ", "InvadedStructure", "Differentiation"):
        assert name in clinical.__all__
        assert getattr(clinical, name).__module__ == "netline.records.vocabulary"
