"""Plain-text rendering of an assessment for the command line."""

from __future__ import annotations

from netline.assessment.summary import Assessment
from netline.course import Line

__all__ = ["render_text"]

_WIDTH = 78


def render_text(result: Assessment) -> str:
    """Render an assessment as readable text (sections, one fact per line)."""
    out: list[str] = []

    def section(title: str) -> None:
        out.append("")
        out.append(title)
        out.append("-" * len(title))

    out.append(f"netline assessment: {result.case_id}")
    out.append("=" * len(out[0]))
    if result.source:
        out.append(f"Source: {result.source}")
    if result.synthetic:
        out.append("Synthetic case.")
    age = "" if result.age_at_diagnosis is None else f", {result.age_at_diagnosis:g} y at diagnosis"
    out.append(
        f"Patient: {result.sex}{age}; {result.vital_status} "
        f"({result.follow_up_end.isoformat()}"
        + ("" if result.follow_up_months is None else f", {result.follow_up_months:g} mo")
        + ")"
    )

    section("Diagnosis")
    primary = result.primary
    size = "" if primary["size_mm"] is None else f", {primary['size_mm']:g} mm"
    invasion = ", ".join(primary["invasion"]) or "none recorded"
    out.append(f"Primary: {primary['site']}{size}; invasion: {invasion}")
    out.append(
        f"Functioning syndrome: {primary['functioning_syndrome']}; "
        f"hereditary syndrome: {primary['hereditary_syndrome']}"
    )
    for specimen in result.grades:
        facts = []
        if specimen.ki67_percent is not None:
            facts.append(f"Ki-67 {specimen.ki67_percent:g} %")
        if specimen.mitoses_reported is not None:
            facts.append(f"mitoses {specimen.mitoses_reported}")
        when = "" if specimen.date is None else f" ({specimen.date.isoformat()})"
        out.append(
            f"Grade, {specimen.specimen}{when}: {specimen.grade.value}"
            f" ({', '.join(facts)}) [{_rule(specimen.grade)}]"
        )
        out.append(f"    {specimen.grade.reason}")

    section("Stage at diagnosis")
    for edition, finding in result.staging.items():
        out.append(f"{edition:<11} {finding.value}{_flag(finding)}")
        out.append(f"    {finding.reason}")
    if result.metastatic_status is not None:
        status = result.metastatic_status
        organs = ", ".join(o.value for o in status.organs)
        section(f"Metastatic disease (by {status.as_of.isoformat()}: {organs})")
        for edition, finding in status.staging.items():
            out.append(f"{edition:<11} {finding.value}{_flag(finding)}")

    section("Surgery")
    if not result.surgeries:
        out.append("none recorded")
    for surgery in result.surgeries:
        margin = surgery.margin or "margin not reported"
        pathology = ""
        if surgery.pathological_complete_response:
            pathology = "; pathological complete response (no viable tumour)"
        elif surgery.viable_tumour:
            pathology = "; viable tumour in the specimen"
        out.append(
            f"{surgery.date.isoformat()}  {surgery.procedure.replace('_', ' ')} "
            f"({surgery.intent}): {margin}{pathology}"
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

    section("Systemic therapy")
    if not result.therapies:
        out.append("none recorded")
    for therapy in result.therapies:
        stop = therapy.stop.isoformat() if therapy.stop else "ongoing"
        details = [f"{therapy.duration_months:g} mo"]
        if therapy.cycles:
            details.append(f"{therapy.cycles} cycles")
        if therapy.cumulative_activity_gbq is not None:
            details.append(f"{therapy.cumulative_activity_gbq:g} GBq")
        if therapy.reason_stopped:
            details.append(f"stopped: {therapy.reason_stopped}")
        if therapy.clinical_trial:
            details.append(
                f"clinical trial{': ' + therapy.trial_name if therapy.trial_name else ''}"
            )
        out.append(
            f"{therapy.start.isoformat()} to {stop}  {therapy.label} "
            f"[{therapy.agent_class}] ({'; '.join(details)})"
        )

    if result.course is not None:
        section("Lines of therapy")
        if not result.course.lines:
            out.append("none")
        for line in result.course.lines:
            out.append(_line_text(line))
        pfs2 = result.course.outcomes.to_dict().get("pfs2")
        if isinstance(pfs2, dict) and pfs2.get("months") is not None:
            kind = "event" if pfs2.get("event") else "censored"
            out.append(f"PFS2: {float(pfs2['months']):.1f} mo ({kind})")
        out.append(f"    PFS rule: {result.course.rules.describe_pfs()}")

    section("Imaging")
    for image in result.imaging:
        response = f" {image.recorded_response}" if image.recorded_response else ""
        new = " new lesions" if image.new_lesions else ""
        score = (
            "" if image.sstr_uptake_score is None else f" uptake score {image.sstr_uptake_score}"
        )
        out.append(f"{image.date.isoformat()}  {image.modality.upper()}{response}{new}{score}")
        if image.finding:
            out.append(f"    {image.finding}")
    if result.disease_status:
        section("Disease status (clinician-recorded)")
        for status_date, status_value in result.disease_status:
            out.append(f"{status_date.isoformat()}  {status_value.replace('_', ' ')}")
    if result.adverse_events:
        section("Adverse events")
        for onset, term, grade in result.adverse_events:
            out.append(f"{onset.isoformat()}  {term}, CTCAE grade {grade}")
    if result.warnings:
        section("Warnings")
        out.extend(f"- {w}" for w in result.warnings)
    if result.assumptions:
        section("Assumptions made in encoding the case")
        out.extend(f"- {a}" for a in result.assumptions)
    out.append("")
    out.append(result.notice)
    return "\n".join(out) + "\n"


def _line_text(line: Line) -> str:
    end = "ongoing" if line.ongoing else f"{line.end.isoformat()} ({line.end_reason})"
    pfs = line.pfs.months
    pfs_text = (
        "PFS n/a" if pfs is None else (f"PFS {pfs:g} mo" + ("" if line.pfs.event else " censored"))
    )
    trial = "; clinical trial" if line.clinical_trial else ""
    response = line.best_response or "not assessed"
    return (
        f"{line.name}  {line.label}: {line.start.isoformat()} to {end}; "
        f"best response {response}; {pfs_text}{trial}"
    )


def _rule(finding: object) -> str:
    rule = getattr(finding, "rule", "")
    edition = getattr(finding, "edition", "")
    return f"{rule} {edition}".strip()


def _flag(finding: object) -> str:
    return "" if getattr(finding, "verified", True) else "  [unverified]"
