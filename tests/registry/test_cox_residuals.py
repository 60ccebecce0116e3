"""The linear-time residual routines equal lifelines' own (the oracle), ties and clusters included.

lifelines 0.30's ``_compute_score_within_strata`` and ``_compute_schoenfeld_within_strata``
grow with the square of the rows, so Cox with a robust variance and a PH check did not finish
at 10^6 lines (issue 13, benchmarks/README.md "Registry at scale"). netline computes the same
formulas in linear time; these tests compare them with lifelines' routines on data with many
ties, case weights and repeated patients, and the whole fitted result with lifelines'
unchanged fitter.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netline.registry import Cohort, cox
from netline.registry.analytics._lifelines_linear import (
    linear_cox_fitter,
    schoenfeld_within_strata,
    score_within_strata,
)
from netline.registry.analytics.survival import cox_data

TOL = 1e-9


def _frame(seed: int, n: int, distinct_times: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": rng.integers(1, distinct_times + 1, n).astype(float),
            "e": rng.random(n) < 0.7,
            "a": rng.normal(size=n),
            "b": rng.integers(0, 2, n),
            "c": rng.integers(1, 4, n),
            "pid": rng.integers(0, max(2, n // 3), n),
        }
    )


def _fit(fitter: Any, frame: pd.DataFrame) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fitter.fit(frame, "t", "e", cluster_col="pid", robust=True, batch_mode=True)


def _sorted_inputs(model: Any, frame: pd.DataFrame) -> tuple[Any, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x, t, e, weights, *_ = model._preprocess_dataframe(frame)
    return x, t, e, weights


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(12, 150),
    distinct=st.sampled_from([3, 10, 1000]),
)
def test_residuals_equal_lifelines_routines(seed: int, n: int, distinct: int) -> None:
    """Property: on any data (few or no ties), both residuals equal lifelines' routines."""
    from lifelines import CoxPHFitter

    frame = _frame(seed, n, distinct)
    model = _fit(CoxPHFitter(), frame)._model
    x, t, e, weights = _sorted_inputs(model, frame)
    expected = model._compute_schoenfeld_within_strata(x, t, e, weights, None)
    got = schoenfeld_within_strata(model, x, t, e, weights, None)
    np.testing.assert_allclose(got, expected, rtol=TOL, atol=TOL)
    x_norm = (x - model._norm_mean.values) / model._norm_std.values
    expected = model._compute_score_within_strata(x_norm, t, e, weights, None)
    got = score_within_strata(model, x_norm, t, e, weights, None)
    np.testing.assert_allclose(got, expected, rtol=TOL, atol=TOL)


def test_no_event_gives_zero_schoenfeld_residuals() -> None:
    from lifelines import CoxPHFitter

    frame = _frame(1, 40, 5)
    model = _fit(CoxPHFitter(), frame)._model
    x, t, e, weights = _sorted_inputs(model, frame)
    none = pd.Series(np.zeros(len(e), dtype=bool), index=e.index)
    got = schoenfeld_within_strata(model, x, t, none, weights, None)
    assert not got.any()


@pytest.mark.parametrize("distinct", [4, 30, 10_000])
def test_fitted_model_equals_lifelines(distinct: int) -> None:
    """Coefficients, robust SEs, PH test and concordance equal lifelines' unchanged fitter."""
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    frame = _frame(7, 400, distinct)
    plain, linear = _fit(CoxPHFitter(), frame), _fit(linear_cox_fitter(), frame)
    pd.testing.assert_series_equal(plain.params_, linear.params_, rtol=TOL, atol=TOL)
    pd.testing.assert_series_equal(
        plain.standard_errors_, linear.standard_errors_, rtol=TOL, atol=TOL
    )
    assert plain.concordance_index_ == linear.concordance_index_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ph_plain = proportional_hazard_test(plain, frame, time_transform="rank").summary
        ph_linear = proportional_hazard_test(linear, frame, time_transform="rank").summary
    pd.testing.assert_frame_equal(ph_plain, ph_linear, rtol=TOL, atol=TOL)


def test_cox_equals_lifelines_unchanged_fitter(demo_cohort: Cohort) -> None:
    """netline's ``cox`` reports what lifelines' own fitter and PH test give on its frame."""
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    covariates = ["line", "prior_ssa", "prior_radioligand", "age_at_diagnosis"]
    result = cox(demo_cohort, covariates, "pfs", (1, None))
    frame = cox_data(demo_cohort, "pfs", (1, None))[["patient_id", "months", "event", *covariates]]
    frame = frame.dropna()
    assert result.robust
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter = CoxPHFitter().fit(
            frame,
            "months",
            "event",
            cluster_col="patient_id",
            robust=True,
            fit_options={"precision": 1e-12, "r_precision": 1e-14, "max_steps": 200},
        )
        ph = proportional_hazard_test(fitter, frame, time_transform="rank").summary
    for name in covariates:
        got = result.coefficients[name]
        assert got["coef"] == pytest.approx(fitter.params_[name], rel=TOL, abs=TOL)
        assert got["se"] == pytest.approx(fitter.standard_errors_[name], rel=TOL, abs=TOL)
        assert result.ph_test[name]["statistic"] == pytest.approx(
            ph.loc[name, "test_statistic"], rel=TOL, abs=TOL
        )
    assert result.concordance == pytest.approx(fitter.concordance_index_, rel=TOL)


def test_cox_never_runs_lifelines_quadratic_routines(
    demo_cohort: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 13): Cox at 10^6 lines did not finish in lifelines' O(n^2) loops."""
    from lifelines.fitters.coxph_fitter import SemiParametricPHFitter

    def quadratic(*args: object, **kwargs: object) -> None:
        raise AssertionError("lifelines' quadratic residual routine was called")

    for name in ("_compute_score_within_strata", "_compute_schoenfeld_within_strata"):
        monkeypatch.setattr(SemiParametricPHFitter, name, quadratic)
    result = cox(demo_cohort, ["line", "prior_ssa"], "pfs", (1, None))
    assert result.robust
    assert set(result.ph_test) == {"line", "prior_ssa"}
