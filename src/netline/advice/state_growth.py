"""Reading growth, labs and the lines-of-therapy facts from the record cut at a date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from netline.advice._kb import ANTITUMOUR_VALUES
from netline.advice.state_extent import _Builder, _growth_rate, _months
from netline.advice.state_types import _RESPONSES, _SOURCE_RANK, Assessment, LabValue, PriorLine
from netline.clinical.renal import cockcroft_gault
from netline.errors import NetlineError
from netline.evidence.schema import DiseaseCourse
from netline.records.model import LabPanel
from netline.records.vocabulary import (
    AgentClass,
    Analyte,
)


def _growth(
    b: _Builder, assessments: Sequence[Assessment], lines: Sequence[PriorLine]
) -> dict[str, Any]:
    ordered = sorted(
        assessments,
        key=lambda a: (a.date, a.progression, _SOURCE_RANK.get(a.source, 0)),
    )
    latest = ordered[-1] if ordered else None
    progressions = [a.date for a in ordered if a.progression]
    last_pd = progressions[-1] if progressions else None
    course: DiseaseCourse | None
    response: bool | None
    stable_months: float | None = None
    if latest is None:
        course = None
        response = None
        b.missing(
            "response assessment (imaging response or clinician status)",
            "whether the disease is progressing, stable or responding",
        )
    else:
        latest_date = latest.date
        progressing = any(a.progression for a in ordered if a.date == latest_date)
        if progressing:
            course = DiseaseCourse.PROGRESSIVE
            response = False
            b.alternatives["disease_course"] = (
                DiseaseCourse.SLOWLY_PROGRESSIVE,
                DiseaseCourse.RAPIDLY_PROGRESSIVE,
            )
            b.notes.append(
                "The pace of progression (slow or rapid) is not classified: the knowledge base "
                "gives no growth-rate threshold; statements that depend on it are shown as "
                "possible."
            )
        else:
            course = DiseaseCourse.STABLE
            after = [a for a in ordered if last_pd is None or a.date > last_pd]
            response = any(a.response in _RESPONSES for a in after)
            start = last_pd or (after[0].date if after else None)
            if start is not None:
                stable_months = _months(start, latest_date)
    b.facts.update(disease_course=course, objective_response=response)
    if stable_months is not None:
        b.facts["stable_disease"] = stable_months
    rate, basis = _growth_rate(b.record)
    return {
        "assessments": tuple(ordered),
        "latest_assessment": latest,
        "last_progression": last_pd,
        "disease_course": None if course is None else course.value,
        "objective_response": response,
        "stable_disease_months": stable_months,
        "growth_rate_percent_per_month": rate,
        "growth_rate_basis": basis,
    }


def _latest_labs(b: _Builder) -> dict[str, LabValue]:
    labs: dict[str, LabValue] = {}
    for panel in b.record.of_type(LabPanel):
        for result in panel.results:
            labs[result.analyte.value] = LabValue(
                result.analyte.value,
                result.value,
                result.unit,
                panel.date,
                (b.at - panel.date).days,
                result.lower_limit,
                result.upper_limit,
            )
    return labs


def _labs_and_function(b: _Builder, labs: Mapping[str, LabValue]) -> dict[str, Any]:
    record = b.record
    facts = b.facts

    def value(analyte: Analyte) -> float | None:
        lab = labs.get(analyte.value)
        return None if lab is None else lab.value

    facts["platelets"] = value(Analyte.PLATELETS)
    facts["haemoglobin"] = value(Analyte.HAEMOGLOBIN)
    facts["white_cells"] = value(Analyte.WHITE_CELLS)
    bilirubin = labs.get(Analyte.BILIRUBIN.value)
    facts["bilirubin"] = None if bilirubin is None else bilirubin.value
    facts["bilirubin_to_uln"] = (
        None
        if bilirubin is None or not bilirubin.upper_limit
        else bilirubin.value / bilirubin.upper_limit
    )
    facts["albumin"] = value(Analyte.ALBUMIN)
    inr = labs.get(Analyte.INR.value)
    facts["prothrombin_time_normal"] = (
        None if inr is None or inr.upper_limit is None else inr.value <= inr.upper_limit
    )
    facts["prothrombin_ratio"] = value(Analyte.PROTHROMBIN_RATIO)
    facts["icg_r15"] = value(Analyte.ICG_R15)
    creatinine = value(Analyte.CREATININE)
    facts["creatinine"] = creatinine
    clearance: float | None = value(Analyte.CREATININE_CLEARANCE)
    basis: str | None = None
    if clearance is not None:
        basis = f"measured ({labs[Analyte.CREATININE_CLEARANCE.value].date.isoformat()})"
    weights = [m for m in record.patient.body if m.weight_kg is not None]
    weight = weights[-1].weight_kg if weights else None
    age = record.patient.age_at(b.at)
    if clearance is None and creatinine is not None:
        if weight is not None and age is not None:
            try:
                finding = cockcroft_gault(
                    age_years=age,
                    weight_kg=weight,
                    serum_creatinine_mg_dl=creatinine,
                    sex=record.patient.sex,
                )
            except NetlineError as error:
                b.notes.append(f"Creatinine clearance not computed: {error}")
            else:
                clearance = finding.value
                basis = "Cockcroft-Gault: " + finding.reason
        else:
            b.missing(
                "body weight or age",
                "creatinine clearance (Cockcroft-Gault) for PRRT and streptozocin",
            )
    facts["creatinine_clearance"] = clearance
    wanted = [
        (Analyte.PLATELETS, "platelets"),
        (Analyte.HAEMOGLOBIN, "haemoglobin"),
        (Analyte.WHITE_CELLS, "white cells"),
        (Analyte.NEUTROPHILS, "neutrophils"),
        (Analyte.BILIRUBIN, "bilirubin"),
        (Analyte.ALBUMIN, "albumin"),
    ]
    absent = [name for analyte, name in wanted if analyte.value not in labs]
    if clearance is None and creatinine is None:
        absent.append("creatinine or creatinine clearance")
    if absent:
        b.missing(
            "labs: " + ", ".join(absent),
            "PRRT eligibility (marrow, renal and liver thresholds) and the toxicity flags",
        )
    if bilirubin is not None and not bilirubin.upper_limit:
        b.missing("bilirubin upper limit of normal", "bilirubin at most 3 × ULN (PRRT)")
    stale = sorted({lab.date for lab in labs.values() if (b.at - lab.date).days > 90})
    if stale:
        b.notes.append(
            "Some labs are more than 90 days old at the decision (drawn "
            + ", ".join(d.isoformat() for d in stale)
            + "): repeat before acting."
        )
    facts["ascites_uncontrolled"] = None
    facts["child_pugh_class"] = None
    b.missing(
        "ascites and encephalopathy",
        "Child-Pugh class and the ascites branch of the Makuuchi criteria "
        "(the record has no field for them)",
    )
    return {
        "labs": MappingProxyType(labs),
        "creatinine_clearance_ml_min": clearance,
        "creatinine_clearance_basis": basis,
        "weight_kg": weight,
    }


def _lines_facts(b: _Builder, lines: Sequence[PriorLine]) -> dict[str, Any]:
    classes = frozenset(c for line in lines for c in line.agent_classes)
    agents = frozenset(a for line in lines for a in line.agents)
    antitumour = ANTITUMOUR_VALUES
    non_ssa = sum(
        1
        for line in lines
        if any(c in antitumour and c != AgentClass.SSA.value for c in line.agent_classes)
    )
    counted = [line for line in lines if set(line.agent_classes) & antitumour]
    current = next((line for line in lines if line.ongoing), None)
    on_ssa = [line for line in lines if AgentClass.SSA.value in line.agent_classes]
    progression_on_ssa: bool | None
    if any(line.progressed_on for line in on_ssa):
        progression_on_ssa = True
    elif on_ssa:
        progression_on_ssa = False
    else:
        progression_on_ssa = False
    b.facts.update(
        prior_classes=frozenset(AgentClass(c) for c in classes),
        prior_non_ssa_lines=non_ssa,
        line=len(counted) + 1,
        progression_on_ssa=progression_on_ssa,
    )
    return {
        "lines": tuple(lines),
        "current_line": current,
        "prior_classes": classes,
        "prior_agents": agents,
        "prior_non_ssa_lines": non_ssa,
        "next_line": len(counted) + 1,
        "progression_on_ssa": progression_on_ssa,
    }
