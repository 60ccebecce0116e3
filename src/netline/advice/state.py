"""The state of a patient at a decision point, built only from data dated on or before it.

:func:`decision_state` reads a :class:`~netline.records.CaseRecord` as it stood on a date and
gathers what the tumour board weighs: grade and Ki-67, differentiation, primary site,
functioning syndrome, SSTR status (Krenning score, FDG-positive/SSTR-negative lesions), tumour
burden (hepatic band, extrahepatic sites), growth (RECIST and clinician status, tumour growth
rate), the lines of therapy so far, symptoms from bulk, performance status, comorbidities, the
latest labs and liver function. Every item that is not in the record is listed as *unknown*,
with what it affects; nothing is assumed normal.

The same state yields the *facts* dictionary that the knowledge base's guideline conditions and
eligibility criteria evaluate (keys: :class:`netline.evidence.Condition` and
``netline.evidence.schema.FIELDS``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from netline.advice._kb import ANTITUMOUR_CLASSES, KBIndex
from netline.clinical import Grade as WHOGrade
from netline.clinical import grade_histology, krenning_score
from netline.clinical.renal import cockcroft_gault
from netline.errors import InsufficientDataError, InvalidInputError, NetlineError
from netline.evidence.query import site_groups
from netline.evidence.schema import Burden, DiseaseCourse, Grade, SiteGroup
from netline.records.model import (
    CaseRecord,
    DiseaseStatus,
    Imaging,
    LabPanel,
    LocalTherapy,
    Surgery,
    SystemicTherapy,
)
from netline.records.units import to_canonical
from netline.records.vocabulary import (
    Agent,
    AgentClass,
    Analyte,
    ComorbidityKind,
    Differentiation,
    FunctioningSyndrome,
    ImagingModality,
    Organ,
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

DAYS_PER_MONTH = 365.25 / 12
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
_QUIET_REASONS = frozenset({"unknown", "other", "ongoing"})


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

    Every field is derived from data dated on or before ``at``. ``facts`` is the dictionary
    the knowledge base's conditions and criteria read; ``alternatives`` holds other readings of
    facts known only as a range; ``unknowns`` lists every missing item with what it affects.

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
    facts: Mapping[str, object]
    alternatives: Mapping[str, tuple[object, ...]]
    unknowns: tuple[Unknown, ...]
    notes: tuple[str, ...]
    course_method: str = "reference"
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
            "course_method": self.course_method,
            "facts": {k: _jsonable(v) for k, v in sorted(self.facts.items())},
            "unknowns": [u.to_dict() for u in self.unknowns],
            "notes": list(self.notes),
        }


def _jsonable(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(_jsonable(v) for v in value)  # type: ignore[type-var]
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


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
    if primary.diagnosed is not None and primary.diagnosed > at:
        raise InsufficientDataError(
            ["decision date"],
            f"the decision date {at} lies before the diagnosis ({primary.diagnosed})",
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


# --------------------------------------------------------------------------- lines of therapy


def _label(agents: Sequence[str], cycles: int | None) -> str:
    pieces = []
    for agent in agents:
        info = agent_info(agent)
        text = info.label
        if info.is_radioligand and cycles:
            text += f" x{cycles}"
        pieces.append(text)
    return " + ".join(pieces)


def _reference_lines(
    view: CaseRecord, at: dt.date
) -> tuple[list[PriorLine], list[Assessment], str]:
    """Lines by the per-patient statement of the course rules (no columnar engine)."""
    from netline.course import patient_line_rows

    derived_lines = patient_line_rows(view)
    rules = derived_lines.rules
    origin = dt.date(1970, 1, 1)

    def day(value: dt.date | None) -> int | None:
        return None if value is None else (value - origin).days

    death = day(derived_lines.death)
    assessments = [
        Assessment(
            date=a.date,
            response=a.response,
            progression=a.progression,
            source=a.source,
            event_id=a.event_id,
        )
        for a in derived_lines.assessments
    ]
    by_episode = derived_lines.episodes
    derived = [
        {
            **row,
            "start": day(row["start"]),
            "end": day(row["end"]),
            "first_progression": day(row["first_progression"]),
        }
        for row in derived_lines.lines
    ]
    lines: list[PriorLine] = []
    for index, row in enumerate(derived):
        own = [by_episode[i] for i in row["episodes"]]
        start = origin + dt.timedelta(days=int(row["start"]))
        end = origin + dt.timedelta(days=int(row["end"]))
        next_start = None if index + 1 >= len(derived) else int(derived[index + 1]["start"])
        first_pd = row["first_progression"]
        cycles = sum(int(str(r["cycles"] or 0)) for r in own if r["agent_class"] == "radioligand")
        reason = _end_reason(row, own, next_start, first_pd, death, rules.end_grace_days)
        agents = tuple(row["agents"])
        classes = tuple(dict.fromkeys(agent_info(a).agent_class.value for a in agents))
        lines.append(
            PriorLine(
                number=int(row["line"]),
                label=_label(agents, cycles or None),
                agents=agents,
                agent_classes=classes,
                start=start,
                end=end,
                ongoing=bool(row["ongoing"]),
                end_reason=reason,
                best_response=row["best_response"],
                first_progression=(
                    None if first_pd is None else origin + dt.timedelta(days=int(first_pd))
                ),
                pfs_months=int(row["pfs_days"]) / DAYS_PER_MONTH,
                pfs_event=bool(row["pfs_event"]),
            )
        )
    return lines, assessments, "reference"


def _end_reason(
    row: Mapping[str, Any],
    own: Sequence[Mapping[str, Any]],
    next_start: int | None,
    first_pd: int | None,
    death: int | None,
    grace: int,
) -> str:
    if row["ongoing"]:
        return "ongoing"
    end = int(row["end"])
    pd_ends = (
        first_pd is not None
        and first_pd <= end + grace
        and (next_start is None or first_pd <= next_start)
    )
    last = max(own, key=lambda r: (r["stop"] or r["start"], r["episode_id"]))
    reason = last["reason_stopped"]
    if pd_ends or reason == "progression":
        return "progression"
    if reason is not None and reason not in _QUIET_REASONS:
        return str(reason)
    if death is not None and death <= end + grace:
        return "death"
    if next_start is not None:
        return "new_line"
    return "unknown"


def _engine_lines(view: CaseRecord) -> tuple[list[PriorLine], list[Assessment], str]:
    """Lines from the columnar course engine (DuckDB): exact, but slower per patient."""
    from netline.course import derive_course

    course = derive_course(view)
    lines = [
        PriorLine(
            number=line.number,
            label=line.label,
            agents=tuple(line.agents),
            agent_classes=tuple(
                dict.fromkeys(agent_info(a).agent_class.value for a in line.agents)
            ),
            start=line.start,
            end=line.end,
            ongoing=line.ongoing,
            end_reason=line.end_reason,
            best_response=line.best_response,
            first_progression=line.first_progression,
            pfs_months=line.pfs.months,
            pfs_event=line.pfs.event,
        )
        for line in course.lines
        if line.kind == "systemic"
    ]
    from netline.course.rules import LineRules
    from netline.course.tables import tables_from_records

    table = tables_from_records(view, LineRules()).assessments.to_pylist()
    assessments = [
        Assessment(r["date"], r["response"], bool(r["progression"]), r["source"], r["event_id"])
        for r in table
    ]
    return lines, assessments, "engine"


def course_lines(
    view: CaseRecord, at: dt.date, method: str = "auto"
) -> tuple[list[PriorLine], list[Assessment], str]:
    """Derive the lines of therapy of a record cut at ``at``.

    ``method`` is ``"reference"`` (the course package's per-patient statement of its rules,
    fast), ``"engine"`` (the columnar engine, DuckDB) or ``"auto"`` (reference, falling back to
    the engine if the per-patient path is unavailable).
    """
    if method not in ("auto", "reference", "engine"):
        raise InvalidInputError.single("course_method", method, "auto, reference or engine")
    if method == "engine":
        return _engine_lines(view)
    try:
        return _reference_lines(view, at)
    except (ImportError, AttributeError, KeyError, TypeError):
        if method == "reference":
            raise
        return _engine_lines(view)


# --------------------------------------------------------------------------- building the state


class _Builder:
    def __init__(self, record: CaseRecord, at: dt.date, index: KBIndex) -> None:
        self.record = record
        self.at = at
        self.index = index
        self.unknowns: list[Unknown] = []
        self.notes: list[str] = []
        self.facts: dict[str, object] = {}
        self.alternatives: dict[str, tuple[object, ...]] = {}

    def missing(self, item: str, affects: str) -> None:
        self.unknowns.append(Unknown(item, affects))


def _months(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def _grading(b: _Builder) -> dict[str, Any]:
    graded: list[tuple[Grade, float | None, dt.date | None, SpecimenKi67]] = []
    differentiations: set[Differentiation] = set()
    for histology, when in b.record.specimens:
        differentiations.add(histology.differentiation)
        try:
            _, finding = grade_histology(histology)
        except InsufficientDataError:
            continue
        specimen_grade = _WHO_TO_GRADE[finding.value]
        graded.append(
            (
                specimen_grade,
                histology.ki67_percent,
                when,
                SpecimenKi67(
                    histology.specimen,
                    when,
                    histology.ki67_percent,
                    finding.value.value,
                    finding.reason,
                ),
            )
        )
    if Differentiation.POORLY in differentiations:
        differentiation: Differentiation | None = Differentiation.POORLY
    elif Differentiation.WELL in differentiations:
        differentiation = Differentiation.WELL
    else:
        differentiation = None
    grade: Grade | None = None
    ki67: float | None = None
    source: str | None = None
    if graded:
        best = max(
            graded,
            key=lambda g: (
                _GRADE_RANK[g[0]],
                g[1] if g[1] is not None else -1.0,
                g[2] or dt.date.min,
            ),
        )
        grade = best[0]
        with_ki67 = [g for g in graded if g[1] is not None]
        if with_ki67:
            top = max(with_ki67, key=lambda g: (g[1] or 0.0, g[2] or dt.date.min))
            ki67 = top[1]
            source = f"{top[3].specimen}" + (f", {top[2].isoformat()}" if top[2] else "")
            if len({g[1] for g in with_ki67}) > 1:
                b.notes.append(
                    "Ki-67 differs between specimens ("
                    + ", ".join(
                        f"{g[3].specimen} {g[1]:g} %" for g in with_ki67 if g[1] is not None
                    )
                    + "): the highest is used."
                )
    if differentiation is None:
        b.missing("differentiation", "NET versus NEC, and every grade-based statement")
    if grade is None:
        b.missing("grade (Ki-67 or mitotic count)", "grade-based statements and entry criteria")
    if ki67 is None:
        b.missing("Ki-67 index", "Ki-67 thresholds (10 %, 20 %, 55 %) of statements and profiles")
    b.facts.update(differentiation=differentiation, grade=grade, ki67_percent=ki67)
    return {
        "differentiation": None if differentiation is None else differentiation.value,
        "grade": None if grade is None else grade.value,
        "ki67_percent": ki67,
        "ki67_source": source,
        "specimens": tuple(g[3] for g in graded),
    }


def _sstr(b: _Builder) -> dict[str, Any]:
    threshold = b.index.sstr_threshold
    scans = [
        s
        for s in b.record.of_type(Imaging)
        if s.modality in _SSTR_MODALITIES
        and (s.sstr_uptake_score is not None or any(x.sstr_uptake is not None for x in s.lesions))
    ]
    score: int | None = None
    modality = description = None
    when: dt.date | None = None
    positive: bool | None = None
    all_lesions: bool | None = None
    uptake_by_lesion: dict[str, int] = {}
    for scan in b.record.of_type(Imaging):
        for lesion in scan.lesions:
            if lesion.sstr_uptake is not None:
                uptake_by_lesion[lesion.id] = lesion.sstr_uptake
    if scans:
        latest = scans[-1]
        lesion_scores = [x.sstr_uptake for x in latest.lesions if x.sstr_uptake is not None]
        score = (
            latest.sstr_uptake_score
            if latest.sstr_uptake_score is not None
            else max(s for s in lesion_scores if s is not None)
        )
        modality = latest.modality.value
        when = latest.date
        description = str(krenning_score(score, latest.modality).value)
        positive = score >= threshold
        if lesion_scores:
            all_lesions = all(s is not None and s >= threshold for s in lesion_scores)
        elif not positive:
            all_lesions = False
        age = _months(latest.date, b.at)
        if age >= 12:
            b.notes.append(
                f"The latest SSTR imaging is from {latest.date.isoformat()} "
                f"({age:.0f} months before the decision)."
            )
    else:
        b.missing(
            "SSTR imaging (SRS or SSTR-PET)",
            "SSTR status: SSA and PRRT rationale, PRRT eligibility (uptake at least liver)",
        )
    if scans and all_lesions is None:
        b.missing(
            "SSTR uptake per lesion",
            "PRRT eligibility: uptake at least liver in all target lesions",
        )
    fdg_scans = [s for s in b.record.of_type(Imaging) if s.modality is ImagingModality.FDG_PET]
    discordant: bool | None = None
    for scan in b.record.of_type(Imaging):
        for lesion in scan.lesions:
            if (
                lesion.fdg_avid
                and lesion.sstr_uptake is not None
                and lesion.sstr_uptake < threshold
            ):
                discordant = True
    if discordant is None and fdg_scans:
        avid = [x for s in fdg_scans for x in s.lesions if x.fdg_avid]
        uptakes = [uptake_by_lesion.get(x.id, x.sstr_uptake) for x in avid]
        if any(u is not None and u < threshold for u in uptakes):
            discordant = True
        elif all(u is not None for u in uptakes):
            discordant = False
    if discordant is None:
        b.missing(
            "FDG-PET" if not fdg_scans else "SSTR uptake of the FDG-positive lesions",
            "FDG-positive/SSTR-negative lesions, which make PRRT unsuitable",
        )
    b.facts.update(
        krenning_score=score,
        sstr_positive=positive,
        sstr_uptake_all_lesions=all_lesions,
        fdg_sstr_discordant=discordant,
    )
    return {
        "krenning_score": score,
        "sstr_modality": modality,
        "sstr_date": when,
        "sstr_description": description,
        "sstr_positive": positive,
        "sstr_uptake_all_lesions": all_lesions,
        "fdg_pet_done": bool(fdg_scans),
        "fdg_sstr_discordant": discordant,
    }


def _extent(b: _Builder) -> dict[str, Any]:
    record = b.record
    scans = [s for s in record.of_type(Imaging) if s.organs_involved]
    first_seen: dict[Organ, dt.date] = {}
    for met in record.metastases:
        first_seen[met.organ] = min(first_seen.get(met.organ, met.found), met.found)
    new_site_dates: list[dt.date] = []
    previous: set[Organ] | None = None
    for scan in scans:
        organs = set(scan.organs_involved)
        for organ in organs:
            if organ not in first_seen or scan.date < first_seen[organ]:
                first_seen[organ] = scan.date
        extra_now = {o for o in organs if o not in _LOCOREGIONAL}
        if previous is not None and extra_now - previous:
            new_site_dates.append(scan.date)
        previous = extra_now | (previous or set())
    primary_resected = any(
        Organ.PANCREAS in s.organs and s.intent.value != "diagnostic"
        for s in record.of_type(Surgery)
    )
    if scans:
        current = set(scans[-1].organs_involved)
        basis_date = scans[-1].date
    else:
        current = {m.organ for m in record.metastases}
        basis_date = None
        if not primary_resected:
            current.add(Organ.PANCREAS)
    liver = Organ.LIVER in current
    extra = sorted(o for o in current if o not in (Organ.LIVER, Organ.PANCREAS))
    primary_in_place = Organ.PANCREAS in current or (not primary_resected and not scans)
    if not scans:
        b.missing(
            "imaging with the organs involved",
            "current extent of disease (taken from the metastases recorded instead)",
        )
    band_scans = [s for s in record.of_type(Imaging) if s.liver_involvement is not None]
    band = band_scans[-1].liver_involvement if band_scans else None
    band_date = band_scans[-1].date if band_scans else None
    burden: Burden | None = None
    if band is not None:
        value, edges = _BANDS[band]
        b.facts["hepatic_burden_percent"] = value
        b.facts["liver_involvement_percent"] = value
        b.alternatives["hepatic_burden_percent"] = edges
        b.alternatives["liver_involvement_percent"] = edges
        burden, other = _BAND_BURDEN[band]
        if other:
            b.alternatives["tumour_burden"] = other
    elif liver:
        b.missing(
            "hepatic tumour burden (share of liver involved)",
            "burden-based statements (low burden, > 50 % hepatic involvement), Milan-NET",
        )
    elif not current - {Organ.PANCREAS}:
        burden = Burden.LOW
        b.facts["hepatic_burden_percent"] = 0.0
        b.facts["liver_involvement_percent"] = 0.0
    else:
        b.facts["hepatic_burden_percent"] = 0.0
        b.facts["liver_involvement_percent"] = 0.0
        b.missing("extrahepatic tumour burden", "burden-based statements")
    if burden is not None:
        b.facts["tumour_burden"] = burden
    organs_set = set(current)
    extra_abdominal: bool | None
    if organs_set & _EXTRA_ABDOMINAL:
        extra_abdominal = True
    elif organs_set & _UNCERTAIN_LOCATION:
        extra_abdominal = None
        b.missing(
            "location of the distant nodal or other metastases",
            "whether disease is extra-abdominal (liver-surgery criteria)",
        )
    else:
        extra_abdominal = False
    nodes = {Organ.REGIONAL_LYMPH_NODE, Organ.DISTANT_LYMPH_NODE} & organs_set
    b.facts.update(
        extra_abdominal_metastases=extra_abdominal,
        diffuse_peritoneal_carcinomatosis=None if Organ.PERITONEUM in organs_set else False,
        unresectable_nodal_disease=None if nodes else False,
        primary_resected=primary_resected,
        primary_resected_or_resectable=True if primary_resected else None,
    )
    since = {o.value: first_seen[o] for o in extra if o in first_seen}
    # extrahepatic stability: organ-level (no new extrahepatic site) unless lesions measured
    measured_growth = _extrahepatic_lesion_growth(record)
    stable: bool | None
    distant_extra = [o for o in extra if o not in _LOCOREGIONAL]
    if not distant_extra:
        stable = None
        basis = "no distant extrahepatic disease"
    elif measured_growth:
        stable = False
        basis = "extrahepatic lesion new or growing on measured scans"
    elif new_site_dates and new_site_dates[-1] == (basis_date or b.at):
        stable = False
        basis = f"new extrahepatic site on {new_site_dates[-1].isoformat()}"
    else:
        distant_since = [v for k, v in since.items() if Organ(k) not in _LOCOREGIONAL]
        earliest = min(distant_since) if distant_since else None
        last_new = new_site_dates[-1] if new_site_dates else earliest
        basis = (
            "organ-level imaging: no new extrahepatic site"
            + (f" since {last_new.isoformat()}" if last_new else "")
            + "; growth of the known extrahepatic lesions is not measured in the record"
        )
        stable = True
    b.facts["primary_portal_drainage"] = True if b.record.primary.site.is_pancreatic else None
    return {
        "liver_involvement": band,
        "liver_involvement_date": band_date,
        "organs": tuple(sorted(o.value for o in current)),
        "liver_metastases": liver,
        "extrahepatic_sites": tuple(o.value for o in extra),
        "extrahepatic_since": MappingProxyType(since),
        "extrahepatic_stable_organ_level": stable,
        "extrahepatic_basis": basis,
        "primary_in_place": primary_in_place,
        "primary_resected": primary_resected,
        "tumour_burden": None if burden is None else burden.value,
    }


def _extrahepatic_lesion_growth(record: CaseRecord) -> bool:
    sizes: dict[str, float] = {}
    for scan in record.of_type(Imaging):
        if scan.modality not in _MEASURING:
            continue
        for lesion in scan.lesions:
            if lesion.organ in (Organ.LIVER, Organ.PANCREAS):
                continue
            if lesion.new:
                return True
            if lesion.diameter_mm is None:
                continue
            before = sizes.get(lesion.id)
            # growth by the RECIST 1.1 progression fraction (20 %) of one lesion
            if before is not None and before > 0 and (lesion.diameter_mm - before) >= 0.2 * before:
                return True
            sizes[lesion.id] = lesion.diameter_mm
    return False


def _growth_rate(record: CaseRecord) -> tuple[float | None, str | None]:
    """Tumour growth rate (% per month) between the last two measured CT/MRI scans."""
    measured = [
        s
        for s in record.of_type(Imaging)
        if s.modality in _MEASURING and any(x.diameter_mm is not None for x in s.lesions)
    ]
    if len(measured) < 2:
        return None, None
    first, second = measured[-2], measured[-1]
    a = {x.id: x.diameter_mm for x in first.lesions if x.diameter_mm is not None}
    c = {x.id: x.diameter_mm for x in second.lesions if x.diameter_mm is not None}
    shared = sorted(set(a) & set(c))
    d1 = sum(a[i] or 0.0 for i in shared)
    d2 = sum(c[i] or 0.0 for i in shared)
    months = _months(first.date, second.date)
    if not shared or d1 <= 0 or d2 <= 0 or months <= 0:
        return None, None
    rate = 100.0 * (math.exp(3.0 * math.log(d2 / d1) / months) - 1.0)
    basis = (
        f"sum of diameters {d1:g} → {d2:g} mm over {len(shared)} lesion(s), "
        f"{first.date.isoformat()} to {second.date.isoformat()} ({months:.1f} months); "
        "TGR = 100 × (exp(3 × ln(D2/D1) / Δt) − 1), volume-based, % per month"
    )
    return rate, basis


def _growth(
    b: _Builder, assessments: Sequence[Assessment], lines: Sequence[PriorLine]
) -> dict[str, Any]:
    ordered = sorted(
        assessments, key=lambda a: (a.date, a.progression, _SOURCE_RANK.get(a.source, 0))
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
        b.facts["stable_disease_months"] = stable_months
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

    facts["platelets_10e9_l"] = value(Analyte.PLATELETS)
    facts["haemoglobin_g_dl"] = value(Analyte.HAEMOGLOBIN)
    facts["wbc_10e9_l"] = value(Analyte.WHITE_CELLS)
    bilirubin = labs.get(Analyte.BILIRUBIN.value)
    facts["bilirubin_mg_dl"] = None if bilirubin is None else bilirubin.value
    facts["bilirubin_x_uln"] = (
        None
        if bilirubin is None or not bilirubin.upper_limit
        else bilirubin.value / bilirubin.upper_limit
    )
    albumin = value(Analyte.ALBUMIN)
    facts["albumin_g_l"] = albumin
    facts["albumin_g_dl"] = None if albumin is None else albumin / 10.0
    inr = labs.get(Analyte.INR.value)
    facts["prothrombin_time_normal"] = (
        None if inr is None or inr.upper_limit is None else inr.value <= inr.upper_limit
    )
    facts["prothrombin_ratio_percent"] = value(Analyte.PROTHROMBIN_RATIO)
    facts["icg_r15_percent"] = value(Analyte.ICG_R15)
    creatinine = value(Analyte.CREATININE)
    per_mg = to_canonical(Analyte.CREATININE, 1.0, "umol/L").value
    facts["serum_creatinine_umol_l"] = None if creatinine is None else creatinine / per_mg
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
    facts["creatinine_clearance_ml_min"] = clearance
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
    antitumour = {c.value for c in ANTITUMOUR_CLASSES}
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


def decision_state(
    record: CaseRecord,
    at: dt.date | None = None,
    *,
    index: KBIndex | None = None,
    course_method: str = "auto",
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
    course_method : {"auto", "reference", "engine"}
        How the lines of therapy are derived (see :func:`course_lines`).

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
    groups = sorted(site_groups(site), key=lambda g: g.value)
    group: SiteGroup | None = groups[0] if groups else None
    if len(groups) > 1:
        b.alternatives["site"] = tuple(groups[1:])
    b.facts.update(site=group, age_years=age)
    if not site.is_pancreatic:
        b.notes.append(
            f"The primary site is {site.value}: netline's rules are written for pancreatic NET."
        )
    grading = _grading(b)
    syndrome = view.primary.functioning_syndrome
    functioning = None if syndrome is FunctioningSyndrome.UNKNOWN else syndrome
    if functioning is None:
        b.missing("functioning syndrome", "syndrome-specific statements (insulinoma, gastrinoma)")
    b.facts["functioning"] = functioning
    sstr = _sstr(b)
    extent = _extent(b)
    lines, assessments, method = course_lines(view, when, course_method)
    growth = _growth(b, assessments, lines)
    stable_extra = extent.pop("extrahepatic_stable_organ_level")
    if stable_extra and growth["disease_course"] == DiseaseCourse.PROGRESSIVE.value:
        stable_extra = None  # progression whose site the record does not localise
        extent["extrahepatic_basis"] += (
            "; the latest assessment shows progression that the record does not localise"
        )
    statuses = view.of_type(DiseaseStatus)
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
    comorbidities = tuple(sorted({c.kind.value for c in patient.comorbidities}))
    heart = {ComorbidityKind.CARCINOID_HEART_DISEASE} & {c.kind for c in patient.comorbidities}
    b.facts["right_heart_insufficiency"] = True if heart else None
    female = patient.sex is Sex.FEMALE
    b.facts.update(
        pregnant=False if patient.sex is Sex.MALE else None,
        breastfeeding=False if patient.sex is Sex.MALE else None,
        severe_acute_illness=None,
        life_expectancy_months=None,
        expected_debulking_percent=None,
        expected_mortality_percent=None,
        future_liver_remnant_percent=None,
        resectable=None,
    )
    if female:
        b.missing("pregnancy and breastfeeding", "PRRT (absolute contraindications)")
    labs = _latest_labs(b)
    function = _labs_and_function(b, labs)
    line_facts = _lines_facts(b, lines)
    surgeries = view.of_type(Surgery)
    liver_resections = tuple(s.date for s in surgeries if s.procedure.is_liver_resection)
    local = tuple((t.date, t.modality.value) for t in view.of_type(LocalTherapy))
    return DecisionState(
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
        liver_involvement=extent["liver_involvement"],
        liver_involvement_date=extent["liver_involvement_date"],
        organs=extent["organs"],
        liver_metastases=extent["liver_metastases"],
        extrahepatic_sites=extent["extrahepatic_sites"],
        extrahepatic_since=extent["extrahepatic_since"],
        extrahepatic_stable=stable_extra,
        extrahepatic_basis=extent["extrahepatic_basis"],
        primary_in_place=extent["primary_in_place"],
        primary_resected=extent["primary_resected"],
        tumour_burden=extent["tumour_burden"],
        symptomatic_from_bulk=symptomatic,
        ecog=ecog,
        karnofsky=karnofsky,
        performance_date=None if performance is None else performance.date,
        comorbidities=comorbidities,
        liver_resections=liver_resections,
        local_therapies=local,
        facts=MappingProxyType(dict(b.facts)),
        alternatives=MappingProxyType(dict(b.alternatives)),
        unknowns=tuple(b.unknowns),
        notes=tuple(b.notes),
        course_method=method,
        **growth,
        **function,
        **line_facts,
    )


def agent_class_of(agent: Agent | str) -> str:
    """Return the mode-of-action class of an agent identifier."""
    return agent_info(agent).agent_class.value
