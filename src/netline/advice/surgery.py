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
from netline.advice.state_types import LabValue
from netline.advice.surgery_checks import _criterion, _own_case, _restaging, _statement
from netline.advice.surgery_extent import _extent_findings
from netline.advice.surgery_types import SurgeryAssessment, _Findings
from netline.clinical import makuuchi_resection_limit
from netline.errors import InsufficientDataError
from netline.evidence import format_quantity
from netline.evidence.schema import Profile

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
    checks = _profile_checks(state, profiles)
    by_id = {c.profile_id: c for c in checks}
    cur = by_id.get("liver_resection_curative")
    f = _Findings()
    _histology(f, state, cur)
    extra = _extent_findings(f, state, profiles, cur, _own_case(state, index, "umino2024"))
    _completeness(f, profiles)
    makuuchi_text = _liver_function(f, state)
    _response_so_far(f, state, index, mode)
    _milan_net(f, by_id.get("milan_net"), extra)
    _alternatives(f, state, index)
    status, summary, suggestion = _verdict(f, mode, extra)
    return SurgeryAssessment(
        status=status,
        mode=mode,
        summary=summary,
        suggestion=suggestion,
        histology=tuple(f.histology),
        extent=tuple(f.extent),
        completeness=tuple(f.completeness),
        liver_function=tuple(f.liver),
        response=tuple(f.response),
        blockers=tuple(f.blockers),
        caveats=tuple(f.caveats),
        to_assess=tuple(f.to_assess),
        profiles=tuple(checks),
        makuuchi=makuuchi_text,
    )


def _profile_checks(state: DecisionState, profiles: dict[str, Profile]) -> list[ProfileCheck]:
    """Check the curative, debulking and Milan-NET profiles the knowledge base holds."""
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
    return checks


def _histology(f: _Findings, state: DecisionState, cur: ProfileCheck | None) -> None:
    """Summarise histology and block or query it against the curative criteria."""
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
                f.blockers.append(
                    Point(
                        f"Histology outside the criteria: {check.label}{note}",
                        (ref,),
                        "exclusion",
                        status,
                    )
                )
            elif outcome == "unknown":
                f.insufficient = True
                f.to_assess.append(
                    Point(f"Histology: {check.label} (not known)", (ref,), "check", status)
                )
        f.histology.append(
            Point(
                f"{diff} differentiated, {grade_text}, {ki67}",
                tuple(c.ref for c in cur.checks if c.id in ("differentiation", "grade")),
                "info",
            )
        )


def _completeness(f: _Findings, profiles: dict[str, Profile]) -> None:
    """List the completeness thresholds and what the surgeons must judge."""
    curative = profiles.get("liver_resection_curative")
    if curative is not None:
        extent_c = next((c for c in curative.criteria if c.id == "extent"), None)
        if extent_c is not None:
            f.completeness.append(
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
            f.completeness.append(
                Point(
                    f"{profile.label}: {threshold.label}" + (f" ({facts})" if facts else ""),
                    (threshold.ref, *(f.value.ref for f in profile.facts)),
                    "info",
                    threshold.status.value,
                )
            )
    f.to_assess.append(
        Point(
            "Completeness achievable (R0, or debulking ≥ 90 % / ≥ 70 % with parenchymal-sparing "
            "resection and ablation): a surgical judgement on imaging the record does not hold",
            ("pavel2016", "jcm2023"),
            "check",
            "recalled",
        )
    )
    f.to_assess.append(
        Point(
            "Future liver remnant volume and expected operative mortality",
            ("pavel2016",),
            "check",
            "recalled",
        )
    )


def _liver_function(f: _Findings, state: DecisionState) -> str | None:
    """Gather liver-function findings; return the Makuuchi limit text, if computed."""
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
    f.liver.append(
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
        f.liver.append(
            Point(
                f"ICG-R15 {icg.value:g} % ({icg.date.isoformat()}, {age})",
                ("makuuchi1993",),
                "info",
            )
        )
        if icg.days_before > 90:
            f.to_assess.append(
                Point(
                    f"Repeat ICG-R15: the last value is {icg.days_before // 30} months old",
                    (),
                    "check",
                )
            )
    makuuchi_text = _makuuchi(f, bilirubin, icg)
    if "hepatic" in state.comorbidities:
        f.caveats.append(
            Point(
                "Hepatic comorbidity recorded: liver function needs full assessment",
                ("pavel2016",),
                "caution",
                "recalled",
            )
        )
    if state.liver_resections:
        f.liver.append(
            Point(
                f"{len(state.liver_resections)} earlier liver resection(s): "
                + ", ".join(d.isoformat() for d in state.liver_resections),
                (),
                "info",
            )
        )

    return makuuchi_text


def _makuuchi(f: _Findings, bilirubin: LabValue | None, icg: LabValue | None) -> str | None:
    """Apply the Makuuchi criteria; return the resection limit text, if computed."""
    makuuchi_text: str | None = None
    if bilirubin is None:
        f.to_assess.append(
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
            f.to_assess.append(
                Point(f"Makuuchi criteria: {error}", ("makuuchi1993",), "check", "recalled")
            )
        else:
            extent_text = finding.value.value.replace("_", " ")
            makuuchi_text = (
                f"{extent_text} ({finding.reason}), provided ascites is absent or controlled "
                "(not recorded)"
            )
            status = "verified" if finding.verified else "recalled"
            f.liver.append(
                Point("Makuuchi limit: " + makuuchi_text, ("makuuchi1993",), "info", status)
            )
            if finding.value.value == "no_hepatectomy":
                f.blockers.append(
                    Point(
                        "Makuuchi criteria allow no hepatectomy: " + finding.reason,
                        ("makuuchi1993",),
                        "exclusion",
                        status,
                    )
                )
    return makuuchi_text


def _response_so_far(f: _Findings, state: DecisionState, index: KBIndex, mode: str) -> None:
    """List the responses achieved so far and, for conversion, weigh the current one."""
    responded = [line for line in state.lines if line.responded]
    for line in responded:
        f.response.append(
            Point(f"L{line.number} {line.label}: best response {line.best_response}", (), "support")
        )
    if state.objective_response is True:
        f.response.append(
            Point(
                "Response since the last progression"
                + (f" ({state.last_progression.isoformat()})" if state.last_progression else ""),
                (),
                "support",
            )
        )
    if state.stable_disease_months is not None and not state.progressing:
        f.response.append(
            Point(
                f"No progression for {state.stable_disease_months:.1f} months "
                "(to the latest assessment)",
                (),
                "info",
            )
        )
    if mode == "conversion":
        _conversion_response(f, state, index)


def _conversion_response(f: _Findings, state: DecisionState, index: KBIndex) -> None:
    """Weigh the current response for conversion surgery."""
    statement = _statement(index, "conversion_reassessment")
    refs = () if statement is None else index.statement_refs(statement)
    if state.progressing:
        f.blockers.append(
            Point(
                "Progressing at the decision date: conversion surgery is considered after a "
                "response to systemic therapy (the same resection criteria then apply)",
                refs,
                "exclusion",
                None if statement is None else statement.status.value,
            )
        )
    elif state.objective_response is True:
        f.response.append(
            Point(
                "Response to systemic therapy: reassess resectability (the same resection "
                "criteria apply)",
                refs,
                "support",
                None if statement is None else statement.status.value,
            )
        )
    elif state.objective_response is False:
        f.caveats.append(
            Point(
                "Disease controlled without an objective response since the last progression",
                refs,
                "caution",
                None if statement is None else statement.status.value,
            )
        )
    else:
        f.insufficient = True
        f.to_assess.append(Point("Response to systemic therapy (no assessment)", refs, "check"))


def _milan_net(f: _Findings, milan: ProfileCheck | None, extra: tuple[str, ...]) -> None:
    """Add the Milan-NET transplantation verdict when nothing blocks surgery."""
    if milan is not None and not f.blockers:
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
        f.extent.append(Point(text, refs, "info", "recalled"))


def _alternatives(f: _Findings, state: DecisionState, index: KBIndex) -> None:
    """Ask for restaging and mention ablation when nothing blocks surgery."""
    restage = _restaging(state)
    if restage is not None and not f.blockers:
        f.to_assess.append(restage)
    ablation = index.local.get("rfa")
    if ablation is not None and not f.blockers:
        f.caveats.append(
            Point(
                "Ablation (RFA or microwave) is an alternative or a complement to resection "
                "for small liver metastases",
                (ablation.mode_of_action.ref,),
                "info",
                ablation.mode_of_action.status.value,
            )
        )


def _verdict(f: _Findings, mode: str, extra: tuple[str, ...]) -> tuple[str, str, str | None]:
    """Return the status, summary and suggestion of the assessment."""
    if f.blockers:
        status = "not_suggested"
        summary = "Liver surgery is not suggested now: " + f.blockers[0].text
        suggestion = None
    elif f.insufficient:
        status = "insufficient_data"
        summary = "Liver surgery cannot be assessed: key data are missing (see below)."
        suggestion = (
            "Complete the missing data; if they are favourable, discuss with the HPB surgeons."
        )
    else:
        weighty = [c for c in f.caveats if c.kind != "info"]
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
    return status, summary, suggestion
