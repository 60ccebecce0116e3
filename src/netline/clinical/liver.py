"""Liver function: Child-Pugh, ALBI and the Makuuchi criteria (knowledge base section A5).

* :func:`child_pugh` - score 5-15 and class A/B/C, each point explained.
* :func:`albi_grade` - albumin-bilirubin grade (Johnson 2015; not in the knowledge base, so
  every result is marked unverified).
* the Makuuchi criteria are in :mod:`netline.clinical.makuuchi` (re-exported here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical._values import StructuredValue
from netline.clinical.ascites import Ascites, AscitesControl
from netline.clinical.makuuchi import ResectionExtent, makuuchi_resection_limit
from netline.errors import InsufficientDataError

__all__ = [
    "ALBIScore",
    "AlbuminBands",
    "Ascites",
    "AscitesControl",
    "ChildPughClass",
    "ChildPughScore",
    "Encephalopathy",
    "ResectionExtent",
    "albi_grade",
    "child_pugh",
    "makuuchi_resection_limit",
]


class Encephalopathy(StrEnum):
    """Hepatic encephalopathy for Child-Pugh."""

    NONE = "none"
    GRADE_1_2 = "grade_1_2"
    GRADE_3_4 = "grade_3_4"


class AlbuminBands(StrEnum):
    """Which albumin bands to score Child-Pugh with (the sources disagree).

    ``PUGH``: 2 points for 28-35 g/L, 3 below 28 (original Pugh 1973; the default).
    ``HARRISON``: 2 points for 30-35 g/L, 3 below 30 (as printed in Harrison's and others).
    """

    PUGH = "pugh"
    HARRISON = "harrison"


class ChildPughClass(StrEnum):
    """Child-Pugh class."""

    A = "A"
    B = "B"
    C = "C"


@dataclass(frozen=True, slots=True)
class ChildPughScore(StructuredValue):
    """A Child-Pugh score with the points of each item.

    Parameters
    ----------
    points : int
        Total, 5-15.
    child_class : ChildPughClass
        A (5-6), B (7-9) or C (10-15).
    bilirubin_points, albumin_points, inr_points, ascites_points, encephalopathy_points : int
        Points of each item, 1-3 (``inr_points`` are the coagulation points, from the INR or
        the prothrombin-time prolongation).
    coagulation : str, default "inr"
        Which coagulation measure was scored: ``"inr"`` or ``"pt_prolongation_s"``.
    """

    points: int
    child_class: ChildPughClass
    bilirubin_points: int
    albumin_points: int
    inr_points: int
    ascites_points: int
    encephalopathy_points: int
    coagulation: str = "inr"

    def __str__(self) -> str:
        return f"Child-Pugh {self.child_class.value} ({self.points} points)"


@dataclass(frozen=True, slots=True)
class ALBIScore(StructuredValue):
    """An ALBI linear predictor and its grade (1-3)."""

    score: float
    grade: int

    def __str__(self) -> str:
        return f"ALBI grade {self.grade} (score {self.score:.3f})"


# --------------------------------------------------------------------------- Child-Pugh

_ASCITES_POINTS = {Ascites.NONE: 1, Ascites.CONTROLLED: 2, Ascites.UNCONTROLLED: 3}
_ENCEPHALOPATHY_POINTS = {
    Encephalopathy.NONE: 1,
    Encephalopathy.GRADE_1_2: 2,
    Encephalopathy.GRADE_3_4: 3,
}
_ALBUMIN_LOW = {AlbuminBands.PUGH: 28.0, AlbuminBands.HARRISON: 30.0}


def child_pugh(
    *,
    bilirubin_mg_dl: float,
    albumin_g_l: float,
    ascites: Ascites | str,
    encephalopathy: Encephalopathy | str,
    inr: float | None = None,
    pt_prolongation_s: float | None = None,
    albumin_bands: AlbuminBands | str = AlbuminBands.PUGH,
    cholestatic: bool = False,
) -> Finding[ChildPughScore]:
    """Return the Child-Pugh score and class.

    ========================  ==========  ===================  ==========
    item                      1 point     2 points             3 points
    ========================  ==========  ===================  ==========
    bilirubin (mg/dL)         < 2         2-3                  > 3
    bilirubin, PBC/PSC        < 4         4-10                 > 10
    albumin (g/L)             > 35        28-35 (Harrison:     < 28 (< 30)
                                          30-35)
    prothrombin time, s over  < 4         4-6                  > 6
    control (Pugh 1973)
    INR                       < 1.7       1.7-2.3              > 2.3
    ascites                   none        controlled (mild)    uncontrolled
    encephalopathy            none        grade 1-2            grade 3-4
    ========================  ==========  ===================  ==========

    Class A 5-6, B 7-9, C 10-15. Band edges belong to the middle band (bilirubin 2.0 and 3.0,
    albumin 35 and 28, INR 1.7 and 2.3, prolongation 4 and 6 s all score 2).

    Coagulation is scored from the prothrombin-time prolongation in seconds (the original
    item) or from the INR (the modern substitute); the finding says which. When both are given
    the prolongation is used and a note shows the INR's points if they differ.

    Parameters
    ----------
    bilirubin_mg_dl : float
        Total bilirubin in mg/dL (µmol/L ÷ 17.1).
    albumin_g_l : float
        Serum albumin in g/L (10-80; a value below 10 is probably g/dL and is rejected).
    ascites : Ascites or str
        ``"none"``, ``"controlled"`` (mild or controlled by diuretics) or ``"uncontrolled"``
        (moderate to severe, refractory); ``"mild"`` and ``"moderate_severe"`` are accepted.
    encephalopathy : Encephalopathy or str
        ``"none"``, ``"grade_1_2"`` or ``"grade_3_4"``.
    inr : float, optional
        International normalised ratio.
    pt_prolongation_s : float, optional
        Prothrombin time minus the control time, in seconds (≥ 0).
    albumin_bands : AlbuminBands or str, default "pugh"
        ``"pugh"`` (28-35 g/L for 2 points) or ``"harrison"`` (30-35 g/L).
    cholestatic : bool, default False
        Primary biliary or sclerosing cholangitis: the bilirubin bands are 4 and 10 mg/dL.

    Returns
    -------
    Finding[ChildPughScore]
        Score and class; ``inputs`` holds each value with its points and ``coagulation`` says
        which measure was scored (``"pt_prolongation_s"`` or ``"inr"``).

    Raises
    ------
    InvalidInputError
        For values out of range or unknown categories.
    InsufficientDataError
        When neither the INR nor the prothrombin-time prolongation is given.

    References
    ----------
    Pugh RNH et al., Br J Surg 1973;60:646-649 [pugh1973].
    """
    bilirubin, albumin, ratio, seconds, asc, enc, bands = _read_child_pugh(
        bilirubin_mg_dl,
        albumin_g_l,
        inr,
        pt_prolongation_s,
        ascites,
        encephalopathy,
        albumin_bands,
        cholestatic,
    )
    value, coag_text, notes = _score(
        bilirubin, albumin, ratio, seconds, asc, enc, bands, cholestatic
    )
    reason = _explain(value, bilirubin, albumin, coag_text, asc, enc, bands, cholestatic, notes)
    return Finding(
        value=value,
        rule="Child-Pugh",
        edition=f"Pugh 1973 ({bands.value} albumin bands)",
        inputs={
            **_child_pugh_inputs(value, bilirubin, albumin, ratio, seconds, asc, enc, bands),
            "cholestatic": cholestatic,
        },
        reason=reason,
        references=("pugh1973",),
        notes=tuple(notes),
    )


def _explain(
    value: ChildPughScore,
    bilirubin: float,
    albumin: float,
    coag_text: str,
    asc: Ascites,
    enc: Encephalopathy,
    bands: AlbuminBands,
    cholestatic: bool,
    notes: list[str],
) -> str:
    """Say how each item scored (and note the albumin band conflict)."""
    bili_points, alb_points, coag_points = (
        value.bilirubin_points,
        value.albumin_points,
        value.inr_points,
    )
    asc_points, enc_points = value.ascites_points, value.encephalopathy_points
    total, child_class = value.points, value.child_class
    if 28 <= albumin < 30:
        other = 3 if bands is AlbuminBands.PUGH else 2
        notes.append(
            f"Albumin {albumin:g} g/L lies where the sources disagree: {alb_points} point(s) with "
            f"the {bands.value} bands used, {other} with the other (28-35 vs 30-35 g/L)."
        )
    bili_band = f"{'PBC/PSC ' if cholestatic else ''}bilirubin {bilirubin:g} mg/dL"
    reason = (
        f"{bili_band} → {bili_points}; albumin {albumin:g} g/L → {alb_points}; "
        f"{coag_text} → {coag_points}; ascites {asc.value} → {asc_points}; "
        f"encephalopathy {enc.value} → {enc_points}; total {total} → class {child_class.value}"
    )
    return reason


def _score(
    bilirubin: float,
    albumin: float,
    ratio: float | None,
    seconds: float | None,
    asc: Ascites,
    enc: Encephalopathy,
    bands: AlbuminBands,
    cholestatic: bool,
) -> tuple[ChildPughScore, str, list[str]]:
    """Score each Child-Pugh item: the score, the coagulation text and notes."""
    low_bili, high_bili = (4.0, 10.0) if cholestatic else (2.0, 3.0)
    bili_points = _three_bands(bilirubin, low_bili, high_bili)
    alb_low = _ALBUMIN_LOW[bands]
    alb_points = 1 if albumin > 35 else (2 if albumin >= alb_low else 3)
    coagulation, coag_points, coag_text, notes = _coagulation(ratio, seconds)
    asc_points = _ASCITES_POINTS[asc]
    enc_points = _ENCEPHALOPATHY_POINTS[enc]
    total = bili_points + alb_points + coag_points + asc_points + enc_points
    child_class = (
        ChildPughClass.A if total <= 6 else ChildPughClass.B if total <= 9 else ChildPughClass.C
    )
    value = ChildPughScore(
        points=total,
        child_class=child_class,
        bilirubin_points=bili_points,
        albumin_points=alb_points,
        inr_points=coag_points,
        ascites_points=asc_points,
        encephalopathy_points=enc_points,
        coagulation=coagulation,
    )
    return value, coag_text, notes


def _read_child_pugh(
    bilirubin_mg_dl: object,
    albumin_g_l: object,
    inr: object,
    pt_prolongation_s: object,
    ascites: object,
    encephalopathy: object,
    albumin_bands: object,
    cholestatic: object,
) -> tuple[float, float, float | None, float | None, Ascites, Encephalopathy, AlbuminBands]:
    """Check every Child-Pugh input; return them resolved."""
    checks = Checks()
    bilirubin = checks.number(
        "bilirubin_mg_dl", bilirubin_mg_dl, low=0, high=100, expected="mg/dL between 0 and 100"
    )
    albumin = checks.number(
        "albumin_g_l",
        albumin_g_l,
        low=10,
        high=80,
        expected="g/L between 10 and 80 (a value below 10 looks like g/dL: multiply by 10)",
    )
    ratio = checks.optional_number(
        "inr", inr, low=0, high=20, low_open=True, expected="an INR in (0, 20]"
    )
    seconds = checks.optional_number(
        "pt_prolongation_s",
        pt_prolongation_s,
        low=0,
        high=120,
        expected="seconds over the control time, 0-120",
    )
    asc = checks.member("ascites", ascites, Ascites)
    enc = checks.member("encephalopathy", encephalopathy, Encephalopathy)
    bands = checks.member("albumin_bands", albumin_bands, AlbuminBands)
    if not isinstance(cholestatic, bool):
        checks.add("cholestatic", cholestatic, "True or False")
    checks.done()
    assert asc is not None
    assert enc is not None
    assert bands is not None
    if ratio is None and seconds is None:
        raise InsufficientDataError(
            ["inr", "pt_prolongation_s"], "Child-Pugh needs the INR or the prothrombin time"
        )
    return bilirubin, albumin, ratio, seconds, asc, enc, bands


def _child_pugh_inputs(
    value: ChildPughScore,
    bilirubin: float,
    albumin: float,
    ratio: float | None,
    seconds: float | None,
    asc: Ascites,
    enc: Encephalopathy,
    bands: AlbuminBands,
) -> dict[str, object]:
    """Each Child-Pugh value with its points."""
    return {
        "bilirubin_mg_dl": bilirubin,
        "bilirubin_points": value.bilirubin_points,
        "albumin_g_l": albumin,
        "albumin_points": value.albumin_points,
        "albumin_bands": bands,
        "inr": ratio,
        "pt_prolongation_s": seconds,
        "coagulation": value.coagulation,
        "coagulation_points": value.inr_points,
        "inr_points": value.inr_points,
        "ascites": asc,
        "ascites_points": value.ascites_points,
        "encephalopathy": enc,
        "encephalopathy_points": value.encephalopathy_points,
    }


def _coagulation(ratio: float | None, seconds: float | None) -> tuple[str, int, str, list[str]]:
    """Score coagulation: (measure used, points, text, notes)."""
    if seconds is not None:
        points = _three_bands(seconds, 4.0, 6.0)
        notes = [
            "Coagulation scored from the prothrombin-time prolongation (Pugh 1973: < 4 s, "
            "4-6 s, > 6 s)."
        ]
        if ratio is not None and _three_bands(ratio, 1.7, 2.3) != points:
            notes.append(
                f"The INR {ratio:g} would score {_three_bands(ratio, 1.7, 2.3)}; the original "
                "prothrombin-time item was used."
            )
        return "pt_prolongation_s", points, f"prothrombin time +{seconds:g} s", notes
    assert ratio is not None
    notes = [
        "Coagulation scored from the INR (bands 1.7 and 2.3), which stands for the "
        "prothrombin-time prolongation (< 4 s, 4-6 s, > 6 s) of the original score."
    ]
    return "inr", _three_bands(ratio, 1.7, 2.3), f"INR {ratio:g}", notes


def _three_bands(value: float, low: float, high: float) -> int:
    """Return 1 below ``low``, 2 from ``low`` to ``high`` inclusive, 3 above ``high``."""
    if value < low:
        return 1
    return 2 if value <= high else 3


# --------------------------------------------------------------------------- ALBI

_ALBI_GRADE_1_MAX = -2.60
_ALBI_GRADE_2_MAX = -1.39


def albi_grade(*, bilirubin_umol_l: float, albumin_g_l: float) -> Finding[ALBIScore]:
    """Return the albumin-bilirubin (ALBI) score and grade.

    Linear predictor = 0.66 × log10(bilirubin, µmol/L) − 0.085 × albumin (g/L); grade 1 if
    ≤ −2.60, grade 2 if > −2.60 and ≤ −1.39, grade 3 if > −1.39. The formula is not in the
    knowledge base: it is taken from the primary paper and every result is marked unverified.

    Parameters
    ----------
    bilirubin_umol_l : float
        Total bilirubin in µmol/L (> 0; mg/dL × 17.1).
    albumin_g_l : float
        Serum albumin in g/L (10-80).

    Returns
    -------
    Finding[ALBIScore]
        The unrounded score and the grade.

    Raises
    ------
    InvalidInputError
        For values out of range.

    References
    ----------
    Johnson PJ et al., J Clin Oncol 2015;33:550-558 [johnson2015].
    """
    checks = Checks()
    bilirubin = checks.number(
        "bilirubin_umol_l",
        bilirubin_umol_l,
        low=0,
        high=2000,
        low_open=True,
        expected="µmol/L in (0, 2000]",
    )
    albumin = checks.number(
        "albumin_g_l",
        albumin_g_l,
        low=10,
        high=80,
        expected="g/L between 10 and 80 (a value below 10 looks like g/dL: multiply by 10)",
    )
    checks.done()
    score = 0.66 * math.log10(bilirubin) - 0.085 * albumin
    grade = 1 if score <= _ALBI_GRADE_1_MAX else 2 if score <= _ALBI_GRADE_2_MAX else 3
    band = {1: "≤ −2.60", 2: "> −2.60 and ≤ −1.39", 3: "> −1.39"}[grade]
    return Finding(
        value=ALBIScore(score=score, grade=grade),
        rule="ALBI",
        edition="Johnson 2015",
        inputs={"bilirubin_umol_l": bilirubin, "albumin_g_l": albumin, "score": score},
        reason=(
            f"0.66 × log10({bilirubin:g}) − 0.085 × {albumin:g} = {score:.3f} ({band}) → "
            f"grade {grade}"
        ),
        references=("johnson2015",),
        verified=False,
        notes=(
            "ALBI is not in the knowledge base; formula and cut-offs are from Johnson 2015 "
            "and unverified here.",
        ),
    )
