"""Pydantic models of the evidence knowledge base (the schema of ``data/*.yaml``).

Every model is frozen and forbids unknown keys, so a typo in a YAML file is an error and a
loaded knowledge base cannot be changed by accident.

Provenance
----------
Every fact carries a reference key (``ref``) and a verification status (``status``):

* ``verified``: checked against the text of the cited source (the ``[V]`` tag of the project's
  knowledge file);
* ``recalled``: from the named source as recalled, text not checked (``[R]``);
* ``uncertain``: could not be confirmed, or conflicting (``[U]``).

A figure that was read in a *secondary* document (the review or the case report that netline is
built from) names the primary paper in ``ref`` and the document it was read in in
``reported_in``; its status then says how it was checked against ``reported_in``.

Provenance attaches to the smallest sourced unit: a :class:`Quantity` (one number, its
confidence interval and its alternatives), or a block whose numbers all come from one place
(a trial population, a dose specification, an eligibility criterion, a published case).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from netline.records.vocabulary import (
    AGENTS,
    Agent,
    AgentClass,
    Differentiation,
    FunctioningSyndrome,
    LocalTherapyModality,
    Margin,
    SurgicalProcedure,
)

__all__ = [
    "FIELDS",
    "AdministrationRule",
    "AgentCombination",
    "Arm",
    "ArmRole",
    "ArmValue",
    "Burden",
    "CaseResponse",
    "CaseSeries",
    "CasesFile",
    "Characteristic",
    "Comparison",
    "Condition",
    "Criterion",
    "CriterionKind",
    "DecisionRule",
    "DiseaseCourse",
    "DoseAction",
    "DoseModificationRule",
    "DoseSpec",
    "DoseUnit",
    "EffectMeasure",
    "Endpoint",
    "EndpointKind",
    "FactorLevel",
    "FieldSpec",
    "FunctioningScope",
    "Grade",
    "GradeBand",
    "Guideline",
    "GuidelineStatement",
    "GuidelinesFile",
    "IntRange",
    "ModeOfAction",
    "MonitoringItem",
    "Operator",
    "Option",
    "Population",
    "Preference",
    "PretreatmentStep",
    "Profile",
    "ProfileKind",
    "ProfilesFile",
    "PrognosticFactor",
    "PublishedCase",
    "Qualifier",
    "Quantity",
    "Range",
    "Reference",
    "ReferenceKind",
    "ReferencesFile",
    "Report",
    "ResponseCriteria",
    "Route",
    "SafetyItem",
    "SiteGroup",
    "Sourced",
    "StepKind",
    "Strategy",
    "Subgroup",
    "SubgroupCriteria",
    "SubgroupDimension",
    "Surgery",
    "Test",
    "TherapiesFile",
    "Therapy",
    "TherapyKind",
    "Toxicity",
    "ToxicityKind",
    "Trial",
    "TrialDesign",
    "TrialsFile",
    "Unit",
    "Verification",
    "describe_criteria",
    "prior_classes_match",
]

_ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- vocabularies


class Verification(StrEnum):
    """How a fact was checked against its source (the knowledge file's [V]/[R]/[U] tags)."""

    VERIFIED = "verified"
    RECALLED = "recalled"
    UNCERTAIN = "uncertain"

    @property
    def rank(self) -> int:
        """Order from best (0, verified) to worst (2, uncertain)."""
        return {"verified": 0, "recalled": 1, "uncertain": 2}[self.value]

    @classmethod
    def worst(cls, statuses: list[Verification]) -> Verification:
        """Return the least certain of several statuses (``verified`` for none)."""
        return max(statuses, key=lambda s: s.rank, default=cls.VERIFIED)


class Unit(StrEnum):
    """Units of the numbers in the knowledge base."""

    MONTHS = "months"
    WEEKS = "weeks"
    DAYS = "days"
    HOURS = "hours"
    MINUTES = "minutes"
    YEARS = "years"
    PERCENT = "percent"
    RATIO = "ratio"
    P_VALUE = "p"
    PATIENTS = "patients"
    COUNT = "count"
    GBQ = "GBq"
    MEV = "MeV"
    KEV = "keV"
    MM = "mm"


class Qualifier(StrEnum):
    """How a stated number relates to the truth (``≈`` marks an approximate figure)."""

    EQ = "="
    APPROX = "≈"
    LT = "<"
    GT = ">"
    LE = "≤"
    GE = "≥"


class DoseUnit(StrEnum):
    """Units of a dose."""

    MG = "mg"
    MG_M2 = "mg/m2"
    GBQ = "GBq"
    MILLION_UNITS = "MU"
    AUC = "AUC"


class Route(StrEnum):
    """Route of administration or access of a therapy."""

    ORAL = "oral"
    INTRAMUSCULAR = "intramuscular"
    DEEP_SUBCUTANEOUS = "deep_subcutaneous"
    SUBCUTANEOUS = "subcutaneous"
    INTRAVENOUS = "intravenous"
    INTRA_ARTERIAL = "intra_arterial"
    PERCUTANEOUS_OR_OPERATIVE = "percutaneous_or_operative"
    SURGICAL = "surgical"


class TherapyKind(StrEnum):
    """What a therapy entry is."""

    SYSTEMIC = "systemic"
    REGIMEN = "regimen"
    LOCAL = "local"


class AgentCombination(StrEnum):
    """How the agents of a therapy combine: all given (a regimen) or any one of them."""

    ALL = "all"
    ANY = "any"


class SiteGroup(StrEnum):
    """Coarse primary-site groups used for trial populations and guideline conditions."""

    PANCREAS = "pancreas"
    MIDGUT = "midgut"
    FOREGUT_GI = "foregut_gi"
    HINDGUT = "hindgut"
    LUNG = "lung"
    UNKNOWN_PRIMARY = "unknown_primary"
    OTHER = "other"


class Grade(StrEnum):
    """WHO grade of a neuroendocrine neoplasm (NEC is poorly differentiated)."""

    G1 = "G1"
    G2 = "G2"
    G3 = "G3"
    NEC = "NEC"


class FunctioningScope(StrEnum):
    """Which tumours a population admits with respect to hormonal syndromes."""

    NON_FUNCTIONING = "non_functioning"
    FUNCTIONING = "functioning"
    ANY = "any"


class TrialDesign(StrEnum):
    """Study design."""

    RANDOMISED_CONTROLLED = "randomised_controlled"
    RANDOMISED_NON_COMPARATIVE = "randomised_non_comparative"
    SINGLE_ARM = "single_arm"
    RETROSPECTIVE = "retrospective"
    REGISTRY = "registry"


class ArmRole(StrEnum):
    """Role of an arm in its trial."""

    EXPERIMENTAL = "experimental"
    CONTROL = "control"
    SINGLE = "single"
    COHORT = "cohort"


class EndpointKind(StrEnum):
    """Kinds of endpoints; time endpoints are medians in months, rates are percentages."""

    PFS = "pfs"
    PFS2 = "pfs2"
    OS = "os"
    TTP = "ttp"
    TIME_TO_FURTHER_PROGRESSION = "time_to_further_progression"
    ORR = "orr"
    DCR = "dcr"
    CBR = "cbr"
    PFS_RATE = "pfs_rate"
    SD_RATE = "sd_rate"
    PR_RATE = "pr_rate"
    PD_RATE = "pd_rate"
    DEATH_RATE = "death_rate"

    @property
    def is_time(self) -> bool:
        """Whether the endpoint is a time (reported as a median in months)."""
        return self in _TIME_ENDPOINTS


_TIME_ENDPOINTS = frozenset(
    {
        EndpointKind.PFS,
        EndpointKind.PFS2,
        EndpointKind.OS,
        EndpointKind.TTP,
        EndpointKind.TIME_TO_FURTHER_PROGRESSION,
    }
)


class EffectMeasure(StrEnum):
    """Relative effect measures; below 1 favours the experimental arm."""

    HR = "hr"
    OR = "or"


class GradeBand(StrEnum):
    """CTCAE grade band of a safety figure."""

    ANY = "any"
    GRADE_3_4 = "grade_3_4"
    GRADE_3_PLUS = "grade_3_plus"


class SubgroupDimension(StrEnum):
    """What a subgroup is defined by."""

    PRIOR_THERAPY = "prior_therapy"
    PRIOR_SSA = "prior_ssa"
    PRIOR_LINES = "prior_lines"
    LINE = "line"
    SITE = "site"
    COHORT = "cohort"
    OTHER = "other"


class Burden(StrEnum):
    """Tumour burden as guidelines phrase it."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class DiseaseCourse(StrEnum):
    """Pace of the disease as guidelines phrase it."""

    STABLE = "stable"
    SLOWLY_PROGRESSIVE = "slowly_progressive"
    PROGRESSIVE = "progressive"
    RAPIDLY_PROGRESSIVE = "rapidly_progressive"


class Preference(StrEnum):
    """Strength with which a guideline statement offers an option."""

    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    OPTION = "option"
    RESERVED = "reserved"
    NOT_RECOMMENDED = "not_recommended"


class Strategy(StrEnum):
    """Non-drug strategies a guideline statement can offer."""

    WATCH_AND_WAIT = "watch_and_wait"
    LIVER_DIRECTED_THERAPY = "liver_directed_therapy"
    SURGERY_IF_RESECTABLE = "surgery_if_resectable"
    LIVER_RESECTION = "liver_resection"
    DEBULKING = "debulking"
    REASSESS_RESECTABILITY = "reassess_resectability"
    SYNDROME_CONTROL_FIRST = "syndrome_control_first"
    GLUCOSE_CONTROL = "glucose_control"
    ACID_SUPPRESSION = "acid_suppression"
    SSA_PERIPROCEDURAL_COVER = "ssa_periprocedural_cover"
    ESCALATE_THERAPY = "escalate_therapy"


class ReferenceKind(StrEnum):
    """Kinds of sources."""

    JOURNAL_ARTICLE = "journal_article"
    CONGRESS_ABSTRACT = "congress_abstract"
    GUIDELINE = "guideline"
    DRUG_LABEL = "drug_label"
    REGISTRY_ENTRY = "registry_entry"
    WEB_PAGE = "web_page"
    STANDARD = "standard"


class Operator(StrEnum):
    """Comparison operators of a criterion: the criterion holds when ``value OP threshold``."""

    GE = "ge"
    GT = "gt"
    LE = "le"
    LT = "lt"
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"


class CriterionKind(StrEnum):
    """What failing a criterion means.

    ``hard``: the patient is ineligible (a contraindication or an entry criterion);
    ``relative``: use with caution (a relative contraindication);
    ``population``: the patient lies outside the population studied, so the evidence is
    extrapolated.
    """

    HARD = "hard"
    RELATIVE = "relative"
    POPULATION = "population"


class ProfileKind(StrEnum):
    """Kinds of eligibility and dosing profiles."""

    PRRT_ELIGIBILITY = "prrt_eligibility"
    DOSE_MODIFICATION = "dose_modification"
    LIVER_RESECTION = "liver_resection"
    LIVER_DEBULKING = "liver_debulking"
    HEPATECTOMY_EXTENT = "hepatectomy_extent"
    LIVER_TRANSPLANT = "liver_transplant"


class ToxicityKind(StrEnum):
    """Toxicity categories of dose-modification rules."""

    THROMBOCYTOPENIA = "thrombocytopenia"
    ANAEMIA_OR_NEUTROPENIA = "anaemia_or_neutropenia"
    LYMPHOPENIA = "lymphopenia"
    RENAL = "renal"
    HEPATIC = "hepatic"
    HYPERSENSITIVITY = "hypersensitivity"
    OTHER = "other"


class DoseAction(StrEnum):
    """What a dose-modification rule tells the team to do."""

    WITHHOLD = "withhold"
    PREMEDICATE = "premedicate"
    DISCONTINUE = "discontinue"
    NO_MODIFICATION = "no_modification"


class CaseResponse(StrEnum):
    """Response categories as printed in the case report's Table 1."""

    CR = "CR"
    PR_CR = "PR-CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"

    @property
    def is_objective_response(self) -> bool:
        """Whether the category is a complete or partial response (PR-CR counts)."""
        return self in (CaseResponse.CR, CaseResponse.PR_CR, CaseResponse.PR)


class StepKind(StrEnum):
    """Kinds of steps in a published case's pre-treatment."""

    RADIOLIGAND = "radioligand"
    SSA = "ssa"
    CHEMOTHERAPY = "chemotherapy"
    SURGERY = "surgery"
    LOCAL_THERAPY = "local_therapy"


# --------------------------------------------------------------------------- provenance


class Sourced(_Model):
    """A fact with its source: a reference key and a verification status."""

    ref: str = Field(min_length=1)
    status: Verification
    reported_in: str | None = None
    see_also: tuple[str, ...] = ()
    note: str | None = None


class Report(Sourced):
    """One stated figure: a value, a range stated instead of a value, or 'not reached'.

    Exactly one of ``value``, ``bounds`` and ``not_reached`` is given. ``ci`` is the 95 %
    confidence interval; ``ci_status`` is its own verification status where it differs from
    the value's (e.g. a verified hazard ratio whose interval is recalled).
    """

    value: int | float | None = None
    bounds: tuple[int | float, int | float] | None = None
    not_reached: bool = False
    qualifier: Qualifier = Qualifier.EQ
    ci: tuple[int | float, int | float] | None = None
    ci_status: Verification | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Report:
        given = (self.value is not None) + (self.bounds is not None) + self.not_reached
        if given != 1:
            raise ValueError("give exactly one of value, bounds or not_reached: true")
        if self.ci_status is not None and self.ci is None:
            raise ValueError("ci_status is given but there is no ci")
        for number in (self.value, *(self.bounds or ()), *(self.ci or ())):
            if number is not None and not math.isfinite(number):
                raise ValueError("numbers must be finite")
        return self

    @property
    def effective_ci_status(self) -> Verification | None:
        """The verification status of the interval (``None`` without one)."""
        if self.ci is None:
            return None
        return self.ci_status or self.status

    @property
    def worst_status(self) -> Verification:
        """The least certain of the value's and the interval's statuses."""
        ci_status = self.effective_ci_status
        return Verification.worst([self.status] + ([ci_status] if ci_status else []))

    @property
    def point(self) -> float | None:
        """The point estimate, ``inf`` for not reached, ``None`` for a range."""
        if self.not_reached:
            return math.inf
        return None if self.value is None else float(self.value)


class Quantity(Report):
    """A number with unit, source, verification status, and any conflicting reports.

    ``alternatives`` holds the same quantity as stated by another source; ``conflict`` says in
    words what disagrees (and may stand alone when a figure could not be found in the
    primary source at all).
    """

    unit: Unit
    alternatives: tuple[Report, ...] = ()
    conflict: str | None = None

    @property
    def in_conflict(self) -> bool:
        """Whether another source disagrees or the figure is disputed."""
        return bool(self.alternatives) or self.conflict is not None

    @property
    def verified(self) -> bool:
        """Whether the value and its interval are verified and nothing disputes them."""
        return self.worst_status is Verification.VERIFIED and not self.in_conflict


class Characteristic(_Model):
    """A labelled number (a population characteristic, an outcome, a physical constant)."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    value: Quantity


class Range(_Model):
    """A numeric interval; open ends are ``None``."""

    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        if self.min is not None and (
            value < self.min or (value == self.min and not self.min_inclusive)
        ):
            return False
        return not (
            self.max is not None
            and (value > self.max or (value == self.max and not self.max_inclusive))
        )

    def __str__(self) -> str:
        low = "" if self.min is None else f"{'≥' if self.min_inclusive else '>'} {self.min:g}"
        high = "" if self.max is None else f"{'≤' if self.max_inclusive else '<'} {self.max:g}"
        return " and ".join(part for part in (low, high) if part)


class IntRange(_Model):
    """An inclusive integer interval; open ends are ``None``."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def contains(self, value: int) -> bool:
        """Whether ``value`` lies in the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def __str__(self) -> str:
        if self.min == self.max:
            return str(self.min)
        if self.max is None:
            return f"≥ {self.min}"
        if self.min is None:
            return f"≤ {self.max}"
        return f"{self.min}–{self.max}"


# --------------------------------------------------------------------------- references


class Reference(_Model):
    """A bibliographic source. ``status`` says how the citation details were checked.

    DOIs and PMIDs are given only where they were read in a source; never guessed.
    """

    key: str = Field(pattern=_ID_PATTERN)
    kind: ReferenceKind
    authors: tuple[str, ...] = Field(min_length=1)
    et_al: bool = False
    title: str | None = None
    source: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    pmid: str | None = Field(default=None, pattern=r"^\d{1,9}$")
    url: str | None = None
    status: Verification
    note: str | None = None

    def citation(self) -> str:
        """Return a one-line citation (Vancouver-like)."""
        authors = ", ".join(self.authors) + (", et al." if self.et_al else "")
        parts = [authors if authors.endswith(".") else authors + "."]
        if self.title:
            title = self.title.rstrip(".")
            parts.append(title if title.endswith(("?", "!")) else title + ".")
        where = f"{self.source} {self.year}"
        if self.volume:
            where += f";{self.volume}"
            if self.issue:
                where += f"({self.issue})"
        if self.pages:
            where += f":{self.pages}"
        parts.append(where + ".")
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID {self.pmid}")
        return " ".join(parts)


class ReferencesFile(_Model):
    """``references.yaml``."""

    version: str = Field(min_length=1)
    references: tuple[Reference, ...]


# --------------------------------------------------------------------------- therapies


class DoseSpec(Sourced):
    """A dose and schedule of one agent, as one sourced fact."""

    agent: Agent
    amount: float | None = Field(default=None, gt=0)
    amount_max: float | None = Field(default=None, gt=0)
    unit: DoseUnit | None = None
    frequency: str
    interval_days: float | None = Field(default=None, gt=0)
    days: str | None = None
    cycles_max: int | None = Field(default=None, ge=1)
    duration: str | None = None
    route: Route

    @model_validator(mode="after")
    def _unit_with_amount(self) -> DoseSpec:
        if (self.amount is None) != (self.unit is None):
            raise ValueError("amount and unit go together")
        if self.amount_max is not None and (self.amount is None or self.amount_max < self.amount):
            raise ValueError("amount_max needs amount and must not be below it")
        return self

    def describe(self) -> str:
        """Return the dose in words, e.g. ``"everolimus 10 mg once daily (oral)"``."""
        label = AGENTS[self.agent].label
        amount = ""
        if self.amount is not None and self.unit is not None:
            upper = f"-{self.amount_max:g}" if self.amount_max is not None else ""
            amount = f" {self.amount:g}{upper} {self.unit.value}"
        extras = [x for x in (self.days, self.duration) if x]
        if self.cycles_max:
            extras.append(f"up to {self.cycles_max} cycles")
        tail = f"; {'; '.join(extras)}" if extras else ""
        return f"{label}{amount} {self.frequency}{tail} ({self.route.value.replace('_', ' ')})"


class ModeOfAction(Sourced):
    """Mechanism and molecular targets of a therapy."""

    mechanism: str
    targets: tuple[str, ...] = ()


class Toxicity(Sourced):
    """A key toxicity of a therapy, with its incidence where a source gives one."""

    term: str
    grade: GradeBand = GradeBand.ANY
    incidence_percent: float | None = Field(default=None, ge=0, le=100)


class MonitoringItem(Sourced):
    """Something to monitor during a therapy."""

    item: str


class Therapy(_Model):
    """A systemic agent, a regimen, or a local therapy.

    Systemic therapies and regimens list the canonical agent identifiers of
    :class:`netline.records.vocabulary.Agent`; their mode-of-action classes follow from there.
    """

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    kind: TherapyKind
    synonyms: tuple[str, ...] = ()
    agents: tuple[Agent, ...] = ()
    combination: AgentCombination = AgentCombination.ALL
    local_modality: LocalTherapyModality | None = None
    procedures: tuple[SurgicalProcedure, ...] = ()
    route: Route
    mode_of_action: ModeOfAction
    doses: tuple[DoseSpec, ...] = ()
    toxicities: tuple[Toxicity, ...] = ()
    monitoring: tuple[MonitoringItem, ...] = ()
    facts: tuple[Characteristic, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _shape(self) -> Therapy:
        if self.kind is TherapyKind.LOCAL:
            if self.agents:
                raise ValueError("a local therapy lists no agents")
            if self.local_modality is None and not self.procedures:
                raise ValueError("a local therapy needs local_modality or procedures")
        else:
            if not self.agents:
                raise ValueError("a systemic therapy or regimen lists its agents")
            if self.kind is TherapyKind.REGIMEN and (
                len(self.agents) < 2 or self.combination is not AgentCombination.ALL
            ):
                raise ValueError("a regimen combines at least two agents (combination: all)")
        for dose in self.doses:
            if dose.agent not in self.agents:
                raise ValueError(f"dose of {dose.agent.value!r}, which is not among the agents")
        return self

    @property
    def agent_classes(self) -> tuple[AgentClass, ...]:
        """The mode-of-action classes of the agents, in order, without repeats."""
        return tuple(dict.fromkeys(AGENTS[agent].agent_class for agent in self.agents))


class TherapiesFile(_Model):
    """``therapies.yaml``."""

    version: str = Field(min_length=1)
    therapies: tuple[Therapy, ...]


# --------------------------------------------------------------------------- trials


class Population(Sourced):
    """Who a trial enrolled. ``None`` or empty fields were not restricted (or not stated)."""

    description: str
    sites: tuple[SiteGroup, ...] = Field(min_length=1)
    differentiation: Differentiation | None = None
    grades: tuple[Grade, ...] = ()
    ki67_percent: Range | None = None
    sstr_required: bool | None = None
    functioning: FunctioningScope | None = None
    progression_required: bool | None = None
    progression_window_months: float | None = Field(default=None, gt=0)
    prior_lines: IntRange | None = None
    line: IntRange | None = None
    prior_classes_required: tuple[AgentClass, ...] = ()
    prior_classes_excluded: tuple[AgentClass, ...] = ()
    prior_agents_excluded: tuple[Agent, ...] = ()
    characteristics: tuple[Characteristic, ...] = ()

    @property
    def pancreatic_only(self) -> bool:
        """Whether only pancreatic primaries were enrolled."""
        return self.sites == (SiteGroup.PANCREAS,)


class Arm(_Model):
    """One arm of a trial; ``therapies`` are therapy identifiers of ``therapies.yaml``."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    role: ArmRole
    therapies: tuple[str, ...] = ()
    placebo: bool = False
    doses: tuple[DoseSpec, ...] = ()
    n: Quantity | None = None
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _something_given(self) -> Arm:
        if not self.therapies and not self.placebo:
            raise ValueError("an arm gives therapies or is a placebo arm")
        return self


class ArmValue(_Model):
    """The value of an endpoint or safety figure in one arm (``pooled``: all arms together)."""

    arm: str
    value: Quantity


class Comparison(_Model):
    """A relative effect between two arms; below 1 favours ``experimental``."""

    measure: EffectMeasure | None = None
    experimental: str
    control: str
    estimate: Quantity | None = None
    p_value: Quantity | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _something_given(self) -> Comparison:
        if self.estimate is None and self.p_value is None:
            raise ValueError("a comparison gives an estimate or a p-value")
        if (self.estimate is None) != (self.measure is None):
            raise ValueError("an estimate needs its measure (hr or or), and a measure its estimate")
        if self.experimental == self.control:
            raise ValueError("experimental and control must differ")
        return self


class Endpoint(_Model):
    """An endpoint with its per-arm values and comparisons."""

    id: str = Field(pattern=_ID_PATTERN)
    kind: EndpointKind
    label: str | None = None
    primary: bool = False
    timepoint_months: float | None = Field(default=None, gt=0)
    population: str | None = None
    values: tuple[ArmValue, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _something_given(self) -> Endpoint:
        if not self.values and not self.comparisons:
            raise ValueError("an endpoint gives values or comparisons")
        return self

    def value_for(self, arm: str) -> Quantity | None:
        """Return the value in ``arm``, if given."""
        return next((v.value for v in self.values if v.arm == arm), None)

    @property
    def hazard_ratio(self) -> Comparison | None:
        """The first hazard-ratio comparison, if any."""
        return next((c for c in self.comparisons if c.measure is EffectMeasure.HR), None)


class SubgroupCriteria(_Model):
    """Structured definition of a subgroup; empty or ``None`` fields do not restrict."""

    prior_classes_all: tuple[AgentClass, ...] = ()
    prior_classes_any: tuple[AgentClass, ...] = ()
    prior_classes_none: tuple[AgentClass, ...] = ()
    prior_lines: IntRange | None = None
    sites: tuple[SiteGroup, ...] = ()


def describe_criteria(criteria: SubgroupCriteria) -> str:
    """Return a subgroup's definition in words (``"prior: ssa"``)."""
    parts = []
    if criteria.prior_classes_all:
        parts.append("prior: " + ", ".join(c.value for c in criteria.prior_classes_all))
    if criteria.prior_classes_any:
        parts.append("prior any of: " + ", ".join(c.value for c in criteria.prior_classes_any))
    if criteria.prior_classes_none:
        parts.append("no prior: " + ", ".join(c.value for c in criteria.prior_classes_none))
    if criteria.prior_lines is not None:
        parts.append(f"prior lines {criteria.prior_lines}")
    if criteria.sites:
        parts.append("site: " + ", ".join(s.value for s in criteria.sites))
    return "; ".join(parts) or "(not restricted)"


class Subgroup(_Model):
    """A subgroup (or a separately randomised cohort) with its own endpoints."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    dimension: SubgroupDimension
    criteria: SubgroupCriteria = SubgroupCriteria()
    n: Quantity | None = None
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()


class FactorLevel(_Model):
    """One level of a prognostic factor with its outcome."""

    label: str
    value: Quantity


class PrognosticFactor(_Model):
    """A factor whose levels differ in outcome regardless of arm (or within one arm)."""

    id: str = Field(pattern=_ID_PATTERN)
    factor: str
    endpoint: EndpointKind
    levels: tuple[FactorLevel, ...] = ()
    effect: Quantity | None = None
    p_value: Quantity | None = None
    notes: tuple[str, ...] = ()


class SafetyItem(_Model):
    """An adverse event (or a delivery figure) by arm."""

    id: str = Field(pattern=_ID_PATTERN)
    event: str
    grade: GradeBand = GradeBand.ANY
    values: tuple[ArmValue, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()


class ResponseCriteria(Sourced):
    """Response criteria used by a trial."""

    name: str
    version: str


class Trial(Sourced):
    """A trial or cohort study. ``ref`` is the primary reference; ``status`` covers the design."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    aliases: tuple[str, ...] = ()
    registry_ids: tuple[str, ...] = ()
    design: TrialDesign
    phase: Literal["I", "II", "III"] | None = None
    blinding: str | None = None
    n: Quantity
    population: Population
    arms: tuple[Arm, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    subgroups: tuple[Subgroup, ...] = ()
    prognostic_factors: tuple[PrognosticFactor, ...] = ()
    safety: tuple[SafetyItem, ...] = ()
    response_criteria: ResponseCriteria | None = None
    facts: tuple[Characteristic, ...] = ()
    notes: tuple[str, ...] = ()

    def arm(self, arm_id: str) -> Arm | None:
        """Return the arm with this identifier, if any."""
        return next((a for a in self.arms if a.id == arm_id), None)

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        """Return the top-level endpoint with this identifier, if any."""
        return next((e for e in self.endpoints if e.id == endpoint_id), None)


class TrialsFile(_Model):
    """``trials.yaml``."""

    version: str = Field(min_length=1)
    trials: tuple[Trial, ...]


# --------------------------------------------------------------------------- guidelines


class Guideline(_Model):
    """A guideline document; ``status`` says how its recommendations were checked."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    organisation: str
    year: int = Field(ge=1990, le=2100)
    ref: str
    see_also: tuple[str, ...] = ()
    scope: str
    status: Verification
    note: str | None = None


class Condition(_Model):
    """When a guideline statement applies; every given field must hold (``any_of``: one of).

    Fields left empty or ``None`` do not restrict. Keys of the facts that
    :meth:`evaluate` reads are the field names below, with single values for the patient
    (``site``, ``grade``, ``ki67_percent``, ``functioning`` ...; ``prior_classes`` is a set of
    :class:`AgentClass`).
    """

    sites: tuple[SiteGroup, ...] = ()
    differentiation: Differentiation | None = None
    grades: tuple[Grade, ...] = ()
    ki67_percent: Range | None = None
    sstr_positive: bool | None = None
    fdg_sstr_discordant: bool | None = None
    functioning: tuple[FunctioningSyndrome, ...] = ()
    symptomatic: bool | None = None
    tumour_burden: tuple[Burden, ...] = ()
    hepatic_burden_percent: Range | None = None
    disease_course: tuple[DiseaseCourse, ...] = ()
    prior_classes_all: tuple[AgentClass, ...] = ()
    prior_classes_any: tuple[AgentClass, ...] = ()
    prior_classes_none: tuple[AgentClass, ...] = ()
    prior_non_ssa_lines: IntRange | None = None
    line: IntRange | None = None
    resectable: bool | None = None
    objective_response: bool | None = None
    any_of: tuple[Condition, ...] = ()

    def evaluate(self, facts: Mapping[str, object]) -> bool | None:
        """Whether the condition holds for a patient's facts; ``None`` when facts are missing.

        Parameters
        ----------
        facts : Mapping[str, object]
            Patient facts by name: ``site`` (:class:`SiteGroup`), ``differentiation``,
            ``grade`` (:class:`Grade`), ``ki67_percent``, ``sstr_positive``,
            ``fdg_sstr_discordant``, ``functioning`` (:class:`FunctioningSyndrome`),
            ``symptomatic``, ``tumour_burden`` (:class:`Burden`), ``hepatic_burden_percent``,
            ``disease_course`` (:class:`DiseaseCourse`), ``prior_classes`` (set of
            :class:`AgentClass`), ``prior_non_ssa_lines``, ``line``, ``resectable``,
            ``objective_response``.

        Returns
        -------
        bool or None
            ``False`` as soon as one known fact fails; ``True`` when all hold; ``None`` when
            nothing fails but some needed fact is missing.
        """
        results = [check(facts) for check in self._checks()]
        if self.any_of:
            branches = [branch.evaluate(facts) for branch in self.any_of]
            results.append(
                True if any(b is True for b in branches) else None if None in branches else False
            )
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True

    def describe(self) -> list[str]:
        """Return the condition as short phrases, one per restricting field."""
        parts: list[str] = []
        lists: list[tuple[str, tuple[StrEnum, ...]]] = [
            ("site", self.sites),
            ("grade", self.grades),
            ("functioning", self.functioning),
            ("tumour burden", self.tumour_burden),
            ("course", self.disease_course),
        ]
        for name, values in lists:
            if values:
                parts.append(f"{name} in {{{', '.join(v.value for v in values)}}}")
        flags: list[tuple[str, object]] = [
            ("differentiation", self.differentiation.value if self.differentiation else None),
            ("SSTR-positive", self.sstr_positive),
            ("FDG/SSTR-discordant lesions", self.fdg_sstr_discordant),
            ("symptomatic", self.symptomatic),
            ("resectable", self.resectable),
            ("objective response", self.objective_response),
        ]
        parts += [f"{name}: {value}" for name, value in flags if value is not None]
        ranges: list[tuple[str, Range | IntRange | None]] = [
            ("Ki-67 %", self.ki67_percent),
            ("hepatic burden %", self.hepatic_burden_percent),
            ("prior non-SSA lines", self.prior_non_ssa_lines),
            ("line", self.line),
        ]
        parts += [f"{name} {interval}" for name, interval in ranges if interval is not None]
        if self.prior_classes_all:
            parts.append("prior: " + ", ".join(c.value for c in self.prior_classes_all))
        if self.prior_classes_any:
            parts.append("prior any of: " + ", ".join(c.value for c in self.prior_classes_any))
        if self.prior_classes_none:
            parts.append("no prior: " + ", ".join(c.value for c in self.prior_classes_none))
        if self.any_of:
            branches = [" and ".join(branch.describe()) for branch in self.any_of]
            parts.append("any of: (" + ") or (".join(branches) + ")")
        return parts

    def _checks(self) -> list[_Check]:
        checks: list[_Check] = []
        members: list[tuple[str, tuple[object, ...]]] = [
            ("site", self.sites),
            ("grade", self.grades),
            ("functioning", self.functioning),
            ("tumour_burden", self.tumour_burden),
            ("disease_course", self.disease_course),
        ]
        for key, allowed in members:
            if allowed:
                checks.append(_member(key, allowed))
        flags: list[tuple[str, object]] = [
            ("differentiation", self.differentiation),
            ("sstr_positive", self.sstr_positive),
            ("fdg_sstr_discordant", self.fdg_sstr_discordant),
            ("symptomatic", self.symptomatic),
            ("resectable", self.resectable),
            ("objective_response", self.objective_response),
        ]
        for key, expected in flags:
            if expected is not None:
                checks.append(_member(key, (expected,)))
        for key, interval in (
            ("ki67_percent", self.ki67_percent),
            ("hepatic_burden_percent", self.hepatic_burden_percent),
            ("prior_non_ssa_lines", self.prior_non_ssa_lines),
            ("line", self.line),
        ):
            if interval is not None:
                checks.append(_within(key, interval))
        if self.prior_classes_all or self.prior_classes_any or self.prior_classes_none:
            checks.append(
                _prior(
                    set(self.prior_classes_all),
                    set(self.prior_classes_any),
                    set(self.prior_classes_none),
                )
            )
        return checks


_Check = Callable[[Mapping[str, object]], bool | None]


def _member(key: str, allowed: tuple[object, ...]) -> _Check:
    def check(facts: Mapping[str, object]) -> bool | None:
        value = facts.get(key)
        return None if value is None else value in allowed

    return check


def _within(key: str, interval: Range | IntRange) -> _Check:
    def check(facts: Mapping[str, object]) -> bool | None:
        value = facts.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float):
            return False
        if isinstance(interval, IntRange):
            return interval.contains(int(value))
        return interval.contains(float(value))

    return check


def _prior(required: set[AgentClass], some: set[AgentClass], excluded: set[AgentClass]) -> _Check:
    def check(facts: Mapping[str, object]) -> bool | None:
        value = facts.get("prior_classes")
        if value is None:
            return None
        if not isinstance(value, set | frozenset | list | tuple):
            return False
        given = {AgentClass(v) for v in value}
        return prior_classes_match(given, required, some, excluded)

    return check


def prior_classes_match(
    given: set[AgentClass],
    required: set[AgentClass] | tuple[AgentClass, ...] = (),
    some: set[AgentClass] | tuple[AgentClass, ...] = (),
    excluded: set[AgentClass] | tuple[AgentClass, ...] = (),
) -> bool:
    """Whether prior classes ``given`` include all ``required``, one of ``some``, none excluded."""
    return (
        set(required) <= given
        and (not some or bool(set(some) & given))
        and not (set(excluded) & given)
    )


class Option(_Model):
    """One option of a guideline statement: a therapy, an agent class, or a strategy."""

    therapy: str | None = None
    agent_class: AgentClass | None = None
    strategy: Strategy | None = None
    preference: Preference
    condition: Condition | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Option:
        given = sum(x is not None for x in (self.therapy, self.agent_class, self.strategy))
        if given != 1:
            raise ValueError("an option names exactly one of therapy, agent_class or strategy")
        return self

    @property
    def target(self) -> str:
        """The therapy id, agent class or strategy the option names."""
        return str(self.therapy or self.agent_class or self.strategy)


class GuidelineStatement(_Model):
    """A guideline statement in a form a decision engine can evaluate.

    ``guidelines`` names the guideline documents the statement summarises; ``status`` is how
    the statement's wording and thresholds were checked against them.
    """

    id: str = Field(pattern=_ID_PATTERN)
    guidelines: tuple[str, ...] = Field(min_length=1)
    topic: str
    condition: Condition
    options: tuple[Option, ...] = Field(min_length=1)
    evidence_trials: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    status: Verification
    notes: tuple[str, ...] = ()


class GuidelinesFile(_Model):
    """``guidelines.yaml``."""

    version: str = Field(min_length=1)
    guidelines: tuple[Guideline, ...]
    statements: tuple[GuidelineStatement, ...]


# --------------------------------------------------------------------------- profiles


class FieldSpec(_Model):
    """A patient field that criteria can test: its type and canonical unit."""

    type: Literal["number", "bool", "category"]
    unit: str | None = None
    description: str


FIELDS: dict[str, FieldSpec] = {
    name: FieldSpec(type=kind, unit=unit, description=text)
    for name, kind, unit, text in [
        ("krenning_score", "number", None, "highest SSTR uptake score vs liver/spleen (0-4)"),
        ("sstr_uptake_all_lesions", "bool", None, "uptake >= liver in all target lesions"),
        ("creatinine_clearance_ml_min", "number", "mL/min", "creatinine clearance"),
        ("serum_creatinine_umol_l", "number", "umol/L", "serum creatinine"),
        ("creatinine_rise_percent", "number", "percent", "rise in serum creatinine vs baseline"),
        ("creatinine_clearance_fall_percent", "number", "percent", "fall in CrCl vs baseline"),
        ("haemoglobin_g_dl", "number", "g/dL", "haemoglobin"),
        ("wbc_10e9_l", "number", "10^9/L", "white blood cells"),
        ("platelets_10e9_l", "number", "10^9/L", "platelets"),
        ("bilirubin_x_uln", "number", "x ULN", "total bilirubin as a multiple of the ULN"),
        ("bilirubin_mg_dl", "number", "mg/dL", "total bilirubin"),
        ("albumin_g_dl", "number", "g/dL", "serum albumin"),
        ("albumin_g_l", "number", "g/L", "serum albumin"),
        ("prothrombin_ratio_percent", "number", "percent", "prothrombin ratio"),
        ("prothrombin_time_normal", "bool", None, "prothrombin time within normal limits"),
        ("karnofsky", "number", None, "Karnofsky performance status (0-100)"),
        ("ecog", "number", None, "ECOG performance status (0-5)"),
        ("life_expectancy_months", "number", "months", "estimated life expectancy"),
        ("ki67_percent", "number", "percent", "Ki-67 index"),
        ("grade", "category", None, "WHO grade (G1, G2, G3, NEC)"),
        ("differentiation", "category", None, "well or poorly differentiated"),
        ("site", "category", None, "primary-site group"),
        ("progression_on_ssa", "bool", None, "progression while on a somatostatin analogue"),
        ("pregnant", "bool", None, "pregnancy"),
        ("breastfeeding", "bool", None, "breastfeeding that is not stopped"),
        ("severe_acute_illness", "bool", None, "severe acute concomitant illness"),
        ("ascites_uncontrolled", "bool", None, "ascites not controlled by diuretics"),
        ("icg_r15_percent", "number", "percent", "indocyanine green retention at 15 min"),
        ("child_pugh_class", "category", None, "Child-Pugh class (A, B, C)"),
        ("expected_debulking_percent", "number", "percent", "share of disease removable"),
        ("future_liver_remnant_percent", "number", "percent", "FLR of standardised liver volume"),
        ("extra_abdominal_metastases", "bool", None, "metastases outside the abdomen"),
        ("diffuse_peritoneal_carcinomatosis", "bool", None, "diffuse or unresectable peritoneal"),
        ("unresectable_nodal_disease", "bool", None, "unresectable lymph-node disease"),
        ("primary_resected_or_resectable", "bool", None, "primary resected or resectable"),
        ("right_heart_insufficiency", "bool", None, "right-heart failure (carcinoid heart)"),
        ("expected_mortality_percent", "number", "percent", "expected perioperative mortality"),
        ("primary_portal_drainage", "bool", None, "primary drained by the portal system"),
        ("primary_resected", "bool", None, "primary removed before transplantation"),
        ("liver_involvement_percent", "number", "percent", "share of liver involved by tumour"),
        ("stable_disease_months", "number", "months", "duration of stable disease"),
        ("age_years", "number", "years", "age"),
        ("ctcae_grade", "number", None, "CTCAE grade of the toxicity (1-5)"),
    ]
}


class Test(_Model):
    """``field operator threshold``; holds when the patient's value satisfies it."""

    field: str
    operator: Operator
    threshold: int | float | str | bool | tuple[str, ...] | None = None
    unit: str | None = None

    def evaluate(self, value: object) -> bool | None:
        """Whether ``value`` satisfies the test; ``None`` when the value is missing."""
        if value is None:
            return None
        op, threshold = self.operator, self.threshold
        if op is Operator.IS_TRUE:
            return value is True
        if op is Operator.IS_FALSE:
            return value is False
        if op in (Operator.IN, Operator.NOT_IN):
            members = threshold if isinstance(threshold, tuple) else (threshold,)
            inside = str(value) in {str(m) for m in members}
            return inside if op is Operator.IN else not inside
        if op in (Operator.EQ, Operator.NE):
            same = str(value) == str(threshold)
            return same if op is Operator.EQ else not same
        if not isinstance(value, int | float) or not isinstance(threshold, int | float):
            return False
        x, t = float(value), float(threshold)
        return {
            Operator.GE: x >= t,
            Operator.GT: x > t,
            Operator.LE: x <= t,
            Operator.LT: x < t,
        }[op]

    def describe(self) -> str:
        """Return the test in words, e.g. ``"platelets_10e9_l ≥ 75 10^9/L"``."""
        symbols = {
            Operator.GE: "≥",
            Operator.GT: ">",
            Operator.LE: "≤",
            Operator.LT: "<",
            Operator.EQ: "=",
            Operator.NE: "≠",
            Operator.IN: "in",
            Operator.NOT_IN: "not in",
        }
        if self.operator is Operator.IS_TRUE:
            return f"{self.field} is true"
        if self.operator is Operator.IS_FALSE:
            return f"{self.field} is false"
        threshold = self.threshold
        if isinstance(threshold, tuple):
            shown = "{" + ", ".join(threshold) + "}"
        elif isinstance(threshold, float):
            shown = repr(threshold)
        else:
            shown = str(threshold)
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.field} {symbols[self.operator]} {shown}{unit}"


class Criterion(Test):
    """A sourced eligibility criterion; ``unless`` tests, when all hold, waive it."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    kind: CriterionKind
    unless: tuple[Test, ...] = ()
    ref: str = Field(min_length=1)
    status: Verification
    reported_in: str | None = None
    note: str | None = None


class DoseModificationRule(Sourced):
    """A dose-modification rule by toxicity and CTCAE grade (activities in GBq)."""

    id: str = Field(pattern=_ID_PATTERN)
    toxicity: ToxicityKind
    label: str
    trigger_grades: tuple[int, ...] = ()
    trigger_any: tuple[tuple[Test, ...], ...] = ()
    action: DoseAction
    resume_when_grade_at_most: int | None = Field(default=None, ge=0, le=4)
    resume_when: str | None = None
    resume_activity_gbq: float | None = Field(default=None, gt=0)
    rechallenge_activity_gbq: float | None = Field(default=None, gt=0)
    discontinue_if_recurrent_grade_at_least: int | None = Field(default=None, ge=1, le=5)
    discontinue_if_recurrent: bool = False
    discontinue_if_delay_weeks_at_least: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _triggered(self) -> DoseModificationRule:
        if not self.trigger_grades and not self.trigger_any:
            raise ValueError("a rule needs trigger_grades or trigger_any")
        if any(not 1 <= g <= 5 for g in self.trigger_grades):
            raise ValueError("CTCAE grades run from 1 to 5")
        return self

    def applies(self, grade: int | None = None, facts: Mapping[str, object] | None = None) -> bool:
        """Whether the rule is triggered by a CTCAE grade or by laboratory facts.

        Parameters
        ----------
        grade : int, optional
            CTCAE grade of the toxicity.
        facts : Mapping[str, object], optional
            Laboratory facts by field name; ``trigger_any`` fires when every test of one of
            its groups holds.
        """
        if grade is not None and grade in self.trigger_grades:
            return True
        if facts is None:
            return False
        return any(
            all(test.evaluate(facts.get(test.field)) is True for test in group)
            for group in self.trigger_any
        )


class AdministrationRule(Sourced):
    """A timing rule around administration (e.g. SSA wash-out before PRRT)."""

    id: str = Field(pattern=_ID_PATTERN)
    subject: str
    relation: Literal[
        "stop_before_first_dose",
        "allowed_until_before_each_dose",
        "give_after_each_dose",
        "avoid_before_next_dose",
        "start_before_each_dose",
        "continue_after_each_dose",
        "continue_after_last_dose",
    ]
    window: Range | None = None
    unit: Unit | None = None


class DecisionRule(Sourced):
    """An ordered decision rule: the first rule whose tests hold gives the outcome."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    when_all: tuple[Test, ...] = ()
    when_any: tuple[Test, ...] = ()
    outcome: str

    def evaluate(self, facts: Mapping[str, object]) -> bool | None:
        """Whether the rule fires; ``None`` when a needed fact is missing."""
        results: list[bool | None] = [t.evaluate(facts.get(t.field)) for t in self.when_all]
        if self.when_any:
            branch = [t.evaluate(facts.get(t.field)) for t in self.when_any]
            results.append(
                True if any(b is True for b in branch) else None if None in branch else False
            )
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True


class Profile(_Model):
    """An eligibility, dosing or surgical-criteria profile."""

    id: str = Field(pattern=_ID_PATTERN)
    kind: ProfileKind
    label: str
    description: str
    default: bool = False
    therapy: str | None = None
    criteria: tuple[Criterion, ...] = ()
    standard_dose: tuple[DoseSpec, ...] = ()
    administration: tuple[AdministrationRule, ...] = ()
    rules: tuple[DoseModificationRule, ...] = ()
    decision_rules: tuple[DecisionRule, ...] = ()
    facts: tuple[Characteristic, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Profile:
        if not (self.criteria or self.rules or self.decision_rules or self.standard_dose):
            raise ValueError("a profile needs criteria, rules, decision_rules or standard_dose")
        return self

    @property
    def status(self) -> Verification:
        """The least certain status of the profile's parts."""
        parts: list[Sourced | Criterion] = [
            *self.criteria,
            *self.standard_dose,
            *self.administration,
            *self.rules,
            *self.decision_rules,
        ]
        return Verification.worst([p.status for p in parts])


class ProfilesFile(_Model):
    """``profiles.yaml``."""

    version: str = Field(min_length=1)
    profiles: tuple[Profile, ...]


# --------------------------------------------------------------------------- published cases


class PretreatmentStep(_Model):
    """One step of a published case's pre-treatment, structured from the printed cell."""

    kind: StepKind
    agents: tuple[Agent, ...] = ()
    agent_class: AgentClass | None = None
    therapy: str | None = None
    cycles: int | None = Field(default=None, ge=1)
    procedure: SurgicalProcedure | None = None
    local_modality: LocalTherapyModality | None = None


class Surgery(_Model):
    """The conversion surgery of a published case.

    ``procedures`` is ``None`` when the table says 'Not mentioned'; an empty tuple means no
    procedure was performed.
    """

    performed: bool
    procedures: tuple[SurgicalProcedure, ...] | None = None
    local_therapies: tuple[LocalTherapyModality, ...] = ()
    adjuvant_classes: tuple[AgentClass, ...] = ()
    as_printed: str

    @property
    def liver_resection(self) -> bool | None:
        """Whether liver tissue was resected; ``None`` when the procedure is not mentioned."""
        if not self.performed:
            return False
        if self.procedures is None:
            return None
        return any(p.is_liver_resection for p in self.procedures)


class PublishedCase(Sourced):
    """One row of a published case table; ``None`` keeps 'not mentioned' or '-' as unknown.

    ``ref`` is the original publication of the case, ``reported_in`` the document whose table
    it was read from, and ``status`` how the row was checked against that table.
    """

    id: str = Field(pattern=_ID_PATTERN)
    series: str
    case_number: int = Field(ge=1)
    year: int = Field(ge=1900, le=2100)
    authors_as_printed: str
    age_years: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["M", "F"] | None = None
    liver_metastasis: bool | None = None
    unresectable_factors: tuple[str, ...] | None = None
    pretreatment: tuple[PretreatmentStep, ...] = ()
    pretreatment_as_printed: str
    prior_therapy_possible: bool = False
    response: CaseResponse | None = None
    surgery: Surgery
    margin: Margin | None = None
    pfs_months: float | None = Field(default=None, ge=0)
    footnotes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _not_operated(self) -> PublishedCase:
        if not self.surgery.performed and (self.margin is not None or self.pfs_months is not None):
            raise ValueError("a case without surgery has no margin and no post-surgical PFS")
        return self


class CaseSeries(Sourced):
    """A published case series and the summary figures its text states."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str
    table: str
    stated_summary: tuple[Characteristic, ...] = ()


class CasesFile(_Model):
    """``cases.yaml``."""

    version: str = Field(min_length=1)
    series: tuple[CaseSeries, ...]
    cases: tuple[PublishedCase, ...]
