"""Somatostatin-receptor imaging: the Krenning score (knowledge base section A4).

The Krenning scale grades tumour uptake on planar or SPECT somatostatin-receptor scintigraphy
(111In-pentetreotide) against liver, spleen and kidneys; the same visual scale is applied to
SSTR-PET (68Ga-DOTATATE/DOTATOC) as the "modified Krenning" score.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical._values import StructuredValue
from netline.records.vocabulary import ImagingModality

__all__ = [
    "KRENNING_DESCRIPTIONS",
    "KrenningScore",
    "Uptake",
    "krenning_from_uptake",
    "krenning_score",
]

#: Tumour uptake relative to the reference organs, by Krenning score.
KRENNING_DESCRIPTIONS: dict[int, str] = {
    0: "no uptake",
    1: "very low uptake, much lower than normal liver",
    2: "uptake slightly less than or equal to normal liver",
    3: "uptake greater than normal liver",
    4: "uptake greater than spleen (or kidneys if the spleen is absent)",
}

_MODALITIES = (ImagingModality.SRS, ImagingModality.SSTR_PET)


class Uptake(StrEnum):
    """Tumour uptake compared with a reference organ, as a report states it."""

    NONE = "none"
    MUCH_LOWER = "much_lower"
    LOWER = "lower"  # slightly lower
    EQUAL = "equal"
    HIGHER = "higher"


@dataclass(frozen=True, slots=True)
class KrenningScore(StructuredValue):
    """A Krenning score with what it means.

    Parameters
    ----------
    score : int
        0 to 4.
    modality : ImagingModality
        ``SRS`` (planar or SPECT scintigraphy) or ``SSTR_PET`` (modified Krenning).
    description : str
        Uptake relative to the reference organs.
    at_least_liver : bool
        Uptake ≥ normal liver (score ≥ 2): the NETTER-1 entry criterion for PRRT.
    above_liver : bool
        Uptake > normal liver (score ≥ 3): the threshold many centres require on SSTR-PET.
    """

    score: int
    modality: ImagingModality
    description: str
    at_least_liver: bool
    above_liver: bool

    def __str__(self) -> str:
        scale = "modified Krenning" if self.modality is ImagingModality.SSTR_PET else "Krenning"
        return f"{scale} {self.score}: {self.description}"


def krenning_score(score: int, modality: ImagingModality | str) -> Finding[KrenningScore]:
    """Describe a Krenning score and whether the uptake reaches the PRRT thresholds.

    Scores: 0 none; 1 much lower than liver; 2 slightly less than or equal to liver; 3 greater
    than liver; 4 greater than spleen (or kidneys). NETTER-1 required uptake ≥ liver (score ≥ 2)
    in all target lesions on scintigraphy. On SSTR-PET, which is more sensitive, many centres
    require uptake > liver (score ≥ 3); that practice is recalled, not verified, so an SSTR-PET
    result is marked unverified.

    The score is per lesion: eligibility rules apply to every target lesion, which the caller
    checks.

    Parameters
    ----------
    score : int
        Krenning score, 0-4.
    modality : ImagingModality or str
        ``"srs"`` (planar/SPECT scintigraphy) or ``"sstr_pet"``.

    Returns
    -------
    Finding[KrenningScore]
        The score with its description and the two threshold flags.

    Raises
    ------
    InvalidInputError
        For a score that is not a whole number 0-4, or another modality.

    References
    ----------
    Kwekkeboom DJ, Krenning EP, Semin Nucl Med 2002;32:84-91 [kwekkeboom2002]; Strosberg J et
    al., N Engl J Med 2017;376:125-135 (NETTER-1) [strosberg2017]; Hope TA et al., J Nucl Med
    2020;61:222-227 [hope2020].
    """
    checks = Checks()
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 4:
        checks.add("score", score, "a whole number from 0 to 4")
    resolved = checks.member("modality", modality, ImagingModality)
    if resolved is not None and resolved not in _MODALITIES:
        checks.add("modality", resolved.value, "'srs' or 'sstr_pet'")
    checks.done()
    assert resolved is not None

    pet = resolved is ImagingModality.SSTR_PET
    value = KrenningScore(
        score=score,
        modality=resolved,
        description=KRENNING_DESCRIPTIONS[score],
        at_least_liver=score >= 2,
        above_liver=score >= 3,
    )
    notes = [
        "Uptake ≥ liver (score ≥ 2) in all target lesions was the NETTER-1 entry criterion "
        "for PRRT.",
    ]
    references = ["kwekkeboom2002", "strosberg2017"]
    if pet:
        notes.append(
            "SSTR-PET: many centres require uptake > liver (score ≥ 3) because PET is more "
            "sensitive than scintigraphy; recalled practice (Hope 2020), not verified."
        )
        references.append("hope2020")
    threshold = "≥ liver" if value.at_least_liver else "< liver"
    if pet:
        threshold += ", > liver" if value.above_liver else ", not > liver"
    return Finding(
        value=value,
        rule="Krenning score",
        edition="modified (SSTR-PET)" if pet else "planar/SPECT",
        inputs={"score": score, "modality": resolved},
        reason=f"score {score}: {value.description} (uptake {threshold})",
        references=tuple(references),
        verified=not pet,
        notes=tuple(notes),
    )


def krenning_from_uptake(
    *,
    vs_liver: Uptake | str | None,
    vs_spleen: Uptake | str | None = None,
    modality: ImagingModality | str,
) -> Finding[KrenningScore]:
    """Derive the Krenning score from tumour uptake compared with normal liver and spleen.

    ===========================================  =====
    what the report says                         score
    ===========================================  =====
    uptake higher than spleen (or kidneys)       4
    higher than liver (not higher than spleen)   3
    slightly lower than or equal to liver        2
    much lower than liver                        1
    no uptake                                    0
    ===========================================  =====

    "Higher than spleen" alone gives 4. "Higher than liver" with nothing said about the
    spleen gives 3, with a note that it is 4 if the uptake also exceeds the spleen.

    The scale was defined on planar 111In-pentetreotide scintigraphy (Krenning; Kwekkeboom
    2002). On SSTR-PET the same visual comparison with liver and spleen is the "modified
    Krenning" score; PET is more sensitive, and studies set the positive threshold differently
    (NETPET: uptake above background, modified Krenning 2-4; others: above liver, 3-4), so a PET
    result is marked unverified, as :func:`krenning_score` does.

    Parameters
    ----------
    vs_liver : Uptake or str or None
        Uptake compared with normal liver: ``"none"``, ``"much_lower"``, ``"lower"``,
        ``"equal"`` or ``"higher"``; ``None`` when the report compares only with the spleen.
    vs_spleen : Uptake or str, optional
        Uptake compared with the spleen (the kidneys when the spleen is absent).
    modality : ImagingModality or str
        ``"srs"`` (planar/SPECT scintigraphy) or ``"sstr_pet"``.

    Returns
    -------
    Finding[KrenningScore]
        The derived score, with the comparisons in ``inputs``.

    Raises
    ------
    InvalidInputError
        For unknown uptake words, another modality, no comparison at all, or a comparison with
        the spleen that needs the liver (anything but "higher").

    References
    ----------
    Kwekkeboom DJ, Krenning EP, Semin Nucl Med 2002;32:84-91 [kwekkeboom2002]; Hope TA et al.,
    J Nucl Med 2020;61:222-227 [hope2020]; Molecular imaging phenotyping for selecting and
    monitoring radioligand therapy of neuroendocrine neoplasms, Cancer Imaging 2022, Table 1
    (doi:10.1186/s40644-022-00465-3) [iravani2022].
    """
    checks = Checks()
    liver = None if vs_liver is None else checks.member("vs_liver", vs_liver, Uptake)
    spleen = None if vs_spleen is None else checks.member("vs_spleen", vs_spleen, Uptake)
    resolved = checks.member("modality", modality, ImagingModality)
    if resolved is not None and resolved not in _MODALITIES:
        checks.add("modality", resolved.value, "'srs' or 'sstr_pet'")
    if vs_liver is None and spleen is not Uptake.HIGHER:
        checks.add("vs_liver", None, "the uptake compared with liver (unless higher than spleen)")
    checks.done()
    assert resolved is not None
    score, why, notes = _uptake_score(liver, spleen)
    base = krenning_score(score, resolved)
    references = list(base.references)
    if resolved is ImagingModality.SSTR_PET:
        references.append("iravani2022")
        notes.append(
            "SSTR-PET: the modified Krenning score uses the same comparison with liver and "
            "spleen; studies disagree on the PET threshold for PRRT (above background, score "
            "2-4, or above liver, 3-4)."
        )
    return replace(
        base,
        inputs={"vs_liver": liver, "vs_spleen": spleen, "modality": resolved, "score": score},
        reason=f"uptake {why} → score {score}: {base.value.description}",
        references=tuple(references),
        notes=(*notes, *base.notes),
    )


def _uptake_score(liver: Uptake | None, spleen: Uptake | None) -> tuple[int, str, list[str]]:
    """Score uptake compared with liver and spleen: (score, why, notes)."""
    notes: list[str] = []
    if spleen is Uptake.HIGHER:
        score, why = 4, "higher than spleen"
        if liver is not None and liver is not Uptake.HIGHER:
            notes.append(
                f"Uptake reported {liver.value} vs liver but higher than spleen: contradictory "
                "(normal spleen uptake exceeds liver); scored 4 from the spleen comparison."
            )
    else:
        assert liver is not None
        score = {
            Uptake.NONE: 0,
            Uptake.MUCH_LOWER: 1,
            Uptake.LOWER: 2,
            Uptake.EQUAL: 2,
            Uptake.HIGHER: 3,
        }[liver]
        why = f"{liver.value} vs liver"
        if liver is Uptake.HIGHER and spleen is None:
            notes.append(
                "Uptake higher than liver; the report does not compare it with the spleen: "
                "score 3, or 4 if it also exceeds the spleen."
            )
    return score, why, notes
