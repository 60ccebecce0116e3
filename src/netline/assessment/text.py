"""The assessment as sections of plain lines: a one-screen summary first, then the details.

Every identifier is written in plain words through :func:`netline.records.vocabulary.label`;
durations are months with one decimal ("6.0 mo").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netline.assessment.staging import staging_code
from netline.course import Line
from netline.records.vocabulary import label

if TYPE_CHECKING:
    from netline.assessment.summary import Assessment

__all__ = ["SUMMARY_MAX_LINES", "Section", "render_text", "sections", "summary_lines"]

#: The summary fits one screen: at most this many lines (heading included).
SUMMARY_MAX_LINES = 24
PFS2_DEFINITION = (
    "PFS2 = time from the start of the first line to progression on the second line, or death"
)

Section = tuple[str, list[str]]


def _mo(months: float | None) -> str:
    return "n/a" if months is None else f"{months:.1f} mo"


def _words(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(label(v) for v in values)


def _grade_line(result: Assessment) -> str:
    if not result.grades:
        return "Grade: not known (no Ki-67, mitotic count or reported grade)"
    first = result.grades[0]
    if first.reported:
        return f"Grade: {first.grade.value}, as reported ({first.grade.edition}) — not recomputed"
    facts = []
    if first.ki67_percent is not None:
        facts.append(f"Ki-67 {first.ki67_percent:g} %")
    if first.mitoses_reported is not None:
        facts.append(f"mitoses {first.mitoses_reported}")
    return f"Grade: {first.grade.value} ({', '.join(facts)}; {label(first.specimen)} specimen)"


def _m_text(result: Assessment) -> str:
    parts = [
        f"{s.m.get('AJCC 8', '?')} from {s.since.isoformat()}"
        + (f" ({_words([o.value for o in s.organs])})" if s.organs else " (no distant disease)")
        for s in result.m_timeline
    ]
    return "; ".join(parts)


def summary_lines(result: Assessment) -> list[str]:
    """Return the one-screen summary (at most :data:`SUMMARY_MAX_LINES` lines)."""
    p = result.primary
    age = (
        "" if result.age_at_diagnosis is None else f", {result.age_at_diagnosis:.1f} y at diagnosis"
    )
    since = (
        ""
        if result.follow_up_months is None
        else f", {_mo(result.follow_up_months)} from diagnosis"
    )
    size = "" if p["size_mm"] is None else f", {p['size_mm']:g} mm"
    out = [
        f"Patient: {result.sex}{age}; {result.vital_status} "
        f"({result.follow_up_end.isoformat()}{since})",
        f"Primary: {label(p['site'])}{size}; "
        f"invades: {_words(p['invasion']) or 'nothing recorded'}",
        f"Syndrome: {label(p['functioning_syndrome'])}; "
        f"hereditary: {label(p['hereditary_syndrome'])}",
    ]
    out.extend(
        f"Thrombus: {_thrombus_kind(t.kind)} in the {label(t.vessel)}"
        + (f", {t.extent}" if t.extent else "")
        for t in result.thrombi
    )
    out.append(_grade_line(result))
    if "AJCC 8" in result.staging:
        out.append(f"Stage at diagnosis (AJCC 8): {result.staging_text('AJCC 8')}")
    after = result.staging_after_therapy
    if after is not None and "AJCC 8" in after:
        out.append(f"After therapy (AJCC 8): {staging_code(after['AJCC 8'].value, 'yp')}")
    if result.m_timeline:
        out.append(f"M over time: {_m_text(result)}")
    if result.nodal_recurrence is not None:
        out.append(f"Recurrent regional nodes: rN1 from {result.nodal_recurrence.isoformat()}")
    if result.surgeries:
        last = result.surgeries[-1]
        out.append(
            f"Surgery: {len(result.surgeries)}; last {last.date.isoformat()} "
            f"{label(last.procedure)} ({_intent(last.intent)}), "
            f"{last.margin or 'margin not reported'}"
        )
    for therapy in result.local_therapies[:2]:
        out.append(f"Local therapy: {_local_text(therapy)}")
    if len(result.local_therapies) > 2:
        out.append(f"Local therapy: {len(result.local_therapies) - 2} more (details below)")
    if result.course is not None:
        for line in result.course.lines[:4]:
            out.append(_line_text(line, short=True))
        if len(result.course.lines) > 4:
            out.append(f"… {len(result.course.lines) - 4} more lines (details below)")
    if result.medications:
        names = dict.fromkeys(f"{m.label} ({label(m.purpose)})" for m in result.medications)
        out.append(f"Medication: {', '.join(names)}")
    if result.no_evidence_of_disease_since is not None:
        out.append(f"No evidence of disease since {result.no_evidence_of_disease_since}")
    elif result.disease_status:
        when, status = result.disease_status[-1]
        out.append(f"Latest status: {label(status)} ({when.isoformat()})")
    if result.warnings:
        out.append(f"Warnings: {len(result.warnings)} (listed below)")
    if result.plausibility:
        out.append(f"Implausible values to check: {len(result.plausibility)} (listed below)")
    limit = SUMMARY_MAX_LINES - 4  # the title and the section heading, each underlined
    if len(out) > limit:
        out = [*out[: limit - 1], "… (more in the details below)"]
    return out


def _thrombus_kind(kind: str) -> str:
    return "thrombus (tumour or bland not stated)" if kind == "unknown" else f"{kind} thrombus"


def _intent(intent: str) -> str:
    return "intent not stated" if intent == "unknown" else label(intent)


def _local_text(therapy: object) -> str:
    from netline.assessment.parts import LocalTherapySummary

    assert isinstance(therapy, LocalTherapySummary)
    where = f"{label(therapy.target)} in the {label(therapy.organ)}"
    lesions = therapy.lesion_detail or ", ".join(therapy.lesions)
    extra = f" ({lesions})" if lesions else ""
    return f"{therapy.date.isoformat()} {label(therapy.modality)} of {where}{extra}"


def _line_text(line: Line, *, short: bool = False) -> str:
    end = "ongoing" if line.ongoing else f"{line.end.isoformat()} ({label(line.end_reason)})"
    pfs = line.pfs.months
    pfs_text = (
        "PFS n/a" if pfs is None else f"PFS {pfs:.1f} mo" + ("" if line.pfs.event else " censored")
    )
    trial = "; clinical trial" if line.clinical_trial else ""
    response = line.best_response or "no RECIST assessment"
    if line.clinician_status and not line.best_response:
        response += f" (clinician: {label(line.clinician_status)})"
    if short:
        return f"{line.name} {line.label}: {line.start.isoformat()}; best {response}; {pfs_text}"
    return (
        f"{line.name}  {line.label}: {line.start.isoformat()} to {end}; "
        f"best response {response}; {pfs_text}{trial}"
    )


def _flag(finding: object) -> str:
    return "" if getattr(finding, "verified", True) else "  [unverified]"


def _diagnosis(result: Assessment) -> list[str]:
    out = []
    for specimen in result.grades:
        facts = []
        if specimen.ki67_percent is not None:
            facts.append(f"Ki-67 {specimen.ki67_percent:g} %")
        if specimen.mitoses_reported is not None:
            facts.append(f"mitoses {specimen.mitoses_reported}")
        when = "" if specimen.date is None else f" ({specimen.date.isoformat()})"
        shown = f" ({', '.join(facts)})" if facts else ""
        rule = f"{specimen.grade.rule} {specimen.grade.edition}".strip()
        out.append(
            f"Grade, {label(specimen.specimen)}{when}: {specimen.grade.value}{shown} [{rule}]"
        )
        if specimen.mitoses_conversion:
            out.append(f"    mitoses: {specimen.mitoses_conversion}")
        out.append(f"    {specimen.grade.reason}")
    for t in result.thrombi:
        found = "" if t.found is None else f" (found {t.found.isoformat()})"
        occl = {True: "; occlusive", False: "; not occlusive", None: ""}[t.occlusive]
        extent = f", extent: {t.extent}" if t.extent else ""
        kind = _thrombus_kind(t.kind)
        out.append(f"{kind[0].upper()}{kind[1:]}: {label(t.vessel)}{extent}{occl}{found}")
    return out


def _staging(result: Assessment) -> list[str]:
    out = [f"Basis: {result.staging_basis.reason}"]
    for edition, finding in result.staging.items():
        out.append(f"{edition:<11} {result.staging_text(edition)}{_flag(finding)}")
        out.append(f"    {finding.reason}")
    if result.staging_after_therapy is not None:
        out.append("After therapy (yp, from the resection specimen):")
        for edition, finding in result.staging_after_therapy.items():
            out.append(f"{edition:<11} {staging_code(finding.value, 'yp')}{_flag(finding)}")
    if result.m_timeline:
        out.append("M category over time:")
        for status in result.m_timeline:
            organs = _words([o.value for o in status.organs]) or "no distant disease"
            cats = ", ".join(f"{e} {m}" for e, m in status.m.items())
            out.append(f"    from {status.since.isoformat()}: {cats} ({organs})")
    widest = result.metastatic_status
    if widest is not None:
        organs = _words([o.value for o in widest.organs])
        out.append(f"Widest distant extent (by {widest.as_of.isoformat()}: {organs}):")
        for edition, finding in widest.staging.items():
            code = staging_code(finding.value, result.diagnosis_prefix)
            out.append(f"{edition:<11} {code}{_flag(finding)}")
    if result.nodal_recurrence is not None:
        out.append(
            f"rN1: regional nodal disease recorded after the primary resection, from "
            f"{result.nodal_recurrence.isoformat()}"
        )
    return out


def _surgery(result: Assessment) -> list[str]:
    out = [] if result.surgeries else ["none recorded"]
    for surgery in result.surgeries:
        margin = surgery.margin or "margin not reported"
        pathology = ""
        if surgery.pathological_complete_response:
            pathology = "; pathological complete response (no viable tumour)"
        elif surgery.viable_tumour:
            pathology = "; viable tumour in the specimen"
        out.append(
            f"{surgery.date.isoformat()}  {label(surgery.procedure)} "
            f"({_intent(surgery.intent)}): {margin}{pathology}"
        )
        if surgery.description:
            out.append(f"    {surgery.description}")
        extras = []
        if surgery.operative_time_min is not None:
            extras.append(f"operative time {surgery.operative_time_min:g} min")
        if surgery.blood_loss_ml is not None:
            extras.append(f"blood loss {surgery.blood_loss_ml:g} mL")
        if surgery.finding:
            extras.append(surgery.finding)
        if extras:
            out.append("    " + "; ".join(extras))
    return out


def _therapies(result: Assessment) -> list[str]:
    out = [] if result.therapies else ["none recorded"]
    for therapy in result.therapies:
        stop = therapy.stop.isoformat() if therapy.stop else "ongoing"
        details = [_mo(therapy.duration_months)]
        if therapy.cycles:
            details.append(f"{therapy.cycles} cycles")
        if therapy.cumulative_activity_gbq is not None:
            details.append(f"{therapy.cumulative_activity_gbq:g} GBq")
        if therapy.reason_stopped:
            details.append(f"stopped: {label(therapy.reason_stopped)}")
        if therapy.clinical_trial:
            details.append(
                f"clinical trial{': ' + therapy.trial_name if therapy.trial_name else ''}"
            )
        out.append(
            f"{therapy.start.isoformat()} to {stop}  {therapy.label} "
            f"[{label(therapy.agent_class)}] ({'; '.join(details)})"
        )
    return out


def _lines(result: Assessment) -> list[str]:
    assert result.course is not None
    out = [_line_text(line) for line in result.course.lines] or ["none"]
    pfs2 = result.course.outcomes.to_dict().get("pfs2_ema")
    if isinstance(pfs2, dict) and pfs2.get("months") is not None:
        kind = "event" if pfs2.get("event") else "censored"
        out.append(f"PFS2: {float(pfs2['months']):.1f} mo ({kind}); {PFS2_DEFINITION}")
    out.append(f"    PFS rule: {result.course.rules.describe_pfs()}")
    return out


def _imaging(result: Assessment) -> list[str]:
    out = []
    for image in result.imaging:
        response = f" {image.recorded_response}" if image.recorded_response else ""
        new = " new lesions" if image.new_lesions else ""
        if image.new_lesions and image.new_lesions_equivocal:
            new += " (equivocal: not progression unless a later scan confirms them)"
        if image.organs_clear:
            new += f"; clear: {_words(image.organs_clear)}"
        score = (
            "" if image.sstr_uptake_score is None else f" uptake score {image.sstr_uptake_score}"
        )
        modality = label(image.modality)
        out.append(f"{image.date.isoformat()}  {modality}{response}{new}{score}")
        if image.finding:
            out.append(f"    {image.finding}")
    return out


def sections(result: Assessment) -> list[Section]:
    """Return the assessment as (title, lines) sections: summary first, then the details."""
    out: list[Section] = [
        ("Summary", summary_lines(result)),
        ("Diagnosis", _diagnosis(result)),
        ("Stage", _staging(result)),
        ("Surgery", _surgery(result)),
    ]
    if result.local_therapies:
        out.append(("Local therapy", [_local_text(t) for t in result.local_therapies]))
    out.append(("Systemic therapy", _therapies(result)))
    if result.course is not None:
        out.append(("Lines of therapy", _lines(result)))
    if result.medications:
        out.append(
            (
                "Syndrome-control and supportive medication",
                [
                    f"{m.start.isoformat()} to {m.stop.isoformat() if m.stop else 'ongoing'}  "
                    f"{m.label} ({label(m.purpose)})" + (f", {m.dose}" if m.dose else "")
                    for m in result.medications
                ],
            )
        )
    out.append(("Imaging", _imaging(result)))
    if result.disease_status:
        out.append(
            (
                "Disease status (clinician-recorded)",
                [f"{d.isoformat()}  {label(s)}" for d, s in result.disease_status],
            )
        )
    if result.adverse_events:
        out.append(
            (
                "Adverse events",
                [f"{d.isoformat()}  {t}, CTCAE grade {g}" for d, t, g in result.adverse_events],
            )
        )
    if result.warnings:
        out.append(("Warnings", [f"- {w}" for w in result.warnings]))
    if result.plausibility:
        out.append(
            (
                "Implausible values to check (possible, but please confirm)",
                [f"- {w} (source: {w.source})" for w in result.plausibility],
            )
        )
    if result.assumptions:
        out.append(
            ("Assumptions made in encoding the case", [f"- {a}" for a in result.assumptions])
        )
    return out


def render_text(result: Assessment) -> str:
    """Render an assessment as readable text: a one-screen summary, then the details."""
    title = f"netline assessment: {result.case_id}"
    out = [title, "=" * len(title)]
    for heading, lines in sections(result):
        if heading != "Summary":
            out.append("")
        out.extend([heading, "-" * len(heading), *lines])
    out.append("")
    if result.source:
        out.append(f"Source: {result.source}")
    if result.synthetic:
        out.append("Synthetic case.")
    out.append(result.notice)
    return "\n".join(out) + "\n"
