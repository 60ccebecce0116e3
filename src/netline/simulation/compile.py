"""Compiling a validated model spec into the engine's plan and parameter specifications.

Parameters given as ``evidence:`` (the knowledge base) or ``estimate:`` (the simulator's own
derived estimates, :mod:`netline.simulation.estimates`) are resolved here, and every
parameter's point value and uncertainty are checked against its range before anything runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from netline.errors import InvalidInputError
from netline.records.vocabulary import agent_info
from netline.simulation.model_spec import (
    AgeSpec,
    ConditionSpec,
    CostSpec,
    FloatBounds,
    IntBounds,
    ModelSpec,
    PopulationSpec,
    SurvivalSpec,
    TherapySpec,
    UniformTiming,
)
from netline.simulation.parameters import (
    COST,
    FRAILTY_VARIANCE,
    MONTHS,
    NONNEGATIVE_RATE,
    POSITIVE,
    PROBABILITY,
    SDLOG,
    SHAPE,
    UTILITY,
    Bounds,
    ParamSpec,
    spec_problems,
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
    "compile_model",
    "expand_sequences",
    "groups_of_agents",
    "sample_population",
]

_ROLE_BOUNDS = {"median": MONTHS, "scale": MONTHS, "rate": POSITIVE, "shape": SHAPE, "sdlog": SDLOG}


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
                params[role] = self.need(f"{prefix}.{role}", value, _ROLE_BOUNDS[role])
        starts: tuple[float, ...] = ()
        if spec.distribution == "piecewise":
            assert spec.starts is not None
            assert spec.rates is not None
            starts = tuple(float(s) for s in spec.starts)
            for j, rate in enumerate(spec.rates):
                params[f"rate{j}"] = self.need(f"{prefix}.rates[{j}]", rate, NONNEGATIVE_RATE)
        hr = self.add(f"{prefix}.hr", spec.hr, POSITIVE)
        return SurvivalPlan(spec.distribution, params, starts, hr)


def groups_of_agents(agents: Iterable[str]) -> frozenset[str]:
    """Return the groups (``agent:...``, ``class:...``) modifiers see for a set of agents.

    Raises
    ------
    UnknownKeyError
        For an agent the records vocabulary does not know.
    """
    groups: set[str] = set()
    for agent in agents:
        info = agent_info(agent)
        groups.add(f"agent:{info.agent.value}")
        groups.add(f"class:{info.agent_class.value}")
    return frozenset(groups)


def _therapy_groups(therapy: TherapySpec) -> frozenset[str]:
    groups = set(groups_of_agents(therapy.agents))
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


def _therapy_plan(c: _Collector, key: str, t: TherapySpec) -> TherapyPlan:
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
    return TherapyPlan(
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


def compile_model(
    spec: ModelSpec,
    kb: KnowledgeBase | None = None,
    history: Sequence[frozenset[str]] = (),
) -> CompiledModel:
    """Compile a validated spec into the engine's plan and the parameter specifications.

    Parameters given as ``evidence: {trial, endpoint, arm | subgroup, measure}`` are resolved
    against the knowledge base here (``kb``, default the bundled one); those given as
    ``estimate: name`` from the simulator's estimates file.

    Parameters
    ----------
    spec : ModelSpec
    kb : KnowledgeBase, optional
    history : sequence of frozenset of str
        Lines received before the simulated sequences, each as its groups
        (:func:`groups_of_agents`): they count as prior lines for every modifier.

    Raises
    ------
    InvalidInputError
        If a reference cannot be resolved, or a parameter's point value or uncertainty is out
        of its range (every problem listed).
    """
    from netline.simulation.estimates import resolve_estimates
    from netline.simulation.evidence import resolve_evidence
    from netline.simulation.lifetable import load_life_table

    c = _Collector()
    therapies = {key: _therapy_plan(c, key, t) for key, t in spec.therapies.items()}
    modifiers = tuple(
        ModifierPlan(
            name=mod.name,
            target=mod.target,
            when=_condition(mod.when),
            hr=c.need(f"modifiers.{mod.name}.hr", mod.hr, POSITIVE),
            therapies=None if mod.applies_to == "all" else frozenset(mod.applies_to),
            per_unit=mod.per_unit,
            reference=mod.reference,
            per_prior_line_beyond=(
                mod.per_prior_line_beyond
                if mod.per_prior_line_beyond is not None or mod.per_prior_line_excluding is None
                else 0
            ),
            per_prior_line_excluding=(
                f"class:{mod.per_prior_line_excluding}" if mod.per_prior_line_excluding else None
            ),
        )
        for mod in spec.modifiers
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
        modifiers=modifiers,
        bsc_utility=c.add("bsc.utility", spec.bsc.utility, UTILITY),
        bsc_cost_month=c.add("bsc.cost_per_month", spec.bsc.cost_per_month, COST),
        death_cost=c.add("death_cost", spec.death_cost, COST),
        progression_cost=c.add("progression_cost", spec.progression_cost, COST),
        life_table=load_life_table(background.table) if background else None,
        background_multiplier=background.multiplier if background else 1.0,
        discount_costs=spec.discount.costs,
        discount_qalys=spec.discount.qalys,
        horizon_months=horizon * 12.0 if horizon is not None else None,
        frailty_variance=c.add(
            "frailty.variance",
            spec.frailty.variance if spec.frailty else None,
            FRAILTY_VARIANCE,
        ),
        history=tuple(history),
    )
    object.__setattr__(plan, "bounds", {name: b for name, (_, b) in c.specs.items()})
    raw = {name: s for name, (s, _) in c.specs.items()}
    resolved = resolve_evidence(resolve_estimates(raw), kb)
    specs = {name: (resolved[name], bounds) for name, (_, bounds) in c.specs.items()}
    problems = [p for name, (s, b) in specs.items() for p in spec_problems(name, s, b)]
    if problems:
        raise InvalidInputError(problems, source="model")
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
