"""The shipped life table and the distribution helpers."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest

from netline.errors import InvalidInputError, UnknownKeyError
from netline.simulation.distributions import LogNormal, PiecewiseExponential, Weibull, norm_ppf
from netline.simulation.lifetable import load_life_table


def test_life_expectancy_at_birth_matches_the_published_table() -> None:
    table = load_life_table()
    assert table.life_expectancy(0, female=False) == pytest.approx(74.12, abs=0.02)
    assert table.life_expectancy(0, female=True) == pytest.approx(79.78, abs=0.02)
    assert "Trustees Report" in table.source


def test_residual_lifetimes_have_the_table_mean() -> None:
    table = load_life_table()
    rng = np.random.default_rng(1)
    e = rng.standard_exponential((1, 50_000))
    months = table.residual_months(np.full(50_000, 65.0), np.zeros(50_000, bool), e)
    expected = table.life_expectancy(65, female=False) * 12
    assert months.mean() == pytest.approx(expected, rel=0.01)


def test_bad_life_table_lists_problems(tmp_path: Path) -> None:
    path = tmp_path / "lt.csv"
    path.write_text("age,qx_male,qx_female\n0,0.01,1.5\n2,0.01,0.01\n")
    with pytest.raises(InvalidInputError) as info:
        load_life_table(str(path))
    assert len(info.value.problems) == 2
    with pytest.raises(UnknownKeyError):
        load_life_table("no_such_table")


def test_norm_ppf_is_accurate() -> None:
    ps = np.array([1e-12, 1e-6, 0.01, 0.2, 0.5, 0.77, 0.975, 1 - 1e-9])
    expected = [NormalDist().inv_cdf(float(p)) for p in ps]
    np.testing.assert_allclose(norm_ppf(ps), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "dist",
    [
        Weibull(np.array(1.3), np.array(10.0)),
        LogNormal(np.array(2.0), np.array(0.7)),
        PiecewiseExponential(np.array([0.0, 5.0, 12.0]), np.array([0.05, 0.1, 0.02])),
    ],
    ids=["weibull", "lognormal", "piecewise"],
)
def test_inverse_cumulative_hazard_round_trip(
    dist: Weibull | LogNormal | PiecewiseExponential,
) -> None:
    e = np.array([0.01, 0.3, 0.69, 1.5, 3.0])
    t = dist.inverse_cumhaz(e)
    np.testing.assert_allclose(dist.cumhaz(t), e, rtol=1e-9)
    assert float(dist.median()) == pytest.approx(float(dist.inverse_cumhaz(np.array(math.log(2)))))
