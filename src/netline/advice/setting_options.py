"""Options, eligibility and order evaluated within the disease setting.

:func:`apply_setting` takes the options evaluated on the guideline statements and the evidence,
and places them within the setting (docs/advise.md §2): each option gets a *setting tier*
(0 first, 1 as evaluated, 2 later) with a note saying why, options the setting rules out are
excluded with the reason, and the setting adds options of its own: syndrome control for a
functioning tumour, resection of the primary for localised disease, and SSA maintenance after
PRRT. Every rule cites the guideline paper or trial it rests on; what netline could not verify
carries the tag ``recalled``.

References
----------
.. [1] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343 (ENETS NF-pNET).
.. [2] Hofland J et al. J Neuroendocrinol 2023;35:e13318 (ENETS functioning pNET syndromes).
.. [3] Strosberg J et al. N Engl J Med 2017;376:125-135 (NETTER-1: octreotide LAR continued
   with and after 177Lu-DOTATATE).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from netline.advice._kb import KBIndex
from netline.advice._points import Point
from netline.advice.options import OptionAssessment
from netline.advice.setting import DiseaseSetting
from netline.advice.state import DecisionState
from netline.advice.state_types import syndrome_label
from netline.advice.surgery import SurgeryAssessment
from netline.evidence.schema import Therapy

__all__ = ["apply_setting"]

_SSA = ("lanreotide", "octreotide_lar")
_CHEMO_TARGETED = frozenset(
    {
        "alkylating_chemotherapy",
        "antimetabolite_chemotherapy",
        "anthracycline_chemotherapy",
        "platinum_chemotherapy",
        "topoisomerase_inhibitor",
        "tki",
        "mtor_inhibitor",
        "radioligand",
    }
)
_SMALL_PRIMARY_MM = 20.0


def _status(index: KBIndex, key: str) -> str:
    try:
        return index.kb.reference(key).status.value
    except KeyError:
        return "recalled"


def _tier(option: OptionAssessment, tier: int, note: str) -> OptionAssessment:
    if option.excluded:
        return option
    return replace(option, setting_tier=tier, setting_note=note)


def _exclude(
    option: OptionAssessment, text: str, refs: tuple[str, ...], status: str
) -> OptionAssessment:
    point = Point(text, refs, "exclusion", status)
    return replace(option, status="excluded", exclusions=(point, *option.exclusions))


def _new_option(
    key: str,
    name: str,
    kind: str,
    *,
    support: str,
    score: float,
    points: Sequence[Point],
    tier: int,
    note: str,
    status: str = "eligible",
    curative: bool = False,
    to_check: Sequence[Point] = (),
    order: int = 0,
) -> OptionAssessment:
    return OptionAssessment(
        key=key,
        name=name,
        kind=kind,
        agents=(),
        agent_classes=(),
        ongoing=False,
        status=status,
        support=support,
        support_score=score,
        guideline=(),
        not_yet=(),
        eligibility=(),
        exclusions=(),
        cautions=tuple(p for p in points if p.kind in ("caution", "conflict")),
        to_check=tuple(to_check),
        evidence=(),
        expected_pfs=None,
        sequencing=tuple(p for p in points if p.kind not in ("caution", "conflict")),
        leaves_available=(),
        toxicities=(),
        monitoring=(),
        confidence="moderate",
        certain_score=score,
        curative_potential=curative,
        order=order,
        setting_tier=tier,
        setting_note=note,
    )


# --------------------------------------------------------------------------- rules by setting


#: Syndrome-control uses the knowledge base describes for metastatic disease only
#: (everolimus_hypoglycaemia: "refractory hypoglycaemia of metastatic insulinoma", hofland2023).
_ADVANCED_ONLY = frozenset({"everolimus_hypoglycaemia"})


def _syndrome_therapies(
    index: KBIndex, syndrome: str | None, advanced: bool | None = None
) -> list[Therapy]:
    """Return the knowledge base's syndrome-control therapies for a syndrome, in KB order.

    A use for metastatic disease only is left out when the disease is known not to be
    advanced (a localised or resected primary).
    """
    return [
        t
        for t in index.syndrome_control
        if syndrome in {s.value for s in t.syndromes}
        and not (advanced is False and t.id in _ADVANCED_ONLY)
    ]


def _only_for(option: OptionAssessment, index: KBIndex, syndrome: str | None) -> OptionAssessment:
    """Exclude a syndrome-control therapy offered for a syndrome it does not treat."""
    therapy = next((t for t in index.syndrome_control if t.id == option.key), None)
    if therapy is None or syndrome in {s.value for s in therapy.syndromes}:
        return option
    treats = " or ".join(syndrome_label(s.value) for s in therapy.syndromes)
    moa = therapy.mode_of_action
    return _exclude(
        option,
        f"{therapy.name.split(' (')[0]} is for {treats} only (syndrome control)",
        (moa.ref,),
        moa.status.value,
    )


def _syndrome(
    options: list[OptionAssessment],
    setting: DiseaseSetting,
    index: KBIndex,
    advanced: bool | None,
) -> list[OptionAssessment]:
    syndrome = setting.syndrome
    if syndrome is None or setting.extent == "ned":
        return [_only_for(o, index, None) for o in options]
    therapies = _syndrome_therapies(index, syndrome, advanced)
    label = syndrome_label(syndrome)
    name = f"Syndrome control first ({label})"
    if therapies:
        name += ": " + ", ".join(t.name.split(" (")[0] for t in therapies)
    first = setting.syndrome_first
    note = (
        "syndrome control comes before antitumour therapy (the syndrome is not recorded as "
        "controlled)"
        if first
        else "syndrome recorded as controlled: keep the control going"
    )
    points = tuple(
        Point(
            f"{t.name}: {t.mode_of_action.mechanism.strip()}",
            (t.mode_of_action.ref,),
            "support",
            t.mode_of_action.status.value,
        )
        for t in therapies
    ) or (
        Point(
            f"The knowledge base has no syndrome-specific therapy for {label}: control of the "
            "hormonal syndrome is for the endocrinologist",
            ("hofland2023",),
            "info",
            _status(index, "hofland2023"),
        ),
    )
    control = _new_option(
        "syndrome_control",
        name,
        "syndrome_control",
        support="preferred",
        score=3.0,
        points=points,
        tier=0 if first else 1,
        note=note,
        order=-1,
    )
    own = {t.id for t in therapies}
    out: list[OptionAssessment] = []
    for option in options:
        option = _only_for(option, index, syndrome)
        if option.key in own and first and not option.excluded:
            option = _tier(option, 0, f"control of the hormonal syndrome ({label}) comes first")
        out.append(option)
    return [control, *out]


def _ned(options: list[OptionAssessment], index: KBIndex) -> list[OptionAssessment]:
    status = _status(index, "koskudla2023")
    out = []
    for option in options:
        if option.key == "surveillance":
            out.append(
                replace(
                    option,
                    name="Follow-up after resection (surveillance imaging)",
                    status="eligible",
                    cautions=(),
                    setting_tier=0,
                    setting_note="no evidence of disease after resection: follow-up",
                    deferred=False,
                    certain_score=max(option.certain_score, 2.0),
                )
            )
        elif option.kind == "systemic":
            out.append(
                _exclude(
                    option,
                    "No evidence of disease after resection: no adjuvant systemic therapy is "
                    "recommended after resection of a pNET outside a trial",
                    ("koskudla2023",),
                    status,
                )
            )
        elif option.kind in ("surgery", "liver_directed"):
            out.append(_exclude(option, "No evidence of disease after resection", (), status))
        else:
            out.append(option)
    return out


def _resection_checks(
    setting: DiseaseSetting, state: DecisionState, index: KBIndex, resectability: str
) -> tuple[tuple[Point, ...], list[Point]]:
    """Support and points to check for resecting localised disease (primary or recurrence)."""
    status = _status(index, "koskudla2023")
    refs = ("koskudla2023",)
    check: list[Point] = []
    if resectability == "locally_advanced":
        text = (
            "Arterial involvement: resectability is for the pancreatic surgeons; systemic or "
            "radioligand therapy to shrink the tumour may come first"
        )
        check.append(Point(text, refs, "check", status))
    elif resectability == "borderline":
        check.append(
            Point(
                "Venous involvement or tumour thrombus: a resection with venous reconstruction "
                "is for the pancreatic surgeons to judge",
                refs,
                "check",
                status,
            )
        )
    if state.primary_resected:
        check.append(
            Point(
                "Local recurrence after pancreatic surgery: whether a re-resection is feasible "
                "is for the pancreatic surgeons to judge",
                refs,
                "check",
                status,
            )
        )
    if setting.histology == "nec":
        nec_refs, nec_status = ("sorbye2023",), _status(index, "sorbye2023")
        check.append(
            Point(
                "Neuroendocrine carcinoma: extensive preoperative imaging (staging) before "
                "resection",
                nec_refs,
                "check",
                nec_status,
            )
        )
        support = Point(
            "Surgery can benefit localised neuroendocrine carcinoma after extensive "
            "preoperative imaging",
            nec_refs,
            "support",
            nec_status,
        )
    else:
        support = Point(
            "Surgery is the treatment with curative intent for localised pNET",
            refs,
            "support",
            status,
        )
    return (support,), check


def _localised(
    options: list[OptionAssessment],
    setting: DiseaseSetting,
    state: DecisionState,
    index: KBIndex,
    size_mm: float | None,
) -> list[OptionAssessment]:
    small = size_mm is not None and size_mm <= _SMALL_PRIMARY_MM
    watchable = (
        small
        and setting.syndrome is None
        and setting.histology == "g1_g2"
        and state.symptomatic_from_bulk is not True
    )
    resectability = setting.resectability or "resectable"
    points, check = _resection_checks(setting, state, index, resectability)
    curative = resectability != "locally_advanced" and setting.histology != "unknown"
    # for NEC the read guidance says surgery "can be of benefit" (Sorbye 2023): an option
    preferred = curative and setting.histology != "nec"
    resection = _new_option(
        "primary_resection",
        "Re-resection of the local recurrence (pancreatic surgery)"
        if state.primary_resected
        else "Resection of the primary with lymphadenectomy (pancreatic surgery)",
        "surgery",
        support="preferred" if preferred else "option",
        score=3.0 if preferred else 2.0,
        points=points,
        tier=1 if watchable else 0,
        note=(
            "localised disease ≤ 2 cm: surveillance or resection"
            if watchable
            else f"localised disease ({resectability.replace('_', ' ')}): resection first"
        ),
        status="eligible"
        if resectability == "resectable" and not state.primary_resected
        else "caution",
        curative=curative and resectability == "resectable",
        to_check=check,
        order=-2,
    )
    out: list[OptionAssessment] = [resection]
    size_text = "size not recorded" if size_mm is None else f"{size_mm / 10:.1f} cm"
    for option in options:
        if option.key == "surveillance":
            if watchable:
                option = _tier(option, 0, "asymptomatic NF-pNET ≤ 2 cm: surveillance is an option")
            else:
                option = _tier(
                    option,
                    2,
                    f"localised tumour ({size_text}): surveillance is for asymptomatic "
                    "non-functioning G1/G2 tumours ≤ 2 cm",
                )
        elif option.kind == "systemic" and not option.ongoing and resectability == "resectable":
            option = _tier(
                option,
                2,
                "localised neuroendocrine carcinoma: chemotherapy before or after the "
                "resection is for the board to weigh (netline does not model it)"
                if setting.histology == "nec"
                else "resectable localised disease: systemic therapy before resection is not "
                "standard outside a trial",
            )
        out.append(option)
    return out


def _surgery_within_setting(
    option: OptionAssessment, surgery: SurgeryAssessment, setting: DiseaseSetting
) -> OptionAssessment:
    """Put liver surgery whose hard criterion fails up for MDT discussion, never first."""
    if option.key != "surgery" or option.excluded:
        return option
    curative = next(
        (p for p in surgery.profiles if p.profile_id == "liver_resection_curative"), None
    )
    failed = [] if curative is None else [c.label for c in curative.hard_failures]
    if not failed:
        return option
    return replace(
        option,
        name="Liver surgery for MDT discussion (not curative by the criteria)",
        status="caution",
        curative_potential=False,
        cautions=(
            Point(
                "A hard criterion for curative-intent liver resection fails: " + "; ".join(failed),
                tuple(dict.fromkeys(c.ref for c in curative.hard_failures)) if curative else (),
                "caution",
            ),
            *option.cautions,
        ),
        setting_tier=1,
        setting_note="a surgical criterion fails: for MDT discussion only",
        never_first=True,
    )


def _maintenance(options: list[OptionAssessment], state: DecisionState) -> list[OptionAssessment]:
    """SSA maintenance after PRRT that controlled the disease (NETTER-1/-2 protocols)."""
    last = state.lines[-1] if state.lines else None
    if (
        last is None
        or last.ongoing
        or "radioligand" not in last.agent_classes
        or last.progressed_on
        or state.progressing
    ):
        return options
    refs = ("strosberg2017",) + (("singh2024",) if state.at.year >= 2024 else ())
    out = []
    for option in options:
        if option.key in _SSA and not option.excluded:
            option = replace(
                option,
                name=f"SSA maintenance after PRRT ({option.name})",
                deferred=False,
                setting_tier=0,
                setting_note="maintenance after PRRT that controlled the disease",
                sequencing=(
                    Point(
                        "The SSA was continued with and after 177Lu-DOTATATE in the NETTER "
                        "protocols",
                        refs,
                        "support",
                    ),
                    *option.sequencing,
                ),
            )
        out.append(option)
    return out


def _general(
    options: list[OptionAssessment], setting: DiseaseSetting, state: DecisionState
) -> list[OptionAssessment]:
    out = []
    for option in options:
        classes = set(option.agent_classes)
        if setting.histology == "nec" and option.kind == "systemic":
            if "platinum_chemotherapy" not in classes:
                option = _tier(option, 2, "NEC: platinum-based chemotherapy comes first")
        elif setting.histology == "nec" and option.key == "surveillance":
            option = _tier(option, 2, "NEC: surveillance is not a treatment option")
        frail = state.ecog is not None and state.ecog >= 3
        if frail and classes & _CHEMO_TARGETED:
            option = _tier(
                option,
                max(option.setting_tier, 2),
                f"ECOG {state.ecog}: the trials enrolled patients with ECOG 0-2",
            )
        elif frail and "interferon" in classes:
            # netline's reading: interferon-alpha's flu-like symptoms, fatigue and depression
            # (its knowledge-base toxicities) under the same fitness limit (docs/advise.md)
            option = _tier(
                option,
                max(option.setting_tier, 2),
                f"ECOG {state.ecog}: interferon-alpha causes fatigue, flu-like symptoms and "
                "depression; netline applies the ECOG 0-2 limit of the systemic trials to it "
                "(the board judges fitness)",
            )
        elif frail and option.kind == "liver_directed":
            # netline's reading: the fitness limit of the systemic trials applied to an
            # invasive procedure (docs/advise.md, limitations)
            option = _tier(
                option,
                max(option.setting_tier, 2),
                f"ECOG {state.ecog}: TACE/TARE is an invasive procedure; netline applies the "
                "ECOG 0-2 limit of the systemic trials to it (the board judges fitness)",
            )
        out.append(option)
    return out


def apply_setting(
    options: Sequence[OptionAssessment],
    setting: DiseaseSetting,
    state: DecisionState,
    surgery: SurgeryAssessment,
    index: KBIndex,
    size_mm: float | None = None,
) -> list[OptionAssessment]:
    """Place every option within the disease setting (see the module docstring).

    Parameters
    ----------
    options : sequence of OptionAssessment
        The options evaluated on statements and evidence.
    setting : DiseaseSetting
    state : DecisionState
    surgery : SurgeryAssessment
    index : KBIndex
    size_mm : float, optional
        The primary's size (localised disease: the 2-cm surveillance threshold).

    Returns
    -------
    list of OptionAssessment
        Not yet ordered (:func:`~netline.advice.options.order_options` orders them).

    References
    ----------
    .. [1] Kos-Kudła B et al. J Neuroendocrinol 2023;35:e13343.
    .. [2] Hofland J et al. J Neuroendocrinol 2023;35:e13318.
    """
    out = list(options)
    steps: list[Callable[[list[OptionAssessment]], list[OptionAssessment]]] = []
    if setting.extent == "ned":
        steps.append(lambda o: _ned(o, index))
    elif setting.extent == "localised" and state.primary_in_place:
        steps.append(lambda o: _localised(o, setting, state, index, size_mm))
    steps.append(lambda o: [_surgery_within_setting(x, surgery, setting) for x in o])
    steps.append(lambda o: _maintenance(o, state))
    steps.append(lambda o: _general(o, setting, state))
    steps.append(lambda o: _syndrome(o, setting, index, state.facts.advanced))
    for step in steps:
        out = step(out)
    return out
