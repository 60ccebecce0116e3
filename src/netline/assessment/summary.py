"""Build the assessment of one patient's course from a clinical record.

The assessment gathers what a tumour board reads first: the grade of each specimen, the TNM
stage at diagnosis in each edition with the prefix the record supports (c, p, yp), the M
category over time, recurrent nodal disease, vascular thrombus, each surgery with its margin
and pathology, each local therapy with its target, each systemic therapy and line, the
syndrome-control medications, the imaging responses and the clinician-recorded disease status.
Every derived value is a :class:`~netline.clinical.Finding` that says which rule produced it
and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from netline.assessment import build
from netline.assessment.grades import specimen_grades
from netline.assessment.parts import (
    ImagingSummary,
    LocalTherapySummary,
    MedicationSummary,
    MetastaticStatus,
    SpecimenGrade,
    SurgerySummary,
    TherapySummary,
    ThrombusSummary,
)
from netline.assessment.staging import (
    MStatus,
    StagingBasis,
    m_over_time,
    nodal_recurrence,
    staging_basis,
    staging_code,
)
from netline.clinical._result import Finding
from netline.clinical.grading import Grade
from netline.clinical.tnm import TNMStage
from netline.course import CourseSummary, derive_course
from netline.records.model import (
    AdverseEvent,
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LocalTherapy,
    Medication,
    Surgery,
    SystemicTherapy,
    no_evidence_of_disease_since,
)
from netline.records.plausibility import PlausibilityWarning, plausibility_warnings

__all__ = ["NOTICE", "Assessment", "assess", "months_between"]

NOTICE = (
    "netline supports the multidisciplinary tumour board; it does not replace it. "
    "Check every value against the source record."
)
months_between = build.months_between


@dataclass(frozen=True, slots=True)
class Assessment:
    """The course of one patient at a glance.

    Follows the netline result protocol: :attr:`schema_version`, :meth:`to_dict` and
    :meth:`render` (``"text"``, ``"json"``, ``"markdown"``, ``"html"``).

    Attributes
    ----------
    grades : tuple of SpecimenGrade
        The WHO grade of every specimen with a Ki-67, a mitotic count or a reported grade,
        primary first.
    staging : dict of str to Finding
        TNM stage at diagnosis in each edition (``"AJCC 8"``, ``"UICC 8"``, ``"ENETS 2006"``);
        pathological when the primary was resected before any therapy, else clinical.
    staging_basis : StagingBasis
        The prefix the record supports (``c``, ``p`` or ``yp``) and why.
    staging_after_therapy : dict of str to Finding or None
        ``yp`` TNM of a primary resected after therapy.
    m_timeline : tuple of MStatus
        The M category each time the organs with distant metastases change.
    metastatic_status : MetastaticStatus or None
        The extent of metastatic disease at its widest point in the record, staged again.
    """

    schema_version: ClassVar[str] = "1.1"

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
    staging_basis: StagingBasis = field(default_factory=lambda: StagingBasis("c", None, ""))
    staging_after_therapy: dict[str, Finding[TNMStage]] | None = None
    m_timeline: tuple[MStatus, ...] = ()
    nodal_recurrence: dt.date | None = None
    thrombi: tuple[ThrombusSummary, ...] = ()
    local_therapies: tuple[LocalTherapySummary, ...] = ()
    medications: tuple[MedicationSummary, ...] = ()
    no_evidence_of_disease_since: dt.date | None = None
    plausibility: tuple[PlausibilityWarning, ...] = ()

    @property
    def grade(self) -> Finding[Grade] | None:
        """The grade of the primary tumour (or of the first graded specimen)."""
        return self.grades[0].grade if self.grades else None

    @property
    def diagnosis_prefix(self) -> str:
        """The prefix of the stage at diagnosis: ``p`` for an upfront resection, else ``c``."""
        return "p" if self.staging_basis.prefix == "p" else "c"

    def staging_text(self, edition: str) -> str:
        """Return the stage at diagnosis in one edition with its prefix, e.g. ``"pT3 N0 M0"``."""
        return staging_code(self.staging[edition].value, self.diagnosis_prefix)

    def to_dict(self) -> dict[str, Any]:
        """Return the documented JSON structure (see docs/assess.md)."""
        after = self.staging_after_therapy
        return {
            "netline_assessment": 1,
            "schema_version": self.schema_version,
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
            "vascular_thrombus": [t.to_dict() for t in self.thrombi],
            "grades": [g.to_dict() for g in self.grades],
            "staging": {edition: f.to_dict() for edition, f in self.staging.items()},
            "staging_prefix": self.diagnosis_prefix,
            "staging_codes": {e: self.staging_text(e) for e in self.staging},
            "staging_basis": self.staging_basis.to_dict(),
            "staging_after_therapy": (
                None
                if after is None
                else {
                    e: {**f.to_dict(), "code": staging_code(f.value, "yp")}
                    for e, f in after.items()
                }
            ),
            "m_over_time": [status.to_dict() for status in self.m_timeline],
            "nodal_recurrence": _iso(self.nodal_recurrence),
            "metastatic_status": (
                None if self.metastatic_status is None else self.metastatic_status.to_dict()
            ),
            "surgeries": [s.to_dict() for s in self.surgeries],
            "local_therapies": [t.to_dict() for t in self.local_therapies],
            "systemic_therapies": [t.to_dict() for t in self.therapies],
            "medications": [m.to_dict() for m in self.medications],
            "imaging": [i.to_dict() for i in self.imaging],
            "disease_status": [
                {"date": d.isoformat(), "status": s} for d, s in self.disease_status
            ],
            "no_evidence_of_disease_since": _iso(self.no_evidence_of_disease_since),
            "adverse_events": [
                {"date": d.isoformat(), "term": t, "grade": g} for d, t, g in self.adverse_events
            ],
            "lines": [] if self.course is None else [line.to_dict() for line in self.course.lines],
            "outcomes": None if self.course is None else self.course.outcomes.to_dict(),
            "line_rules": None if self.course is None else self.course.rules.to_dict(),
            "warnings": list(self.warnings),
            "plausibility": [w.to_dict() for w in self.plausibility],
        }

    def render(self, fmt: str = "text") -> str:
        """Render as ``"text"``, ``"json"``, ``"markdown"`` or ``"html"``.

        Raises
        ------
        ValueError
            For any other format.
        """
        from netline.assessment.render import render

        return render(self, fmt)


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
        Grade per specimen, TNM at diagnosis per edition with its prefix, yp TNM after
        therapy, M category over time, recurrent nodal disease, surgeries, local therapies,
        systemic therapies, lines of therapy with best response and PFS, medications, imaging
        and disease status, each with its rule and reason.

    References
    ----------
    .. [1] WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019).
    .. [2] Amin MB et al. AJCC Cancer Staging Manual, 8th ed. Springer; 2017.
    .. [3] Brierley JD et al. TNM Classification of Malignant Tumours, 8th ed. Wiley; 2016.
    .. [4] Rindi G et al. TNM staging of foregut (neuro)endocrine tumors. Virchows Arch
       2006;449:395-401.
    """
    warnings: list[str] = []
    diagnosis = build.diagnosis_date(record)
    patient = record.patient
    follow_up_end = patient.death_date or patient.last_follow_up or record.last_date
    if patient.death_date is None and patient.last_follow_up is None:
        warnings.append("no last follow-up date: the course is taken to end at its last event")
    primary = record.primary
    age = None if diagnosis is None else patient.age_at(diagnosis)
    basis = staging_basis(record)
    m_timeline, _ = m_over_time(record, build.EDITIONS)
    return Assessment(
        case_id=record.id,
        source=record.source,
        synthetic=record.synthetic,
        assumptions=tuple(record.assumptions),
        sex=patient.sex.value,
        age_at_diagnosis=None if age is None else round(age, 1),
        diagnosis_date=diagnosis,
        follow_up_end=follow_up_end,
        vital_status="died" if patient.death_date else "alive at last follow-up",
        follow_up_months=(
            None if diagnosis is None else build.months_between(diagnosis, follow_up_end)
        ),
        primary={
            "site": primary.site.value,
            "size_mm": primary.size_mm,
            "invasion": [s.value for s in primary.invasion],
            "functioning_syndrome": primary.functioning_syndrome.value,
            "hereditary_syndrome": primary.hereditary_syndrome.value,
        },
        grades=tuple(specimen_grades(record, warnings)),
        staging=build.staging_at_diagnosis(record, diagnosis, basis, warnings),
        metastatic_status=build.metastatic_status(record),
        surgeries=tuple(build.surgery_summary(s) for s in record.of_type(Surgery)),
        therapies=tuple(
            build.therapy_summary(t, follow_up_end) for t in record.of_type(SystemicTherapy)
        ),
        imaging=tuple(build.imaging_summary(i) for i in record.of_type(Imaging)),
        disease_status=tuple((d.date, d.status.value) for d in record.of_type(DiseaseStatus)),
        adverse_events=tuple((a.date, a.term, a.grade) for a in record.of_type(AdverseEvent)),
        course=derive_course(record) if lines else None,
        warnings=tuple(warnings),
        staging_basis=basis,
        staging_after_therapy=build.staging_after_therapy(record, basis),
        m_timeline=m_timeline,
        nodal_recurrence=nodal_recurrence(record),
        thrombi=build.thrombus_summaries(record),
        local_therapies=tuple(build.local_therapy_summary(t) for t in record.of_type(LocalTherapy)),
        medications=tuple(build.medication_summary(m) for m in record.of_type(Medication)),
        no_evidence_of_disease_since=no_evidence_of_disease_since(record, follow_up_end),
        plausibility=tuple(plausibility_warnings(record)),
    )


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
