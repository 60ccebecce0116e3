"""TNM rules for pancreatic NET: the T, N and M findings and the stage group of each edition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._tnm_model import (
    _REFERENCES,
    _T3_STRUCTURES,
    _T4_STRUCTURES,
    _T4_UICC_ONLY,
    _VEINS,
    Edition,
    MCategory,
    NCategory,
    StageGroup,
    TCategory,
)
from netline.records.vocabulary import InvadedStructure, Organ

# --------------------------------------------------------------------------- categories


def _t_finding(
    size: float | None, structures: frozenset[InvadedStructure], ed: Edition
) -> Finding[TCategory]:
    uicc = ed is Edition.UICC_8
    t4_set = _T4_STRUCTURES | _T4_UICC_ONLY if uicc else _T4_STRUCTURES
    t4 = sorted(structures & t4_set)
    t3 = sorted(structures & _T3_STRUCTURES)
    size_text = "size unknown" if size is None else f"{size:g} mm"
    notes: list[str] = []
    verified = True

    if t4:
        t = TCategory.T4
        reason = f"T4: invades {_names(t4)}"
    elif t3:
        t = TCategory.T3
        reason = f"T3: invades {_names(t3)} (any size; {size_text})"
    elif size is None:
        t = TCategory.TX
        reason = "TX: size unknown and no invasion that decides T"
    elif size > 40:
        t = TCategory.T3
        reason = f"T3: {size:g} mm > 40 mm"
    elif (size <= 20) if uicc else (size < 20):
        t = TCategory.T1
        reason = f"T1: {size:g} mm {'≤' if uicc else '<'} 20 mm"
    else:
        t = TCategory.T2
        lower = "> 20" if uicc else "≥ 20"
        reason = f"T2: {size:g} mm ({lower} and ≤ 40 mm)"

    decided_by_invasion = t is TCategory.T4 or bool(t3)
    if InvadedStructure.PERIPANCREATIC_FAT in structures:
        notes.append("Extension into peripancreatic fat does not change T (recalled AJCC 8 rule).")
        if not decided_by_invasion and t is not TCategory.T3:
            verified = False
    if not uicc and InvadedStructure.VISCERAL_PERITONEUM in structures:
        notes.append(
            f"Visceral peritoneum involvement is a T4 criterion in UICC 8 only; {ed.value} "
            "does not list it, so it does not change T here."
        )
    veins = sorted(structures & _VEINS)
    if veins and t is not TCategory.T4:
        notes.append(
            f"Invasion of {_names(veins)} is not among the listed T4 vessels (coeliac axis, "
            "superior mesenteric artery) and does not change T here."
        )
        if uicc:
            verified = False
            notes.append(
                "UICC 8 T4 also covers invasion of 'adjacent structures'; whether venous "
                "invasion counts is not settled in the knowledge base: review."
            )
    inputs: dict[str, object] = {
        "size_mm": size,
        "invaded": [s.value for s in sorted(structures)],
        "edition": ed,
    }
    return Finding(
        value=t,
        rule="TNM T (pancreatic NET)",
        edition=ed.value,
        inputs=inputs,
        reason=reason,
        references=_REFERENCES[ed],
        verified=verified,
        notes=tuple(notes),
    )


def _n_from_counts(positive: int | None, examined: int | None) -> tuple[NCategory, str]:
    if positive is not None and positive > 0:
        of = f" of {examined}" if examined is not None else ""
        return NCategory.N1, f"N1: {positive}{of} regional nodes positive"
    if positive == 0:
        if examined == 0:
            return NCategory.NX, "NX: no regional node examined"
        if examined is None:
            return NCategory.N0, "N0: no positive regional node (number examined not given)"
        return NCategory.N0, f"N0: 0 of {examined} regional nodes positive"
    return NCategory.NX, "NX: regional nodes not assessed"


def _n_finding(
    positive: int | None, examined: int | None, given: NCategory | None, ed: Edition
) -> Finding[NCategory]:
    if given is not None:
        n, reason = given, f"{given.value} as recorded"
    else:
        n, reason = _n_from_counts(positive, examined)
    inputs: dict[str, object] = {
        "positive_nodes": positive,
        "examined_nodes": examined,
        "n_status": given,
    }
    return Finding(
        value=n,
        rule="TNM N (pancreatic NET)",
        edition=ed.value,
        inputs=inputs,
        reason=reason,
        references=_REFERENCES[ed],
    )


def _m_finding(organs: frozenset[Organ], ed: Edition) -> Finding[MCategory]:
    hepatic = sorted(o for o in organs if o.is_hepatic)
    extra = sorted(o for o in organs if not o.is_hepatic)
    notes: tuple[str, ...] = ()
    verified = True
    if not organs:
        m, reason = MCategory.M0, "M0: no distant metastasis"
    elif ed is Edition.ENETS_2006:
        m, reason = MCategory.M1, f"M1: distant metastasis ({_names(hepatic + extra)})"
    else:
        if hepatic and extra:
            m, detail = MCategory.M1C, "hepatic and extrahepatic"
        elif hepatic:
            m, detail = MCategory.M1A, "confined to the liver"
        else:
            m, detail = MCategory.M1B, "extrahepatic only"
        reason = f"{m.value}: metastases {detail} ({_names(hepatic + extra)})"
        if ed is Edition.UICC_8:
            verified = False
            notes = (
                "The M1a/M1b/M1c split is verified for AJCC 8 in the knowledge base; the same "
                "split is used for UICC 8 without a checked source.",
            )
    inputs: dict[str, object] = {"distant_metastases": [o.value for o in hepatic + extra]}
    return Finding(
        value=m,
        rule="TNM M (pancreatic NET)",
        edition=ed.value,
        inputs=inputs,
        reason=reason,
        references=_REFERENCES[ed],
        verified=verified,
        notes=notes,
    )


# --------------------------------------------------------------------------- stage group

_ALL_T = (TCategory.T1, TCategory.T2, TCategory.T3, TCategory.T4)
_ALL_N = (NCategory.N0, NCategory.N1)

_AJCC_N0: Mapping[TCategory, StageGroup] = {
    TCategory.T1: StageGroup.I,
    TCategory.T2: StageGroup.II,
    TCategory.T3: StageGroup.II,
    TCategory.T4: StageGroup.III,
}
_ENETS_N0: Mapping[TCategory, StageGroup] = {
    TCategory.T1: StageGroup.I,
    TCategory.T2: StageGroup.IIA,
    TCategory.T3: StageGroup.IIB,
    TCategory.T4: StageGroup.IIIA,
}


def _known_group(t: TCategory, n: NCategory, m: MCategory, ed: Edition) -> StageGroup:
    enets = ed is Edition.ENETS_2006
    if m is not MCategory.M0:
        return StageGroup.IV
    if n is NCategory.N1:
        return StageGroup.IIIB if enets else StageGroup.III
    return (_ENETS_N0 if enets else _AJCC_N0)[t]


def _stage_group(
    t: TCategory, n: NCategory, m: MCategory, ed: Edition
) -> tuple[StageGroup | None, str]:
    ts = _ALL_T if t is TCategory.TX else (t,)
    ns = _ALL_N if n is NCategory.NX else (n,)
    groups = {_known_group(ti, ni, m, ed) for ti in ts for ni in ns}
    unknown = [c.value for c in (t, n) if c in (TCategory.TX, NCategory.NX)]
    if len(groups) == 1:
        group = groups.pop()
        if unknown:
            return (
                group,
                f"stage {group.value} (the same for every value of {' and '.join(unknown)})",
            )
        return group, f"stage {group.value}"
    options = ", ".join(sorted(g.value for g in groups))
    verb = "leave" if len(unknown) > 1 else "leaves"
    return None, f"stage not assignable: {' and '.join(unknown)} {verb} {options} possible"


def _names(items: Iterable[StrEnum]) -> str:
    return ", ".join(item.value.replace("_", " ") for item in items)
