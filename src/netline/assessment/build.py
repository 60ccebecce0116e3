"""Build the parts of an assessment from a clinical record."""

from __future__ import annotations

import datetime as dt

from netline._time import DAYS_PER_MONTH
from netline.assessment.parts import (
    ImagingSummary,
    LocalTherapySummary,
    MedicationSummary,
    MetastaticStatus,
    SurgerySummary,
    TherapySummary,
    ThrombusSummary,
)
from netline.assessment.staging import StagingBasis, primary_resection
from netline.clinical._result import Finding
from netline.clinical.tnm import Basis, TNMStage, stage_pnet
from netline.clinical.tnm import Edition as TNMEdition
from netline.records.model import (
    CaseRecord,
    Imaging,
    LocalTherapy,
    Medication,
    RegionalNodes,
    Surgery,
    SystemicTherapy,
    involved_organs,
)
from netline.records.vocabulary import Organ, agent_info

__all__ = [
    "EDITIONS",
    "diagnosis_date",
    "imaging_summary",
    "local_therapy_summary",
    "medication_summary",
    "metastatic_status",
    "months_between",
    "stage_all",
    "staging_after_therapy",
    "staging_at_diagnosis",
    "surgery_summary",
    "therapy_summary",
    "thrombus_summaries",
]

_DAYS_PER_MONTH = DAYS_PER_MONTH
EDITIONS = (TNMEdition.AJCC_8, TNMEdition.UICC_8, TNMEdition.ENETS_2006)


def months_between(start: dt.date, end: dt.date) -> float:
    """Months from one date to another (mean Gregorian month of 30.44 days), one decimal."""
    return round((end - start).days / _DAYS_PER_MONTH, 1)


def diagnosis_date(record: CaseRecord) -> dt.date | None:
    """Return the diagnosis date: recorded, else the primary specimen's, else the resection's."""
    if record.primary.diagnosed is not None:
        return record.primary.diagnosed
    histology = record.primary.histology
    if histology is not None and histology.date is not None:
        return histology.date
    primary_surgery = primary_resection(record)
    return None if primary_surgery is None else primary_surgery.date


def _regional_nodes(record: CaseRecord, pathological: bool) -> RegionalNodes | None:
    resection = primary_resection(record)
    pathology = None if resection is None else resection.pathology
    if pathological and pathology is not None and pathology.nodes is not None:
        return pathology.nodes
    return record.primary.regional_nodes


def stage_all(
    record: CaseRecord, organs: set[Organ], pathological: bool, size_mm: float | None = None
) -> dict[str, Finding[TNMStage]]:
    """Stage the primary in every edition (size from the primary unless given)."""
    nodes = _regional_nodes(record, pathological)
    return {
        str(edition.value): stage_pnet(
            size_mm=record.primary.size_mm if size_mm is None else size_mm,
            invaded=record.primary.invasion,
            positive_nodes=None if nodes is None else nodes.positive,
            examined_nodes=None if nodes is None else nodes.examined,
            distant_metastases=organs,
            edition=edition,
            basis=Basis.PATHOLOGICAL if pathological else Basis.CLINICAL,
            multiple=record.primary.multifocal,
        )
        for edition in EDITIONS
    }


def staging_at_diagnosis(
    record: CaseRecord, diagnosis: dt.date | None, basis: StagingBasis, warnings: list[str]
) -> dict[str, Finding[TNMStage]]:
    """TNM at diagnosis: pathological when the primary was resected first, else clinical."""
    if not record.primary.site.is_pancreatic:
        warnings.append(
            f"TNM is staged with the pancreatic NET system; the primary site is "
            f"{record.primary.site.value}"
        )
    resection = primary_resection(record)
    upfront = basis.prefix == "p"
    cutoff = resection.date if resection is not None and upfront else diagnosis
    organs = {
        m.organ
        for m in record.metastases
        if m.organ.is_distant and (cutoff is None or m.found <= cutoff)
    }
    return stage_all(record, organs, pathological=upfront)


def staging_after_therapy(
    record: CaseRecord, basis: StagingBasis
) -> dict[str, Finding[TNMStage]] | None:
    """TNM of a primary resected after therapy (yp), from the resection's pathology."""
    resection = primary_resection(record)
    if basis.prefix != "yp" or resection is None:
        return None
    pathology = resection.pathology
    size = None if pathology is None else pathology.largest_lesion_mm
    organs = {o for o in involved_organs(record, resection.date) if o.is_distant}
    return stage_all(record, organs, pathological=True, size_mm=size)


def metastatic_status(record: CaseRecord) -> MetastaticStatus | None:
    """Return the extent of distant disease at its widest point in the record, staged again."""
    distant = sorted((m for m in record.metastases if m.organ.is_distant), key=lambda m: m.found)
    if not distant:
        return None
    organs = {m.organ for m in distant}
    as_of = distant[-1].found
    staging = stage_all(record, organs, pathological=primary_resection(record) is not None)
    return MetastaticStatus(as_of, tuple(sorted(organs)), staging)


def surgery_summary(surgery: Surgery) -> SurgerySummary:
    """Summarise one surgery."""
    pathology = surgery.pathology
    return SurgerySummary(
        id=surgery.id,
        date=surgery.date,
        procedure=surgery.procedure.value,
        description=surgery.description,
        intent=surgery.intent.value,
        organs=tuple(o.value for o in surgery.organs),
        margin=None if surgery.margin is None else surgery.margin.value,
        viable_tumour=None if pathology is None else pathology.viable_tumour,
        pathological_complete_response=(
            None if pathology is None else pathology.pathological_complete_response
        ),
        operative_time_min=surgery.operative_time_min,
        blood_loss_ml=surgery.blood_loss_ml,
        finding=None if pathology is None else pathology.finding,
    )


def therapy_summary(therapy: SystemicTherapy, follow_up_end: dt.date) -> TherapySummary:
    """Summarise one systemic therapy episode (an ongoing one runs to the follow-up end)."""
    info = agent_info(therapy.agent)
    end = therapy.stop or follow_up_end
    return TherapySummary(
        id=therapy.id,
        agent=therapy.agent.value,
        label=info.label,
        agent_class=info.agent_class.value,
        start=therapy.start,
        stop=therapy.stop,
        duration_months=months_between(therapy.start, end),
        cycles=len(therapy.cycles),
        cumulative_activity_gbq=therapy.cumulative_activity_gbq,
        reason_stopped=None if therapy.reason_stopped is None else therapy.reason_stopped.value,
        clinical_trial=therapy.clinical_trial,
        trial_name=therapy.trial_name,
    )


def imaging_summary(imaging: Imaging) -> ImagingSummary:
    """Summarise one imaging assessment."""
    return ImagingSummary(
        id=imaging.id,
        date=imaging.date,
        modality=imaging.modality.value,
        recorded_response=(
            None if imaging.recorded_response is None else imaging.recorded_response.value
        ),
        new_lesions=imaging.new_lesions,
        sstr_uptake_score=imaging.sstr_uptake_score,
        organs=tuple(o.value for o in imaging.organs_involved),
        finding=imaging.finding,
        new_lesions_equivocal=imaging.new_lesions_equivocal,
        organs_clear=tuple(o.value for o in imaging.organs_clear),
    )


def local_therapy_summary(therapy: LocalTherapy) -> LocalTherapySummary:
    """Summarise one local therapy."""
    return LocalTherapySummary(
        id=therapy.id,
        date=therapy.date,
        modality=therapy.modality.value,
        organ=therapy.organ.value,
        target=therapy.target.value,
        lesions=tuple(therapy.lesions),
        lesion_detail=therapy.lesion_detail,
        lesions_treated=therapy.lesions_treated,
    )


def medication_summary(medication: Medication) -> MedicationSummary:
    """Summarise one syndrome-control or supportive medication."""
    dose = medication.dose
    dose_text = None if dose is None else f"{dose.amount:g} {dose.unit}"
    if dose_text is not None and medication.schedule:
        dose_text += f" {medication.schedule}"
    return MedicationSummary(
        id=medication.id,
        drug=medication.drug.value,
        label=medication.label,
        purpose=medication.purpose.value,
        start=medication.start,
        stop=medication.stop,
        dose=dose_text,
    )


def thrombus_summaries(record: CaseRecord) -> tuple[ThrombusSummary, ...]:
    """Summarise the vascular thrombi of the primary."""
    return tuple(
        ThrombusSummary(t.vessel.value, t.kind.value, t.extent, t.occlusive, t.found)
        for t in record.primary.vascular_thrombus
    )
