"""The model file's schema (pydantic): therapies, history modifiers, population, sequences.

See ``docs/simulate.md`` for the format and ``examples/models/`` for complete files. Loading
and cross-checks are in :mod:`netline.simulation.spec`, compilation to the engine's plan in
:mod:`netline.simulation.compile`.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from netline.simulation.parameters import ParamSpec

__all__ = [
    "MAX_CURVE_POINTS",
    "MAX_SEQUENCES",
    "AgeSpec",
    "BackgroundSpec",
    "BscSpec",
    "ConditionSpec",
    "ConversionSpec",
    "CostSpec",
    "CovariateSpec",
    "CyclesTiming",
    "DiscountSpec",
    "FloatBounds",
    "FrailtySpec",
    "GenerateSpec",
    "IntBounds",
    "ModelSpec",
    "ModifierSpec",
    "Param",
    "PopulationSpec",
    "SequenceSpec",
    "SimulationSpec",
    "SurvivalSpec",
    "TherapySpec",
    "ToxicitySpec",
    "UniformTiming",
    "UtilitySpec",
]

_ID = r"^[a-z0-9][a-z0-9_]*$"

#: Most sequences one model may expand to (generators included); a bigger model is refused
#: with its size before anything is enumerated.
MAX_SEQUENCES = 20_000
#: Most histogram bins (``curve_max_months / resolution_months``) and curve points.
MAX_CURVE_POINTS = 100_000


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
    applies per unit above ``reference`` (log-linear). ``per_prior_line_beyond``: the HR
    applies once per prior line beyond this many (a log-linear line effect; 0 = every prior
    line); ``per_prior_line_excluding`` (a class) leaves prior lines of that class uncounted.
    """

    name: str = Field(pattern=_ID)
    applies_to: list[str] | Literal["all"] = "all"
    target: Literal["pfs", "death", "bsc"] = "pfs"
    when: ConditionSpec = Field(default_factory=ConditionSpec)
    hr: Param
    per_unit: str | None = None
    reference: float = 0.0
    per_prior_line_beyond: int | None = Field(default=None, ge=0, le=20)
    per_prior_line_excluding: str | None = None


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
    """Run settings (overridable from the command line and the API).

    Limits: at most 10,000,000 patients and 100,000 draws; curves at most 1,200 months (100
    years) long; ``resolution_months`` (the histogram bin behind medians and curves) at least
    0.01; ``curve_step_months`` at least ``resolution_months``; at most 100,000 bins.
    """

    patients: int = Field(default=1000, ge=2, le=10_000_000)
    draws: int = Field(default=200, ge=1, le=100_000)
    seed: int = Field(default=1, ge=0, lt=2**63)
    antithetic: bool = False
    psa: bool = True
    horizon_years: float | None = Field(default=None, gt=0, le=100)
    rmst_months: list[Annotated[float, Field(gt=0, le=1200)]] = Field(
        default_factory=lambda: [60.0, 120.0], max_length=20
    )
    curve_step_months: float = Field(default=3.0, ge=0.01, le=120)
    curve_max_months: float = Field(default=240.0, gt=0, le=1200)
    resolution_months: float = Field(default=0.25, ge=0.01, le=12)

    @model_validator(mode="after")
    def _grid(self) -> SimulationSpec:
        if self.curve_step_months < self.resolution_months:
            raise ValueError(
                f"curve_step_months ({self.curve_step_months:g}) must be at least "
                f"resolution_months ({self.resolution_months:g})"
            )
        bins = max(self.curve_max_months, *self.rmst_months) / self.resolution_months
        if bins > MAX_CURVE_POINTS:
            raise ValueError(
                f"{bins:,.0f} histogram bins (curve_max_months / resolution_months); at most "
                f"{MAX_CURVE_POINTS:,}"
            )
        return self


class FrailtySpec(_Model):
    """A patient-level frailty shared by the PFS hazards of every line.

    ``variance``: variance of the log-normal frailty (mean 1); 0 = lines independent given
    the parameters. See :mod:`netline.simulation.frailty`.
    """

    variance: Param


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
    frailty: FrailtySpec | None = None
    simulation: SimulationSpec = Field(default_factory=SimulationSpec)
