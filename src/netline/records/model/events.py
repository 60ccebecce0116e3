"""Treatment events: surgery, local therapy, systemic therapy and other medications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from netline.records.model._base import Identifier, _Model
from netline.records.model.tumour import Histology, RegionalNodes
from netline.records.vocabulary import (
    Agent,
    AgentClass,
    LocalTherapyModality,
    LocalTherapyTarget,
    Margin,
    MedicationDrug,
    MedicationPurpose,
    Organ,
    ReasonStopped,
    SurgeryIntent,
    SurgicalProcedure,
    agent_info,
    resolve_agent,
    resolve_medication,
)

__all__ = [
    "Cycle",
    "Dose",
    "LocalTherapy",
    "Medication",
    "Surgery",
    "SurgicalPathology",
    "SystemicTherapy",
]


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
    """A liver-directed or other local therapy, with what it was aimed at.

    ``target`` says whether the primary, a metastasis, a regional node or a local recurrence
    was treated; ``organ`` where; ``lesions`` the ids of the treated lesions (as measured on
    the scans) and ``lesion_detail`` the report's description (e.g. "segment 7, 18 mm").
    """

    type: Literal["local_therapy"] = "local_therapy"
    date: dt.date
    modality: LocalTherapyModality
    organ: Organ = Organ.LIVER
    target: LocalTherapyTarget = LocalTherapyTarget.UNKNOWN
    lesions: list[Identifier] = Field(default_factory=list)
    lesion_detail: str | None = None
    lesions_treated: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _target_fits_organ(self) -> LocalTherapy:
        if self.target is LocalTherapyTarget.PRIMARY and self.organ is not Organ.PANCREAS:
            raise PydanticCustomError(
                "target_organ", "organ 'pancreas' for a local therapy aimed at the primary"
            )
        if (
            self.lesions
            and self.lesions_treated is not None
            and self.lesions_treated < len(self.lesions)
        ):
            raise PydanticCustomError(
                "lesion_count",
                "lesions_treated ({n}) not below the number of lesion ids ({k})",
                {"n": self.lesions_treated, "k": len(self.lesions)},
            )
        return self


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
    given_for: Literal["antitumour", "syndrome_control"] = Field(
        default="antitumour",
        description=(
            "Why the agent was given: 'syndrome_control' for a somatostatin analogue given only "
            "to control a hormonal syndrome (e.g. short-acting octreotide before an insulinoma "
            "is removed). Such an episode does not make a later resection post-therapy (yp)."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> SystemicTherapy:
        if self.agent_class is AgentClass.SUPPORTIVE:
            raise PydanticCustomError(
                "supportive_agent",
                "an antitumour agent; record {agent} as a 'medication' event "
                "(syndrome control or supportive care), which is never a line of therapy",
                {"agent": self.agent.value},
            )
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


def _drug(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, MedicationDrug):
        resolved = resolve_medication(value)
        if resolved is None:
            if resolve_agent(value) is not None:
                raise PydanticCustomError(
                    "antitumour_medication",
                    "a syndrome-control or supportive drug; record {name} as systemic_therapy",
                    {"name": value},
                )
            raise PydanticCustomError(
                "unknown_drug",
                "a known drug, e.g. pantoprazole, diazoxide, hydrocortisone, or 'other' "
                "with the name in 'name'",
            )
        return resolved
    return value


KnownDrug = Annotated[MedicationDrug, BeforeValidator(_drug)]


class Medication(_Event):
    """A syndrome-control or supportive medication (proton-pump inhibitor, diazoxide, ...).

    Never a line of therapy: antitumour agents, somatostatin analogues included, are
    :class:`SystemicTherapy`.
    """

    type: Literal["medication"] = "medication"
    drug: KnownDrug
    name: str | None = None
    purpose: MedicationPurpose = MedicationPurpose.SYNDROME_CONTROL
    start: dt.date
    stop: dt.date | None = None
    dose: Dose | None = None
    schedule: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Medication:
        if self.stop is not None and self.stop < self.start:
            raise PydanticCustomError(
                "stop_before_start",
                "'stop' ({stop}) on or after 'start' ({start})",
                {"stop": str(self.stop), "start": str(self.start)},
            )
        if self.drug is MedicationDrug.OTHER and not self.name:
            raise PydanticCustomError("drug_name", "a 'name' for drug 'other'")
        return self

    @property
    def date(self) -> dt.date:
        """The start date."""
        return self.start

    @property
    def until(self) -> dt.date:
        """The stop date, or the start."""
        return self.stop or self.start

    @property
    def label(self) -> str:
        """The drug's name for people."""
        return self.name or self.drug.value.replace("_", " ")
