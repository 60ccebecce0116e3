"""The declarative model spec (YAML, validated by pydantic) and its compilation to a plan.

A model file says *what* is simulated: therapies and their per-line progression-free survival
(PFS) distributions, toxicity discontinuation, death, optional conversion surgery, utilities and
costs, history modifiers (line number, cross-resistance by mode-of-action class, specific prior
agents, time since the sequence started, patient covariates), the population, the sequences and
the run settings. Every number may carry its uncertainty and its source. See ``docs/simulate.md``
for the format and ``examples/models/`` for complete files.

:func:`load_model` reads and validates a file, listing every problem at once;
:func:`compile_model` turns a spec into the engine's :class:`~netline.simulation.plan.ModelPlan`
plus the parameter specifications to sample.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from netline._inputs import problems_from_validation, read_text, yaml_problem
from netline.errors import InvalidInputError, Problem, UnknownKeyError
from netline.records.vocabulary import AgentClass, agent_info
from netline.simulation.parameters import (
    COST,
    NONNEGATIVE_RATE,
    POSITIVE,
    PROBABILITY,
    UTILITY,
    Bounds,
    ParamSpec,
)
from netline.simulation.plan import (
    ConditionPlan,
    ConversionPlan,
    ModelPlan,
    ModifierPlan,
    Population,
    SurvivalPlan,
    TherapyPlan,
    ToxicityPlan,
)

if TYPE_CHECKING:
    from netline.evidence import KnowledgeBase

__all__ = [
    "CompiledModel",
    "ModelSpec",
    "compile_model",
    "load_model",
    "parse_model",
    "sample_population",
]

_ID = r"^[a-z0-9][a-z0-9_]*$"


def _number_to_spec(value: object) -> object:
    if isinstance(value, bool):
        return value  # let validation reject it
    if isinstance(value, int | float):
        return {"value": value}
    return value


Param = Annotated[ParamSpec, BeforeValidator(_number_to_spec)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SurvivalSpec(_Model):
    """A time-to-event distribution in months.

    ``exponential``: ``median`` or ``rate``. ``weibull``: ``shape`` and ``median`` or
    ``scale``. ``lognormal``: ``median`` and ``sdlog``. ``piecewise``: ``starts`` (months,
    the first 0) and one ``rates`` entry per interval. ``hr`` multiplies the hazard (e.g. a
    published HR applied to a control arm's distribution).
    """

    distribution: Literal["exponential", "weibull", "lognormal", "piecewise"]
    median: Param | None = None
    rate: Param | None = None
    scale: Param | None = None
    shape: Param | None = None
    sdlog: Param | None = None
    starts: list[float] | None = None
    rates: list[Param] | None = None
    hr: Param | None = None

    @model_validator(mode="after")
    def _fields_for_distribution(self) -> SurvivalSpec:
        errors: list[str] = []
        given = {
            name
            for name in ("median", "rate", "scale", "shape", "sdlog", "starts", "rates")
            if getattr(self, name) is not None
        }
        allowed: dict[str, list[set[str]]] = {
            "exponential": [{"median"}, {"rate"}],
            "weibull": [{"median", "shape"}, {"scale", "shape"}],
            "lognormal": [{"median", "sdlog"}],
            "piecewise": [{"starts", "rates"}],
        }
        options = allowed[self.distribution]
        if given not in options:
            wanted = " or ".join("{" + ", ".join(sorted(o)) + "}" for o in options)
            errors.append(
                f"a {self.distribution} distribution takes exactly {wanted}; "
                f"got {{{', '.join(sorted(given))}}}"
            )
        if self.distribution == "piecewise" and self.starts is not None:
            if self.starts[:1] != [0] or any(b <= a for a, b in itertools.pairwise(self.starts)):
                errors.append("piecewise starts must begin at 0 and increase")
            if self.rates is not None and len(self.rates) != len(self.starts):
                errors.append("piecewise needs one rate per start")
        if errors:
            raise ValueError("; ".join(errors))
        return self


class UniformTiming(_Model):
    """Discontinuation at a time uniform between ``low`` and ``high`` months after start."""

    kind: Literal["uniform"]
    low: float = Field(default=0.0, ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> UniformTiming:
        if self.high <= self.low:
            raise ValueError("high must exceed low")
        return self


class CyclesTiming(_Model):
    """Discontinuation after a whole number of cycles (e.g. PRRT: 4 cycles every 8 weeks).

    ``stop_after`` gives the relative chance of stopping after cycle 1, 2, ..., planned - 1.
    """

    kind: Literal["cycles"]
    cycle_months: float = Field(gt=0)
    planned: int = Field(ge=2)
    stop_after: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> CyclesTiming:
        if self.stop_after is not None:
            if len(self.stop_after) != self.planned - 1:
                raise ValueError(f"stop_after needs {self.planned - 1} weights (cycles 1..)")
            if any(w < 0 for w in self.stop_after) or sum(self.stop_after) <= 0:
                raise ValueError("stop_after weights must be non-negative, not all zero")
        return self


class ToxicitySpec(_Model):
    """Discontinuation for toxicity.

    ``on_stop``: ``continue`` (treatment stops, the line's progression clock runs on: PFS as
    the trials measured it, intention to treat) or ``next_line`` (the next line starts at once).
    """

    probability: Param
    timing: Annotated[UniformTiming | CyclesTiming, Field(discriminator="kind")]
    on_stop: Literal["continue", "next_line"] = "continue"


class ConversionSpec(_Model):
    """Conversion surgery after response: who, when, its risk, and what follows."""

    probability: Param
    at_months: float = Field(gt=0)
    mortality: Param | None = None
    after: SurvivalSpec
    cost: Param | None = None


class UtilitySpec(_Model):
    """Health-state utilities while on this line."""

    on_treatment: Param
    off_treatment: Param | None = None


class CostSpec(_Model):
    """Costs of a line: per month on treatment, per month off treatment, one-off events."""

    per_month: Param | None = None
    off_treatment_per_month: Param | None = None
    start: Param | None = None
    toxicity: Param | None = None


class TherapySpec(_Model):
    """One therapy that can fill a line."""

    label: str | None = None
    agents: list[str] = Field(default_factory=list)
    classes: list[str] | None = None
    pfs: SurvivalSpec
    death_rate: Param | None = None
    toxicity: ToxicitySpec | None = None
    max_duration_months: float | None = Field(default=None, gt=0)
    conversion: ConversionSpec | None = None
    utility: UtilitySpec | None = None
    cost: CostSpec | None = None


class BscSpec(_Model):
    """Best supportive care after the last line, until death."""

    survival: SurvivalSpec
    utility: Param | None = None
    cost_per_month: Param | None = None


class IntBounds(_Model):
    """Inclusive integer bounds."""

    min: int | None = Field(default=None, ge=1)
    max: int | None = Field(default=None, ge=1)


class FloatBounds(_Model):
    """Bounds in months (``min`` inclusive, ``max`` exclusive)."""

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, gt=0)


class ConditionSpec(_Model):
    """When a modifier applies; every condition given must hold (at the start of the line)."""

    line: IntBounds | None = None
    prior_same_class: bool | None = None
    prior_class: str | None = None
    no_prior_class: str | None = None
    prior_agent: str | None = None
    no_prior_agent: str | None = None
    prior_therapy: str | None = None
    months_since_start: FloatBounds | None = None
    covariate: str | None = None
    not_covariate: str | None = None


class ModifierSpec(_Model):
    """A hazard ratio that depends on history or on the patient.

    ``target``: ``pfs`` (progression on the line), ``death`` (disease death on the line) or
    ``bsc`` (death in best supportive care). ``per_unit``: a continuous covariate; the HR then
    applies per unit above ``reference`` (log-linear).
    """

    name: str = Field(pattern=_ID)
    applies_to: list[str] | Literal["all"] = "all"
    target: Literal["pfs", "death", "bsc"] = "pfs"
    when: ConditionSpec = Field(default_factory=ConditionSpec)
    hr: Param
    per_unit: str | None = None
    reference: float = 0.0


class AgeSpec(_Model):
    """Age at the start of the sequence (years): normal, truncated to [min, max]."""

    mean: float = Field(ge=0, le=110)
    sd: float = Field(default=0.0, ge=0)
    min: float = Field(default=18.0, ge=0)
    max: float = Field(default=95.0, le=110)


class CovariateSpec(_Model):
    """A patient covariate: ``bernoulli`` (p), ``normal`` or ``lognormal`` (median, sd)."""

    kind: Literal["bernoulli", "normal", "lognormal"]
    p: float | None = Field(default=None, ge=0, le=1)
    mean: float | None = None
    median: float | None = Field(default=None, gt=0)
    sd: float | None = Field(default=None, ge=0)
    label: str | None = None

    @model_validator(mode="after")
    def _fields(self) -> CovariateSpec:
        need = {"bernoulli": ("p",), "normal": ("mean", "sd"), "lognormal": ("median", "sd")}
        missing = [f for f in need[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} covariate needs {', '.join(missing)}")
        return self


class PopulationSpec(_Model):
    """Who is simulated (drawn once, fixed across PSA draws)."""

    age: AgeSpec | float = 60.0
    female: float = Field(default=0.5, ge=0, le=1)
    covariates: dict[str, CovariateSpec] = Field(default_factory=dict)


class GenerateSpec(_Model):
    """Every ordering of distinct therapies from a set, of a length in a range."""

    therapies: list[str] = Field(min_length=1)
    min_length: int = Field(default=1, ge=1)
    max_length: int = Field(ge=1)


class SequenceSpec(_Model):
    """One sequence, or a generator of many."""

    id: str | None = None
    lines: list[str] | None = None
    generate: GenerateSpec | None = None

    @model_validator(mode="after")
    def _one(self) -> SequenceSpec:
        if (self.lines is None) == (self.generate is None):
            raise ValueError("give either lines or generate")
        if self.lines is not None and not self.lines:
            raise ValueError("a sequence needs at least one line")
        return self


def _lines_to_spec(value: object) -> object:
    if isinstance(value, list):
        return {"lines": value}
    return value


class BackgroundSpec(_Model):
    """Background mortality from a life table (shipped identifier or CSV path)."""

    table: str = "us_ssa_2020"
    multiplier: float = Field(default=1.0, gt=0)


class DiscountSpec(_Model):
    """Annual discount rates (continuous discounting at the equivalent rate)."""

    costs: float = Field(default=0.0, ge=0, le=0.5)
    qalys: float = Field(default=0.0, ge=0, le=0.5)


class SimulationSpec(_Model):
    """Run settings (overridable from the command line and the API)."""

    patients: int = Field(default=1000, ge=2)
    draws: int = Field(default=200, ge=1)
    seed: int = Field(default=1, ge=0)
    antithetic: bool = False
    psa: bool = True
    horizon_years: float | None = Field(default=None, gt=0)
    rmst_months: list[float] = Field(default_factory=lambda: [60.0, 120.0])
    curve_step_months: float = Field(default=3.0, gt=0)
    curve_max_months: float = Field(default=240.0, gt=0)
    resolution_months: float = Field(default=0.25, gt=0)


class ModelSpec(_Model):
    """A complete simulation model."""

    name: str
    description: str | None = None
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    background_mortality: BackgroundSpec | None = Field(default_factory=BackgroundSpec)
    therapies: dict[str, TherapySpec] = Field(min_length=1)
    bsc: BscSpec
    modifiers: list[ModifierSpec] = Field(default_factory=list)
    sequences: list[Annotated[SequenceSpec, BeforeValidator(_lines_to_spec)]] = Field(min_length=1)
    discount: DiscountSpec = Field(default_factory=DiscountSpec)
    death_cost: Param | None = None
    progression_cost: Param | None = None
    simulation: SimulationSpec = Field(default_factory=SimulationSpec)


# --------------------------------------------------------------------------- loading


def load_model(path: str | Path) -> ModelSpec:
    """Read and validate a model file (YAML or JSON).

    Raises
    ------
    InvalidInputError
        If the file cannot be read or is invalid; every problem is listed (field path, value,
        expectation), including references between parts (unknown therapies, classes, agents).
    """
    text = read_text(path, "model file", InvalidInputError)
    return parse_model(text, source=str(path))


def parse_model(text: str | Mapping[str, Any], source: str | None = None) -> ModelSpec:
    """Validate a model given as YAML text or as an already-parsed mapping."""
    data: object
    if isinstance(text, str):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InvalidInputError([yaml_problem(exc)], source=source) from None
    else:
        data = text
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            [Problem("", type(data).__name__, "a mapping with name, therapies, bsc, sequences")],
            source=source,
        )
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(_translate(exc), source=source) from None
    problems = _cross_check(spec)
    if problems:
        raise InvalidInputError(problems, source=source)
    return spec


def _translate(exc: ValidationError) -> list[Problem]:
    return problems_from_validation(
        exc,
        skip_part=lambda loc, i: loc[i] in ("uniform", "cycles"),
        extra_field_hint="check the spelling in docs/simulate.md",
    )


def _known_class(name: str) -> bool:
    return name in {c.value for c in AgentClass}


def _cross_check(spec: ModelSpec) -> list[Problem]:
    problems: list[Problem] = []
    therapies = set(spec.therapies)
    classes: set[str] = set()
    agents: set[str] = set()
    for key, therapy in spec.therapies.items():
        if not _matches_id(key):
            problems.append(Problem(f"therapies.{key}", key, "an identifier like 'prrt_lu177'"))
        for i, agent in enumerate(therapy.agents):
            try:
                info = agent_info(agent)
            except UnknownKeyError as exc:
                problems.append(Problem(f"therapies.{key}.agents[{i}]", agent, str(exc)))
                continue
            agents.add(info.agent.value)
            classes.add(info.agent_class.value)
        if therapy.classes is not None:
            classes.update(therapy.classes)
        elif not therapy.agents:
            problems.append(
                Problem(f"therapies.{key}", "no agents", "agents (or explicit classes)")
            )
    for i, seq in enumerate(spec.sequences):
        lines = (
            seq.lines if seq.lines is not None else (seq.generate.therapies if seq.generate else [])
        )
        where = "lines" if seq.lines is not None else "generate.therapies"
        for j, name in enumerate(lines):
            if name not in therapies:
                problems.append(
                    Problem(f"sequences[{i}].{where}[{j}]", name, f"a therapy: {sorted(therapies)}")
                )
        if seq.generate is not None:
            gen = seq.generate
            if gen.min_length > gen.max_length or gen.max_length > len(gen.therapies):
                problems.append(
                    Problem(
                        f"sequences[{i}].generate",
                        (gen.min_length, gen.max_length),
                        f"1 <= min_length <= max_length <= {len(gen.therapies)}",
                    )
                )
    covariates = set(spec.population.covariates)
    for i, mod in enumerate(spec.modifiers):
        where = f"modifiers[{i}]"
        if mod.applies_to != "all":
            for j, name in enumerate(mod.applies_to):
                if name not in therapies:
                    problems.append(Problem(f"{where}.applies_to[{j}]", name, "a therapy"))
            if mod.target == "bsc":
                problems.append(
                    Problem(f"{where}.applies_to", mod.applies_to, "'all' for a bsc target")
                )
        when = mod.when
        for field in ("prior_class", "no_prior_class"):
            value = getattr(when, field)
            if value is not None and value not in classes and not _known_class(value):
                problems.append(
                    Problem(f"{where}.when.{field}", value, f"a class: {sorted(classes)}")
                )
        for field in ("prior_agent", "no_prior_agent"):
            value = getattr(when, field)
            if value is not None:
                try:
                    agent_info(value)
                except UnknownKeyError as exc:
                    problems.append(Problem(f"{where}.when.{field}", value, str(exc)))
        if when.prior_therapy is not None and when.prior_therapy not in therapies:
            problems.append(Problem(f"{where}.when.prior_therapy", when.prior_therapy, "a therapy"))
        for field in ("covariate", "not_covariate"):
            value = getattr(when, field)
            if value is not None and value not in covariates:
                problems.append(
                    Problem(f"{where}.when.{field}", value, f"a covariate: {sorted(covariates)}")
                )
        if mod.per_unit is not None and mod.per_unit not in covariates:
            problems.append(
                Problem(f"{where}.per_unit", mod.per_unit, f"a covariate: {sorted(covariates)}")
            )
        if mod.target == "bsc" and when.prior_same_class:
            problems.append(
                Problem(f"{where}.when.prior_same_class", True, "not used with target bsc")
            )
    names = [m.name for m in spec.modifiers]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("modifiers", name, "unique modifier names"))
    ids = [s.id for s in spec.sequences if s.id is not None]
    for name in sorted({n for n in ids if ids.count(n) > 1}):
        problems.append(Problem("sequences", name, "unique sequence ids"))
    return problems


def _matches_id(key: str) -> bool:
    import re

    return re.fullmatch(_ID, key) is not None


# --------------------------------------------------------------------------- compiling


class CompiledModel:
    """A spec compiled for the engine: the plan and the parameter specifications.

    Attributes
    ----------
    plan : ModelPlan
    param_specs : dict of str to (ParamSpec, Bounds)
        Every parameter the plan names, with its allowed range.
    spec : ModelSpec
    """

    def __init__(
        self, plan: ModelPlan, param_specs: dict[str, tuple[ParamSpec, Bounds]], spec: ModelSpec
    ) -> None:
        self.plan = plan
        self.param_specs = param_specs
        self.spec = spec


class _Collector:
    def __init__(self) -> None:
        self.specs: dict[str, tuple[ParamSpec, Bounds]] = {}

    def add(self, name: str, spec: ParamSpec | None, bounds: Bounds) -> str | None:
        if spec is None:
            return None
        self.specs[name] = (spec, bounds)
        return name

    def need(self, name: str, spec: ParamSpec, bounds: Bounds) -> str:
        self.specs[name] = (spec, bounds)
        return name

    def survival(self, prefix: str, spec: SurvivalSpec) -> SurvivalPlan:
        params: dict[str, str] = {}
        for role in ("median", "rate", "scale", "shape", "sdlog"):
            value = getattr(spec, role)
            if value is not None:
                params[role] = self.need(f"{prefix}.{role}", value, POSITIVE)
        starts: tuple[float, ...] = ()
        if spec.distribution == "piecewise":
            assert spec.starts is not None
            assert spec.rates is not None
            starts = tuple(float(s) for s in spec.starts)
            for j, rate in enumerate(spec.rates):
                params[f"rate{j}"] = self.need(f"{prefix}.rates[{j}]", rate, NONNEGATIVE_RATE)
        hr = self.add(f"{prefix}.hr", spec.hr, POSITIVE)
        return SurvivalPlan(spec.distribution, params, starts, hr)


def _therapy_groups(therapy: TherapySpec) -> frozenset[str]:
    groups: set[str] = set()
    for agent in therapy.agents:
        info = agent_info(agent)
        groups.add(f"agent:{info.agent.value}")
        groups.add(f"class:{info.agent_class.value}")
    if therapy.classes is not None:
        groups = {g for g in groups if not g.startswith("class:")}
        groups.update(f"class:{c}" for c in therapy.classes)
    return frozenset(groups)


def _condition(when: ConditionSpec) -> ConditionPlan:
    prior_group = None
    absent = None
    if when.prior_class is not None:
        prior_group = f"class:{when.prior_class}"
    if when.prior_agent is not None:
        prior_group = f"agent:{agent_info(when.prior_agent).agent.value}"
    if when.prior_therapy is not None:
        prior_group = f"therapy:{when.prior_therapy}"
    if when.no_prior_class is not None:
        absent = f"class:{when.no_prior_class}"
    if when.no_prior_agent is not None:
        absent = f"agent:{agent_info(when.no_prior_agent).agent.value}"
    line = when.line or IntBounds()
    months = when.months_since_start or FloatBounds()
    return ConditionPlan(
        line_min=line.min,
        line_max=line.max,
        prior_same_group=when.prior_same_class,
        prior_group=prior_group,
        prior_group_absent=absent,
        time_min=months.min,
        time_max=months.max,
        covariate=when.covariate,
        covariate_absent=when.not_covariate,
    )


def expand_sequences(spec: ModelSpec) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """List the sequences explicitly (generators expanded, unnamed duplicates dropped)."""
    sequences: list[tuple[str, ...]] = []
    ids: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for seq in spec.sequences:
        if seq.lines is not None:
            key = tuple(seq.lines)
            if seq.id is None and key in seen:
                continue  # an unnamed repeat; a named one is kept (e.g. to check CRN)
            seen.add(key)
            sequences.append(key)
            ids.append(seq.id or " > ".join(key))
        elif seq.generate is not None:
            gen = seq.generate
            for length in range(gen.min_length, gen.max_length + 1):
                for combo in itertools.permutations(gen.therapies, length):
                    if combo not in seen:
                        seen.add(combo)
                        sequences.append(combo)
                        ids.append(" > ".join(combo))
    return tuple(sequences), tuple(ids)


def compile_model(spec: ModelSpec, kb: KnowledgeBase | None = None) -> CompiledModel:
    """Compile a validated spec into the engine's plan and the parameter specifications.

    Parameters given as ``evidence: {trial, endpoint, arm | subgroup, measure}`` are resolved
    against the knowledge base here (``kb``, default the bundled one).

    Raises
    ------
    InvalidInputError
        If an evidence reference cannot be resolved (every problem listed).
    """
    from netline.simulation.evidence import resolve_evidence
    from netline.simulation.lifetable import load_life_table

    c = _Collector()
    therapies: dict[str, TherapyPlan] = {}
    for key, t in spec.therapies.items():
        p = f"therapies.{key}"
        tox = None
        max_duration = t.max_duration_months
        if t.toxicity is not None:
            timing = t.toxicity.timing
            timing_plan: tuple[str, float, float] | tuple[str, float, tuple[float, ...]]
            if isinstance(timing, UniformTiming):
                timing_plan = ("uniform", timing.low, timing.high)
            else:
                weights = timing.stop_after or [1.0] * (timing.planned - 1)
                total = sum(weights)
                timing_plan = ("cycles", timing.cycle_months, tuple(w / total for w in weights))
                if max_duration is None:
                    max_duration = timing.cycle_months * timing.planned
            tox = ToxicityPlan(
                c.need(f"{p}.toxicity.probability", t.toxicity.probability, PROBABILITY),
                timing_plan,
                switch=t.toxicity.on_stop == "next_line",
            )
        conversion = None
        if t.conversion is not None:
            cv = t.conversion
            conversion = ConversionPlan(
                c.need(f"{p}.conversion.probability", cv.probability, PROBABILITY),
                cv.at_months,
                c.add(f"{p}.conversion.mortality", cv.mortality, PROBABILITY),
                c.survival(f"{p}.conversion.after", cv.after),
                c.add(f"{p}.conversion.cost", cv.cost, COST),
            )
        utility = t.utility
        cost = t.cost or CostSpec()
        therapies[key] = TherapyPlan(
            key=key,
            groups=_therapy_groups(t) | {f"therapy:{key}"},
            pfs=c.survival(f"{p}.pfs", t.pfs),
            death_rate=c.add(f"{p}.death_rate", t.death_rate, NONNEGATIVE_RATE),
            toxicity=tox,
            max_duration=max_duration,
            conversion=conversion,
            utility_on=c.add(
                f"{p}.utility.on_treatment", utility.on_treatment if utility else None, UTILITY
            ),
            utility_off=c.add(
                f"{p}.utility.off_treatment",
                (utility.off_treatment or utility.on_treatment) if utility else None,
                UTILITY,
            ),
            cost_month=c.add(f"{p}.cost.per_month", cost.per_month, COST),
            cost_off_month=c.add(
                f"{p}.cost.off_treatment_per_month", cost.off_treatment_per_month, COST
            ),
            cost_start=c.add(f"{p}.cost.start", cost.start, COST),
            cost_toxicity=c.add(f"{p}.cost.toxicity", cost.toxicity, COST),
        )
    modifiers = []
    for mod in spec.modifiers:
        modifiers.append(
            ModifierPlan(
                name=mod.name,
                target=mod.target,
                when=_condition(mod.when),
                hr=c.need(f"modifiers.{mod.name}.hr", mod.hr, POSITIVE),
                therapies=None if mod.applies_to == "all" else frozenset(mod.applies_to),
                per_unit=mod.per_unit,
                reference=mod.reference,
            )
        )
    sequences, ids = expand_sequences(spec)
    background = spec.background_mortality
    horizon = spec.simulation.horizon_years
    plan = ModelPlan(
        therapies=therapies,
        bsc=c.survival("bsc.survival", spec.bsc.survival),
        sequences=sequences,
        sequence_ids=ids,
        bounds={},
        modifiers=tuple(modifiers),
        bsc_utility=c.add("bsc.utility", spec.bsc.utility, UTILITY),
        bsc_cost_month=c.add("bsc.cost_per_month", spec.bsc.cost_per_month, COST),
        death_cost=c.add("death_cost", spec.death_cost, COST),
        progression_cost=c.add("progression_cost", spec.progression_cost, COST),
        life_table=load_life_table(background.table) if background else None,
        background_multiplier=background.multiplier if background else 1.0,
        discount_costs=spec.discount.costs,
        discount_qalys=spec.discount.qalys,
        horizon_months=horizon * 12.0 if horizon is not None else None,
    )
    object.__setattr__(plan, "bounds", {name: b for name, (_, b) in c.specs.items()})
    resolved = resolve_evidence({name: s for name, (s, _) in c.specs.items()}, kb)
    specs = {name: (resolved[name], bounds) for name, (_, bounds) in c.specs.items()}
    return CompiledModel(plan, specs, spec)


def sample_population(
    spec: PopulationSpec, patients: int, seed: int, antithetic: bool
) -> Population:
    """Draw the simulated patients (fixed across PSA draws).

    With antithetic variates, patient ``i`` and patient ``i + patients // 2`` are the same
    person (same age, sex and covariates) so that each antithetic pair differs only in luck.
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(2,))))
    n = patients // 2 if antithetic else patients
    if isinstance(spec.age, AgeSpec):
        a = spec.age
        if a.sd > 0:
            ages = np.clip(rng.normal(a.mean, a.sd, n), a.min, a.max)
        else:
            ages = np.full(n, float(a.mean))
    else:
        ages = np.full(n, float(spec.age))
    female = rng.random(n) < spec.female
    covariates: dict[str, np.ndarray] = {}
    for name in sorted(spec.covariates):
        cov = spec.covariates[name]
        if cov.kind == "bernoulli":
            assert cov.p is not None
            values = (rng.random(n) < cov.p).astype(np.float64)
        elif cov.kind == "normal":
            assert cov.mean is not None
            assert cov.sd is not None
            values = rng.normal(cov.mean, cov.sd, n)
        else:
            assert cov.median is not None
            assert cov.sd is not None
            values = np.exp(rng.normal(math.log(cov.median), cov.sd, n))
        covariates[name] = values
    if antithetic:
        reps = 2
        ages = np.tile(ages, reps)
        female = np.tile(female, reps)
        covariates = {k: np.tile(v, reps) for k, v in covariates.items()}
    return Population(ages.astype(np.float64), female.astype(np.bool_), covariates)
