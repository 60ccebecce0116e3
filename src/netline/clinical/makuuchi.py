"""The Makuuchi criteria: the largest hepatectomy liver function allows (knowledge base A5)."""

from __future__ import annotations

from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical.ascites import Ascites
from netline.errors import InsufficientDataError

__all__ = ["ResectionExtent", "makuuchi_resection_limit"]


class ResectionExtent(StrEnum):
    """Largest liver resection allowed, from none to about two thirds of the liver."""

    NONE = "no_hepatectomy"
    ENUCLEATION = "enucleation"
    LIMITED_RESECTION = "limited_resection"
    SEGMENTECTOMY = "segmentectomy"
    LEFT_HEPATECTOMY_OR_RIGHT_SECTIONECTOMY = "left_hepatectomy_or_right_sectionectomy"
    HEMIHEPATECTOMY_OR_TRISECTIONECTOMY = "right_or_left_hepatectomy_or_trisectionectomy"

    @property
    def rank(self) -> int:
        """Order of extent: 0 for no hepatectomy up to 5 for hemihepatectomy/trisectionectomy."""
        return list(ResectionExtent).index(self)


_ICG_BANDS: tuple[tuple[float, ResectionExtent, str], ...] = (
    (10.0, ResectionExtent.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY, "< 10 %: about 2/3 of the liver"),
    (20.0, ResectionExtent.LEFT_HEPATECTOMY_OR_RIGHT_SECTIONECTOMY, "10-19 %: about 1/3"),
    (30.0, ResectionExtent.SEGMENTECTOMY, "20-29 %: one Couinaud segment, about 1/6"),
    (40.0, ResectionExtent.LIMITED_RESECTION, "30-39 %: limited resection"),
)


def makuuchi_resection_limit(
    *,
    bilirubin_mg_dl: float,
    ascites: Ascites | str,
    icg_r15_percent: float | None,
) -> Finding[ResectionExtent]:
    """Return the largest hepatectomy the Makuuchi criteria allow.

    Decision tree:

    * ascites uncontrollable by diuretics, or bilirubin ≥ 2.0 mg/dL → no hepatectomy;
    * bilirubin 1.6-1.9 mg/dL → enucleation only;
    * bilirubin 1.1-1.5 mg/dL → limited (non-anatomic) resection;
    * bilirubin ≤ 1.0 mg/dL → by ICG-R15: < 10 % right/left hepatectomy or trisectionectomy
      (about 2/3 of the liver); 10-19 % left hepatectomy or right sectionectomy (about 1/3);
      20-29 % segmentectomy (about 1/6); 30-39 % limited resection; ≥ 40 % enucleation.

    The tree uses ICG-R15 only when bilirubin ≤ 1.0 mg/dL, so bilirubin 1.1-1.5 mg/dL allows a
    limited resection even where ICG-R15 ≥ 40 % would allow only enucleation; when a given
    ICG-R15 is more restrictive than the bilirubin branch, the result keeps the tree's answer
    and a note shows the disagreement.

    A bilirubin between the printed bands (e.g. 1.05 or 1.55 mg/dL) falls in the more
    restrictive band. Only the branch "no ascites, bilirubin < 1.0 mg/dL, ICG-R15 < 10 % →
    right hepatectomy" is verified in the knowledge base (for Child-Pugh A livers); every other
    branch is recalled and its result marked unverified.

    Parameters
    ----------
    bilirubin_mg_dl : float
        Total bilirubin in mg/dL.
    ascites : Ascites or str
        ``"none"``, ``"controlled"`` (by diuretics) or ``"uncontrolled"`` (``"absent"`` and
        ``"uncontrollable"`` are accepted).
    icg_r15_percent : float or None
        Indocyanine-green retention at 15 min, %; needed only when bilirubin ≤ 1.0 mg/dL and
        ascites is not uncontrollable.

    Returns
    -------
    Finding[ResectionExtent]
        The largest resection allowed.

    Raises
    ------
    InvalidInputError
        For values out of range or an unknown ascites category.
    InsufficientDataError
        When ICG-R15 is needed and not given.

    References
    ----------
    Makuuchi M et al., Semin Surg Oncol 1993;9:298-304 [makuuchi1993].
    """
    checks = Checks()
    bilirubin = checks.number(
        "bilirubin_mg_dl", bilirubin_mg_dl, low=0, high=100, expected="mg/dL between 0 and 100"
    )
    asc = checks.member("ascites", ascites, Ascites)
    icg = checks.optional_number(
        "icg_r15_percent", icg_r15_percent, low=0, high=100, expected="a percentage, 0-100"
    )
    checks.done()
    assert asc is not None

    extent, reason, verified, notes = _decide(bilirubin, asc, icg)
    notes.extend(_caveats(bilirubin, icg, extent, verified=verified))
    return Finding(
        value=extent,
        rule="Makuuchi criteria",
        edition="1993",
        inputs={"bilirubin_mg_dl": bilirubin, "ascites": asc, "icg_r15_percent": icg},
        reason=reason,
        references=("makuuchi1993",),
        verified=verified,
        notes=tuple(notes),
    )


def _decide(
    bilirubin: float, asc: Ascites, icg: float | None
) -> tuple[ResectionExtent, str, bool, list[str]]:
    """Walk the decision tree: extent, reason, whether verified, and notes."""
    notes: list[str] = []
    verified = False
    if asc is Ascites.UNCONTROLLED or bilirubin >= 2.0:
        extent = ResectionExtent.NONE
        why = (
            "ascites uncontrollable by diuretics"
            if asc is Ascites.UNCONTROLLED
            else f"bilirubin {bilirubin:g} mg/dL ≥ 2.0"
        )
        reason = f"{why} → no hepatectomy"
    elif bilirubin > 1.5:
        extent = ResectionExtent.ENUCLEATION
        reason = f"bilirubin {bilirubin:g} mg/dL in 1.6-1.9 → enucleation only"
    elif bilirubin > 1.0:
        extent = ResectionExtent.LIMITED_RESECTION
        reason = f"bilirubin {bilirubin:g} mg/dL in 1.1-1.5 → limited resection"
    else:
        if icg is None:
            raise InsufficientDataError(
                ["icg_r15_percent"],
                f"with bilirubin {bilirubin:g} mg/dL ≤ 1.0 the Makuuchi criteria decide by ICG-R15",
            )
        extent, band = _icg_extent(icg)
        reason = f"bilirubin {bilirubin:g} mg/dL ≤ 1.0; ICG-R15 {icg:g} % {band}"
        if (
            extent is ResectionExtent.HEMIHEPATECTOMY_OR_TRISECTIONECTOMY
            and asc is Ascites.NONE
            and bilirubin < 1.0
        ):
            verified = True
            notes.append(
                "Verified branch: right hepatectomy only if ICG-R15 < 10 % (stated for "
                "Child-Pugh A livers with bilirubin < 1.0 mg/dL)."
            )
    return extent, reason, verified, notes


def _caveats(
    bilirubin: float, icg: float | None, extent: ResectionExtent, *, verified: bool
) -> list[str]:
    """List the notes on disagreements, band gaps, verification and use in NET."""
    notes: list[str] = []
    if icg is not None and bilirubin > 1.0 and extent is not ResectionExtent.NONE:
        by_icg = _icg_extent(icg)[0]
        if by_icg.rank < extent.rank:
            notes.append(
                f"ICG-R15 {icg:g} % would allow only {by_icg.value.replace('_', ' ')} in the "
                "bilirubin ≤ 1.0 branch; the tree does not use ICG-R15 at this bilirubin, so "
                "the two disagree: the more restrictive limit deserves consideration."
            )
    if _between_bands(bilirubin):
        notes.append(
            f"Bilirubin {bilirubin:g} mg/dL lies between the printed bands (≤ 1.0, 1.1-1.5, "
            "1.6-1.9, ≥ 2.0): the more restrictive band was used."
        )
    if not verified:
        notes.append(
            "Decided by a Makuuchi band recalled from the 1993 algorithm, not checked against "
            "the paper."
        )
    notes.append(
        "Designed for cirrhotic livers (HCC); for NET liver metastases, usually in normal "
        "liver, the future liver remnant volume (typically ≥ 20-30 % of standardised liver "
        "volume) is the operative constraint."
    )
    return notes


def _icg_extent(icg: float) -> tuple[ResectionExtent, str]:
    return next(
        ((extent, text) for limit, extent, text in _ICG_BANDS if icg < limit),
        (ResectionExtent.ENUCLEATION, "≥ 40 %: enucleation"),
    )


def _between_bands(bilirubin: float) -> bool:
    return any(low < bilirubin < high for low, high in ((1.0, 1.1), (1.5, 1.6), (1.9, 2.0)))
