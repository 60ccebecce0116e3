"""Resectability and conversion-surgery assessment of liver metastases.

The assessment gathers what the HPB surgeons will weigh, from the knowledge base's criteria
(ENETS curative resection, debulking at 90 % and 70 %, Makuuchi, Milan-NET) and the patient's
state: histology, where the disease is (liver only, or extrahepatic disease and whether it is
stable), whether completeness (R0, or debulking ≥ 90 % / ≥ 70 %) can be judged, liver
function (Child-Pugh, ICG-R15 with Makuuchi), and the response achieved so far. netline never
judges resectability itself: when the criteria it can check are met it suggests a discussion
with the HPB surgeons, and lists what they must still assess.
"""

from __future__ import annotations

from netline.advice._kb import KBIndex
from netline.advice._points import Point
from netline.advice.eligibility import ProfileCheck, check_profile
from netline.advice.state import DecisionState
from netline.advice.surgery_checks import _criterion, _iso, _own_case, _restaging, _statement
from netline.advice.surgery_types import SurgeryAssessment
from netline.clinical import makuuchi_resection_limit
from netline.errors import InsufficientDataError
from netline.evidence import format_quantity

__all__ = ["SurgeryAssessment", "assess_surgery"]


def assess_surgery(state: DecisionState, index: KBIndex) -> SurgeryAssessment:
    """Assess liver surgery for a decision state.

    Parameters
    ----------
    state : DecisionState
    index : KBIndex

    Returns
    -------
    SurgeryAssessment

    References
    ----------
    .. [1] Pavel M et al. Neuroendocrinology 2016;103:172-185 (ENETS liver metastases).
    .. [2] Frilling A, Clift AK. JCM 2023 review of surgical classification (jcm2023).
    .. [3] Mazzaferro V et al. J Hepatol 2007 (Milan-NET criteria).
    """
    since = state.recurrence_since
    treated = [line for line in state.lines if since is None or line.start >= since]
    mode = "conversion" if treated else "upfront"
    if not state.liver_metastases:
        return SurgeryAssessment(
            status="not_applicable",
            mode=mode,
            summary="No liver metastases at the decision date: liver surgery does not arise.",
            suggestion=None,
        )
    profiles = index.surgery_profiles
    own_case = _own_case(state, index, "umino2024")
    curative = profiles.get("liver_resection_curative")
    checks: list[ProfileCheck] = []
    for profile_id in (
        "liver_resection_curative",
        "liver_debulking_90",
        "liver_debulking_70",
        "milan_net",
    ):
        profile = profiles.get(profile_id)
        if profile is not None:
            checks.append(check_profile(profile, state))
    by_id = {c.profile_id: c for c in checks}
    cur = by_id.get("liver_resection_curative")
    blockers: list[Point] = []
    caveats: list[Point] = []
    to_assess: list[Point] = []
    histology: list[Point] = []
    extent: list[Point] = []
    completeness: list[Point] = []
    liver: list[Point] = []
    response: list[Point] = []
    insufficient = False

    # ---------------------------------------------------------------- histology
    grade_text = state.grade or "grade unknown"
    ki67 = "Ki-67 unknown" if state.ki67_percent is None else f"Ki-67 {state.ki67_percent:g} %"
    diff = state.differentiation or "differentiation unknown"
    if cur is not None:
        for criterion_id in ("differentiation", "grade"):
            found = _criterion(cur, criterion_id)
            check = next(c for c in cur.checks if c.id == criterion_id)
            if found is None:
                continue
            outcome, ref, status = found
            if outcome == "failed":
                note = (
                    " (selected low-G3 cases are considered case by case)"
                    if criterion_id == "grade" and state.grade == "G3"
                    else ""
                )
                blockers.append(
                    Point(
                        f"Histology outside the criteria: {check.label}{note}",
                        (ref,),
                        "exclusion",
                        status,
                    )
                )
            elif outcome == "unknown":
                insufficient = True
                to_assess.append(
                    Point(f"Histology: {check.label} (not known)", (ref,), "check", status)
                )
        histology.append(
            Point(
                f"{diff} differentiated, {grade_text}, {ki67}",
                tuple(c.ref for c in cur.checks if c.id in ("differentiation", "grade")),
                "info",
            )
        )

    # ---------------------------------------------------------------- extent
    extra = state.extrahepatic_sites
    band = state.liver_involvement
    if band is None:
        to_assess.append(Point("Share of liver involved (not recorded)", (), "check"))
    else:
        extent.append(
            Point(
                f"Hepatic involvement {band} (imaging {_iso(state.liver_involvement_date)})",
                (),
                "info",
            )
        )
    if band == ">50%":
        notes = []
        debulk70 = profiles.get("liver_debulking_70")
        if debulk70 is not None:
            notes = [n for n in debulk70.notes if "type 3" in n]
        blockers.append(
            Point(
                "Extensive hepatic involvement (> 50 %): netline reads this as the extensive "
                "bilobar pattern for which ≥ 70 % debulking is usually not feasible (confirm "
                "with the surgeons). " + " ".join(notes),
                ("jcm2023", "mazzaferro2007"),
                "exclusion",
                "recalled",
            )
        )
    nodes = "regional_lymph_node" in extra
    extra = tuple(s for s in extra if s != "regional_lymph_node")
    if nodes:
        node_check = None if cur is None else _criterion(cur, "nodes")
        caveats.append(
            Point(
                "Regional lymph-node disease: resectable nodal disease is compatible with "
                "resection, unresectable nodal disease is not — for the surgeons to judge",
                (node_check[1] if node_check else "pavel2016",),
                "caution",
                node_check[2] if node_check else "recalled",
            )
        )
    if not extra:
        extent.append(
            Point(
                "Disease confined to the liver"
                + (" and regional nodes" if nodes else "")
                + " at the decision date",
                (),
                "support",
            )
        )
    else:
        sites = ", ".join(
            f"{s} (since {state.extrahepatic_since[s].isoformat()})"
            if s in state.extrahepatic_since
            else s
            for s in extra
        )
        extent.append(Point(f"Extrahepatic disease: {sites}", (), "info"))
        extra_abdominal = state.facts.get("extra_abdominal_metastases")
        curative_extra = None if cur is None else _criterion(cur, "extra_abdominal")
        ref = curative_extra[1] if curative_extra else "pavel2016"
        status = curative_extra[2] if curative_extra else "recalled"
        if state.extrahepatic_stable is True:
            extent.append(
                Point("Extrahepatic disease stable: " + state.extrahepatic_basis, (), "support")
            )
            if extra_abdominal:
                caveats.append(
                    Point(
                        "Extra-abdominal metastasis ("
                        + ", ".join(s for s in extra if s in ("bone", "lung", "brain"))
                        + "): the ENETS criteria for curative-intent resection and for "
                        "debulking require no extra-abdominal metastases, so a resection would "
                        "not be curative by those criteria"
                        + (
                            ""
                            if own_case
                            else "; conversion surgery of the liver disease with a stable "
                            "extrahepatic metastasis has been reported (umino2024)"
                        )
                        + " — an individual decision for the board",
                        (ref,) if own_case else (ref, "umino2024"),
                        "conflict",
                        status,
                    )
                )
            elif extra_abdominal is None:
                caveats.append(
                    Point(
                        "Whether the extrahepatic disease is extra-abdominal is not recorded",
                        (ref,),
                        "check",
                        status,
                    )
                )
            else:
                caveats.append(
                    Point(
                        "Extrahepatic abdominal disease (" + ", ".join(extra) + "): its "
                        "resectability (nodes, peritoneum) must be judged by the surgeons",
                        (ref,),
                        "caution",
                        status,
                    )
                )
        elif state.extrahepatic_stable is False:
            blockers.append(
                Point(
                    "Extrahepatic disease is not stable: " + state.extrahepatic_basis,
                    (ref,),
                    "exclusion",
                    status,
                )
            )
        else:
            insufficient = True
            to_assess.append(
                Point(
                    "Whether the extrahepatic disease is stable: " + state.extrahepatic_basis,
                    (ref,),
                    "check",
                    status,
                )
            )
    if cur is not None:
        for criterion_id in ("cardiac",):
            found = _criterion(cur, criterion_id)
            if found is not None and found[0] == "failed":
                check = next(c for c in cur.checks if c.id == criterion_id)
                blockers.append(Point(check.label, (found[1],), "exclusion", found[2]))
        primary = _criterion(cur, "primary")
        if primary is not None and primary[0] != "met":
            to_assess.append(
                Point(
                    "Primary tumour resectable (the primary is in place)",
                    (primary[1],),
                    "check",
                    primary[2],
                )
            )

    # ---------------------------------------------------------------- completeness
    if curative is not None:
        extent_c = next((c for c in curative.criteria if c.id == "extent"), None)
        if extent_c is not None:
            completeness.append(
                Point(
                    f"Curative intent: {extent_c.label}",
                    (extent_c.ref,),
                    "info",
                    extent_c.status.value,
                )
            )
    for profile_id in ("liver_debulking_90", "liver_debulking_70"):
        profile = profiles.get(profile_id)
        if profile is None:
            continue
        threshold = next((c for c in profile.criteria if c.id == "debulking"), None)
        facts = "; ".join(f"{fact.label}: {format_quantity(fact.value)}" for fact in profile.facts)
        if threshold is not None:
            completeness.append(
                Point(
                    f"{profile.label}: {threshold.label}" + (f" ({facts})" if facts else ""),
                    (threshold.ref, *(f.value.ref for f in profile.facts)),
                    "info",
                    threshold.status.value,
                )
            )
    to_assess.append(
        Point(
            "Completeness achievable (R0, or debulking ≥ 90 % / ≥ 70 % with parenchymal-sparing "
            "resection and ablation): a surgical judgement on imaging the record does not hold",
            ("pavel2016", "jcm2023"),
            "check",
            "recalled",
        )
    )
    to_assess.append(
        Point(
            "Future liver remnant volume and expected operative mortality",
            ("pavel2016",),
            "check",
            "recalled",
        )
    )

    # ---------------------------------------------------------------- liver function
    makuuchi_text: str | None = None
    labs = state.labs
    bilirubin = labs.get("bilirubin")
    icg = labs.get("icg_r15")
    albumin = labs.get("albumin")
    inr = labs.get("inr")
    shown = [
        f"{name} {lab.value:g} {lab.unit} ({lab.date.isoformat()})"
        for name, lab in (("bilirubin", bilirubin), ("albumin", albumin), ("INR", inr))
        if lab is not None
    ]
    liver.append(
        Point(
            "Child-Pugh class not computable: ascites and encephalopathy are not recorded"
            + (f"; available: {', '.join(shown)}" if shown else "; no liver labs"),
            ("pavel2016",),
            "check",
            "recalled",
        )
    )
    if icg is not None:
        age = f"{icg.days_before} days before the decision"
        liver.append(
            Point(
                f"ICG-R15 {icg.value:g} % ({icg.date.isoformat()}, {age})",
                ("makuuchi1993",),
                "info",
            )
        )
        if icg.days_before > 90:
            to_assess.append(
                Point(
                    f"Repeat ICG-R15: the last value is {icg.days_before // 30} months old",
                    (),
                    "check",
                )
            )
    if bilirubin is None:
        to_assess.append(
            Point(
                "Bilirubin (Makuuchi criteria) not recorded", ("makuuchi1993",), "check", "recalled"
            )
        )
    else:
        try:
            finding = makuuchi_resection_limit(
                bilirubin_mg_dl=bilirubin.value,
                ascites="controlled",
                icg_r15_percent=None if icg is None else icg.value,
            )
        except InsufficientDataError as error:
            to_assess.append(
                Point(f"Makuuchi criteria: {error}", ("makuuchi1993",), "check", "recalled")
            )
        else:
            extent_text = finding.value.value.replace("_", " ")
            makuuchi_text = (
                f"{extent_text} ({finding.reason}), provided ascites is absent or controlled "
                "(not recorded)"
            )
            status = "verified" if finding.verified else "recalled"
            liver.append(
                Point("Makuuchi limit: " + makuuchi_text, ("makuuchi1993",), "info", status)
            )
            if finding.value.value == "no_hepatectomy":
                blockers.append(
                    Point(
                        "Makuuchi criteria allow no hepatectomy: " + finding.reason,
                        ("makuuchi1993",),
                        "exclusion",
                        status,
                    )
                )
    if "hepatic" in state.comorbidities:
        caveats.append(
            Point(
                "Hepatic comorbidity recorded: liver function needs full assessment",
                ("pavel2016",),
                "caution",
                "recalled",
            )
        )
    if state.liver_resections:
        liver.append(
            Point(
                f"{len(state.liver_resections)} earlier liver resection(s): "
                + ", ".join(d.isoformat() for d in state.liver_resections),
                (),
                "info",
            )
        )

    # ---------------------------------------------------------------- response so far
    responded = [line for line in state.lines if line.responded]
    for line in responded:
        response.append(
            Point(f"L{line.number} {line.label}: best response {line.best_response}", (), "support")
        )
    if state.objective_response is True:
        response.append(
            Point(
                "Response since the last progression"
                + (f" ({state.last_progression.isoformat()})" if state.last_progression else ""),
                (),
                "support",
            )
        )
    if state.stable_disease_months is not None and not state.progressing:
        response.append(
            Point(
                f"No progression for {state.stable_disease_months:.1f} months "
                "(to the latest assessment)",
                (),
                "info",
            )
        )
    if mode == "conversion":
        statement = _statement(index, "conversion_reassessment")
        refs = () if statement is None else index.statement_refs(statement)
        if state.progressing:
            blockers.append(
                Point(
                    "Progressing at the decision date: conversion surgery is considered after a "
                    "response to systemic therapy (the same resection criteria then apply)",
                    refs,
                    "exclusion",
                    None if statement is None else statement.status.value,
                )
            )
        elif state.objective_response is True:
            response.append(
                Point(
                    "Response to systemic therapy: reassess resectability (the same resection "
                    "criteria apply)",
                    refs,
                    "support",
                    None if statement is None else statement.status.value,
                )
            )
        elif state.objective_response is False:
            caveats.append(
                Point(
                    "Disease controlled without an objective response since the last progression",
                    refs,
                    "caution",
                    None if statement is None else statement.status.value,
                )
            )
        else:
            insufficient = True
            to_assess.append(Point("Response to systemic therapy (no assessment)", refs, "check"))

    # ---------------------------------------------------------------- Milan-NET
    milan = by_id.get("milan_net")
    if milan is not None and not blockers:
        verdict = milan.verdict
        failed = [c.label for c in milan.hard_failures]
        text = "Liver transplantation (Milan-NET): " + (
            "criteria not met (" + "; ".join(failed) + ")" if failed else verdict
        )
        refs = tuple(dict.fromkeys(c.ref for c in milan.checks))
        if extra and not failed:
            text = (
                "Liver transplantation (Milan-NET): criteria not met (liver-only disease is "
                "required, and extrahepatic disease is present)"
            )
        extent.append(Point(text, refs, "info", "recalled"))

    restage = _restaging(state)
    if restage is not None and not blockers:
        to_assess.append(restage)
    ablation = index.local.get("rfa")
    if ablation is not None and not blockers:
        caveats.append(
            Point(
                "Ablation (RFA or microwave) is an alternative or a complement to resection "
                "for small liver metastases",
                (ablation.mode_of_action.ref,),
                "info",
                ablation.mode_of_action.status.value,
            )
        )
    # ---------------------------------------------------------------- verdict
    if blockers:
        status = "not_suggested"
        summary = "Liver surgery is not suggested now: " + blockers[0].text
        suggestion = None
    elif insufficient:
        status = "insufficient_data"
        summary = "Liver surgery cannot be assessed: key data are missing (see below)."
        suggestion = (
            "Complete the missing data; if they are favourable, discuss with the HPB surgeons."
        )
    else:
        weighty = [c for c in caveats if c.kind != "info"]
        status = "discuss_with_caveats" if weighty else "discuss"
        what = "conversion surgery" if mode == "conversion" else "liver resection"
        summary = (
            f"The criteria netline can check for {what} are met"
            + (" with caveats" if weighty else "")
            + ": flag for discussion with the HPB surgeons."
        )
        suggestion = (
            f"Discuss {what} with the HPB surgeons"
            + (" (stable extrahepatic disease: " + ", ".join(extra) + ")" if extra else "")
            + ". netline does not judge resectability: completeness, future liver remnant and "
            "operative risk are theirs to assess."
        )
    return SurgeryAssessment(
        status=status,
        mode=mode,
        summary=summary,
        suggestion=suggestion,
        histology=tuple(histology),
        extent=tuple(extent),
        completeness=tuple(completeness),
        liver_function=tuple(liver),
        response=tuple(response),
        blockers=tuple(blockers),
        caveats=tuple(caveats),
        to_assess=tuple(to_assess),
        profiles=tuple(checks),
        makuuchi=makuuchi_text,
    )
