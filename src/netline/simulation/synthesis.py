r"""Random-effects synthesis of several studies' estimates of the same quantity.

Where several studies report the same agent (a median PFS, a hazard ratio), a single study's
confidence interval understates how much the next setting may differ: everolimus's median PFS
was 11.0 months in RADIANT-3 and 14.1 in COMPETE. The DerSimonian-Laird method estimates the
between-study variance :math:`\tau^2` on the log scale; the pooled value is the random-effects
mean, and the PSA distribution is the *predictive* distribution of the value in a new setting,
log-normal with variance :math:`SE(\hat\mu)^2 + \tau^2` (Higgins, Thompson and Spiegelhalter).

References
----------
.. [1] DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials
   1986;7:177-188.
.. [2] Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects
   meta-analysis. J R Stat Soc A 2009;172:137-159 (prediction intervals).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from netline.errors import InvalidInputError

__all__ = ["Pooled", "random_effects"]


@dataclass(frozen=True, slots=True)
class Pooled:
    """A random-effects pooled estimate on the log scale.

    Attributes
    ----------
    mu : float
        Random-effects mean of the log values.
    se : float
        Its standard error.
    tau2 : float
        Between-study variance (DerSimonian-Laird, truncated at 0).
    q : float
        Cochran's Q.
    k : int
        Number of studies.
    """

    mu: float
    se: float
    tau2: float
    q: float
    k: int

    @property
    def value(self) -> float:
        """The pooled value on the natural scale, exp(mu)."""
        return math.exp(self.mu)

    @property
    def predictive_se(self) -> float:
        """Log-scale SE of the value in a new setting, sqrt(SE^2 + tau^2)."""
        return math.sqrt(self.se**2 + self.tau2)

    @property
    def i2(self) -> float:
        """Higgins' :math:`I^2`, the share of variation due to heterogeneity."""
        if self.k < 2 or self.q <= 0:
            return 0.0
        return max(0.0, (self.q - (self.k - 1)) / self.q)


def random_effects(log_values: Sequence[float], ses: Sequence[float]) -> Pooled:
    """Pool log-scale estimates with the DerSimonian-Laird random-effects method.

    Parameters
    ----------
    log_values : sequence of float
        Each study's estimate on the log scale.
    ses : sequence of float
        Their standard errors (positive).

    Returns
    -------
    Pooled

    Raises
    ------
    InvalidInputError
        If the lengths differ, nothing is given, or an SE is not positive and finite.

    Examples
    --------
    >>> round(random_effects([0.0, 0.0], [0.1, 0.1]).tau2, 6)
    0.0
    """
    if len(log_values) != len(ses) or not log_values:
        raise InvalidInputError.single(
            "random_effects", (len(log_values), len(ses)), "as many SEs as estimates, at least 1"
        )
    for i, (y, s) in enumerate(zip(log_values, ses, strict=True)):
        if not (math.isfinite(y) and math.isfinite(s) and s > 0):
            raise InvalidInputError.single(
                f"random_effects[{i}]", (y, s), "a finite estimate with a positive SE"
            )
    w = [1.0 / (s * s) for s in ses]
    sw = sum(w)
    fixed = sum(wi * y for wi, y in zip(w, log_values, strict=True)) / sw
    q = sum(wi * (y - fixed) ** 2 for wi, y in zip(w, log_values, strict=True))
    k = len(log_values)
    c = sw - sum(wi * wi for wi in w) / sw
    tau2 = max(0.0, (q - (k - 1)) / c) if k > 1 and c > 0 else 0.0
    wr = [1.0 / (s * s + tau2) for s in ses]
    swr = sum(wr)
    mu = sum(wi * y for wi, y in zip(wr, log_values, strict=True)) / swr
    return Pooled(mu=mu, se=math.sqrt(1.0 / swr), tau2=tau2, q=q, k=k)
