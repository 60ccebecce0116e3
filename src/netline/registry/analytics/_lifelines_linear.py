"""Linear-time forms of two residual routines of lifelines 0.30's ``CoxPHFitter``.

lifelines computes the score residuals (behind the robust, clustered variance) and the
Schoenfeld residuals (behind ``proportional_hazard_test``) with loops whose cost grows with
the square of the number of rows: ``_compute_score_within_strata`` sums, for every row, over
all the rows before it, and ``_compute_schoenfeld_within_strata`` grows its result with
``numpy.append`` one row at a time. At 10^6 lines neither finishes in hours.

The two functions below compute the *same formulas* as those routines (lifelines' own
definitions, ties and row order included: the score residuals use lifelines' row-wise risk
sums, the Schoenfeld residuals Efron's tie correction) with cumulative sums, in time linear
in the rows. :func:`linear_cox_fitter` returns lifelines' fitter with them in place of lifelines'
routines; everything else (the fit, the information matrix, the sandwich, the PH test
statistic, the concordance) stays lifelines'. ``tests/registry/test_cox_residuals.py`` checks
them against lifelines' own routines (the oracle) on data with ties, weights and clusters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["linear_cox_fitter", "schoenfeld_within_strata", "score_within_strata"]


def _reverse_cumsum(values: Any) -> Any:
    return np.cumsum(values[::-1], axis=0)[::-1]


def score_within_strata(
    fitter: Any, covariates: Any, _times: Any, events: Any, weights: Any, entries: None
) -> Any:
    """Score residuals of lifelines' ``_compute_score_within_strata``, in linear time.

    Rows are sorted by time (lifelines sorts them); ``covariates`` are normalised as in
    lifelines' fit. For row i, with phi = exp(x beta), R_j and Rx_j the weighted sums of phi
    and phi x over rows j..n (lifelines' row-wise risk sums) and a_j = e_j w_j / R_j::

        s_i = w_i [e_i (x_i - Rx_i / R_i)
                   - phi_i (x_i sum_{j<=i} a_j - sum_{j<=i} a_j Rx_j / R_j)]
    """
    x = np.asarray(covariates.values, dtype=float)
    e = np.asarray(events.values).astype(int)
    w = np.asarray(weights.values, dtype=float)
    beta = np.asarray(fitter.params_.values * fitter._norm_std, dtype=float)
    phi = np.exp(x @ beta)
    risk_x = _reverse_cumsum(x * (w * phi)[:, None])
    risk = _reverse_cumsum(w * phi)[:, None]
    a = (e * w)[:, None] / risk
    seen = np.cumsum(a, axis=0)
    seen_mean = np.cumsum(a * risk_x / risk, axis=0)
    score = -phi[:, None] * (x * seen - seen_mean) + e[:, None] * (x - risk_x / risk)
    return score * w[:, None]


def schoenfeld_within_strata(
    fitter: Any, covariates: Any, times: Any, events: Any, weights: Any, entries: None
) -> Any:
    """Schoenfeld residuals of lifelines' ``_compute_schoenfeld_within_strata``, linear time.

    Rows are sorted by time. For each run of tied times with c > 0 events, Efron's weighted
    mean is ``sum_{l<c} (Rx - l/c Dx) / ((R - l/c D) c)`` with R, Rx the sums of w exp(x beta)
    (times x) over the rows from the run's first row on and D, Dx those over its events; an
    event's residual is x minus that mean, every other row's is zero.
    """
    x = np.asarray(covariates.values, dtype=float)
    t = np.asarray(times.values)
    e = np.asarray(events.values).astype(bool)
    n, d = x.shape
    residuals = np.zeros((n, d))
    if not e.any():
        return residuals
    score = np.asarray(weights.values, dtype=float) * np.exp(x @ np.asarray(fitter.params_))
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    group = np.cumsum(np.r_[True, t[1:] != t[:-1]]) - 1
    risk = _reverse_cumsum(score)[starts]
    risk_x = _reverse_cumsum(x * score[:, None])[starts]
    died = np.flatnonzero(e)
    g = group[died]
    count = np.bincount(g, minlength=len(starts)).astype(float)
    tie = np.bincount(g, weights=score[died], minlength=len(starts))
    tie_x = np.stack(
        [np.bincount(g, weights=x[died, k] * score[died], minlength=len(starts)) for k in range(d)],
        axis=1,
    )
    step = (np.arange(len(died)) - np.searchsorted(g, g, side="left")) / count[g]
    terms = (risk_x[g] - step[:, None] * tie_x[g]) / ((risk[g] - step * tie[g]) * count[g])[:, None]
    mean = np.stack(
        [np.bincount(g, weights=terms[:, k], minlength=len(starts)) for k in range(d)], axis=1
    )
    residuals[died] = x[died] - mean[g]
    return residuals


def linear_cox_fitter() -> Any:
    """Return a lifelines ``CoxPHFitter`` whose residual routines are the linear-time ones.

    The fitter is lifelines' own (``CoxPHFitter`` with its Breslow baseline, Efron ties); only
    the semi-parametric model it builds has ``_compute_score_within_strata`` and
    ``_compute_schoenfeld_within_strata`` replaced by :func:`score_within_strata` and
    :func:`schoenfeld_within_strata`, so its robust variance and ``proportional_hazard_test``
    run in linear time.
    """
    from lifelines import CoxPHFitter
    from lifelines.fitters.coxph_fitter import SemiParametricPHFitter

    class _Model(SemiParametricPHFitter):  # type: ignore[misc]
        def _compute_score_within_strata(
            self, covariates: Any, times: Any, events: Any, weights: Any, entries: None
        ) -> Any:
            return score_within_strata(self, covariates, times, events, weights, entries)

        def _compute_schoenfeld_within_strata(
            self, covariates: Any, times: Any, events: Any, weights: Any, entries: None
        ) -> Any:
            return schoenfeld_within_strata(self, covariates, times, events, weights, entries)

    class _Fitter(CoxPHFitter):  # type: ignore[misc]
        def _fit_model_breslow(self, *args: Any, **kwargs: Any) -> Any:
            model = _Model(
                penalizer=self.penalizer,
                l1_ratio=self.l1_ratio,
                strata=self.strata,
                alpha=self.alpha,
                label=self._label,
            )
            model.fit(*args, **kwargs)
            return model

    return _Fitter()
