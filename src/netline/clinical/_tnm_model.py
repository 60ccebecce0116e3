"""TNM vocabulary for pancreatic NET: editions, categories, stage groups and the stage value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netline.clinical._values import StructuredValue
from netline.records.vocabulary import InvadedStructure

__all__ = [
    "Basis",
    "Edition",
    "MCategory",
    "NCategory",
    "StageGroup",
    "TCategory",
    "TNMStage",
]


class Edition(StrEnum):
    """TNM edition for pancreatic NET."""

    AJCC_8 = "AJCC 8"
    UICC_8 = "UICC 8"
    ENETS_2006 = "ENETS 2006"


class Basis(StrEnum):
    """Whether the classification is clinical (``c``) or pathological (``p``)."""

    CLINICAL = "c"
    PATHOLOGICAL = "p"


class TCategory(StrEnum):
    """Primary tumour category."""

    TX = "TX"
    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"


class NCategory(StrEnum):
    """Regional lymph node category."""

    NX = "NX"
    N0 = "N0"
    N1 = "N1"


class MCategory(StrEnum):
    """Distant metastasis category (``M1`` is used by ENETS 2006, which has no a/b/c)."""

    M0 = "M0"
    M1 = "M1"
    M1A = "M1a"
    M1B = "M1b"
    M1C = "M1c"


class StageGroup(StrEnum):
    """Anatomic stage group (AJCC/UICC 8: I-IV; ENETS 2006: I, IIA, IIB, IIIA, IIIB, IV)."""

    I = "I"  # noqa: E741 - the stage is called I
    II = "II"
    IIA = "IIA"
    IIB = "IIB"
    III = "III"
    IIIA = "IIIA"
    IIIB = "IIIB"
    IV = "IV"


@dataclass(frozen=True, slots=True)
class TNMStage(StructuredValue):
    """A complete TNM classification with its stage group.

    Parameters
    ----------
    t, n, m : TCategory, NCategory, MCategory
        The categories.
    basis : Basis
        Clinical or pathological classification; the prefix is written once, before T.
    stage_group : StageGroup or None
        ``None`` when the unknown categories (TX, NX) leave more than one group possible.
    multiple : bool
        Multiple primary tumours: the largest was staged and ``(m)`` follows the T category.
    edition : Edition
        The edition used.
    """

    t: TCategory
    n: NCategory
    m: MCategory
    basis: Basis
    stage_group: StageGroup | None
    multiple: bool
    edition: Edition

    @property
    def code(self) -> str:
        """The TNM code, e.g. ``"pT3 N0 M0"`` or ``"pT2(m) N1 M1a"``."""
        suffix = "(m)" if self.multiple else ""
        return f"{self.basis.value}{self.t.value}{suffix} {self.n.value} {self.m.value}"

    def __str__(self) -> str:
        group = (
            f"stage {self.stage_group.value}"
            if self.stage_group is not None
            else "stage not assignable"
        )
        return f"{self.code}, {group}"


_REFERENCES: dict[Edition, tuple[str, ...]] = {
    Edition.AJCC_8: ("ajcc8",),
    Edition.UICC_8: ("uicc8",),
    Edition.ENETS_2006: ("rindi2006",),
}

_T4_STRUCTURES = frozenset(
    {
        InvadedStructure.STOMACH,
        InvadedStructure.SPLEEN,
        InvadedStructure.COLON,
        InvadedStructure.ADRENAL_GLAND,
        InvadedStructure.OTHER_ORGAN,
        InvadedStructure.COELIAC_AXIS,
        InvadedStructure.SUPERIOR_MESENTERIC_ARTERY,
    }
)
_T4_UICC_ONLY = frozenset({InvadedStructure.VISCERAL_PERITONEUM})
_T3_STRUCTURES = frozenset({InvadedStructure.DUODENUM, InvadedStructure.COMMON_BILE_DUCT})
_VEINS = frozenset({InvadedStructure.SUPERIOR_MESENTERIC_VEIN, InvadedStructure.PORTAL_VEIN})

_MAX_SIZE_MM = 300.0
