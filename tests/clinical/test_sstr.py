"""Krenning score (Kwekkeboom & Krenning 2002; knowledge base A4)."""

from __future__ import annotations

import json

import pytest

from netline.clinical.sstr import KRENNING_DESCRIPTIONS, krenning_score
from netline.errors import InvalidInputError
from netline.records.vocabulary import ImagingModality


@pytest.mark.parametrize(
    ("score", "at_least_liver", "above_liver", "phrase"),
    [
        (0, False, False, "no uptake"),
        (1, False, False, "much lower than normal liver"),
        (2, True, False, "equal to normal liver"),
        (3, True, True, "greater than normal liver"),
        (4, True, True, "greater than spleen"),
    ],
)
@pytest.mark.parametrize("modality", [ImagingModality.SRS, ImagingModality.SSTR_PET])
def test_krenning_scale(
    score: int, at_least_liver: bool, above_liver: bool, phrase: str, modality: ImagingModality
) -> None:
    finding = krenning_score(score, modality)
    assert finding.value.score == score
    assert finding.value.at_least_liver is at_least_liver
    assert finding.value.above_liver is above_liver
    assert phrase in finding.value.description
    assert finding.value.description == KRENNING_DESCRIPTIONS[score]
    assert "kwekkeboom2002" in finding.references
    assert "strosberg2017" in finding.references


def test_scintigraphy_is_verified_pet_practice_is_not() -> None:
    srs = krenning_score(3, "srs")
    assert srs.verified
    assert srs.edition == "planar/SPECT"
    pet = krenning_score(3, "sstr_pet")
    assert not pet.verified
    assert pet.edition == "modified (SSTR-PET)"
    assert "hope2020" in pet.references
    assert any("> liver" in n for n in pet.notes)
    assert str(pet.value) == "modified Krenning 3: uptake greater than normal liver"


def test_seed_case_scores_three_to_four_qualify_for_prrt() -> None:
    for score in (3, 4):
        assert krenning_score(score, "srs").value.at_least_liver


def test_krenning_serialises() -> None:
    data = json.loads(json.dumps(krenning_score(2, "srs").to_dict()))
    assert data["value"]["at_least_liver"] is True
    assert data["value"]["modality"] == "srs"


@pytest.mark.parametrize(
    ("score", "modality", "location"),
    [
        (5, "srs", "score"),
        (-1, "srs", "score"),
        (2.5, "srs", "score"),
        (True, "srs", "score"),
        (2, "fdg_pet", "modality"),
        (2, "spect", "modality"),
    ],
)
def test_invalid_krenning(score: object, modality: str, location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        krenning_score(score, modality)  # type: ignore[arg-type]
    assert [p.location for p in info.value.problems] == [location]
