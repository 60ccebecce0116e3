"""The clinical record of one patient's NET course (pydantic v2 models).

A :class:`CaseRecord` holds the patient, the primary tumour, the metastases found and a dated
timeline of events (surgery, local therapy, systemic therapy, imaging, labs, adverse events and
clinician-recorded disease status). Field-level rules (ranges, units, a stop before its start)
are checked by each model; rules that span events (nothing after death, no duplicate event ids,
follow-up after the last event) are checked once the whole record is built, and every problem
is reported together.

Build records from case files with :func:`netline.records.load_case`; building them in Python
with :meth:`CaseRecord.model_validate` applies the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from netline.errors import Problem
from netline.records.units import CANONICAL_UNITS, accepted_units, to_canonical
from netline.records.vocabulary import (
    Agent,
    AgentClass,
    Analyte,
    ComorbidityKind,
    Differentiation,
    DiseaseStatusValue,
    FunctioningSyndrome,
    HereditarySyndrome,
    ImagingModality,
    InvadedStructure,
    LocalTherapyModality,
    Margin,
    Organ,
    PrimarySite,
    ReasonStopped,
    RecordedResponse,
    Sex,
    SurgeryIntent,
    SurgicalProcedure,
    agent_info,
    resolve_agent,
)

__all__ = [
    "AdverseEvent",
    "BodyMeasurement",
    "CaseRecord",
    "Comorbidity",
    "Cycle",
    "DiseaseStatus",
    "Dose",
    "Event",
    "Histology",
    "Imaging",
    "LabPanel",
    "LabResult",
    "Lesion",
    "LocalTherapy",
    "Metastasis",
    "MitoticCount",
    "Patient",
    "PerformanceStatus",
    "PrimaryTumour",
    "RegionalNodes",
    "Surgery",
    "SurgicalPathology",
    "SystemicTherapy",
]

#: Share of the liver replaced by tumour, in the bands used by NET trials and guidelines.
LiverInvolvement = Literal["<10%", "10-25%", "25-50%", ">50%"]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][\w.-]{0,63}$")]
Percent = Annotated[float, Field(ge=0, le=100)]
Millimetres = Annotated[float, Field(ge=0, le=1000)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, validate_default=False
    )


# --------------------------------------------------------------------------- patient


class PerformanceStatus(_Model):
    """Performance status on a date: ECOG and/or Karnofsky."""

    date: dt.date
    ecog: int | None = Field(default=None, ge=0, le=5)
    karnofsky: int | None = Field(default=None, ge=0, le=100, multiple_of=10)

    @model_validator(mode="after")
    def _one_scale(self) -> PerformanceStatus:
        if self.ecog is None and self.karnofsky is None:
            raise PydanticCustomError("missing_scale", "an 'ecog' or a 'karnofsky' value")
        return self


class Comorbidity(_Model):
    """A comorbidity relevant to NET treatment."""

    kind: ComorbidityKind
    detail: str | None = None
    since: dt.date | None = None


class BodyMeasurement(_Model):
    """Weight and height on a date (for creatinine clearance and dosing)."""

    date: dt.date
    weight_kg: float | None = Field(default=None, gt=0, le=400)
    height_cm: float | None = Field(default=None, gt=0, le=260)


class Patient(_Model):
    """Who the patient is, and how the follow-up ended."""

    id: Identifier
    sex: Sex
    birth_date: dt.date | None = None
    birth_year: int | None = Field(default=None, ge=1880, le=2100)
    performance: list[PerformanceStatus] = Field(default_factory=list)
    comorbidities: list[Comorbidity] = Field(default_factory=list)
    body: list[BodyMeasurement] = Field(default_factory=list)
    death_date: dt.date | None = None
    cause_of_death: str | None = None
    last_follow_up: dt.date | None = None

    @model_validator(mode="after")
    def _birth_consistent(self) -> Patient:
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            raise PydanticCustomError(
                "birth_mismatch",
                "birth_year equal to the year of birth_date ({year})",
                {"year": self.birth_date.year},
            )
        return self

    def age_at(self, when: dt.date) -> float | None:
        """Age in years on a date (from the birth date, else mid-year of the birth year)."""
        born = self.birth_date or (
            dt.date(self.birth_year, 7, 1) if self.birth_year is not None else None
        )
        if born is None:
            return None
        return (when - born).days / 365.25


# --------------------------------------------------------------------------- tumour


class MitoticCount(_Model):
    """A mitotic count with the area it was counted over.

    ``per_2mm2`` is the WHO 2019 unit; ``per_10hpf`` is the legacy unit; ``per_fields`` is a
    count over ``n_fields`` microscope fields of ``field_area_mm2`` each.
    """

    count: float = Field(ge=0)
    unit: Literal["per_2mm2", "per_10hpf", "per_fields"]
    n_fields: int | None = Field(default=None, gt=0)
    field_area_mm2: float | None = Field(default=None, gt=0, le=2)

    @model_validator(mode="after")
    def _fields_given(self) -> MitoticCount:
        if self.unit == "per_fields" and (self.n_fields is None or self.field_area_mm2 is None):
            raise PydanticCustomError(
                "fields_needed", "'n_fields' and 'field_area_mm2' when unit is 'per_fields'"
            )
        if self.unit != "per_fields" and (
            self.n_fields is not None or self.field_area_mm2 is not None
        ):
            raise PydanticCustomError(
                "fields_needed",
                "no 'n_fields' or 'field_area_mm2' unless unit is 'per_fields' "
                "(the area of {unit} is fixed)",
                {"unit": self.unit},
            )
        return self


class Histology(_Model):
    """Differentiation and proliferation of one specimen."""

    specimen: Literal["primary", "liver_metastasis", "lymph_node", "other_metastasis"] = "primary"
    date: dt.date | None = None
    differentiation: Differentiation = Differentiation.UNKNOWN
    ki67_percent: Percent | None = None
    mitotic_count: MitoticCount | None = None


class RegionalNodes(_Model):
    """Regional lymph nodes examined and found positive."""

    examined: int | None = Field(default=None, ge=0)
    positive: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _positive_le_examined(self) -> RegionalNodes:
        if (
            self.examined is not None
            and self.positive is not None
            and self.positive > self.examined
        ):
            raise PydanticCustomError(
                "nodes",
                "'positive' ({p}) not above 'examined' ({e})",
                {"p": self.positive, "e": self.examined},
            )
        return self


class PrimaryTumour(_Model):
    """The primary tumour."""

    site: PrimarySite
    diagnosed: dt.date | None = None
    size_mm: float | None = Field(default=None, gt=0, le=300)
    invasion: list[InvadedStructure] = Field(default_factory=list)
    multifocal: bool = False
    functioning_syndrome: FunctioningSyndrome = FunctioningSyndrome.UNKNOWN
    hereditary_syndrome: HereditarySyndrome = HereditarySyndrome.UNKNOWN
    histology: Histology | None = None
    regional_nodes: RegionalNodes | None = None


class Metastasis(_Model):
    """A metastatic site and the date it was first found."""

    organ: Organ
    found: dt.date
    detail: str | None = None
    lesion_count: int | None = Field(default=None, ge=1)


# --------------------------------------------------------------------------- events


class _Event(_Model):
    id: Identifier | None = None
    note: str | None = None

    @property
    def when(self) -> dt.date:
        """The date the event is placed at on the timeline."""
        date: dt.date = getattr(self, "date")  # noqa: B009 - each event type defines it
        return date

    @property
    def until(self) -> dt.date:
        """The last date the event covers (its stop, or its date)."""
        return self.when


class SurgicalPathology(_Model):
    """What pathology found in a resection specimen."""

    viable_tumour: bool | None = None
    histology: Histology | None = None
    largest_lesion_mm: float | None = Field(default=None, gt=0, le=300)
    lesions_resected: int | None = Field(default=None, ge=0)
    lesions_with_tumour: int | None = Field(default=None, ge=0)
    nodes: RegionalNodes | None = None
    finding: str | None = None

    @property
    def pathological_complete_response(self) -> bool | None:
        """Whether no viable tumour was found (``None`` when not reported)."""
        return None if self.viable_tumour is None else not self.viable_tumour


class Surgery(_Event):
    """A surgical procedure."""

    type: Literal["surgery"] = "surgery"
    date: dt.date
    procedure: SurgicalProcedure
    description: str | None = None
    organs: list[Organ] = Field(default_factory=list, min_length=1)
    intent: SurgeryIntent = SurgeryIntent.UNKNOWN
    margin: Margin | None = None
    pathology: SurgicalPathology | None = None
    operative_time_min: float | None = Field(default=None, gt=0, le=2400)
    blood_loss_ml: float | None = Field(default=None, ge=0, le=50000)
    complications: str | None = None


class LocalTherapy(_Event):
    """A liver-directed or other local therapy."""

    type: Literal["local_therapy"] = "local_therapy"
    date: dt.date
    modality: LocalTherapyModality
    organ: Organ = Organ.LIVER
    lesions_treated: int | None = Field(default=None, ge=1)


def _agent(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Agent):
        resolved = resolve_agent(value)
        if resolved is None:
            import difflib

            names = [a.value for a in Agent]
            close = difflib.get_close_matches(value.lower(), names, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise PydanticCustomError(
                "unknown_agent",
                "a known agent, e.g. lanreotide, everolimus, lu177_dotatate{hint}",
                {"hint": hint},
            )
        return resolved
    return value


KnownAgent = Annotated[Agent, BeforeValidator(_agent)]


class Dose(_Model):
    """A dose per administration."""

    amount: float = Field(gt=0)
    unit: Literal["mg", "mg/m2", "mg/kg", "g", "GBq", "MBq", "MU", "ug"]


class Cycle(_Model):
    """One administration of a cyclic therapy (radioligand activity in GBq)."""

    date: dt.date
    activity_gbq: float | None = Field(default=None, gt=0, le=20)


class SystemicTherapy(_Event):
    """One agent given over a period (combinations are several episodes started together)."""

    type: Literal["systemic_therapy"] = "systemic_therapy"
    agent: KnownAgent
    start: dt.date
    stop: dt.date | None = None
    dose: Dose | None = None
    schedule: str | None = None
    regimen: str | None = None
    cycles: list[Cycle] = Field(default_factory=list)
    reason_stopped: ReasonStopped | None = None
    clinical_trial: bool = False
    trial_name: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SystemicTherapy:
        if self.stop is not None and self.stop < self.start:
            raise PydanticCustomError(
                "stop_before_start",
                "'stop' ({stop}) on or after 'start' ({start})",
                {"stop": str(self.stop), "start": str(self.start)},
            )
        for cycle in self.cycles:
            if cycle.date < self.start or (self.stop is not None and cycle.date > self.stop):
                raise PydanticCustomError(
                    "cycle_outside",
                    "every cycle date within start..stop (cycle on {d})",
                    {"d": str(cycle.date)},
                )
            if cycle.activity_gbq is not None and not self.agent_class == AgentClass.RADIOLIGAND:
                raise PydanticCustomError(
                    "activity_not_radioligand", "'activity_gbq' only for radioligand therapy"
                )
        dates = [c.date for c in self.cycles]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise PydanticCustomError("cycle_order", "cycles in date order, one per date")
        if self.reason_stopped is ReasonStopped.ONGOING and self.stop is not None:
            raise PydanticCustomError(
                "ongoing_with_stop", "no 'stop' date for a therapy whose reason_stopped is ongoing"
            )
        return self

    @property
    def date(self) -> dt.date:
        """The start date."""
        return self.start

    @property
    def until(self) -> dt.date:
        """The stop date, or the last cycle, or the start."""
        if self.stop is not None:
            return self.stop
        return self.cycles[-1].date if self.cycles else self.start

    @property
    def agent_class(self) -> AgentClass:
        """The agent's mode-of-action class."""
        return agent_info(self.agent).agent_class

    @property
    def cumulative_activity_gbq(self) -> float | None:
        """Total administered activity over all cycles, when every cycle has one."""
        activities = [c.activity_gbq for c in self.cycles]
        if not activities or any(a is None for a in activities):
            return None
        return float(sum(a for a in activities if a is not None))


class Lesion(_Model):
    """A lesion measured on one scan; the same ``id`` follows it across scans."""

    id: Identifier
    organ: Organ
    lymph_node: bool = False
    diameter_mm: Millimetres | None = None
    target: bool = False
    new: bool = False
    equivocal: bool = Field(
        default=False,
        description=(
            "The report calls this new lesion suspected or equivocal (RECIST 1.1: not progression "
            "unless a later scan confirms it)."
        ),
    )
    attenuation_hu: float | None = Field(default=None, ge=-1000, le=3000)
    sstr_uptake: int | None = Field(default=None, ge=0, le=4)
    fdg_avid: bool | None = None


class Imaging(_Event):
    """An imaging assessment."""

    type: Literal["imaging"] = "imaging"
    date: dt.date
    modality: ImagingModality
    lesions: list[Lesion] = Field(default_factory=list)
    organs_involved: list[Organ] = Field(default_factory=list)
    new_lesions: bool | None = None
    new_lesions_equivocal: bool = Field(
        default=False,
        description=(
            "The new lesions reported at this scan are suspected or equivocal (RECIST 1.1: not "
            "progression unless a later scan confirms them)."
        ),
    )
    non_target_progression: bool | None = None
    sstr_uptake_score: int | None = Field(default=None, ge=0, le=4)
    liver_involvement: LiverInvolvement | None = None
    recorded_response: RecordedResponse | None = None
    finding: str | None = None

    @model_validator(mode="after")
    def _unique_lesions(self) -> Imaging:
        ids = [lesion.id for lesion in self.lesions]
        if len(ids) != len(set(ids)):
            raise PydanticCustomError("duplicate_lesion", "each lesion id once per scan")
        if self.new_lesions_equivocal and self.new_lesions is False:
            raise PydanticCustomError(
                "equivocal_without_new_lesion",
                "new_lesions_equivocal only together with new_lesions: true",
            )
        for lesion in self.lesions:
            if lesion.equivocal and not lesion.new:
                raise PydanticCustomError(
                    "equivocal_not_new", "a lesion marked equivocal must also be marked new"
                )
        return self


class LabResult(_Model):
    """One lab value, stored in its analyte's canonical unit (the original is kept)."""

    analyte: Analyte
    value: float
    unit: str
    lower_limit: float | None = None
    upper_limit: float | None = None
    original_value: float | None = None
    original_unit: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _convert(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("original_unit") is not None:
            return data
        try:
            analyte = Analyte(str(data.get("analyte")))
        except ValueError:
            return data  # the field validator reports the unknown analyte
        value = data.get("value")
        if isinstance(value, bool):
            raise PydanticCustomError("lab_value", "a number (not true/false)")
        if not isinstance(value, int | float):
            return data
        unit = data.get("unit")
        if unit is not None and not isinstance(unit, str):
            return data
        try:
            converted = to_canonical(analyte, float(value), unit)
        except KeyError:
            raise PydanticCustomError(
                "unknown_unit",
                "a unit for {analyte}: one of {units}",
                {"analyte": analyte.value, "units": ", ".join(accepted_units(analyte))},
            ) from None
        out = dict(data)
        factor = converted.value / value if value else None
        for limit in ("lower_limit", "upper_limit"):
            limit_value = data.get(limit)
            if isinstance(limit_value, int | float) and not isinstance(limit_value, bool):
                out[limit] = (
                    to_canonical(analyte, float(limit_value), unit).value
                    if factor is None
                    else round(limit_value * factor, 6)
                )
        out.update(
            value=converted.value,
            unit=converted.unit,
            original_value=converted.original_value,
            original_unit=converted.original_unit,
        )
        return out

    @model_validator(mode="after")
    def _plausible(self) -> LabResult:
        if self.unit != CANONICAL_UNITS[self.analyte]:
            raise PydanticCustomError("unit", "{unit}", {"unit": CANONICAL_UNITS[self.analyte]})
        if self.value < 0:
            raise PydanticCustomError("negative_lab", "a value of zero or more")
        return self


class LabPanel(_Event):
    """Lab results drawn on one date."""

    type: Literal["labs"] = "labs"
    date: dt.date
    results: list[LabResult] = Field(min_length=1)

    def get(self, analyte: Analyte) -> LabResult | None:
        """Return the result for an analyte, if measured."""
        return next((r for r in self.results if r.analyte is analyte), None)


class AdverseEvent(_Event):
    """An adverse event graded with CTCAE."""

    type: Literal["adverse_event"] = "adverse_event"
    date: dt.date
    term: str = Field(min_length=2)
    grade: int = Field(ge=1, le=5)
    attributed_to: KnownAgent | None = None
    resolved: dt.date | None = None
    serious: bool = False

    @model_validator(mode="after")
    def _resolved_after_onset(self) -> AdverseEvent:
        if self.resolved is not None and self.resolved < self.date:
            raise PydanticCustomError(
                "resolved_before_onset",
                "'resolved' on or after the onset date {d}",
                {"d": str(self.date)},
            )
        return self


class DiseaseStatus(_Event):
    """Disease status as recorded by a clinician."""

    type: Literal["disease_status"] = "disease_status"
    date: dt.date
    status: DiseaseStatusValue
    symptomatic_from_bulk: bool | None = None
    hormonal_syndrome_controlled: bool | None = None
    basis: list[Literal["imaging", "clinical", "pathology", "markers", "symptoms"]] = Field(
        default_factory=list
    )


Event = Annotated[
    Surgery | LocalTherapy | SystemicTherapy | Imaging | LabPanel | AdverseEvent | DiseaseStatus,
    Field(discriminator="type"),
]
EVENT_TYPES = (
    "surgery",
    "local_therapy",
    "systemic_therapy",
    "imaging",
    "labs",
    "adverse_event",
    "disease_status",
)

E = TypeVar("E")


class CaseRecord(_Model):
    """One patient's NET course.

    Parameters
    ----------
    id : str
        Identifier of the case.
    patient : Patient
    primary : PrimaryTumour
    metastases : list of Metastasis
    events : list of Event
        Surgery, local therapy, systemic therapy, imaging, labs, adverse events and disease
        status, in any order (:attr:`timeline` sorts them).
    index_date : date, optional
        The anchor of relative dates in the case file.
    source : str, optional
        Where the case comes from (a publication for published cases).
    synthetic : bool
        Whether the case is synthetic.
    assumptions : list of str
        Assumptions made when encoding the case (e.g. dates derived from ages).
    """

    netline_case: Literal[1] = 1
    id: Identifier
    source: str | None = None
    synthetic: bool = False
    index_date: dt.date | None = None
    assumptions: list[str] = Field(default_factory=list)
    patient: Patient
    primary: PrimaryTumour
    metastases: list[Metastasis] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _integrity(self) -> CaseRecord:
        problems = list(integrity_problems(self))
        if problems:
            raise PydanticCustomError(
                "record_integrity",
                "{summary}",
                {"summary": "; ".join(str(p) for p in problems), "problems": problems},
            )
        return self

    @property
    def timeline(self) -> list[Event]:
        """Events sorted by date (stable for events on the same day)."""
        return sorted(self.events, key=lambda event: event.when)

    def of_type(self, kind: type[E]) -> list[E]:
        """Events of one type, in date order."""
        return [event for event in self.timeline if isinstance(event, kind)]

    @property
    def specimens(self) -> list[tuple[Histology, dt.date | None]]:
        """Every histology with its date: the primary's first, then each resection's in order.

        A specimen without its own date takes the diagnosis date (primary) or the surgery date.
        """
        found: list[tuple[Histology, dt.date | None]] = []
        if self.primary.histology is not None:
            histology = self.primary.histology
            found.append((histology, histology.date or self.primary.diagnosed))
        for surgery in self.of_type(Surgery):
            if surgery.pathology is not None and surgery.pathology.histology is not None:
                histology = surgery.pathology.histology
                found.append((histology, histology.date or surgery.date))
        return found

    @property
    def last_date(self) -> dt.date:
        """The last date the record knows about."""
        candidates = [e.until for e in self.events] + [m.found for m in self.metastases]
        for extra in (self.patient.last_follow_up, self.patient.death_date, self.primary.diagnosed):
            if extra is not None:
                candidates.append(extra)
        return max(candidates) if candidates else dt.date.today()


def _dated_items(record: CaseRecord) -> Iterator[tuple[str, dt.date]]:
    for i, event in enumerate(record.events):
        yield f"events[{i}].{'start' if isinstance(event, SystemicTherapy) else 'date'}", event.when
        if event.until != event.when:
            yield f"events[{i}].stop", event.until
    for i, met in enumerate(record.metastases):
        yield f"metastases[{i}].found", met.found
    for i, ps in enumerate(record.patient.performance):
        yield f"patient.performance[{i}].date", ps.date
    if record.primary.diagnosed is not None:
        yield "primary.diagnosed", record.primary.diagnosed


def integrity_problems(record: CaseRecord) -> Iterator[Problem]:
    """Yield every rule broken across the record (order of events, ids, follow-up)."""
    patient = record.patient
    born = patient.birth_date or (
        dt.date(patient.birth_year, 1, 1) if patient.birth_year is not None else None
    )
    death = patient.death_date
    latest_event: tuple[str, dt.date] | None = None
    for location, when in _dated_items(record):
        if born is not None and when < born:
            yield Problem(location, str(when), f"a date on or after birth ({born})")
        if death is not None and when > death:
            yield Problem(location, str(when), f"a date on or before death ({death})")
        if latest_event is None or when > latest_event[1]:
            latest_event = (location, when)
    if death is not None and born is not None and death < born:
        yield Problem("patient.death_date", str(death), f"a date after birth ({born})")
    follow_up = patient.last_follow_up
    if follow_up is not None:
        if latest_event is not None and follow_up < latest_event[1]:
            yield Problem(
                "patient.last_follow_up",
                str(follow_up),
                f"a date on or after the last event ({latest_event[0]} on {latest_event[1]})",
            )
        if death is not None and follow_up > death:
            yield Problem(
                "patient.last_follow_up", str(follow_up), f"no later than death ({death})"
            )
    seen: dict[str, int] = {}
    for i, event in enumerate(record.events):
        if event.id is None:
            continue
        if event.id in seen:
            yield Problem(
                f"events[{i}].id", event.id, f"an id not already used by events[{seen[event.id]}]"
            )
        else:
            seen[event.id] = i
    if record.primary.diagnosed is not None:
        for i, event in enumerate(record.events):
            if isinstance(event, SystemicTherapy) and event.start < record.primary.diagnosed:
                yield Problem(
                    f"events[{i}].start",
                    str(event.start),
                    f"a start on or after the diagnosis ({record.primary.diagnosed})",
                )
