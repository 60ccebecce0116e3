"""The parts of an assessment: one small result per specimen, surgery, therapy and scan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from netline.clinical._result import Finding
from netline.clinical.grading import Grade
from netline.clinical.tnm import TNMStage
from netline.records.vocabulary import Organ

__all__ = [
    "ImagingSummary",
    "LocalTherapySummary",
    "MedicationSummary",
    "MetastaticStatus",
    "SpecimenGrade",
    "SurgerySummary",
    "TherapySummary",
    "ThrombusSummary",
]


@dataclass(frozen=True, slots=True)
class SpecimenGrade:
    """The WHO grade of one specimen."""

    specimen: str
    date: dt.date | None
    ki67_percent: float | None
    mitoses_reported: str | None
    mitoses: Finding[float] | None
    grade: Finding[Grade]
    reported: bool = False
    reported_grade: str | None = None
    mitoses_conversion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "specimen": self.specimen,
            "date": _iso(self.date),
            "ki67_percent": self.ki67_percent,
            "mitoses_reported": self.mitoses_reported,
            "mitoses_per_2mm2": None if self.mitoses is None else self.mitoses.to_dict(),
            "mitoses_conversion": self.mitoses_conversion,
            "grade": self.grade.to_dict(),
            "grade_as_reported": self.reported,
            "reported_grade": self.reported_grade,
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
    new_lesions_equivocal: bool = False
    organs_clear: tuple[str, ...] = ()

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
            "organs_clear": list(self.organs_clear),
            "new_lesions_equivocal": self.new_lesions_equivocal,
            "finding": self.finding,
        }


@dataclass(frozen=True, slots=True)
class LocalTherapySummary:
    """One local therapy with what it was aimed at."""

    id: str | None
    date: dt.date
    modality: str
    organ: str
    target: str
    lesions: tuple[str, ...]
    lesion_detail: str | None
    lesions_treated: int | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "modality": self.modality,
            "organ": self.organ,
            "target": self.target,
            "lesions": list(self.lesions),
            "lesion_detail": self.lesion_detail,
            "lesions_treated": self.lesions_treated,
        }


@dataclass(frozen=True, slots=True)
class MedicationSummary:
    """One syndrome-control or supportive medication."""

    id: str | None
    drug: str
    label: str
    purpose: str
    start: dt.date
    stop: dt.date | None
    dose: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "id": self.id,
            "drug": self.drug,
            "label": self.label,
            "purpose": self.purpose,
            "start": self.start.isoformat(),
            "stop": _iso(self.stop),
            "dose": self.dose,
        }


@dataclass(frozen=True, slots=True)
class ThrombusSummary:
    """A vascular thrombus of the primary."""

    vessel: str
    kind: str
    extent: str | None
    occlusive: bool | None
    found: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "vessel": self.vessel,
            "kind": self.kind,
            "extent": self.extent,
            "occlusive": self.occlusive,
            "found": _iso(self.found),
        }


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
