r"""Model parameters: point values, their uncertainty, and PSA draws as the leading array axis.

A :class:`ParamSpec` is one number with its source and, optionally, its uncertainty. Sampling a
set of them gives :class:`Parameters`: a mapping from parameter name to a float64 array of
shape ``(draws,)``. The engine only ever sees :class:`Parameters`; a caller may build one from
their own PSA (e.g. a Bayesian posterior) and hand it in, and :meth:`Parameters.check` then
refuses anything missing, unexpected, mis-shaped, non-finite or out of range, listing every
problem, so that nothing is silently dropped or defaulted.

How uncertainty becomes a PSA distribution
-------------------------------------------
* Ratios and times (medians, hazard ratios, rates, Weibull shapes): log-normal, the log-scale
  standard error taken from a 95 % confidence interval as
  :math:`(\\ln u - \\ln l) / (2 \\times 1.96)`, centred on the log of the point value.
* Probabilities and utilities: beta by the method of moments (mean = value, standard error =
  CI width / (2 × 1.96)).
* Costs: gamma by the method of moments.
* ``normal`` and ``uniform`` are available where a bounded or symmetric form is wanted.

References
----------
.. [1] Briggs AH, Claxton K, Sculpher MJ. Decision Modelling for Health Economic Evaluation.
   Oxford University Press, 2006, chapter 4 (choosing distributions for parameters).
.. [2] Guyot P, Ades AE, Ouwens MJ, Welton NJ. Enhanced secondary analysis of survival data.
   BMC Med Res Methodol 2012;12:9 (why medians and HRs alone fix only part of a curve).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from netline.errors import InvalidInputError, Problem

__all__ = [
    "FRAILTY_VARIANCE",
    "MONTHS",
    "SDLOG",
    "SHAPE",
    "Bounds",
    "EvidenceRef",
    "Figure",
    "ParamSpec",
    "Parameters",
    "Source",
    "hr_from_landmarks",
    "hr_param",
    "median_param",
    "sample_parameters",
    "spec_problems",
    "weibull_shape_from_arms",
    "weibull_shape_from_landmark",
]

_Z95 = 1.959963984540054

PsaKind = Literal["fixed", "normal", "lognormal", "beta", "gamma", "uniform"]
Status = Literal["verified", "recalled", "uncertain", "derived", "assumption"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Model):
    """Where a number came from.

    ``status`` follows the knowledge base (``verified``/``recalled``/``uncertain``), plus
    ``derived`` (computed from sourced figures; say how in ``note``) and ``assumption``
    (a modelling choice with no direct source).
    """

    ref: str = Field(min_length=1)
    status: Status
    note: str | None = None


class EvidenceRef(_Model):
    """A figure in the evidence knowledge base (:mod:`netline.evidence`).

    ``measure``: ``value`` (an arm's value of the endpoint, e.g. its median PFS) or ``hr``
    (the endpoint's hazard ratio, experimental vs control).
    """

    trial: str
    endpoint: str
    arm: str | None = None
    subgroup: str | None = None
    measure: Literal["value", "hr"] = "value"


class ParamSpec(_Model):
    """One model parameter: a point value, its uncertainty, its source.

    Parameters
    ----------
    value : float
        Point value (the PSA mean for normal/beta/gamma, the median for log-normal).
    psa : str, optional
        ``fixed``, ``normal``, ``lognormal``, ``beta``, ``gamma`` or ``uniform``; when omitted
        it is ``fixed`` without uncertainty, otherwise chosen from the parameter's role
        (log-normal for times and ratios, beta for probabilities, gamma for costs).
    ci : (float, float), optional
        95 % confidence interval.
    se : float, optional
        Standard error (on the log scale for ``lognormal``); an alternative to ``ci``.
    low, high : float, optional
        Bounds of a ``uniform``.
    source : Source, optional
        Reference key and verification status.
    evidence : EvidenceRef, optional
        Take value, CI and source from the knowledge base instead (resolved when the model is
        compiled; ``value`` is then left out).
    estimate : str, optional
        Take value, uncertainty and source from the simulator's own estimates (history
        effects, pooled medians: ``netline/simulation/data/estimates.yaml``, see
        :mod:`netline.simulation.estimates`), resolved when the model is compiled.
    """

    value: float = math.nan
    psa: PsaKind | None = None
    ci: tuple[float, float] | None = None
    se: float | None = Field(default=None, gt=0)
    low: float | None = None
    high: float | None = None
    source: Source | None = None
    evidence: EvidenceRef | None = None
    estimate: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_]*$")

    @model_validator(mode="after")
    def _consistent(self) -> ParamSpec:
        if self.evidence is not None or self.estimate is not None:
            if self.evidence is not None and self.estimate is not None:
                raise ValueError("give evidence or estimate, not both")
            if not math.isnan(self.value) or self.ci is not None or self.source is not None:
                raise ValueError(
                    "with evidence or estimate, give no value, ci or source (they come from it)"
                )
            return self
        if not math.isfinite(self.value):
            raise ValueError("value must be a finite number (or give evidence)")
        if self.ci is not None and not (
            math.isfinite(self.ci[0]) and math.isfinite(self.ci[1]) and self.ci[0] < self.ci[1]
        ):
            raise ValueError(f"ci {list(self.ci)} must be two finite numbers, low < high")
        if self.ci is not None and not self.ci[0] <= self.value <= self.ci[1]:
            raise ValueError(f"ci {list(self.ci)} must contain the value {self.value}")
        if self.ci is not None and self.se is not None:
            raise ValueError("give ci or se, not both")
        if self.psa == "uniform" and (self.low is None or self.high is None):
            raise ValueError("a uniform PSA distribution needs low and high")
        if self.psa not in (None, "fixed", "uniform") and self.ci is None and self.se is None:
            raise ValueError(f"a {self.psa} PSA distribution needs ci or se")
        return self

    def resolved_kind(self, default: PsaKind) -> PsaKind:
        """Return the PSA distribution used, given the role's default."""
        if self.psa is not None:
            return self.psa
        if self.ci is None and self.se is None:
            return "fixed"
        return default

    def log_se(self) -> float:
        """Return the standard error on the log scale (log-normal)."""
        if self.se is not None:
            return self.se
        if self.ci is None:
            return 0.0
        lo, hi = self.ci
        return (math.log(hi) - math.log(lo)) / (2 * _Z95)

    def natural_se(self) -> float:
        """Return the standard error on the natural scale (normal, beta, gamma)."""
        if self.se is not None:
            return self.se
        if self.ci is None:
            return 0.0
        return (self.ci[1] - self.ci[0]) / (2 * _Z95)


@dataclass(frozen=True, slots=True)
class Bounds:
    """Allowed range of a parameter (used by :meth:`Parameters.check`)."""

    low: float = -math.inf
    high: float = math.inf
    low_inclusive: bool = True
    high_inclusive: bool = True
    default_psa: PsaKind = "lognormal"

    def contains(self, values: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which values lie in the range."""
        above = values >= self.low if self.low_inclusive else values > self.low
        below = values <= self.high if self.high_inclusive else values < self.high
        return np.asarray(above & below)

    def describe(self) -> str:
        """Describe the range in words."""
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"a finite number in {left}{self.low:g}, {self.high:g}{right}"


POSITIVE = Bounds(0.0, math.inf, low_inclusive=False, default_psa="lognormal")
#: Weibull shapes: below 0.1 the times spread over hundreds of orders of magnitude (and
#: overflow float32), above 10 a distribution is nearly a point mass; neither is a PFS curve.
SHAPE = Bounds(0.1, 10.0, default_psa="lognormal")
#: Log-normal ``sdlog``, on the same reasoning.
SDLOG = Bounds(0.01, 5.0, default_psa="lognormal")
#: Times in months (medians, scales): positive and below 100 years.
MONTHS = Bounds(0.0, 1200.0, low_inclusive=False, default_psa="lognormal")
#: Variance of a mean-1 frailty.
FRAILTY_VARIANCE = Bounds(0.0, 10.0, default_psa="lognormal")
NONNEGATIVE_RATE = Bounds(0.0, math.inf, default_psa="lognormal")
PROBABILITY = Bounds(0.0, 1.0, default_psa="beta")
UTILITY = Bounds(-1.0, 1.0, default_psa="beta")
COST = Bounds(0.0, math.inf, default_psa="gamma")
REAL = Bounds(default_psa="normal")


def spec_problems(name: str, spec: ParamSpec, bounds: Bounds) -> list[Problem]:
    """Problems with a parameter's point value and uncertainty, before anything is drawn.

    The point value must lie in the parameter's range; a log-normal PSA distribution needs a
    positive value and a CI with a positive lower bound (its log-scale SE comes from it).
    """
    problems: list[Problem] = []
    value = spec.value
    if not math.isfinite(value) or not bool(bounds.contains(np.asarray([value]))[0]):
        problems.append(Problem(name, value, bounds.describe()))
        return problems
    kind = spec.resolved_kind(bounds.default_psa)
    if kind == "lognormal" and spec.ci is not None and spec.ci[0] <= 0:
        problems.append(
            Problem(
                f"{name}.ci",
                list(spec.ci),
                "a lower bound above 0 for a log-normal PSA (or give se on the log scale)",
            )
        )
    if spec.ci is not None and kind in ("lognormal", "gamma") and spec.ci[1] <= 0:
        problems.append(Problem(f"{name}.ci", list(spec.ci), "a positive interval"))
    return problems


def _draw(
    name: str, spec: ParamSpec, bounds: Bounds, n: int, seed: int
) -> tuple[NDArray[np.float64], list[Problem]]:
    kind = spec.resolved_kind(bounds.default_psa)
    problems: list[Problem] = []
    if n == 0:
        return np.empty(0), problems
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1, zlib.crc32(name.encode()))))
    )
    value = spec.value
    out: NDArray[np.float64]
    if kind == "fixed":
        out = np.full(n, value)
    elif kind == "lognormal":
        if value <= 0:
            problems.append(Problem(name, value, "a positive value for a log-normal PSA"))
            return np.full(n, value), problems
        out = np.exp(rng.normal(math.log(value), spec.log_se(), n))
    elif kind == "normal":
        out = rng.normal(value, spec.natural_se(), n)
    elif kind == "uniform":
        assert spec.low is not None
        assert spec.high is not None
        out = rng.uniform(spec.low, spec.high, n)
    elif kind == "beta":
        se = spec.natural_se()
        var = se * se
        if not 0 < value < 1 or var >= value * (1 - value):
            problems.append(
                Problem(name, value, f"a value in (0, 1) with se < sqrt(v(1-v)) (se {se:.3g})")
            )
            return np.full(n, value), problems
        common = value * (1 - value) / var - 1
        out = rng.beta(value * common, (1 - value) * common, n)
    else:  # gamma
        se = spec.natural_se()
        if value <= 0:
            problems.append(Problem(name, value, "a positive value for a gamma PSA"))
            return np.full(n, value), problems
        shape = (value / se) ** 2
        out = rng.gamma(shape, value / shape, n)
    return out, problems


class Parameters(Mapping[str, NDArray[np.float64]]):
    """Named parameter arrays, each of shape ``(draws,)`` (PSA draws lead).

    Parameters
    ----------
    values : mapping of str to array_like
        One array per parameter; a scalar is broadcast to every draw.
    draws : int
        Number of PSA draws.
    """

    def __init__(self, values: Mapping[str, object], draws: int) -> None:
        problems: list[Problem] = []
        arrays: dict[str, NDArray[np.float64]] = {}
        for name, value in values.items():
            try:
                array = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                problems.append(Problem(name, value, "a number or an array of numbers"))
                continue
            if array.ndim == 0:
                array = np.full(draws, float(array))
            if array.shape != (draws,):
                problems.append(Problem(name, array.shape, f"shape ({draws},): one per draw"))
                continue
            arrays[name] = array
        if problems:
            raise InvalidInputError(problems, source="parameters")
        self._values = arrays
        self.draws = draws

    def __getitem__(self, name: str) -> NDArray[np.float64]:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def check(self, required: Mapping[str, Bounds]) -> None:
        """Refuse missing, unexpected, non-finite or out-of-range parameters.

        Raises
        ------
        InvalidInputError
            Listing every problem found.
        """
        problems: list[Problem] = []
        for name in sorted(set(required) - set(self._values)):
            problems.append(Problem(name, None, "a parameter the model needs (missing)"))
        for name in sorted(set(self._values) - set(required)):
            problems.append(
                Problem(name, "given", "only parameters the model uses (unknown: a typo?)")
            )
        for name, bounds in required.items():
            array = self._values.get(name)
            if array is None:
                continue
            bad = ~np.isfinite(array) | ~bounds.contains(array)
            if np.any(bad):
                first = int(np.flatnonzero(bad)[0])
                problems.append(
                    Problem(
                        f"{name}[draw {first}]",
                        float(array[first]),
                        f"{bounds.describe()} ({int(bad.sum())} bad draws)",
                    )
                )
        if problems:
            raise InvalidInputError(problems, source="parameters")

    def point(self) -> dict[str, float]:
        """Return the mean of each parameter over draws."""
        return {name: float(np.mean(v)) for name, v in self._values.items()}

    def subset(self, draws: slice) -> dict[str, NDArray[np.float64]]:
        """Arrays for a slice of draws (a view)."""
        return {name: v[draws] for name, v in self._values.items()}


def sample_parameters(
    specs: Mapping[str, tuple[ParamSpec, Bounds]], draws: int, seed: int, psa: bool = True
) -> Parameters:
    """Draw every parameter, reproducibly and independently of the others.

    Each parameter has its own random stream keyed by its name, so adding a parameter does not
    change the draws of the others.

    Parameters
    ----------
    specs : mapping of name to (ParamSpec, Bounds)
    draws : int
        Number of PSA draws.
    seed : int
    psa : bool
        ``False`` fixes every parameter at its point value (a deterministic base case).

    Raises
    ------
    InvalidInputError
        If a specification cannot be sampled (e.g. a beta with too wide an interval).
    """
    problems: list[Problem] = []
    values: dict[str, NDArray[np.float64]] = {}
    for name, (spec, bounds) in specs.items():
        bad = spec_problems(name, spec, bounds)
        if bad:
            problems.extend(bad)
            continue
        if not psa:
            values[name] = np.full(draws, spec.value)
            continue
        array, found = _draw(name, spec, bounds, draws, seed)
        problems.extend(found)
        values[name] = array
    if problems:
        raise InvalidInputError(problems, source="parameters")
    return Parameters(values, draws)


# --------------------------------------------------------------------------- derivation


@dataclass(frozen=True, slots=True)
class Figure:
    """A published figure as the derivation layer needs it (the knowledge base's view).

    Parameters
    ----------
    value : float or None
        Point estimate (``None`` when not reached).
    ci : (float, float) or None
        95 % confidence interval.
    ref : str
        Reference key.
    status : str
        Verification status (``verified``, ``recalled``, ``uncertain``).
    label : str
        What the figure is, in words (trial, arm, subgroup, endpoint).
    """

    value: float | None
    ci: tuple[float, float] | None
    ref: str
    status: str
    label: str = ""


def _source(figure: Figure, note: str) -> Source:
    status: Status = figure.status if figure.status in ("verified", "recalled") else "uncertain"  # type: ignore[assignment]
    text = "; ".join(part for part in (figure.label, note) if part)
    return Source(ref=figure.ref, status=status, note=text or None)


def median_param(figure: Figure, fallback_log_se: float | None = None) -> ParamSpec:
    r"""Make a median time a log-normal parameter, its log-scale SE from the 95 % CI.

    Parameters
    ----------
    figure : Figure
        The published median with its CI.
    fallback_log_se : float, optional
        Log-scale SE to use when the CI is not published (e.g. :math:`1/\\sqrt{d}` for ``d``
        events under an exponential model); without it the parameter is fixed.

    Raises
    ------
    InvalidInputError
        If the figure has no value (not reached): derive the median another way.
    """
    if figure.value is None:
        raise InvalidInputError.single(
            figure.label or figure.ref, None, "a reached median (use a landmark or HR instead)"
        )
    if figure.ci is not None:
        ci = (min(figure.ci[0], figure.value), max(figure.ci[1], figure.value))
        return ParamSpec(
            value=figure.value, psa="lognormal", ci=ci, source=_source(figure, "median, 95 % CI")
        )
    if fallback_log_se is not None:
        return ParamSpec(
            value=figure.value,
            psa="lognormal",
            se=fallback_log_se,
            source=_source(figure, f"median; no CI published, log SE {fallback_log_se:.3g}"),
        )
    return ParamSpec(value=figure.value, source=_source(figure, "median; no CI, fixed"))


def hr_param(figure: Figure) -> ParamSpec:
    """Make a hazard ratio a log-normal parameter (log-scale SE from its 95 % CI)."""
    if figure.value is None:
        raise InvalidInputError.single(figure.label or figure.ref, None, "a hazard ratio value")
    if figure.ci is None:
        return ParamSpec(value=figure.value, source=_source(figure, "HR; no CI, fixed"))
    return ParamSpec(
        value=figure.value, psa="lognormal", ci=figure.ci, source=_source(figure, "HR, 95 % CI")
    )


def weibull_shape_from_arms(median_experimental: float, median_control: float, hr: float) -> float:
    r"""Weibull shape that makes two arms' medians agree with their hazard ratio.

    Under proportional hazards with a common Weibull shape :math:`k`,
    :math:`HR = (m_c / m_e)^k`, so :math:`k = \\ln HR / \\ln(m_c / m_e)`.
    """
    if not (median_experimental > 0 and median_control > 0 and hr > 0):
        raise InvalidInputError.single("weibull_shape", hr, "positive medians and HR")
    if math.isclose(median_experimental, median_control) or math.isclose(hr, 1.0):
        raise InvalidInputError.single(
            "weibull_shape", (median_experimental, median_control, hr), "distinct medians, HR≠1"
        )
    shape = math.log(hr) / math.log(median_control / median_experimental)
    if shape <= 0:
        raise InvalidInputError.single(
            "weibull_shape", shape, "medians ordered as the HR says (a positive shape)"
        )
    return shape


def weibull_shape_from_landmark(median: float, time: float, survival: float) -> float:
    r"""Weibull shape through a median and one landmark survival, :math:`S(t) = s`.

    :math:`k = \\ln(-\\ln s / \\ln 2) / \\ln(t / m)`.
    """
    if not (0 < survival < 1 and time > 0 and median > 0) or math.isclose(time, median):
        raise InvalidInputError.single(
            "landmark", (median, time, survival), "0 < S(t) < 1 at a time other than the median"
        )
    shape = math.log(-math.log(survival) / math.log(2.0)) / math.log(time / median)
    if shape <= 0:
        raise InvalidInputError.single("landmark", shape, "a landmark consistent with the median")
    return shape


def hr_from_landmarks(survival_experimental: float, survival_control: float) -> float:
    """Hazard ratio implied by two arms' survival at the same landmark (PH assumed)."""
    if not (0 < survival_experimental < 1 and 0 < survival_control < 1):
        raise InvalidInputError.single(
            "landmark", (survival_experimental, survival_control), "survivals in (0, 1)"
        )
    return math.log(survival_experimental) / math.log(survival_control)
