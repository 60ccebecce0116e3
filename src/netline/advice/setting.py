"""The disease setting at a decision date: the first thing the tumour board settles.

Options, eligibility and ordering are evaluated *within* the setting (docs/advise.md §2). The
setting has three axes, each read with its reasons:

* **extent** -- ``ned`` (no evidence of disease after resection), ``localised`` (no distant
  metastasis, primary in place: ``resectable``, ``borderline`` with venous involvement, or
  ``locally_advanced`` with arterial involvement), ``liver_only`` (distant disease in the liver
  only: ``potentially_resectable`` when the surgical criteria netline can check hold, else
  ``unresectable``), ``extrahepatic`` (distant disease outside the liver); a ``recurrence``
  flag when disease returned after a period without evidence of disease;
* **histology** -- ``nec`` (poorly differentiated carcinoma), ``g3_net`` (well-differentiated
  G3), ``g1_g2`` or ``unknown``;
* **syndrome** -- a functioning tumour whose syndrome is not recorded as controlled needs
  syndrome control first (``uncontrolled``; ``control_unknown`` when the record does not say).

References
----------
.. [1] Kos-Kudła B et al. ENETS 2023 guidance paper for nonfunctioning pancreatic
   neuroendocrine tumours. J Neuroendocrinol 2023;35:e13343.
.. [2] Hofland J et al. ENETS 2023 guidance paper for functioning pancreatic neuroendocrine
   tumour syndromes. J Neuroendocrinol 2023;35:e13318.
.. [3] Pavel M et al. ESMO Clinical Practice Guidelines. Ann Oncol 2020;31:844-860.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netline.advice.resection import ResectionHistory
from netline.advice.state import DecisionState
from netline.advice.state_types import syndrome_label
from netline.advice.surgery import SurgeryAssessment
from netline.records.model import CaseRecord
from netline.records.vocabulary import InvadedStructure

__all__ = ["DiseaseSetting", "classify_setting"]

_ARTERIAL = frozenset({InvadedStructure.COELIAC_AXIS, InvadedStructure.SUPERIOR_MESENTERIC_ARTERY})
_VENOUS = frozenset({InvadedStructure.PORTAL_VEIN, InvadedStructure.SUPERIOR_MESENTERIC_VEIN})
_EXTENT_LABEL = {
    "ned": "no evidence of disease after resection",
    "localised": "localised disease (no distant metastasis)",
    "liver_only": "metastatic, liver-only",
    "extrahepatic": "metastatic with extrahepatic disease",
}
_RESECTABILITY_LABEL = {
    "resectable": "resectable on the record (for the pancreatic surgeons to confirm)",
    "borderline": "borderline (venous involvement)",
    "locally_advanced": "locally advanced, arterial involvement",
    "potentially_resectable": "potentially resectable (surgical criteria netline can check hold)",
    "unresectable": "not resectable by the criteria netline can check",
}
_HISTOLOGY_LABEL = {
    "nec": "poorly differentiated neuroendocrine carcinoma (NEC)",
    "g3_net": "well-differentiated G3 NET",
    "g1_g2": "well-differentiated G1/G2 NET",
    "unknown": "grade or differentiation unknown",
}


@dataclass(frozen=True, slots=True)
class DiseaseSetting:
    """Where the patient stands, with the reasons for each reading.

    Attributes
    ----------
    extent : str
        ``ned``, ``localised``, ``liver_only`` or ``extrahepatic``.
    resectability : str or None
        ``resectable``, ``borderline``, ``locally_advanced`` (localised);
        ``potentially_resectable`` or ``unresectable`` (liver-only); ``None`` otherwise.
    recurrence_since : date or None
        When disease was found again after a period without evidence of disease.
    histology : str
        ``nec``, ``g3_net``, ``g1_g2`` or ``unknown``.
    syndrome : str or None
        The functioning syndrome (``None``: non-functioning or unknown).
    syndrome_control : str or None
        ``uncontrolled``, ``control_unknown`` or ``controlled`` for a functioning tumour.
    ned_since : date or None
    reasons : tuple of str
        Why netline reads the setting so, one sentence per axis.
    """

    extent: str
    resectability: str | None
    recurrence_since: dt.date | None
    histology: str
    syndrome: str | None
    syndrome_control: str | None
    ned_since: dt.date | None
    reasons: tuple[str, ...]

    @property
    def metastatic(self) -> bool:
        """Whether distant metastases are present."""
        return self.extent in ("liver_only", "extrahepatic")

    @property
    def advanced(self) -> bool | None:
        """Whether the disease is advanced (locoregional unresectable or metastatic).

        The guidelines' systemic-therapy statements are written for advanced disease [1]_:
        ``False`` after complete resection and for a resectable localised primary, ``True``
        with distant metastases or a locally advanced primary, ``None`` where the setting
        leaves it open (borderline resectability, a resected primary whose site of disease
        the record does not show).

        References
        ----------
        .. [1] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343 (ENETS NF-pNET): systemic
           therapy is discussed for advanced (unresectable or metastatic) disease.
        """
        if self.metastatic or self.resectability == "locally_advanced":
            return True
        if self.extent == "ned" or self.resectability == "resectable":
            return False
        return None

    @property
    def syndrome_first(self) -> bool:
        """Whether syndrome control comes before antitumour therapy."""
        return self.syndrome is not None and self.syndrome_control != "controlled"

    @property
    def label(self) -> str:
        """The setting in one line."""
        parts = [_EXTENT_LABEL[self.extent]]
        if self.resectability is not None:
            parts[0] += f", {_RESECTABILITY_LABEL[self.resectability]}"
        if self.recurrence_since is not None and self.extent != "ned":
            parts.append(f"recurrence after resection (since {self.recurrence_since.isoformat()})")
        parts.append(_HISTOLOGY_LABEL[self.histology])
        if self.syndrome is not None:
            control = {
                "uncontrolled": "syndrome not controlled: control it first",
                "control_unknown": "syndrome control not recorded",
                "controlled": "syndrome controlled",
            }[self.syndrome_control or "control_unknown"]
            parts.append(f"functioning ({syndrome_label(self.syndrome)}; {control})")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "extent": self.extent,
            "resectability": self.resectability,
            "recurrence_since": (
                None if self.recurrence_since is None else self.recurrence_since.isoformat()
            ),
            "histology": self.histology,
            "syndrome": self.syndrome,
            "syndrome_control": self.syndrome_control,
            "ned_since": None if self.ned_since is None else self.ned_since.isoformat(),
            "label": self.label,
            "reasons": list(self.reasons),
        }


def _histology(state: DecisionState) -> tuple[str, str]:
    if state.differentiation == "poorly" or state.grade == "NEC":
        return "nec", "poorly differentiated in a specimen: neuroendocrine carcinoma"
    if state.differentiation is None or state.grade is None:
        missing = "differentiation" if state.differentiation is None else "grade"
        return "unknown", f"{missing} not in the record: grade-dependent statements do not apply"
    ki67 = "" if state.ki67_percent is None else f", Ki-67 {state.ki67_percent:g} %"
    if state.grade == "G3":
        return "g3_net", f"well differentiated, G3{ki67}"
    return "g1_g2", f"well differentiated, {state.grade}{ki67}"


def _localised(record: CaseRecord, recurrence: bool) -> tuple[str, str]:
    """Resectability of localised disease from the primary's vessels and size.

    After resection of the primary (``recurrence``), the record's vessel and size findings are
    those of the resected tumour, and the reason says so.
    """
    invasion = set(record.primary.invasion)
    size = record.primary.size_mm
    thrombus = getattr(record.primary, "vascular_thrombus", None) or getattr(
        record.primary, "tumour_thrombus", None
    )
    whose = "the resected primary" if recurrence else "primary"
    size_text = "" if size is None else f"; {whose} {size / 10:.1f} cm"
    if recurrence:
        size_text += "; vessel findings are those of the resected primary"
    if invasion & _ARTERIAL:
        named = ", ".join(sorted(str(i).replace("_", " ") for i in invasion & _ARTERIAL))
        return "locally_advanced", f"arterial involvement ({named}){size_text}"
    if invasion & _VENOUS or thrombus:
        named = ", ".join(sorted(str(i).replace("_", " ") for i in invasion & _VENOUS))
        what = named or "vascular tumour thrombus"
        return "borderline", f"venous involvement ({what}){size_text}"
    return "resectable", f"no vascular involvement recorded{size_text}"


def classify_setting(
    record: CaseRecord,
    state: DecisionState,
    surgery: SurgeryAssessment,
    history: ResectionHistory,
) -> DiseaseSetting:
    """Classify the disease setting at the decision date, with reasons.

    Parameters
    ----------
    record : CaseRecord
        The record cut at the decision date.
    state : DecisionState
    surgery : SurgeryAssessment
        The liver-surgery assessment (potential resectability of liver-only disease).
    history : ResectionHistory
        Periods without evidence of disease (:func:`~netline.advice.resection.resection_history`).

    Returns
    -------
    DiseaseSetting

    References
    ----------
    .. [1] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343 (ENETS NF-pNET).
    .. [2] Hofland J et al. J Neuroendocrinol 2023;35:e13318 (ENETS functioning pNET).
    """
    reasons: list[str] = []
    resectability: str | None = None
    ned = history.ned
    distant = [o for o in state.organs if o not in ("pancreas", "regional_lymph_node")]
    if ned is not None:
        extent = "ned"
        reasons.append(
            "No evidence of disease: "
            + ned.reason
            + ("" if ned.margin_known else " (margin not recorded: read as complete)")
        )
    elif not distant and state.primary_in_place:
        extent = "localised"
        resectability, why = _localised(record, state.primary_resected)
        where = (
            "disease in the pancreas after resection of the primary (local recurrence)"
            if state.primary_resected
            else "primary in place"
        )
        reasons.append(f"No distant metastasis; {where}: {why}")
    elif distant and set(distant) <= {"liver"}:
        extent = "liver_only"
        resectability = (
            "potentially_resectable" if surgery.flagged_for_discussion else "unresectable"
        )
        reasons.append(f"Distant disease in the liver only; liver surgery: {surgery.summary}")
    elif distant:
        extent = "extrahepatic"
        reasons.append("Distant disease outside the liver: " + ", ".join(distant))
    else:
        extent = "localised"
        resectability = None
        reasons.append(
            "No distant metastasis and the primary is resected; the record does not show where "
            "the disease is (locoregional recurrence?)"
        )
    recurrence = history.recurrence_since if extent != "ned" else None
    if recurrence is not None:
        reasons.append(
            f"Recurrence after resection: disease found again on {recurrence.isoformat()}"
        )
    histology, why = _histology(state)
    reasons.append(why[0].upper() + why[1:])
    syndrome = state.functioning if state.functioning not in (None, "none") else None
    control: str | None = None
    if syndrome is not None:
        control = {True: "controlled", False: "uncontrolled", None: "control_unknown"}[
            state.hormonal_syndrome_controlled
        ]
        reasons.append(
            f"Functioning tumour ({syndrome_label(syndrome)}): hormonal syndrome "
            + {
                "controlled": "recorded as controlled",
                "uncontrolled": "recorded as not controlled: syndrome control comes first",
                "control_unknown": "control not recorded: syndrome control is checked first",
            }[control]
        )
    return DiseaseSetting(
        extent=extent,
        resectability=resectability,
        recurrence_since=recurrence,
        histology=histology,
        syndrome=syndrome,
        syndrome_control=control,
        ned_since=None if ned is None else ned.start,
        reasons=tuple(reasons),
    )
