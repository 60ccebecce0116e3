"""Krenning score derived from uptake (issue 16 item 4).

Rule text (Kwekkeboom & Krenning 2002, knowledge base A4): 0 none; 1 much lower than normal
liver; 2 slightly less than or equal to liver; 3 greater than liver; 4 greater than spleen (or
kidneys if the spleen is absent). SSTR-PET: the same visual scale ("modified Krenning").
"""

from __future__ import annotations

import pytest

from netline.clinical import Uptake, krenning_from_uptake
from netline.errors import InvalidInputError


@pytest.mark.parametrize(
    ("liver", "spleen", "score"),
    [
        ("none", None, 0),
        ("much_lower", None, 1),
        ("lower", None, 2),
        ("equal", "lower", 2),
        ("higher", None, 3),
        ("higher", "lower", 3),
        ("higher", "equal", 3),
        ("higher", "higher", 4),
        (None, "higher", 4),  # "uptake higher than spleen" gives 4
    ],
)
@pytest.mark.parametrize("modality", ["srs", "sstr_pet"])
def test_score_from_uptake(
    liver: str | None, spleen: str | None, score: int, modality: str
) -> None:
    finding = krenning_from_uptake(vs_liver=liver, vs_spleen=spleen, modality=modality)
    assert finding.value.score == score
    assert finding.inputs["score"] == score
    assert finding.verified is (modality == "srs")


def test_higher_than_liver_without_spleen_says_it_may_be_4() -> None:
    finding = krenning_from_uptake(vs_liver=Uptake.HIGHER, modality="srs")
    assert any("or 4 if it also exceeds the spleen" in note for note in finding.notes)


def test_pet_cites_its_own_definition() -> None:
    finding = krenning_from_uptake(vs_liver="equal", modality="sstr_pet")
    assert "iravani2022" in finding.references
    assert finding.edition == "modified (SSTR-PET)"


def test_contradiction_is_noted() -> None:
    finding = krenning_from_uptake(vs_liver="lower", vs_spleen="higher", modality="srs")
    assert finding.value.score == 4
    assert any("contradictory" in note for note in finding.notes)


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({"vs_liver": "brighter", "modality": "srs"}, "vs_liver"),
        ({"vs_liver": None, "vs_spleen": "lower", "modality": "srs"}, "vs_liver"),
        ({"vs_liver": "equal", "modality": "ct"}, "modality"),
    ],
)
def test_invalid_uptake(kwargs: dict[str, object], location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        krenning_from_uptake(**kwargs)  # type: ignore[arg-type]
    assert location in {p.location for p in info.value.problems}
