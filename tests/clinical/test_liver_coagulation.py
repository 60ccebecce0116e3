"""Child-Pugh by prothrombin time and one ascites vocabulary (issue 16 items 3 and 5).

Rule text (Pugh 1973, knowledge base A5): prothrombin time prolongation < 4 s → 1 point,
4-6 s → 2, > 6 s → 3 (INR < 1.7, 1.7-2.3, > 2.3). Ascites: none 1; mild or controlled by
diuretics 2; moderate-severe or refractory 3. Makuuchi: uncontrollable ascites → no hepatectomy.
"""

from __future__ import annotations

import pytest

from netline.clinical import (
    Ascites,
    AscitesControl,
    ResectionExtent,
    child_pugh,
    makuuchi_resection_limit,
)
from netline.errors import InsufficientDataError, InvalidInputError

BASE = {
    "bilirubin_mg_dl": 1.0,
    "albumin_g_l": 40.0,
    "ascites": "none",
    "encephalopathy": "none",
}


@pytest.mark.parametrize(
    ("seconds", "points"),
    [(0.0, 1), (3.9, 1), (4.0, 2), (5.0, 2), (6.0, 2), (6.1, 3), (20.0, 3)],
)
def test_prothrombin_time_bands(seconds: float, points: int) -> None:
    finding = child_pugh(**BASE, pt_prolongation_s=seconds)  # type: ignore[arg-type]
    assert finding.value.inr_points == points
    assert finding.value.coagulation == "pt_prolongation_s"
    assert finding.inputs["coagulation"] == "pt_prolongation_s"
    assert "prothrombin time" in finding.reason
    assert finding.value.points == 4 + points


def test_inr_is_said_to_be_used() -> None:
    finding = child_pugh(**BASE, inr=1.8)  # type: ignore[arg-type]
    assert finding.value.coagulation == "inr"
    assert finding.value.inr_points == 2
    assert "INR 1.8" in finding.reason


def test_both_given_uses_prothrombin_time_and_notes_disagreement() -> None:
    finding = child_pugh(**BASE, inr=2.5, pt_prolongation_s=5.0)  # type: ignore[arg-type]
    assert finding.value.inr_points == 2
    assert any("INR 2.5 would score 3" in note for note in finding.notes)


def test_coagulation_is_required() -> None:
    with pytest.raises(InsufficientDataError):
        child_pugh(**BASE)  # type: ignore[arg-type]


def test_negative_prolongation_rejected() -> None:
    with pytest.raises(InvalidInputError) as info:
        child_pugh(**BASE, pt_prolongation_s=-1.0)  # type: ignore[arg-type]
    assert info.value.problems[0].location == "pt_prolongation_s"


@pytest.mark.parametrize(
    ("word", "member", "points"),
    [
        ("none", Ascites.NONE, 1),
        ("absent", Ascites.NONE, 1),
        ("controlled", Ascites.CONTROLLED, 2),
        ("mild", Ascites.CONTROLLED, 2),
        ("uncontrolled", Ascites.UNCONTROLLED, 3),
        ("moderate_severe", Ascites.UNCONTROLLED, 3),
        ("uncontrollable", Ascites.UNCONTROLLED, 3),
    ],
)
def test_one_ascites_vocabulary(word: str, member: Ascites, points: int) -> None:
    assert Ascites(word) is member
    finding = child_pugh(**{**BASE, "ascites": word}, inr=1.0)  # type: ignore[arg-type]
    assert finding.value.ascites_points == points
    makuuchi = makuuchi_resection_limit(bilirubin_mg_dl=0.8, ascites=word, icg_r15_percent=5)
    expected = (
        ResectionExtent.NONE
        if member is Ascites.UNCONTROLLED
        else (ResectionExtent.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY)
    )
    assert makuuchi.value is expected


def test_old_member_names_are_aliases() -> None:
    assert AscitesControl is Ascites
    aliases = {
        Ascites.MILD: Ascites.CONTROLLED,
        Ascites.MODERATE_SEVERE: Ascites.UNCONTROLLED,
        AscitesControl.UNCONTROLLABLE: Ascites.UNCONTROLLED,
        AscitesControl.ABSENT: Ascites.NONE,
    }
    assert all(old is new for old, new in aliases.items())
    assert [m.value for m in Ascites] == ["none", "controlled", "uncontrolled"]
