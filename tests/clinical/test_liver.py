"""Child-Pugh, ALBI and Makuuchi criteria (knowledge base A5)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical.liver import (
    AlbuminBands,
    Ascites,
    AscitesControl,
    ChildPughClass,
    Encephalopathy,
    ResectionExtent,
    albi_grade,
    child_pugh,
    makuuchi_resection_limit,
)
from netline.errors import InsufficientDataError, InvalidInputError

NORMAL: dict[str, object] = {
    "bilirubin_mg_dl": 0.8,
    "albumin_g_l": 42.0,
    "inr": 1.0,
    "ascites": Ascites.NONE,
    "encephalopathy": Encephalopathy.NONE,
}


def cp(**changes: object) -> tuple[int, ChildPughClass, dict[str, object]]:
    arguments = {**NORMAL, **changes}
    finding = child_pugh(**arguments)  # type: ignore[arg-type]
    return finding.value.points, finding.value.child_class, dict(finding.inputs)


# --------------------------------------------------------------------------- Child-Pugh


@pytest.mark.parametrize(
    ("changes", "item", "points"),
    [
        ({"bilirubin_mg_dl": 1.99}, "bilirubin_points", 1),
        ({"bilirubin_mg_dl": 2.0}, "bilirubin_points", 2),
        ({"bilirubin_mg_dl": 3.0}, "bilirubin_points", 2),
        ({"bilirubin_mg_dl": 3.01}, "bilirubin_points", 3),
        ({"bilirubin_mg_dl": 3.9, "cholestatic": True}, "bilirubin_points", 1),
        ({"bilirubin_mg_dl": 4.0, "cholestatic": True}, "bilirubin_points", 2),
        ({"bilirubin_mg_dl": 10.0, "cholestatic": True}, "bilirubin_points", 2),
        ({"bilirubin_mg_dl": 10.1, "cholestatic": True}, "bilirubin_points", 3),
        ({"albumin_g_l": 35.1}, "albumin_points", 1),
        ({"albumin_g_l": 35.0}, "albumin_points", 2),
        ({"albumin_g_l": 28.0}, "albumin_points", 2),
        ({"albumin_g_l": 27.9}, "albumin_points", 3),
        ({"albumin_g_l": 29.0, "albumin_bands": "harrison"}, "albumin_points", 3),
        ({"albumin_g_l": 30.0, "albumin_bands": AlbuminBands.HARRISON}, "albumin_points", 2),
        ({"inr": 1.69}, "inr_points", 1),
        ({"inr": 1.7}, "inr_points", 2),
        ({"inr": 2.3}, "inr_points", 2),
        ({"inr": 2.31}, "inr_points", 3),
        ({"ascites": "mild"}, "ascites_points", 2),
        ({"ascites": "moderate_severe"}, "ascites_points", 3),
        ({"encephalopathy": "grade_1_2"}, "encephalopathy_points", 2),
        ({"encephalopathy": "grade_3_4"}, "encephalopathy_points", 3),
    ],
)
def test_child_pugh_items(changes: dict[str, object], item: str, points: int) -> None:
    _, _, inputs = cp(**changes)
    assert inputs[item] == points


@pytest.mark.parametrize(
    ("changes", "points", "child_class"),
    [
        ({}, 5, ChildPughClass.A),
        ({"albumin_g_l": 30.0}, 6, ChildPughClass.A),
        ({"albumin_g_l": 30.0, "inr": 1.8}, 7, ChildPughClass.B),
        (
            {"albumin_g_l": 30.0, "inr": 1.8, "bilirubin_mg_dl": 2.5, "ascites": "mild"},
            9,
            ChildPughClass.B,
        ),
        (
            {"albumin_g_l": 25.0, "inr": 1.8, "bilirubin_mg_dl": 2.5, "ascites": "mild"},
            10,
            ChildPughClass.C,
        ),
        (
            {
                "albumin_g_l": 20.0,
                "inr": 3.0,
                "bilirubin_mg_dl": 5.0,
                "ascites": "moderate_severe",
                "encephalopathy": "grade_3_4",
            },
            15,
            ChildPughClass.C,
        ),
    ],
)
def test_child_pugh_classes(
    changes: dict[str, object], points: int, child_class: ChildPughClass
) -> None:
    total, found_class, _ = cp(**changes)
    assert (total, found_class) == (points, child_class)


def test_child_pugh_explains_each_point() -> None:
    finding = child_pugh(**{**NORMAL, "albumin_g_l": 30.0, "inr": 1.8})  # type: ignore[arg-type]
    assert finding.reason == (
        "bilirubin 0.8 mg/dL → 1; albumin 30 g/L → 2; INR 1.8 → 2; ascites none → 1; "
        "encephalopathy none → 1; total 7 → class B"
    )
    assert finding.references == ("pugh1973",)
    assert str(finding.value) == "Child-Pugh B (7 points)"
    data = json.loads(json.dumps(finding.to_dict()))
    assert data["value"]["child_class"] == "B"


def test_disputed_albumin_band_is_noted() -> None:
    pugh = child_pugh(**{**NORMAL, "albumin_g_l": 29.0})  # type: ignore[arg-type]
    harrison = child_pugh(**{**NORMAL, "albumin_g_l": 29.0, "albumin_bands": "harrison"})  # type: ignore[arg-type]
    assert pugh.value.albumin_points == 2
    assert harrison.value.albumin_points == 3
    assert any("sources disagree" in n for n in pugh.notes)
    assert not any("sources disagree" in n for n in child_pugh(**NORMAL).notes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"albumin_g_l": 3.5}, "albumin_g_l"),  # g/dL given as g/L
        ({"bilirubin_mg_dl": -1}, "bilirubin_mg_dl"),
        ({"inr": 0}, "inr"),
        ({"ascites": "severe"}, "ascites"),
        ({"encephalopathy": 2}, "encephalopathy"),
        ({"albumin_bands": "ccjm"}, "albumin_bands"),
        ({"cholestatic": "yes"}, "cholestatic"),
    ],
)
def test_invalid_child_pugh(changes: dict[str, object], location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        child_pugh(**{**NORMAL, **changes})  # type: ignore[arg-type]
    assert [p.location for p in info.value.problems] == [location]


@given(
    bilirubin=st.floats(min_value=0, max_value=100),
    albumin=st.floats(min_value=10, max_value=80),
    inr=st.floats(min_value=0.5, max_value=20),
    ascites=st.sampled_from(list(Ascites)),
    encephalopathy=st.sampled_from(list(Encephalopathy)),
    bands=st.sampled_from(list(AlbuminBands)),
    cholestatic=st.booleans(),
)
def test_child_pugh_score_is_5_to_15(
    bilirubin: float,
    albumin: float,
    inr: float,
    ascites: Ascites,
    encephalopathy: Encephalopathy,
    bands: AlbuminBands,
    cholestatic: bool,
) -> None:
    score = child_pugh(
        bilirubin_mg_dl=bilirubin,
        albumin_g_l=albumin,
        inr=inr,
        ascites=ascites,
        encephalopathy=encephalopathy,
        albumin_bands=bands,
        cholestatic=cholestatic,
    ).value
    assert 5 <= score.points <= 15
    expected = "A" if score.points <= 6 else "B" if score.points <= 9 else "C"
    assert score.child_class.value == expected
    assert score.points == (
        score.bilirubin_points
        + score.albumin_points
        + score.inr_points
        + score.ascites_points
        + score.encephalopathy_points
    )


@given(a=st.floats(min_value=0, max_value=100), b=st.floats(min_value=0, max_value=100))
def test_child_pugh_monotone_in_bilirubin(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert cp(bilirubin_mg_dl=low)[0] <= cp(bilirubin_mg_dl=high)[0]


# --------------------------------------------------------------------------- ALBI


@pytest.mark.parametrize(
    ("bilirubin", "albumin", "grade"),
    [
        (10.0, 45.0, 1),  # 0.66 - 3.825 = -3.165
        (10.0, 38.36, 1),  # -2.6006
        (10.0, 38.35, 2),  # -2.59975
        (17.0, 40.0, 2),  # -2.588
        (50.0, 25.0, 3),  # -1.004
    ],
)
def test_albi(bilirubin: float, albumin: float, grade: int) -> None:
    finding = albi_grade(bilirubin_umol_l=bilirubin, albumin_g_l=albumin)
    assert finding.value.grade == grade
    assert finding.value.score == pytest.approx(
        0.66 * __import__("math").log10(bilirubin) - 0.085 * albumin
    )
    assert not finding.verified
    assert finding.references == ("johnson2015",)
    assert any("not in the knowledge base" in n for n in finding.notes)


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({"bilirubin_umol_l": 0.0, "albumin_g_l": 40.0}, "bilirubin_umol_l"),
        ({"bilirubin_umol_l": 10.0, "albumin_g_l": 4.0}, "albumin_g_l"),
    ],
)
def test_invalid_albi(kwargs: dict[str, float], location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        albi_grade(**kwargs)
    assert [p.location for p in info.value.problems] == [location]


# --------------------------------------------------------------------------- Makuuchi

E = ResectionExtent


def test_seed_case_icg_3_3_allows_hemihepatectomy() -> None:
    # ICG-R15 3.3 %, bilirubin ≤ 1.0 mg/dL, no ascites (Child-Pugh A).
    finding = makuuchi_resection_limit(bilirubin_mg_dl=0.8, ascites="absent", icg_r15_percent=3.3)
    assert finding.value is E.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY
    assert finding.verified
    assert finding.references == ("makuuchi1993",)
    assert any("future liver remnant" in n for n in finding.notes)


@pytest.mark.parametrize(
    ("bilirubin", "ascites", "icg", "expected", "verified"),
    [
        (0.8, "absent", 9.9, E.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY, True),
        (1.0, "absent", 3.3, E.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY, False),  # source says < 1.0
        (0.8, "controlled", 3.3, E.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY, False),
        (0.8, "absent", 10.0, E.LEFT_HEPATECTOMY_OR_RIGHT_SECTIONECTOMY, False),
        (0.8, "absent", 19.9, E.LEFT_HEPATECTOMY_OR_RIGHT_SECTIONECTOMY, False),
        (0.8, "absent", 20.0, E.SEGMENTECTOMY, False),
        (0.8, "absent", 29.9, E.SEGMENTECTOMY, False),
        (0.8, "absent", 30.0, E.LIMITED_RESECTION, False),
        (0.8, "absent", 39.9, E.LIMITED_RESECTION, False),
        (0.8, "absent", 40.0, E.ENUCLEATION, False),
        (1.1, "absent", None, E.LIMITED_RESECTION, False),
        (1.5, "controlled", None, E.LIMITED_RESECTION, False),
        (1.6, "absent", None, E.ENUCLEATION, False),
        (1.9, "absent", 3.0, E.ENUCLEATION, False),
        (2.0, "absent", 3.0, E.NONE, False),
        (0.5, "uncontrollable", None, E.NONE, False),
    ],
)
def test_makuuchi_tree(
    bilirubin: float,
    ascites: str,
    icg: float | None,
    expected: ResectionExtent,
    verified: bool,
) -> None:
    finding = makuuchi_resection_limit(
        bilirubin_mg_dl=bilirubin, ascites=ascites, icg_r15_percent=icg
    )
    assert finding.value is expected
    assert finding.verified is verified


@pytest.mark.parametrize(
    ("bilirubin", "expected"), [(1.05, E.LIMITED_RESECTION), (1.55, E.ENUCLEATION)]
)
def test_bilirubin_between_bands_takes_restrictive_band(
    bilirubin: float, expected: ResectionExtent
) -> None:
    finding = makuuchi_resection_limit(
        bilirubin_mg_dl=bilirubin, ascites="absent", icg_r15_percent=3
    )
    assert finding.value is expected
    assert any("between the printed bands" in n for n in finding.notes)


def test_makuuchi_needs_icg_when_bilirubin_normal() -> None:
    with pytest.raises(InsufficientDataError) as info:
        makuuchi_resection_limit(bilirubin_mg_dl=0.9, ascites="absent", icg_r15_percent=None)
    assert info.value.missing == ("icg_r15_percent",)


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [
        ({"bilirubin_mg_dl": -0.1, "ascites": "absent", "icg_r15_percent": 5}, "bilirubin_mg_dl"),
        ({"bilirubin_mg_dl": 0.8, "ascites": "severe", "icg_r15_percent": 5}, "ascites"),
        ({"bilirubin_mg_dl": 0.8, "ascites": "absent", "icg_r15_percent": 120}, "icg_r15_percent"),
    ],
)
def test_invalid_makuuchi(kwargs: dict[str, object], location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        makuuchi_resection_limit(**kwargs)  # type: ignore[arg-type]
    assert [p.location for p in info.value.problems] == [location]


def test_icg_more_restrictive_than_bilirubin_branch_is_shown() -> None:
    # The tree ignores ICG-R15 above bilirubin 1.0 mg/dL: bilirubin 1.2 allows a limited
    # resection even with ICG-R15 45 %, which at bilirubin ≤ 1.0 would allow only enucleation.
    finding = makuuchi_resection_limit(bilirubin_mg_dl=1.2, ascites="absent", icg_r15_percent=45)
    assert finding.value is E.LIMITED_RESECTION
    assert any("the two disagree" in n for n in finding.notes)
    agreeing = makuuchi_resection_limit(bilirubin_mg_dl=1.2, ascites="absent", icg_r15_percent=35)
    assert not any("the two disagree" in n for n in agreeing.notes)


@given(
    a=st.floats(min_value=0, max_value=100),
    b=st.floats(min_value=0, max_value=100),
    bilirubin=st.floats(min_value=0, max_value=5),
    extra=st.floats(min_value=0, max_value=5),
    ascites=st.sampled_from(list(AscitesControl)),
)
def test_extent_never_grows_with_worse_function(
    a: float, b: float, bilirubin: float, extra: float, ascites: AscitesControl
) -> None:
    low, high = sorted((a, b))
    better = makuuchi_resection_limit(
        bilirubin_mg_dl=bilirubin, ascites=ascites, icg_r15_percent=low
    )
    worse = makuuchi_resection_limit(
        bilirubin_mg_dl=bilirubin, ascites=ascites, icg_r15_percent=high
    )
    assert better.value.rank >= worse.value.rank
    if low < 40:  # at ICG-R15 ≥ 40 % the tree itself is not monotone in bilirubin (see above)
        more_bilirubin = makuuchi_resection_limit(
            bilirubin_mg_dl=bilirubin + extra, ascites=ascites, icg_r15_percent=low
        )
        assert better.value.rank >= more_bilirubin.value.rank
    uncontrolled = makuuchi_resection_limit(
        bilirubin_mg_dl=bilirubin, ascites="uncontrollable", icg_r15_percent=low
    )
    assert uncontrolled.value is E.NONE
