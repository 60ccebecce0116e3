"""Renal function: Cockcroft-Gault creatinine clearance."""

from __future__ import annotations

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.errors import InsufficientDataError
from netline.records.vocabulary import Sex

__all__ = ["cockcroft_gault"]

_FEMALE_FACTOR = 0.85


def cockcroft_gault(
    *,
    age_years: float,
    weight_kg: float,
    serum_creatinine_mg_dl: float,
    sex: Sex | str,
) -> Finding[float]:
    """Return the Cockcroft-Gault creatinine clearance in mL/min.

    CrCl = (140 − age) × weight / (72 × serum creatinine), × 0.85 for women. The equation was
    derived in adults with actual body weight and is not normalised to body surface area.

    Parameters
    ----------
    age_years : float
        Age in years (18-120; the equation was derived in adults).
    weight_kg : float
        Body weight in kg (actual body weight, as in the original paper and the Lutathera
        label's renal rule).
    serum_creatinine_mg_dl : float
        Serum creatinine in mg/dL (µmol/L ÷ 88.4); values above 30 look like µmol/L and are
        rejected.
    sex : Sex or str
        ``"male"`` or ``"female"``.

    Returns
    -------
    Finding[float]
        Creatinine clearance in mL/min.

    Raises
    ------
    InvalidInputError
        For values out of range or an unknown sex.
    InsufficientDataError
        When sex is ``"other"`` or ``"unknown"``: the equation's 0.85 factor needs male or
        female.

    References
    ----------
    Cockcroft DW, Gault MH, Nephron 1976;16:31-41 [cockcroft1976].
    """
    checks = Checks()
    age = checks.number("age_years", age_years, low=18, high=120, expected="years, 18-120")
    weight = checks.number(
        "weight_kg", weight_kg, low=0, high=400, low_open=True, expected="kg in (0, 400]"
    )
    creatinine = checks.number(
        "serum_creatinine_mg_dl",
        serum_creatinine_mg_dl,
        low=0,
        high=30,
        low_open=True,
        expected="mg/dL in (0, 30] (a larger value looks like µmol/L: divide by 88.4)",
    )
    resolved_sex = checks.member("sex", sex, Sex)
    checks.done()
    if resolved_sex not in (Sex.MALE, Sex.FEMALE):
        raise InsufficientDataError(
            ["sex"], "the Cockcroft-Gault equation applies its 0.85 factor by male or female sex"
        )
    female = resolved_sex is Sex.FEMALE
    clearance = (140 - age) * weight / (72 * creatinine) * (_FEMALE_FACTOR if female else 1.0)
    factor = " × 0.85 (female)" if female else ""
    return Finding(
        value=clearance,
        rule="Cockcroft-Gault",
        edition="1976",
        inputs={
            "age_years": age,
            "weight_kg": weight,
            "serum_creatinine_mg_dl": creatinine,
            "sex": resolved_sex,
        },
        reason=(
            f"(140 − {age:g}) × {weight:g} kg / (72 × {creatinine:g} mg/dL){factor} "
            f"= {clearance:.1f} mL/min"
        ),
        references=("cockcroft1976",),
    )
