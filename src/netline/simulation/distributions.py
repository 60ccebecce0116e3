r"""Parametric time-to-event distributions, sampled by inverting the cumulative hazard.

Every distribution here is written through its cumulative hazard :math:`H(t)`. A time with
hazard ratio :math:`\\theta` applied (proportional hazards, :math:`H_\\theta = \\theta H`) is
drawn from a standard exponential variate :math:`E` as :math:`t = H^{-1}(E / \\theta)`, which
is the inverse-CDF method (:math:`E = -\\ln U`). One variate per patient and event therefore
serves every sequence and every hazard ratio: this is what makes common random numbers
across sequences work, and it costs one or two transcendental functions per draw.

Parameters are arrays whose leading axis is the PSA draw; they broadcast against the
``(draws, patients)`` arrays of variates. Times are in months throughout netline's simulator,
but nothing here depends on the unit. The module knows nothing of tumours.

References
----------
.. [1] Bender R, Augustin T, Blettner M. Generating survival times to simulate Cox
   proportional hazards models. Stat Med 2005;24:1713-1723.
.. [2] Wichura MJ. Algorithm AS 241: the percentage points of the normal distribution.
   Appl Stat 1988;37:477-484.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Distribution",
    "DistributionKind",
    "Exponential",
    "LogNormal",
    "PiecewiseExponential",
    "Weibull",
    "norm_cdf",
    "norm_ppf",
]

FloatArray: TypeAlias = NDArray[np.floating]
DistributionKind = Literal["exponential", "weibull", "lognormal", "piecewise"]

_LN2 = math.log(2.0)


def _ratio_poly(coefs: tuple[float, ...], x: FloatArray) -> FloatArray:
    result = np.full_like(x, coefs[0])
    for c in coefs[1:]:
        result = result * x + c
    return result


# Wichura AS 241 (PPND16) coefficients, highest power first.
_A = (
    2509.0809287301226727,
    33430.575583588128105,
    67265.770927008700853,
    45921.953931549871457,
    13731.693765509461125,
    1971.5909503065514427,
    133.14166789178437745,
    3.387132872796366608,
)
_B = (
    5226.495278852545925,
    28729.085735721942674,
    39307.89580009271061,
    21213.794301586595867,
    5394.1960214247511077,
    687.1870074920579083,
    42.313330701600911252,
    1.0,
)
_C = (
    7.7454501427834140764e-4,
    0.0227238449892691845833,
    0.24178072517745061177,
    1.27045825245236838258,
    3.64784832476320460504,
    5.7694972214606914055,
    4.6303378461565452959,
    1.42343711074968357734,
)
_D = (
    1.05075007164441684324e-9,
    5.475938084995344946e-4,
    0.0151986665636164571966,
    0.14810397642748007459,
    0.68976733498510000455,
    1.6763848301838038494,
    2.05319162663775882187,
    1.0,
)
_E = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    0.0012426609473880784386,
    0.026532189526576123093,
    0.29656057182850489123,
    1.7848265399172913358,
    5.4637849111641143699,
    6.6579046435011037772,
)
_F = (
    2.04426310338993978564e-15,
    1.4215117583164458887e-7,
    1.8463183175100546818e-5,
    7.868691311456132591e-4,
    0.0148753612908506148525,
    0.13692988092273580531,
    0.59983220655588793769,
    1.0,
)


def norm_ppf(p: FloatArray | float) -> FloatArray:
    r"""Compute the standard normal quantile function (Wichura's AS 241, ~1e-16 relative).

    Parameters
    ----------
    p : array_like
        Probabilities in (0, 1); 0 and 1 give -inf and +inf.

    Returns
    -------
    ndarray
        :math:`\\Phi^{-1}(p)` in float64.

    References
    ----------
    .. [1] Wichura MJ. Algorithm AS 241. Appl Stat 1988;37:477-484.
    """
    p = np.asarray(p, dtype=np.float64)
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    if np.any(central):
        qc = q[central]
        r = 0.180625 - qc * qc
        out[central] = qc * _ratio_poly(_A, r) / _ratio_poly(_B, r)
    tail = ~central
    if np.any(tail):
        pt = p[tail]
        qt = q[tail]
        r = np.where(qt < 0, pt, 1.0 - pt)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.sqrt(-np.log(r))
        near = r <= 5.0
        rn = r - 1.6
        rf = r - 5.0
        val = np.where(
            near,
            _ratio_poly(_C, rn) / _ratio_poly(_D, rn),
            _ratio_poly(_E, rf) / _ratio_poly(_F, rf),
        )
        out[tail] = np.where(qt < 0, -val, val)
    return out


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def norm_cdf(x: FloatArray | float) -> FloatArray:
    """Compute the standard normal distribution function (via :func:`math.erfc`; slow)."""
    arr = np.asarray(x, dtype=np.float64)
    return np.asarray(0.5 * _ERFC(-arr / math.sqrt(2.0)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Exponential:
    r"""Constant hazard ``rate`` per unit time: :math:`H(t) = \\lambda t`.

    Parameters
    ----------
    rate : ndarray
        Hazard, leading axis the PSA draw.
    """

    rate: FloatArray

    kind = "exponential"

    @classmethod
    def from_median(cls, median: FloatArray) -> Exponential:
        r"""Exponential with the given median (:math:`\\lambda = \\ln 2 / m`)."""
        return cls(_LN2 / np.asarray(median, dtype=np.float64))

    def cumhaz(self, t: FloatArray) -> FloatArray:
        """Cumulative hazard at ``t``."""
        return np.asarray(self.rate * t)

    def inverse_cumhaz(self, e: FloatArray) -> FloatArray:
        """Time at which the cumulative hazard reaches ``e``."""
        return np.asarray(e / self.rate)

    def median(self) -> FloatArray:
        """Median time."""
        return np.asarray(_LN2 / self.rate)

    def mean(self) -> FloatArray:
        """Mean time."""
        return np.asarray(1.0 / self.rate)


@dataclass(frozen=True, slots=True)
class Weibull:
    r"""Weibull in proportional-hazards form: :math:`H(t) = (t / \\text{scale})^{\\text{shape}}`.

    A hazard ratio :math:`\\theta` multiplies the scale by :math:`\\theta^{-1/\\text{shape}}`.
    """

    shape: FloatArray
    scale: FloatArray

    kind = "weibull"

    @classmethod
    def from_median(cls, median: FloatArray, shape: FloatArray) -> Weibull:
        """Weibull with the given median and shape."""
        shape = np.asarray(shape, dtype=np.float64)
        return cls(shape, np.asarray(median) / _LN2 ** (1.0 / shape))

    def cumhaz(self, t: FloatArray) -> FloatArray:
        """Cumulative hazard at ``t``."""
        return np.asarray((np.asarray(t) / self.scale) ** self.shape)

    def inverse_cumhaz(self, e: FloatArray) -> FloatArray:
        """Time at which the cumulative hazard reaches ``e``."""
        return np.asarray(self.scale * np.asarray(e) ** (1.0 / self.shape))

    def median(self) -> FloatArray:
        """Median time."""
        return np.asarray(self.scale * _LN2 ** (1.0 / self.shape))

    def mean(self) -> FloatArray:
        r"""Mean time, :math:`\\text{scale}\\,\\Gamma(1 + 1/\\text{shape})`."""
        gamma = np.vectorize(math.gamma)
        return np.asarray(self.scale * gamma(1.0 + 1.0 / np.asarray(self.shape)))


@dataclass(frozen=True, slots=True)
class LogNormal:
    r"""Log-normal: :math:`\\ln T \\sim N(\\mu, \\sigma^2)`; hazard ratios act on its hazard."""

    meanlog: FloatArray
    sdlog: FloatArray

    kind = "lognormal"

    @classmethod
    def from_median(cls, median: FloatArray, sdlog: FloatArray) -> LogNormal:
        """Log-normal with the given median and log-scale standard deviation."""
        return cls(np.log(np.asarray(median, dtype=np.float64)), np.asarray(sdlog))

    def cumhaz(self, t: FloatArray) -> FloatArray:
        """Cumulative hazard at ``t``."""
        z = (np.log(np.asarray(t, dtype=np.float64)) - self.meanlog) / self.sdlog
        return np.asarray(-np.log(norm_cdf(-z)))

    def inverse_cumhaz(self, e: FloatArray) -> FloatArray:
        r"""Time at which the cumulative hazard reaches ``e``.

        :math:`t = \exp(\mu - \sigma \Phi^{-1}(e^{-e}))`.
        """
        surv = np.exp(-np.asarray(e, dtype=np.float64))
        return np.asarray(np.exp(self.meanlog - self.sdlog * norm_ppf(surv)))

    def median(self) -> FloatArray:
        """Median time."""
        return np.asarray(np.exp(self.meanlog))

    def mean(self) -> FloatArray:
        """Mean time."""
        return np.asarray(np.exp(self.meanlog + 0.5 * np.asarray(self.sdlog) ** 2))


@dataclass(frozen=True, slots=True)
class PiecewiseExponential:
    """Piecewise-constant hazard: ``rates[..., j]`` applies from ``starts[j]`` to ``starts[j+1]``.

    Parameters
    ----------
    starts : ndarray, shape (K,)
        Interval starts, ``starts[0] == 0``, increasing; the last interval is open.
    rates : ndarray, shape (..., K)
        Hazards per interval; leading axes (PSA draws) broadcast against the variates.
    """

    starts: FloatArray
    rates: FloatArray

    kind = "piecewise"

    def _cum_at_starts(self) -> FloatArray:
        widths = np.diff(self.starts)
        steps = self.rates[..., :-1] * widths
        zero = np.zeros((*self.rates.shape[:-1], 1))
        return np.concatenate([zero, np.cumsum(steps, axis=-1)], axis=-1)

    def cumhaz(self, t: FloatArray) -> FloatArray:
        """Cumulative hazard at ``t``."""
        t = np.asarray(t, dtype=np.float64)
        cum = self._cum_at_starts()
        out = np.zeros(np.broadcast_shapes(t.shape, self.rates.shape[:-1]))
        for j in range(self.starts.shape[0]):
            inside = t >= self.starts[j]
            value = cum[..., j] + self.rates[..., j] * (t - self.starts[j])
            out = np.where(inside, value, out)
        return out

    def inverse_cumhaz(self, e: FloatArray) -> FloatArray:
        """Time at which the cumulative hazard reaches ``e``."""
        e = np.asarray(e)
        cum = self._cum_at_starts()
        out = np.asarray(e / self.rates[..., 0])
        for j in range(1, self.starts.shape[0]):
            value = self.starts[j] + (e - cum[..., j]) / self.rates[..., j]
            out = np.where(e >= cum[..., j], value, out)
        return out

    def median(self) -> FloatArray:
        """Median time."""
        return self.inverse_cumhaz(np.asarray(_LN2))


Distribution: TypeAlias = Exponential | Weibull | LogNormal | PiecewiseExponential
