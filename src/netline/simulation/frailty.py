r"""A patient-level frailty shared by the progression hazards of every line.

Without it, a patient's PFS on successive lines is independent given the parameters. Real
tumours differ in biology (grade, growth rate, burden), so a patient whose disease progresses
early on one line tends to progress early on the next. The shared frailty model puts this in:
patient ``i`` has one multiplier :math:`Z_i` on the PFS hazard of every line,

.. math:: Z_i = \exp(\sigma x_i - \sigma^2 / 2), \quad x_i \sim N(0, 1), \quad
          \sigma^2 = \ln(1 + v),

a log-normal frailty with mean 1 and variance :math:`v` (``frailty.variance`` in a model
file). It is normalised so that every therapy's first-line *marginal* median stays the one the
evidence gives: the hazard is multiplied by :math:`c(\sigma) Z_i`, with :math:`c` solving
:math:`E[\exp(-c Z \ln 2)] = 1/2` (Gauss-Hermite quadrature). What changes with :math:`v` is
the spread of the marginal distribution and the correlation between lines; at later lines the
survivors of earlier lines are selected towards low frailty, which is the point.

The variance is not identified by any trial the simulator uses; it is a documented assumption
with a sensitivity analysis (:func:`frailty_sensitivity`, ``docs/simulate.md``).

References
----------
.. [1] Vaupel JW, Manton KG, Stallard E. The impact of heterogeneity in individual frailty on
   the dynamics of mortality. Demography 1979;16:439-454.
.. [2] Ripatti S, Palmgren J. Estimation of multivariate frailty models using penalized
   partial likelihood. Biometrics 2000;56:1016-1022 (log-normal frailty).
.. [3] Hougaard P. Analysis of Multivariate Survival Data. Springer, 2000, chapter 7.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from netline.simulation.spec import ModelSpec

__all__ = ["frailty_log_terms", "frailty_sensitivity", "median_preserving_shift"]

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(60)
_WEIGHTS = _WEIGHTS / math.sqrt(2.0 * math.pi)
_LN2 = math.log(2.0)


def median_preserving_shift(variance: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Log of the factor :math:`c` that keeps the marginal median under the frailty.

    Parameters
    ----------
    variance : ndarray
        Frailty variances :math:`v \ge 0` (one per PSA draw).

    Returns
    -------
    ndarray
        :math:`\ln c`, solving :math:`E[\exp(-c Z \ln 2)] = 1/2` for log-normal :math:`Z` with
        mean 1 and variance :math:`v` (0 where :math:`v = 0`).
    """
    v = np.asarray(variance, dtype=np.float64)
    sigma = np.sqrt(np.log1p(v))[..., None]
    s = sigma * _NODES - sigma**2 / 2.0
    a = np.zeros((*v.shape, 1))
    for _ in range(50):
        h = np.exp(a + s) * _LN2
        surv = np.exp(-h)
        f = (surv * _WEIGHTS).sum(axis=-1, keepdims=True) - 0.5
        df = -(h * surv * _WEIGHTS).sum(axis=-1, keepdims=True)
        step = f / df
        a = a - step
        if float(np.max(np.abs(step))) < 1e-12:
            break
    return np.asarray(a[..., 0])


def frailty_log_terms(
    variance: NDArray[np.float64], normal: NDArray[np.float32]
) -> NDArray[np.float32]:
    r"""Per-patient log hazard multipliers :math:`\ln c + \sigma x - \sigma^2/2`.

    Parameters
    ----------
    variance : ndarray, shape (draws,)
    normal : ndarray, shape (draws, patients)
        Standard normal deviates :math:`x` (one per patient and draw).

    Returns
    -------
    ndarray of float32, shape (draws, patients)
    """
    v = np.asarray(variance, dtype=np.float64)
    sigma = np.sqrt(np.log1p(v))
    shift = median_preserving_shift(v) - sigma**2 / 2.0
    out = normal * sigma.astype(np.float32)[:, None]
    out += shift.astype(np.float32)[:, None]
    return np.asarray(out, dtype=np.float32)


def frailty_sensitivity(
    model: ModelSpec, variances: Sequence[float] = (0.0, 0.25, 0.5, 1.0), **kwargs: Any
) -> pd.DataFrame:
    """Run a model at several frailty variances (a one-way sensitivity analysis).

    Parameters
    ----------
    model : ModelSpec
    variances : sequence of float
        Frailty variances to try (0 = lines independent given the parameters).
    **kwargs
        Passed to :func:`netline.simulation.simulate` (``patients``, ``draws``, ``seed`` ...).

    Returns
    -------
    pandas.DataFrame
        One row per variance and sequence: mean OS with its 95 % PSA interval, and the rank of
        the sequence by mean OS at that variance.
    """
    import pandas as pd

    from netline.simulation.run import simulate
    from netline.simulation.spec import FrailtySpec

    frames = []
    for v in variances:
        spec = model.model_copy(update={"frailty": FrailtySpec(variance=float(v))})
        table = simulate(spec, **kwargs).sequences_table()
        part = table[["sequence", "os_mean", "os_mean_lo", "os_mean_hi"]].copy()
        part.insert(0, "frailty_variance", float(v))
        part["rank"] = part["os_mean"].rank(ascending=False, method="min").astype(int)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)
