"""Build the assessment of one patient's course from a clinical record.

The assessment gathers what a tumour board reads first: the grade of each specimen, the TNM
stage at diagnosis in each edition, the extent of metastatic disease later in the course, each
surgery with its margin and pathology, each systemic therapy, the imaging responses and the
clinician-recorded disease status. Every derived value is a :class:`~netline.clinical.Finding`
that says which rule produced it and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from netline.clinical._result import Finding
from netline.clinical.grading import Grade, grade_histology
from netline.clinical.tnm import Basis, TNMStage, stage_pnet
from netline.clinical.tnm import Edition as TNMEdition
from netline.course import CourseSummary, derive_course
from netline.errors import InsufficientDataError
from netline.records.model import (
    AdverseEvent,
    CaseRecord,
    DiseaseStatus,
    Imaging,
    RegionalNodes,
    Surgery,
    SystemicTherapy,
)
from netline.records.vocabulary import Organ, agent_info

__all__ = [
    "NOTICE",
    "Assessment",
    "ImagingSummary",
    "MetastaticStatus",
    "SpecimenGrade",
    "SurgerySummary",
    "TherapySummary",
    "assess",
]

NOTICE = (
    "netline supports the multidisciplinary tumour board; it does not replace it. "
    "Check every value against the source record."
)
_DAYS_PER_MONTH = 365.25 / 12
EDITIONS = (TNMEdition.AJCC_8, TNMEdition.UICC_8, TNMEdition.ENETS_2006)


def months_between(start: dt.date, end: dt.date) -> float:
    """Months from one date to another (mean Gregorian month of 30.44 days)."""
    return round((end - start).days / _DAYS_PER_MONTH, 1)


@dataclass(frozen=True, slots=True)
class SpecimenGrade:
    """The WHO grade of one specimen."""

    specimen: str
    date: dt.date | None
    ki67_percent: float | None
    mitoses_reported: str | None
    mitoses: Finding[float] | None
    grade: Finding[Grade]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "specimen": self.specimen,
            "date": _iso(self.date),
            "ki67_percent": self.ki67_percent,
            "mitoses_reported": self.mitoses_reported,
            "mitoses_per_2mm2": None if self.mitoses is None else self.mitoses.to_dict(),
            "grade": self.grade.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class MetastaticStatus:
    """The extent of metastatic disease recorded up to a date, staged in each edition."""

    as_of: dt.date
    organs: tuple[Organ, ...]
    staging: dict[str, Finding[TNMStage]]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "as_of": self.as_of.isoformat(),
            "organs": [organ.value for organ in self.organs],
            "staging": {edition: finding.to_dict() for edition, finding in self.staging.items()},
        }


@dataclass(frozen=True, slots=True)
class SurgerySummary:
    """One surgery with its margin and pathology."""

    id: str | None
    date: dt.date
    procedure: str
    description: str | None
    intent: str
    organs: tuple[str, ...]
    margin: str | None
    viable_tumour: bool | None
    pathological_complete_response: bool | None
    operative_time_min: float | None
    blood_loss_ml: float | None
    finding: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "procedure": self.procedure,
            "description": self.description,
            "intent": self.intent,
            "organs": list(self.organs),
            "margin": self.margin,
            "viable_tumour": self.viable_tumour,
            "pathological_complete_response": self.pathological_complete_response,
            "operative_time_min": self.operative_time_min,
            "blood_loss_ml": self.blood_loss_ml,
            "finding": self.finding,
        }


@dataclass(frozen=True, slots=True)
class TherapySummary:
    """One systemic therapy episode."""

    id: str | None
    agent: str
    label: str
    agent_class: str
    start: dt.date
    stop: dt.date | None
    duration_months: float
    cycles: int
    cumulative_activity_gbq: float | None
    reason_stopped: str | None
    clinical_trial: bool
    trial_name: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "id": self.id,
            "agent": self.agent,
            "label": self.label,
            "agent_class": self.agent_class,
            "start": self.start.isoformat(),
            "stop": _iso(self.stop),
            "duration_months": self.duration_months,
            "cycles": self.cycles,
            "cumulative_activity_gbq": self.cumulative_activity_gbq,
            "reason_stopped": self.reason_stopped,
            "clinical_trial": self.clinical_trial,
            "trial_name": self.trial_name,
        }


@dataclass(frozen=True, slots=True)
class ImagingSummary:
    """One imaging assessment as recorded."""

    id: str | None
    date: dt.date
    modality: str
    recorded_response: str | None
    new_lesions: bool | None
    sstr_uptake_score: int | None
    organs: tuple[str, ...]
    finding: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "modality": self.modality,
            "recorded_response": self.recorded_response,
            "new_lesions": self.new_lesions,
            "sstr_uptake_score": self.sstr_uptake_score,
            "organs": list(self.organs),
            "finding": self.finding,
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The course of one patient at a glance.

    Attributes
    ----------
    grades : tuple of SpecimenGrade
        The WHO grade of every specimen with a Ki-67 or mitotic count, primary first.
    staging : dict of str to Finding
        TNM stage at diagnosis in each edition (``"AJCC 8"``, ``"UICC 8"``, ``"ENETS 2006"``).
    metastatic_status : MetastaticStatus or None
        The extent of metastatic disease at its widest point in the record, staged again.
    """

    case_id: str
    source: str | None
    synthetic: bool
    assumptions: tuple[str, ...]
    sex: str
    age_at_diagnosis: float | None
    diagnosis_date: dt.date | None
    follow_up_end: dt.date
    vital_status: str
    follow_up_months: float | None
    primary: dict[str, Any]
    grades: tuple[SpecimenGrade, ...]
    staging: dict[str, Finding[TNMStage]]
    metastatic_status: MetastaticStatus | None
    surgeries: tuple[SurgerySummary, ...]
    therapies: tuple[TherapySummary, ...]
    imaging: tuple[ImagingSummary, ...]
    disease_status: tuple[tuple[dt.date, str], ...]
    adverse_events: tuple[tuple[dt.date, str, int], ...]
    course: CourseSummary | None = None
    notice: str = NOTICE
    warnings: tuple[str, ...] = field(default=())

    @property
    def grade(self) -> Finding[Grade] | None:
        """The grade of the primary tumour (or of the first graded specimen)."""
        return self.grades[0].grade if self.grades else None

    def to_dict(self) -> dict[str, Any]:
        """Return the documented JSON structure (see docs/assess.md)."""
        return {
            "netline_assessment": 1,
            "notice": self.notice,
            "case": {
                "id": self.case_id,
                "source": self.source,
                "synthetic": self.synthetic,
                "assumptions": list(self.assumptions),
            },
            "patient": {
                "sex": self.sex,
                "age_at_diagnosis": self.age_at_diagnosis,
                "diagnosis_date": _iso(self.diagnosis_date),
                "follow_up_end": self.follow_up_end.isoformat(),
                "vital_status": self.vital_status,
                "follow_up_months": self.follow_up_months,
            },
            "primary": self.primary,
            "grades": [g.to_dict() for g in self.grades],
            "staging": {edition: f.to_dict() for edition, f in self.staging.items()},
            "metastatic_status": (
                None if self.metastatic_status is None else self.metastatic_status.to_dict()
            ),
            "surgeries": [s.to_dict() for s in self.surgeries],
            "systemic_therapies": [t.to_dict() for t in self.therapies],
            "imaging": [i.to_dict() for i in self.imaging],
            "disease_status": [
                {"date": d.isoformat(), "status": s} for d, s in self.disease_status
            ],
            "adverse_events": [
                {"date": d.isoformat(), "term": t, "grade": g} for d, t, g in self.adverse_events
            ],
            "lines": [] if self.course is None else [line.to_dict() for line in self.course.lines],
            "outcomes": None if self.course is None else self.course.outcomes.to_dict(),
            "line_rules": None if self.course is None else self.course.rules.to_dict(),
            "warnings": list(self.warnings),
        }


def assess(record: CaseRecord, *, lines: bool = True) -> Assessment:
    """Assess one patient's course.

    Parameters
    ----------
    record : CaseRecord
        A validated clinical record (see :func:`netline.load_case`).
    lines : bool
        Derive the lines of therapy and their outcomes with the course engine
        (:func:`netline.course.derive_course`); ``False`` skips it.

    Returns
    -------
    Assessment
        Grade per specimen, TNM at diagnosis per edition, later metastatic status, surgeries,
        systemic therapies, lines of therapy with best response and PFS, imaging and disease
        status, each with its rule and reason.

    References
    ----------
    .. [1] WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019).
    .. [2] Amin MB et al. AJCC Cancer Staging Manual, 8th ed. Springer; 2017.
    .. [3] Brierley JD et al. TNM Classification of Malignant Tumours, 8th ed. Wiley; 2016.
    .. [4] Rindi G et al. TNM staging of foregut (neuro)endocrine tumors. Virchows Arch
       2006;449:395-401.
    """
    warnings: list[str] = []
    diagnosis = _diagnosis_date(record)
    patient = record.patient
    follow_up_end = patient.death_date or patient.last_follow_up or record.last_date
    if patient.death_date is None and patient.last_follow_up is None:
        warnings.append("no last follow-up date: the course is taken to end at its last event")
    primary = record.primary
    return Assessment(
        case_id=record.id,
        source=record.source,
        synthetic=record.synthetic,
        assumptions=tuple(record.assumptions),
        sex=patient.sex.value,
        age_at_diagnosis=(
            None
            if diagnosis is None or patient.age_at(diagnosis) is None
            else round(patient.age_at(diagnosis) or 0.0, 1)
        ),
        diagnosis_date=diagnosis,
        follow_up_end=follow_up_end,
        vital_status="died" if patient.death_date else "alive at last follow-up",
        follow_up_months=None if diagnosis is None else months_between(diagnosis, follow_up_end),
        primary={
            "site": primary.site.value,
            "size_mm": primary.size_mm,
            "invasion": [s.value for s in primary.invasion],
            "functioning_syndrome": primary.functioning_syndrome.value,
            "hereditary_syndrome": primary.hereditary_syndrome.value,
        },
        grades=tuple(_grades(record, warnings)),
        staging=_staging_at_diagnosis(record, diagnosis, warnings),
        metastatic_status=_metastatic_status(record, warnings),
        surgeries=tuple(_surgery(s) for s in record.of_type(Surgery)),
        therapies=tuple(_therapy(t, follow_up_end) for t in record.of_type(SystemicTherapy)),
        imaging=tuple(_imaging(i) for i in record.of_type(Imaging)),
        disease_status=tuple((d.date, d.status.value) for d in record.of_type(DiseaseStatus)),
        adverse_events=tuple((a.date, a.term, a.grade) for a in record.of_type(AdverseEvent)),
        course=derive_course(record) if lines else None,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- pieces


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _diagnosis_date(record: CaseRecord) -> dt.date | None:
    if record.primary.diagnosed is not None:
        return record.primary.diagnosed
    histology = record.primary.histology
    if histology is not None and histology.date is not None:
        return histology.date
    primary_surgery = _primary_resection(record)
    return None if primary_surgery is None else primary_surgery.date


def _primary_resection(record: CaseRecord) -> Surgery | None:
    return next((s for s in record.of_type(Surgery) if Organ.PANCREAS in s.organs), None)


def _grades(record: CaseRecord, warnings: list[str]) -> list[SpecimenGrade]:
    grades: list[SpecimenGrade] = []
    for histology, when in record.specimens:
        count = histology.mitotic_count
        reported = None if count is None else _mitoses_text(count.count, count.unit, count.n_fields)
        try:
            mitoses, grade = grade_histology(histology)
        except InsufficientDataError as error:
            warnings.append(f"{histology.specimen} specimen not graded: {error}")
            continue
        grades.append(
            SpecimenGrade(
                histology.specimen, when, histology.ki67_percent, reported, mitoses, grade
            )
        )
    return grades


def _mitoses_text(count: float, unit: str, n_fields: int | None) -> str:
    number = f"{count:g}"
    if unit == "per_10hpf":
        return f"{number}/10 HPF"
    if unit == "per_2mm2":
        return f"{number}/2 mm²"
    return f"{number} in {n_fields} fields"


def _regional_nodes(record: CaseRecord) -> RegionalNodes | None:
    if record.primary.regional_nodes is not None:
        return record.primary.regional_nodes
    resection = _primary_resection(record)
    if resection is not None and resection.pathology is not None:
        return resection.pathology.nodes
    return None


def _stage_all(
    record: CaseRecord, organs: set[Organ], pathological: bool
) -> dict[str, Finding[TNMStage]]:
    nodes = _regional_nodes(record)
    return {
        str(edition.value): stage_pnet(
            size_mm=record.primary.size_mm,
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


def _staging_at_diagnosis(
    record: CaseRecord, diagnosis: dt.date | None, warnings: list[str]
) -> dict[str, Finding[TNMStage]]:
    if not record.primary.site.is_pancreatic:
        warnings.append(
            f"TNM is staged with the pancreatic NET system; the primary site is "
            f"{record.primary.site.value}"
        )
    resection = _primary_resection(record)
    cutoff = resection.date if resection is not None else diagnosis
    organs = {
        m.organ
        for m in record.metastases
        if m.organ.is_distant and (cutoff is None or m.found <= cutoff)
    }
    return _stage_all(record, organs, pathological=resection is not None)


def _metastatic_status(record: CaseRecord, warnings: list[str]) -> MetastaticStatus | None:
    distant = sorted((m for m in record.metastases if m.organ.is_distant), key=lambda m: m.found)
    if not distant:
        return None
    organs = {m.organ for m in distant}
    as_of = distant[-1].found
    staging = _stage_all(record, organs, pathological=_primary_resection(record) is not None)
    return MetastaticStatus(as_of, tuple(sorted(organs)), staging)


def _surgery(surgery: Surgery) -> SurgerySummary:
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


def _therapy(therapy: SystemicTherapy, follow_up_end: dt.date) -> TherapySummary:
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


def _imaging(imaging: Imaging) -> ImagingSummary:
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
    )
