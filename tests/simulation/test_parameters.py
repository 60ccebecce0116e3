"""Parameter specifications, PSA sampling and derivation from published figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from netline.errors import InvalidInputError
from netline.simulation.parameters import (
    COST,
    POSITIVE,
    PROBABILITY,
    Figure,
    ParamSpec,
    hr_from_landmarks,
    hr_param,
    median_param,
    sample_parameters,
    weibull_shape_from_arms,
    weibull_shape_from_landmark,
)


def test_lognormal_from_ci() -> None:
    spec = ParamSpec(value=11.0, ci=(8.4, 13.3))
    draws = sample_parameters({"m": (spec, POSITIVE)}, 40_000, seed=3)["m"]
    se = (math.log(13.3) - math.log(8.4)) / (2 * 1.959963984540054)
    assert np.median(draws) == pytest.approx(11.0, rel=0.01)
    assert np.log(draws).std() == pytest.approx(se, rel=0.02)


def test_beta_and_gamma_match_their_moments() -> None:
    p = ParamSpec(value=0.2, se=0.05)
    c = ParamSpec(value=1000.0, se=100.0)
    out = sample_parameters({"p": (p, PROBABILITY), "c": (c, COST)}, 40_000, seed=5)
    assert out["p"].mean() == pytest.approx(0.2, abs=0.002)
    assert out["p"].std() == pytest.approx(0.05, rel=0.03)
    assert ((out["p"] > 0) & (out["p"] < 1)).all()
    assert out["c"].mean() == pytest.approx(1000, rel=0.01)


def test_draws_keyed_by_name_do_not_shift() -> None:
    a = ParamSpec(value=5.0, se=0.2)
    b = ParamSpec(value=3.0, se=0.2)
    alone = sample_parameters({"a": (a, POSITIVE)}, 10, seed=1)["a"]
    together = sample_parameters({"b": (b, POSITIVE), "a": (a, POSITIVE)}, 10, seed=1)["a"]
    np.testing.assert_array_equal(alone, together)


def test_fixed_when_no_uncertainty_and_deterministic_mode() -> None:
    spec = ParamSpec(value=4.0, ci=(3.0, 5.0))
    assert (sample_parameters({"x": (ParamSpec(value=4.0), POSITIVE)}, 5, 1)["x"] == 4.0).all()
    assert (sample_parameters({"x": (spec, POSITIVE)}, 5, 1, psa=False)["x"] == 4.0).all()


def test_impossible_beta_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="se <"):
        sample_parameters({"p": (ParamSpec(value=0.5, se=0.6), PROBABILITY)}, 5, 1)


def test_weibull_shape_from_arms_reproduces_hr() -> None:
    k = weibull_shape_from_arms(11.0, 4.6, 0.35)
    assert (4.6 / 11.0) ** k == pytest.approx(0.35)
    with pytest.raises(InvalidInputError):
        weibull_shape_from_arms(11.0, 4.6, 1.5)


def test_landmark_derivations() -> None:
    k = weibull_shape_from_landmark(18.0, 24.0, 0.33)
    scale = 18.0 / math.log(2) ** (1 / k)
    assert math.exp(-((24.0 / scale) ** k)) == pytest.approx(0.33)
    assert hr_from_landmarks(0.651, 0.33) == pytest.approx(math.log(0.651) / math.log(0.33))


def test_figures_become_params_with_sources() -> None:
    fig = Figure(0.35, (0.27, 0.45), "yao2011", "verified", "RADIANT-3 PFS HR")
    spec = hr_param(fig)
    assert spec.psa == "lognormal"
    assert spec.source is not None
    assert spec.source.ref == "yao2011"
    assert "RADIANT-3" in (spec.source.note or "")
    nr = Figure(None, None, "caplin2014", "verified", "CLARINET lanreotide")
    with pytest.raises(InvalidInputError, match="reached"):
        median_param(nr)
    fixed = median_param(Figure(22.7, None, "kunz2023", "recalled"))
    assert fixed.resolved_kind("lognormal") == "fixed"
    assert median_param(Figure(22.7, None, "k", "verified"), 0.1).se == 0.1
