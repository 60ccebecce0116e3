"""Data models of therapies, trials, guidelines and published cases."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from netline.evidence.criteria import (
    Condition,
    IntRange,
    Range,
    SubgroupCriteria,
    Test,
)
from netline.evidence.provenance import (
    Characteristic,
    Quantity,
    Sourced,
)
from netline.evidence.vocab import (
    _ID_PATTERN,
    AgentCombination,
    ArmRole,
    CaseResponse,
    DoseUnit,
    EffectMeasure,
    EndpointKind,
    FunctioningScope,
    Grade,
    GradeBand,
    Preference,
    Route,
    SiteGroup,
    StepKind,
    Strategy,
    SubgroupDimension,
    TherapyKind,
    TrialDesign,
    Verification,
    _Model,
)
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
    #: Hormonal syndromes this entry controls (a syndrome-control therapy); empty otherwise.
    syndromes: tuple[FunctioningSyndrome, ...] = ()

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
    #: Further entry criteria as tests on patient facts (names of ``FIELDS``), e.g. the time
    #: from diagnosis; the population's ref and status cover them.
    entry_criteria: tuple[Test, ...] = ()
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


_DESIGN_RANK: dict[TrialDesign, int] = {
    TrialDesign.RANDOMISED_CONTROLLED: 0,
    TrialDesign.RANDOMISED_NON_COMPARATIVE: 0,
    TrialDesign.SINGLE_ARM: 1,
    TrialDesign.RETROSPECTIVE: 2,
    TrialDesign.REGISTRY: 2,
}


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
    retreatment: bool = False
    facts: tuple[Characteristic, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def design_rank(self) -> int:
        """Strength of the design for matching: 0 randomised, 1 single-arm, 2 retrospective."""
        return _DESIGN_RANK[self.design]

    @property
    def pancreatic_only(self) -> bool:
        """Whether the trial enrolled pancreatic primaries only (else a mixed population)."""
        return self.population.pancreatic_only

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


class StatementSource(_Model):
    """Where a statement's wording was (or was not) checked in one guideline document.

    ``section`` names the place in the document (section, recommendation number, page or
    table) whose text was read; ``read_in`` names the reference of the text actually read
    when it is not the guideline's own reference (e.g. a summary quoting it).
    """

    guideline: str
    status: Verification
    section: str | None = None
    read_in: str | None = None
    note: str | None = None


class GuidelineStatement(_Model):
    """A guideline statement in a form a decision engine can evaluate.

    ``guidelines`` names the guideline documents the statement summarises; ``sources`` says,
    per document, where the wording was checked and how (a document without a source entry
    carries the statement's own ``status``). A statement that no guideline makes (evidence
    published after the guidelines) names the trials it rests on in ``basis_trials``
    instead, and is shown as trial evidence, never as a guideline's word. ``status`` is the
    best verification any source gives the statement's wording and thresholds.
    """

    id: str = Field(pattern=_ID_PATTERN)
    guidelines: tuple[str, ...] = ()
    basis_trials: tuple[str, ...] = ()
    sources: tuple[StatementSource, ...] = ()
    topic: str
    condition: Condition
    options: tuple[Option, ...] = Field(min_length=1)
    evidence_trials: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    status: Verification
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_basis(self) -> GuidelineStatement:
        if bool(self.guidelines) == bool(self.basis_trials):
            raise ValueError(
                "a statement names its guidelines or, when no guideline makes it, its "
                "basis_trials (exactly one of the two)"
            )
        if self.basis_trials and self.sources:
            raise ValueError("sources are guideline documents; a trial-based statement has none")
        return self

    @property
    def from_guideline(self) -> bool:
        """Whether a guideline makes the statement (else it rests on trials alone)."""
        return bool(self.guidelines)

    def source_for(self, guideline: str) -> StatementSource:
        """Return where the wording was checked in ``guideline`` (default: the statement's tag)."""
        found = next((s for s in self.sources if s.guideline == guideline), None)
        return found or StatementSource(guideline=guideline, status=self.status)


class GuidelinesFile(_Model):
    """``guidelines.yaml``."""

    version: str = Field(min_length=1)
    guidelines: tuple[Guideline, ...]
    statements: tuple[GuidelineStatement, ...]


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
