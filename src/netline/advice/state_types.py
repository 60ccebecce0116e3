"""What the state at a decision point holds: its types (lines, assessments, labs, unknowns)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netline.clinical import Grade as WHOGrade
from netline.evidence.facts import PatientFacts
from netline.evidence.schema import Burden, DiseaseCourse, Grade
from netline.records.vocabulary import (
    ImagingModality,
    Organ,
)

_SSTR_MODALITIES = (ImagingModality.SRS, ImagingModality.SSTR_PET)
_MEASURING = (ImagingModality.CT, ImagingModality.MRI)
_EXTRA_ABDOMINAL = frozenset({Organ.BONE, Organ.LUNG, Organ.BRAIN})
_UNCERTAIN_LOCATION = frozenset({Organ.DISTANT_LYMPH_NODE, Organ.OTHER})
_LOCOREGIONAL = frozenset({Organ.LIVER, Organ.PANCREAS, Organ.REGIONAL_LYMPH_NODE})
_GRADE_RANK = {Grade.G1: 1, Grade.G2: 2, Grade.G3: 3, Grade.NEC: 4}
_WHO_TO_GRADE = {
    WHOGrade.NET_G1: Grade.G1,
    WHOGrade.NET_G2: Grade.G2,
    WHOGrade.NET_G3: Grade.G3,
    WHOGrade.NEC: Grade.NEC,
    WHOGrade.NEC_G3: Grade.NEC,
}
#: Plain names of the functioning syndromes whose vocabulary code is not one.
_SYNDROME_LABEL = {
    "vipoma": "VIPoma",
    "carcinoid_syndrome": "carcinoid syndrome",
    "other": "other functioning syndrome",
}


def syndrome_label(syndrome: str) -> str:
    """Return the plain name of a functioning syndrome for people ("vipoma" -> "VIPoma").

    Parameters
    ----------
    syndrome : str
        A ``FunctioningSyndrome`` value.

    Returns
    -------
    str
    """
    return _SYNDROME_LABEL.get(syndrome, syndrome.replace("_", " "))


#: Hepatic-involvement bands: a representative value and the band's edges (percent).
_BANDS: dict[str, tuple[float, tuple[float, ...]]] = {
    "<10%": (5.0, (0.0, 9.9)),
    "10-25%": (17.5, (10.0, 25.0)),
    "25-50%": (37.5, (25.0, 50.0)),
    ">50%": (75.0, (50.1, 100.0)),
}
#: netline's reading of the hepatic band as a guideline burden category (not a KB figure).
_BAND_BURDEN: dict[str, tuple[Burden, tuple[Burden, ...]]] = {
    "<10%": (Burden.LOW, ()),
    "10-25%": (Burden.MODERATE, ()),
    "25-50%": (Burden.MODERATE, (Burden.HIGH,)),
    ">50%": (Burden.HIGH, ()),
}
_RESPONSES = frozenset({"CR", "PR", "responding", "NED"})
_SOURCE_RANK = {"recist": 4, "recorded": 3, "clinician": 2, "stop_reason": 1}


# --------------------------------------------------------------------------- small types


@dataclass(frozen=True, slots=True)
class Unknown:
    """Something the record does not hold at the decision date, and what it affects."""

    item: str
    affects: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-ready dictionary."""
        return {"item": self.item, "affects": self.affects}


@dataclass(frozen=True, slots=True)
class LabValue:
    """The latest value of one analyte on or before the decision date."""

    analyte: str
    value: float
    unit: str
    date: dt.date
    days_before: int
    lower_limit: float | None = None
    upper_limit: float | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "analyte": self.analyte,
            "value": self.value,
            "unit": self.unit,
            "date": self.date.isoformat(),
            "days_before": self.days_before,
            "lower_limit": self.lower_limit,
            "upper_limit": self.upper_limit,
        }


@dataclass(frozen=True, slots=True)
class SpecimenKi67:
    """The grade of one specimen dated on or before the decision."""

    specimen: str
    date: dt.date | None
    ki67_percent: float | None
    grade: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "specimen": self.specimen,
            "date": None if self.date is None else self.date.isoformat(),
            "ki67_percent": self.ki67_percent,
            "grade": self.grade,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class PriorLine:
    """One line of therapy up to the decision date (from the course rules).

    Attributes
    ----------
    number : int
    label : str
        The regimen, e.g. ``"177Lu-DOTATATE x4"``.
    agents, agent_classes : tuple of str
    start, end : date
        ``end`` is the decision date while the line is ongoing.
    ongoing : bool
    end_reason : str
        ``progression``, ``completed``, ``toxicity``, ``surgery``, ``new_line``, ``ongoing`` ...
    best_response : str or None
    first_progression : date or None
    pfs_months : float or None
    pfs_event : bool or None
    """

    number: int
    label: str
    agents: tuple[str, ...]
    agent_classes: tuple[str, ...]
    start: dt.date
    end: dt.date
    ongoing: bool
    end_reason: str
    best_response: str | None
    first_progression: dt.date | None
    pfs_months: float | None
    pfs_event: bool | None

    @property
    def progressed_on(self) -> bool:
        """Whether the line ended with progression (or its best response was progression)."""
        return self.end_reason == "progression" or self.best_response in ("PD", "progressing")

    @property
    def responded(self) -> bool:
        """Whether the best response was a response (CR, PR, clinician 'responding')."""
        return self.best_response in _RESPONSES

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "number": self.number,
            "name": f"L{self.number}",
            "label": self.label,
            "agents": list(self.agents),
            "agent_classes": list(self.agent_classes),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "ongoing": self.ongoing,
            "end_reason": self.end_reason,
            "best_response": self.best_response,
            "first_progression": (
                None if self.first_progression is None else self.first_progression.isoformat()
            ),
            "pfs_months": None if self.pfs_months is None else round(self.pfs_months, 1),
            "pfs_event": self.pfs_event,
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """A dated response or progression finding (RECIST, recorded, clinician, stop reason)."""

    date: dt.date
    response: str | None
    progression: bool
    source: str
    event_id: str | None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        return {
            "date": self.date.isoformat(),
            "response": self.response,
            "progression": self.progression,
            "source": self.source,
            "event_id": self.event_id,
        }


# --------------------------------------------------------------------------- the state


@dataclass(frozen=True)
class DecisionState:
    """What netline knows about a patient on a decision date.

    Every field is derived from data dated on or before ``at``. ``facts`` is the typed
    :class:`~netline.evidence.facts.PatientFacts` the knowledge base's conditions and criteria
    read; ``alternatives`` holds other readings (by PatientFacts field) of facts known only as a
    range; ``unknowns`` lists every missing item with what it affects.

    References
    ----------
    .. [1] WHO Classification of Tumours, Digestive System Tumours, 5th ed. (2019).
    .. [2] Kwekkeboom DJ, Krenning EP. Semin Nucl Med 2002;32:84-91 (Krenning score).
    .. [3] Eisenhauer EA et al. Eur J Cancer 2009;45:228-247 (RECIST 1.1).
    .. [4] Cockcroft DW, Gault MH. Nephron 1976;16:31-41.
    """

    case_id: str
    at: dt.date
    age_years: float | None
    sex: str
    site: str
    site_group: str | None
    differentiation: str | None
    grade: str | None
    ki67_percent: float | None
    ki67_source: str | None
    specimens: tuple[SpecimenKi67, ...]
    functioning: str | None
    hormonal_syndrome_controlled: bool | None
    krenning_score: int | None
    sstr_modality: str | None
    sstr_date: dt.date | None
    sstr_description: str | None
    sstr_positive: bool | None
    sstr_uptake_all_lesions: bool | None
    fdg_pet_done: bool
    fdg_sstr_discordant: bool | None
    liver_involvement: str | None
    liver_involvement_date: dt.date | None
    organs: tuple[str, ...]
    liver_metastases: bool
    extrahepatic_sites: tuple[str, ...]
    extrahepatic_since: Mapping[str, dt.date]
    extrahepatic_stable: bool | None
    extrahepatic_basis: str
    primary_in_place: bool
    primary_resected: bool
    tumour_burden: str | None
    assessments: tuple[Assessment, ...]
    latest_assessment: Assessment | None
    last_progression: dt.date | None
    disease_course: str | None
    objective_response: bool | None
    stable_disease_months: float | None
    growth_rate_percent_per_month: float | None
    growth_rate_basis: str | None
    symptomatic_from_bulk: bool | None
    ecog: int | None
    karnofsky: int | None
    performance_date: dt.date | None
    comorbidities: tuple[str, ...]
    weight_kg: float | None
    labs: Mapping[str, LabValue]
    creatinine_clearance_ml_min: float | None
    creatinine_clearance_basis: str | None
    lines: tuple[PriorLine, ...]
    current_line: PriorLine | None
    prior_classes: frozenset[str]
    prior_agents: frozenset[str]
    prior_non_ssa_lines: int
    next_line: int
    progression_on_ssa: bool | None
    liver_resections: tuple[dt.date, ...]
    local_therapies: tuple[tuple[dt.date, str], ...]
    facts: PatientFacts
    alternatives: Mapping[str, tuple[object, ...]]
    unknowns: tuple[Unknown, ...]
    notes: tuple[str, ...]
    ned_since: dt.date | None = None
    recurrence_since: dt.date | None = None
    case_source: str | None = None
    _extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def progressing(self) -> bool:
        """Whether the latest assessment shows progression."""
        return self.disease_course == DiseaseCourse.PROGRESSIVE.value

    def unknown(self, item: str) -> bool:
        """Whether an item is listed as unknown."""
        return any(u.item == item for u in self.unknowns)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (see docs/advise.md)."""

        def iso(value: dt.date | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "at": self.at.isoformat(),
            "age_years": None if self.age_years is None else round(self.age_years, 1),
            "sex": self.sex,
            "primary_site": self.site,
            "site_group": self.site_group,
            "differentiation": self.differentiation,
            "grade": self.grade,
            "ki67_percent": self.ki67_percent,
            "ki67_source": self.ki67_source,
            "specimens": [s.to_dict() for s in self.specimens],
            "functioning_syndrome": self.functioning,
            "hormonal_syndrome_controlled": self.hormonal_syndrome_controlled,
            "sstr": {
                "krenning_score": self.krenning_score,
                "modality": self.sstr_modality,
                "date": iso(self.sstr_date),
                "description": self.sstr_description,
                "positive": self.sstr_positive,
                "uptake_all_lesions": self.sstr_uptake_all_lesions,
                "fdg_pet_done": self.fdg_pet_done,
                "fdg_positive_sstr_negative": self.fdg_sstr_discordant,
            },
            "burden": {
                "liver_involvement": self.liver_involvement,
                "liver_involvement_date": iso(self.liver_involvement_date),
                "organs": list(self.organs),
                "liver_metastases": self.liver_metastases,
                "extrahepatic_sites": list(self.extrahepatic_sites),
                "extrahepatic_since": {k: iso(v) for k, v in self.extrahepatic_since.items()},
                "extrahepatic_stable": self.extrahepatic_stable,
                "extrahepatic_basis": self.extrahepatic_basis,
                "tumour_burden": self.tumour_burden,
                "primary_in_place": self.primary_in_place,
            },
            "growth": {
                "latest_assessment": (
                    None if self.latest_assessment is None else self.latest_assessment.to_dict()
                ),
                "last_progression": iso(self.last_progression),
                "disease_course": self.disease_course,
                "objective_response": self.objective_response,
                "stable_disease_months": (
                    None
                    if self.stable_disease_months is None
                    else round(self.stable_disease_months, 1)
                ),
                "growth_rate_percent_per_month": (
                    None
                    if self.growth_rate_percent_per_month is None
                    else round(self.growth_rate_percent_per_month, 2)
                ),
                "growth_rate_basis": self.growth_rate_basis,
                "assessments": [a.to_dict() for a in self.assessments],
            },
            "symptomatic_from_bulk": self.symptomatic_from_bulk,
            "performance": {
                "ecog": self.ecog,
                "karnofsky": self.karnofsky,
                "date": iso(self.performance_date),
            },
            "comorbidities": list(self.comorbidities),
            "weight_kg": self.weight_kg,
            "labs": {name: lab.to_dict() for name, lab in self.labs.items()},
            "creatinine_clearance_ml_min": (
                None
                if self.creatinine_clearance_ml_min is None
                else round(self.creatinine_clearance_ml_min, 1)
            ),
            "creatinine_clearance_basis": self.creatinine_clearance_basis,
            "lines": [line.to_dict() for line in self.lines],
            "current_line": None if self.current_line is None else self.current_line.number,
            "prior_classes": sorted(self.prior_classes),
            "prior_non_ssa_lines": self.prior_non_ssa_lines,
            "next_line": self.next_line,
            "progression_on_ssa": self.progression_on_ssa,
            "liver_resections": [d.isoformat() for d in self.liver_resections],
            "local_therapies": [
                {"date": d.isoformat(), "modality": m} for d, m in self.local_therapies
            ],
            "facts": dict(sorted(self.facts.to_dict().items())),
            "unknowns": [u.to_dict() for u in self.unknowns],
            "notes": list(self.notes),
        }
