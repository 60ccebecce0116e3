"""``advise(record, at)``: options for the tumour board at one decision point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from netline.advice._kb import KBIndex, kb_index
from netline.advice._points import Point, count_words
from netline.advice.options import OptionAssessment, evaluate_options
from netline.advice.setting import DiseaseSetting, classify_setting
from netline.advice.setting_options import apply_setting
from netline.advice.state import DecisionState, state_with_view
from netline.advice.surgery import SurgeryAssessment, assess_surgery
from netline.evidence import KnowledgeBase
from netline.records.model import CaseRecord
from netline.records.plausibility import PlausibilityWarning, plausibility_warnings
from netline.results import to_json

__all__ = ["NOTICE", "ORDERING_RULES", "Advice", "advise"]

NOTICE = (
    "netline supports the multidisciplinary tumour board; it does not replace it. The options "
    "below are ordered with their reasons, not prescribed: the decision, and the check of every "
    "value against the source record, belong to the board."
)

ORDERING_RULES = (
    "0. The disease setting comes first (docs/advise.md §2): options the setting rules out are "
    "excluded with the reason; within the setting, options it puts first (syndrome control "
    "of an uncontrolled functioning tumour, resection of a localised primary, SSA maintenance "
    "after PRRT, follow-up when there is no evidence of disease) come before the others, and "
    "options it puts later (systemic therapy before resecting a resectable primary, "
    "surveillance of a localised tumour > 2 cm, non-platinum therapy in NEC, intensive "
    "therapy at ECOG ≥ 3) after them.",
    "1. Excluded options (a hard contraindication, or an applicable guideline statement that "
    "does not recommend them) are listed last with the reason.",
    "2. When no progression is documented after treatment, options that would start a new "
    "systemic line are held for progression and follow continuation, surveillance and surgery.",
    "3. A potentially curative option flagged for HPB discussion comes first; then continuing a "
    "therapy on which the disease is not progressing (treatment changes on documented "
    "progression); then the others.",
    "4. Support that certainly applies is compared first, then support that only possibly "
    "applies, so an unsettled statement never outranks a settled one. Stronger guideline "
    "support: preferred 3, option or alternative 2, reserved 1; half a "
    "point less when a statement only possibly applies because a needed fact is unknown, a "
    "full point less when it holds only on another reading of an unsettled fact (a band "
    "edge, the pace of progression); one point less when the option shares a mode of action "
    "with the latest line of that class, which progressed (the review's cross-resistance "
    "argument).",
    "5. Then: no cross-resistance; fewer relative contraindications; more applicable guideline "
    "statements; stronger evidence for this patient (entry criteria met, pancreatic "
    "population, randomised phase III); non-drug options first; knowledge-base order.",
)

#: Items whose absence makes the advice low-confidence.
_CRITICAL = (
    "differentiation",
    "grade (Ki-67 or mitotic count)",
    "SSTR imaging (SRS or SSTR-PET)",
    "response assessment (imaging response or clinician status)",
)


@dataclass(frozen=True)
class Advice:
    """The options at one decision point, ordered with reasons, for the tumour board.

    Attributes
    ----------
    state : DecisionState
        What netline knows on the decision date (and what it does not).
    options : tuple of OptionAssessment
        Every option, ranked; excluded ones last with their reasons.
    surgery : SurgeryAssessment
        Resectability and conversion-surgery assessment.
    accompanying : tuple of Point
        Measures that accompany treatment (glucose control, acid suppression, SSA cover).
    confidence : str
        ``high``, ``moderate`` or ``low``: lowered by every unknown that matters.
    confidence_reason : str
    notice : str
        netline supports the tumour board and does not replace it.
    kb_version : str

    References
    ----------
    .. [1] Grande E. World J Gastroenterol (review of sequential therapy in pNET; grande2016).
    .. [2] Kos-Kudła B et al. ENETS 2023 guidance for NF-pNET. J Neuroendocrinol
       2023;35:e13343.
    .. [3] Pavel M et al. ESMO Clinical Practice Guidelines. Ann Oncol 2020;31:844-860.
    """

    schema_version: ClassVar[str] = "2"

    state: DecisionState
    options: tuple[OptionAssessment, ...]
    surgery: SurgeryAssessment
    accompanying: tuple[Point, ...]
    confidence: str
    confidence_reason: str
    kb_version: str
    references: dict[str, dict[str, str]]
    notice: str = NOTICE
    setting: DiseaseSetting | None = None
    evidence_strength: str = "unknown"
    evidence_reason: str = ""
    unverified_note: str | None = None
    plausibility: tuple[PlausibilityWarning, ...] = ()

    @property
    def data_completeness(self) -> str:
        """``high``, ``moderate`` or ``low``: how much of what netline reads is in the record."""
        return self.confidence

    def render(self, fmt: str = "text") -> str:
        """Render as ``text``, ``json``, ``markdown`` or ``html``.

        Raises
        ------
        ValueError
            For another format.
        """
        from netline.advice.render import render_html, render_markdown, render_text

        if fmt == "text":
            return render_text(self)
        if fmt == "json":
            return to_json(self.to_dict())
        if fmt == "markdown":
            return render_markdown(self)
        if fmt == "html":
            return render_html(self)
        raise ValueError(f"unknown format {fmt!r}: expected text, json, markdown or html")

    @property
    def ranked(self) -> tuple[OptionAssessment, ...]:
        """Options that are not excluded, in order."""
        return tuple(o for o in self.options if not o.excluded)

    @property
    def excluded(self) -> tuple[OptionAssessment, ...]:
        """Excluded options, with their reasons."""
        return tuple(o for o in self.options if o.excluded)

    def option(self, key: str) -> OptionAssessment:
        """Return the option with a key (a therapy id, ``surgery``, ``surveillance`` ...).

        Raises
        ------
        UnknownKeyError
            When there is no such option.
        """
        for option in self.options:
            if option.key == key:
                return option
        from netline.errors import UnknownKeyError

        raise UnknownKeyError("option", key, [o.key for o in self.options])

    def rank_of(self, key: str) -> int | None:
        """Return the rank of an option (``None`` when excluded)."""
        return self.option(key).rank

    def to_dict(self) -> dict[str, Any]:
        """Return the documented JSON structure (see docs/advise.md)."""
        return {
            "schema_version": self.schema_version,
            "netline_advice": 1,
            "notice": self.notice,
            "case_id": self.state.case_id,
            "at": self.state.at.isoformat(),
            "kb_version": self.kb_version,
            "setting": None if self.setting is None else self.setting.to_dict(),
            "confidence": {
                "level": self.confidence,
                "reason": self.confidence_reason,
                "data_completeness": {"level": self.confidence, "reason": self.confidence_reason},
                "strength_of_evidence": {
                    "level": self.evidence_strength,
                    "reason": self.evidence_reason,
                },
                "unverified_note": self.unverified_note,
            },
            "state": self.state.to_dict(),
            "ordering_rules": list(ORDERING_RULES),
            "options": [o.to_dict() for o in self.options],
            "surgery": self.surgery.to_dict(),
            "accompanying": [p.to_dict() for p in self.accompanying],
            "references": self.references,
            "plausibility": [w.to_dict() for w in self.plausibility],
        }


def _confidence(state: DecisionState) -> tuple[str, str]:
    critical = [u.item for u in state.unknowns if u.item in _CRITICAL]
    other = [u.item for u in state.unknowns if u.item not in _CRITICAL]
    if critical:
        return "low", "unknown: " + "; ".join(critical)
    if len(other) >= 3:
        return "low", f"{len(other)} items unknown: " + "; ".join(other)
    if other:
        return "moderate", "unknown: " + "; ".join(other)
    return "high", "every item netline reads is in the record"


def _evidence_strength(options: tuple[OptionAssessment, ...]) -> tuple[str, str, str | None]:
    """Strength of the evidence behind the top three options, and the unverified-order note."""
    top = [o for o in options if not o.excluded][:3]
    statuses: dict[str, str] = {}
    for option in top:
        for match in option.guideline:
            if match.applies.value is not False:
                statuses[match.statement_id] = match.status
    if not statuses:
        return (
            "none",
            "no guideline statement that applies names the top options",
            "The order of the top options rests on no applicable guideline statement.",
        )
    unverified = sorted(k for k, v in statuses.items() if v != "verified")
    if not unverified:
        return "verified", "every statement behind the top options is verified", None
    level = "unverified" if len(unverified) == len(statuses) else "partly verified"
    statements = count_words(len(unverified), "guideline statement", "guideline statements")
    note = (
        f"The order rests on {statements} whose wording is "
        "recalled, not verified against the guideline text (each is marked [recalled] where it "
        "is shown)"
    )
    return (
        level,
        f"{len(unverified)} of {len(statuses)} statements behind the top options unverified",
        note,
    )


def _references(index: KBIndex, keys: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for key in dict.fromkeys(keys):
        try:
            reference = index.kb.reference(key)
        except KeyError:
            continue
        found[key] = {"citation": reference.citation(), "status": reference.status.value}
    return found


def advise(
    record: CaseRecord,
    at: dt.date | None = None,
    *,
    kb: KnowledgeBase | None = None,
) -> Advice:
    """Return the options at a decision point, evaluated and ordered with reasons.

    Only data dated on or before ``at`` are used.

    Parameters
    ----------
    record : CaseRecord
        The patient's record.
    at : date, optional
        The decision date; the last date in the record by default.
    kb : KnowledgeBase, optional
        The knowledge base; the bundled one (loaded once and cached) by default.

    Returns
    -------
    Advice

    Raises
    ------
    InsufficientDataError
        When the decision date lies before the diagnosis.

    Examples
    --------
    >>> import datetime as dt
    >>> from netline.records import load_case
    >>> from netline.advice import advise
    >>> advice = advise(load_case("examples/seed-case.yaml"), dt.date(2019, 2, 1))  # doctest: +SKIP
    >>> [o.key for o in advice.ranked][:3]  # doctest: +SKIP
    ['captem', 'stz_5fu', 'lu177_dotatate']

    References
    ----------
    .. [1] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343 (ENETS NF-pNET).
    .. [2] Strosberg J et al. N Engl J Med 2017;376:125-135 (NETTER-1, the default PRRT
       eligibility profile).
    """
    index = kb_index(kb)
    state, view, history = state_with_view(record, at, index=index)
    surgery = assess_surgery(state, index)
    setting = classify_setting(view, state, surgery, history)
    # the guidelines' statements on systemic therapy are for advanced disease: the setting
    # settles whether the disease is advanced, so the statements are matched within it
    state = replace(
        state,
        facts=replace(state.facts, advanced=setting.advanced, metastatic=setting.metastatic),
    )
    size = view.primary.size_mm

    def within(found: list[OptionAssessment]) -> list[OptionAssessment]:
        return apply_setting(found, setting, state, surgery, index, size)

    options, accompanying = evaluate_options(state, index, surgery, within)
    level, reason = _confidence(state)
    strength, strength_reason, note = _evidence_strength(options)
    keys: list[str] = []
    for option in options:
        keys.extend(option.references)
    keys.extend(surgery.references)
    for point in accompanying:
        keys.extend(point.refs)
    return Advice(
        state=state,
        options=options,
        surgery=surgery,
        accompanying=accompanying,
        confidence=level,
        confidence_reason=reason,
        kb_version=index.kb.version,
        references=_references(index, keys),
        setting=setting,
        evidence_strength=strength,
        evidence_reason=strength_reason,
        unverified_note=note,
        plausibility=tuple(plausibility_warnings(record, at=state.at)),
    )
