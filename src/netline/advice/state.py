"""The state of a patient at a decision point, built only from data dated on or before it.

:func:`decision_state` reads a :class:`~netline.records.CaseRecord` as it stood on a date and
gathers what the tumour board weighs: grade and Ki-67, differentiation, primary site,
functioning syndrome, SSTR status (Krenning score, FDG-positive/SSTR-negative lesions), tumour
burden (hepatic band, extrahepatic sites), growth (RECIST and clinician status, tumour growth
rate), the lines of therapy so far, symptoms from bulk, performance status, comorbidities, the
latest labs and liver function. Every item that is not in the record is listed as *unknown*,
with what it affects; nothing is assumed normal.

The same state yields the :class:`~netline.evidence.facts.PatientFacts` that the knowledge
base's guideline conditions and eligibility criteria evaluate (typed; unknown is ``None``).
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

from netline._time import DAYS_PER_MONTH
from netline.advice._kb import KBIndex
from netline.advice.resection import ResectionHistory
from netline.advice.state_extent import _Builder, _extent, _grading, _sstr
from netline.advice.state_growth import _growth, _labs_and_function, _latest_labs, _lines_facts
from netline.advice.state_lines import course_lines
from netline.advice.state_types import DecisionState, LabValue, PriorLine, SpecimenKi67, Unknown
from netline.errors import InsufficientDataError
from netline.evidence.facts import PatientFacts
from netline.evidence.query import site_groups
from netline.evidence.schema import DiseaseCourse, SiteGroup
from netline.records.model import (
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LocalTherapy,
    PerformanceStatus,
    Surgery,
    SystemicTherapy,
)
from netline.records.vocabulary import (
    Agent,
    ComorbidityKind,
    FunctioningSyndrome,
    PrimarySite,
    ReasonStopped,
    Sex,
    agent_info,
)

__all__ = [
    "DecisionState",
    "LabValue",
    "PriorLine",
    "SpecimenKi67",
    "Unknown",
    "decision_state",
    "record_as_of",
]

# --------------------------------------------------------------------------- the record as of


def record_as_of(record: CaseRecord, at: dt.date) -> CaseRecord:
    """Return the record as it stood on a date: nothing dated after it.

    Therapies running on ``at`` become ongoing (their later cycles dropped); events,
    metastases, measurements and performance scores dated later are removed; the follow-up ends
    on ``at``.

    Raises
    ------
    InsufficientDataError
        When ``at`` lies before the diagnosis.
    """
    primary = record.primary
    workup = [s.date for s in record.of_type(Imaging)]
    earliest = min([primary.diagnosed, *workup]) if primary.diagnosed is not None else None
    if earliest is not None and earliest > at:
        raise InsufficientDataError(
            ["decision date"],
            f"the decision date {at} lies before the diagnosis ({primary.diagnosed}) "
            "and its work-up imaging",
        )
    events: list[Any] = []
    for event in record.events:
        if event.when > at:
            continue
        if isinstance(event, SystemicTherapy) and event.until > at:
            event = event.model_copy(
                update={
                    "stop": None,
                    "reason_stopped": ReasonStopped.ONGOING,
                    "cycles": [c for c in event.cycles if c.date <= at],
                }
            )
        events.append(event)
    patient = record.patient
    death = patient.death_date if patient.death_date and patient.death_date <= at else None
    new_patient = patient.model_copy(
        update={
            "performance": [p for p in patient.performance if p.date <= at],
            "body": [b for b in patient.body if b.date <= at],
            "comorbidities": [c for c in patient.comorbidities if c.since is None or c.since <= at],
            "death_date": death,
            "last_follow_up": death or at,
        }
    )
    histology = primary.histology
    if histology is not None and histology.date is not None and histology.date > at:
        primary = primary.model_copy(update={"histology": None})
    return record.model_copy(
        update={
            "events": events,
            "metastases": [m for m in record.metastases if m.found <= at],
            "patient": new_patient,
            "primary": primary,
        }
    )


def _site_facts(b: _Builder, site: PrimarySite, age: float | None) -> SiteGroup | None:
    """Record the site group (and the age) and note a non-pancreatic primary."""
    groups = sorted(site_groups(site), key=lambda g: g.value)
    group: SiteGroup | None = groups[0] if groups else None
    if len(groups) > 1:
        b.alternatives["site"] = tuple(groups[1:])
    diagnosed = b.record.primary.diagnosed
    since = None if diagnosed is None else (b.at - diagnosed).days / DAYS_PER_MONTH
    b.facts.update(site=group, age=age, since_diagnosis=since)
    if not site.is_pancreatic:
        b.notes.append(
            f"The primary site is {site.value}: netline's rules are written for pancreatic NET."
        )
    return group


def _functioning(b: _Builder) -> FunctioningSyndrome | None:
    """Record the functioning syndrome, or that it is unknown."""
    syndrome = b.record.primary.functioning_syndrome
    functioning = None if syndrome is FunctioningSyndrome.UNKNOWN else syndrome
    if functioning is None:
        b.missing("functioning syndrome", "syndrome-specific statements (insulinoma, gastrinoma)")
    b.facts["functioning"] = functioning
    return functioning


def _new_site_progression(b: _Builder, extent: dict[str, Any], growth: dict[str, Any]) -> None:
    """Read a new distant site on the basis date as progression, updating ``growth``."""
    new_site = extent.pop("new_site_on")
    if new_site is not None and growth["disease_course"] != DiseaseCourse.PROGRESSIVE.value:
        growth["disease_course"] = DiseaseCourse.PROGRESSIVE.value
        growth["objective_response"] = False
        growth["last_progression"] = new_site
        b.facts.update(disease_course=DiseaseCourse.PROGRESSIVE, objective_response=False)
        b.notes.append(
            f"A new distant site on {new_site.isoformat()} is read as progression (a new "
            "lesion is progression in RECIST 1.1)."
        )


def _extrahepatic_stable(extent: dict[str, Any], growth: dict[str, Any]) -> bool | None:
    """Organ-level extrahepatic stability, withdrawn when progression is not localised."""
    stable_extra: bool | None = extent.pop("extrahepatic_stable_organ_level")
    if stable_extra and growth["disease_course"] == DiseaseCourse.PROGRESSIVE.value:
        stable_extra = None  # progression whose site the record does not localise
        extent["extrahepatic_basis"] += (
            "; the latest assessment shows progression that the record does not localise"
        )
    return stable_extra


def _status_facts(b: _Builder) -> tuple[bool | None, bool | None]:
    """Latest symptoms from bulk and hormonal control recorded in disease statuses."""
    statuses = b.record.of_type(DiseaseStatus)
    symptomatic = next(
        (
            s.symptomatic_from_bulk
            for s in reversed(statuses)
            if s.symptomatic_from_bulk is not None
        ),
        None,
    )
    controlled = next(
        (
            s.hormonal_syndrome_controlled
            for s in reversed(statuses)
            if s.hormonal_syndrome_controlled is not None
        ),
        None,
    )
    if symptomatic is None:
        b.missing("symptoms from tumour bulk", "statements on symptomatic or bulky disease")
    b.facts["symptomatic"] = symptomatic
    return symptomatic, controlled


def _performance(b: _Builder) -> tuple[PerformanceStatus | None, int | None, int | None]:
    """Latest performance entry with the latest ECOG and Karnofsky scores."""
    patient = b.record.patient
    performance = patient.performance[-1] if patient.performance else None
    ecog = next((p.ecog for p in reversed(patient.performance) if p.ecog is not None), None)
    karnofsky = next(
        (p.karnofsky for p in reversed(patient.performance) if p.karnofsky is not None), None
    )
    if performance is None:
        b.missing(
            "performance status", "PRRT eligibility (Karnofsky, ECOG) and fitness for surgery"
        )
    elif karnofsky is None:
        b.missing(
            "Karnofsky score", "NETTER-1 entry criterion Karnofsky ≥ 60 (ECOG is not converted)"
        )
    b.facts.update(ecog=ecog, karnofsky=karnofsky)
    return performance, ecog, karnofsky


def _patient_facts(b: _Builder) -> tuple[str, ...]:
    """Record comorbidity, sex and not-recorded facts; return the comorbidities."""
    patient = b.record.patient
    comorbidities = tuple(sorted({c.kind.value for c in patient.comorbidities}))
    heart = {ComorbidityKind.CARCINOID_HEART_DISEASE} & {c.kind for c in patient.comorbidities}
    b.facts["right_heart_insufficiency"] = True if heart else None
    female = patient.sex is Sex.FEMALE
    b.facts.update(
        pregnant=False if patient.sex is Sex.MALE else None,
        breastfeeding=False if patient.sex is Sex.MALE else None,
        severe_acute_illness=None,
        life_expectancy=None,
        expected_debulking=None,
        expected_mortality=None,
        future_liver_remnant=None,
        resectable=None,
    )
    if female:
        b.missing("pregnancy and breastfeeding", "PRRT (absolute contraindications)")
    return comorbidities


def _extent_fields(extent: dict[str, Any], stable_extra: bool | None) -> dict[str, Any]:
    """Pick the extent-of-disease fields of the decision state."""
    return {
        "liver_involvement": extent["liver_involvement"],
        "liver_involvement_date": extent["liver_involvement_date"],
        "organs": extent["organs"],
        "liver_metastases": extent["liver_metastases"],
        "extrahepatic_sites": extent["extrahepatic_sites"],
        "extrahepatic_since": extent["extrahepatic_since"],
        "extrahepatic_stable": stable_extra,
        "extrahepatic_basis": extent["extrahepatic_basis"],
        "primary_in_place": extent["primary_in_place"],
        "primary_resected": extent["primary_resected"],
        "tumour_burden": extent["tumour_burden"],
    }


def _treatment_history(view: CaseRecord, history: ResectionHistory) -> dict[str, Any]:
    """Liver resections, local therapies and resection history as decision-state fields."""
    surgeries = view.of_type(Surgery)
    return {
        "liver_resections": tuple(s.date for s in surgeries if s.procedure.is_liver_resection),
        "local_therapies": tuple((t.date, t.modality.value) for t in view.of_type(LocalTherapy)),
        "ned_since": None if history.ned is None else history.ned.start,
        "recurrence_since": history.recurrence_since,
    }


def decision_state(
    record: CaseRecord,
    at: dt.date | None = None,
    *,
    index: KBIndex | None = None,
) -> DecisionState:
    """Build the state of a patient on a decision date from data dated on or before it.

    Parameters
    ----------
    record : CaseRecord
        The patient's clinical record.
    at : date, optional
        The decision date; the last date the record knows about by default.
    index : KBIndex, optional
        Knowledge-base lookups (the bundled knowledge base by default).

    Returns
    -------
    DecisionState

    Raises
    ------
    InsufficientDataError
        When the decision date lies before the diagnosis.

    References
    ----------
    .. [1] Rindi G et al. Mod Pathol 2018;31:1770-86 (WHO grading of NEN).
    .. [2] Eisenhauer EA et al. Eur J Cancer 2009;45:228-247 (RECIST 1.1).
    """
    return state_with_view(record, at, index=index)[0]


def state_with_view(
    record: CaseRecord,
    at: dt.date | None = None,
    *,
    index: KBIndex | None = None,
) -> tuple[DecisionState, CaseRecord, ResectionHistory]:
    """Return :func:`decision_state` with the record as of the date and its resection history.

    For :func:`~netline.advice.advise`, which reads both again: each is worked out once.

    Returns
    -------
    tuple
        The :class:`DecisionState`, the record as it stood on the decision date
        (:func:`record_as_of`) and its :class:`~netline.advice.resection.ResectionHistory`.
    """
    from netline.advice._kb import kb_index

    index = index or kb_index()
    when = at or record.last_date
    view = record_as_of(record, when)
    b = _Builder(view, when, index)
    patient = view.patient
    age = patient.age_at(when)
    if age is None:
        b.missing("birth date", "age (Milan-NET) and Cockcroft-Gault clearance")
    site = view.primary.site
    group = _site_facts(b, site, age)
    grading = _grading(b)
    functioning = _functioning(b)
    sstr = _sstr(b)
    extent = _extent(b)
    lines, assessments, course_notes = course_lines(view)
    b.notes.extend(course_notes)
    growth = _growth(b, assessments, lines)
    _new_site_progression(b, extent, growth)
    stable_extra = _extrahepatic_stable(extent, growth)
    symptomatic, controlled = _status_facts(b)
    performance, ecog, karnofsky = _performance(b)
    comorbidities = _patient_facts(b)
    labs = _latest_labs(b)
    function = _labs_and_function(b, labs)
    line_facts = _lines_facts(b, lines)
    state = DecisionState(
        case_id=record.id,
        at=when,
        age_years=age,
        sex=patient.sex.value,
        site=site.value,
        site_group=None if group is None else group.value,
        differentiation=grading["differentiation"],
        grade=grading["grade"],
        ki67_percent=grading["ki67_percent"],
        ki67_source=grading["ki67_source"],
        specimens=grading["specimens"],
        functioning=None if functioning is None else functioning.value,
        hormonal_syndrome_controlled=controlled,
        krenning_score=sstr["krenning_score"],
        sstr_modality=sstr["sstr_modality"],
        sstr_date=sstr["sstr_date"],
        sstr_description=sstr["sstr_description"],
        sstr_positive=sstr["sstr_positive"],
        sstr_uptake_all_lesions=sstr["sstr_uptake_all_lesions"],
        fdg_pet_done=sstr["fdg_pet_done"],
        fdg_sstr_discordant=sstr["fdg_sstr_discordant"],
        **_extent_fields(extent, stable_extra),
        symptomatic_from_bulk=symptomatic,
        ecog=ecog,
        karnofsky=karnofsky,
        performance_date=None if performance is None else performance.date,
        comorbidities=comorbidities,
        facts=PatientFacts(**b.facts),  # type: ignore[arg-type]
        alternatives=MappingProxyType(dict(b.alternatives)),
        unknowns=tuple(b.unknowns),
        notes=tuple(b.notes),
        case_source=record.source,
        **_treatment_history(view, b.history),
        **growth,
        **function,
        **line_facts,
    )
    return state, view, b.history


def agent_class_of(agent: Agent | str) -> str:
    """Return the mode-of-action class of an agent identifier."""
    return agent_info(agent).agent_class.value
