"""Shared frailty, per-prior-line effects, random-effects synthesis and derived estimates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netline.errors import InvalidInputError
from netline.simulation import compile_model, parse_model, simulate
from netline.simulation.estimates import estimate, load_estimates
from netline.simulation.frailty import frailty_sensitivity, median_preserving_shift
from netline.simulation.synthesis import random_effects

from .simhelpers import model


def _three_lines(**extra: Any) -> dict[str, Any]:
    therapies = {
        name: {"classes": [cls], "pfs": {"distribution": "weibull", "median": 10.0, "shape": 1.2}}
        for name, cls in (("a", "x"), ("b", "y"), ("c", "ssa"), ("d", "z"))
    }
    return dict(model(therapies=therapies, sequences=[["a", "b", "d"], ["c", "b", "d"]], **extra))


# ------------------------------------------------------------------ frailty


def test_zero_frailty_variance_changes_nothing() -> None:
    plain = simulate(parse_model(_three_lines()), patients=2000, draws=2)
    zero = simulate(parse_model(_three_lines(frailty={"variance": 0.0})), patients=2000, draws=2)
    np.testing.assert_array_equal(plain.raw.pfs_mean, zero.raw.pfs_mean)
    np.testing.assert_array_equal(plain.raw.os_mean, zero.raw.os_mean)


def test_frailty_keeps_first_line_median_and_correlates_lines() -> None:
    data = _three_lines(frailty={"variance": 1.0})
    result = simulate(parse_model(data), patients=20_000, draws=1, record_patients=True)
    lines = result.lines_table().set_index(["sequence", "line"])
    assert lines.loc[("a > b > d", 1), "pfs_median"] == pytest.approx(10.0, rel=0.04)
    rec = result.raw.patient_records
    first, second = rec["pfs:0"][0], rec["pfs:1"][0]
    both = np.isfinite(first) & np.isfinite(second)
    rho = np.corrcoef(np.argsort(np.argsort(first[both])), np.argsort(np.argsort(second[both])))
    assert rho[0, 1] > 0.15
    plain = simulate(parse_model(_three_lines()), patients=20_000, draws=1, record_patients=True)
    p1, p2 = plain.raw.patient_records["pfs:0"][0], plain.raw.patient_records["pfs:1"][0]
    ok = np.isfinite(p1) & np.isfinite(p2)
    rho0 = np.corrcoef(np.argsort(np.argsort(p1[ok])), np.argsort(np.argsort(p2[ok])))
    assert abs(rho0[0, 1]) < 0.05


def test_median_preserving_shift_against_monte_carlo() -> None:
    rng = np.random.default_rng(5)
    for v in (0.25, 1.0, 3.0):
        sigma = math.sqrt(math.log1p(v))
        z = np.exp(sigma * rng.standard_normal(400_000) - sigma**2 / 2)
        c = math.exp(float(median_preserving_shift(np.array([v]))[0]))
        assert np.mean(np.exp(-c * z * math.log(2))) == pytest.approx(0.5, abs=0.003)
    assert median_preserving_shift(np.array([0.0]))[0] == pytest.approx(0.0, abs=1e-12)


def test_frailty_sensitivity_reports_each_variance() -> None:
    table = frailty_sensitivity(
        parse_model(_three_lines()), (0.0, 1.0), patients=200, draws=2, psa=False
    )
    assert sorted(set(table["frailty_variance"])) == [0.0, 1.0]
    assert len(table) == 4
    assert set(table["rank"]) <= {1, 2}


# ------------------------------------------------------------------ per-prior-line effects


def test_per_prior_line_effect_raises_the_hazard_once_per_line() -> None:
    data = _three_lines(
        modifiers=[
            {"name": "line", "per_prior_line_beyond": 0, "hr": 2.0},
        ]
    )
    for t in data["therapies"].values():
        t["pfs"] = {"distribution": "exponential", "median": 12.0}
    result = simulate(parse_model(data), patients=40_000, draws=1, psa=False)
    lines = result.lines_table().set_index(["sequence", "line"])
    for line, factor in ((1, 1), (2, 2), (3, 4)):
        assert lines.loc[("a > b > d", line), "pfs_median"] == pytest.approx(
            12.0 / factor, rel=0.05
        )


def test_per_prior_line_effect_can_leave_a_class_out() -> None:
    data = _three_lines(
        modifiers=[
            {"name": "line", "per_prior_line_excluding": "ssa", "hr": 2.0},
        ]
    )
    for t in data["therapies"].values():
        t["pfs"] = {"distribution": "exponential", "median": 12.0}
    result = simulate(parse_model(data), patients=40_000, draws=1, psa=False)
    lines = result.lines_table().set_index(["sequence", "line"])
    # after the SSA ("c") the second line is not penalised; after "a" it is
    assert lines.loc[("c > b > d", 2), "pfs_median"] == pytest.approx(12.0, rel=0.05)
    assert lines.loc[("a > b > d", 2), "pfs_median"] == pytest.approx(6.0, rel=0.05)
    assert lines.loc[("c > b > d", 3), "pfs_median"] == pytest.approx(6.0, rel=0.05)


def test_history_prefix_counts_as_prior_lines() -> None:
    data = _three_lines(modifiers=[{"name": "line", "per_prior_line_beyond": 0, "hr": 2.0}])
    for t in data["therapies"].values():
        t["pfs"] = {"distribution": "exponential", "median": 12.0}
    spec = parse_model(data)
    compiled = compile_model(spec, history=[frozenset({"class:x"})])
    assert compiled.plan.history == (frozenset({"class:x"}),)
    result = simulate(spec, patients=40_000, draws=1, psa=False, history=[frozenset({"class:x"})])
    lines = result.lines_table().set_index(["sequence", "line"])
    assert lines.loc[("a > b > d", 1), "pfs_median"] == pytest.approx(6.0, rel=0.05)


# ------------------------------------------------------------------ synthesis


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-3, 3), st.floats(0.05, 1.0)),
        min_size=1,
        max_size=6,
    )
)
def test_pooled_mean_lies_between_the_studies(studies: list[tuple[float, float]]) -> None:
    ys = [y for y, _ in studies]
    ses = [s for _, s in studies]
    pooled = random_effects(ys, ses)
    assert min(ys) - 1e-9 <= pooled.mu <= max(ys) + 1e-9
    assert pooled.tau2 >= 0
    assert pooled.predictive_se >= pooled.se
    again = random_effects(ys[::-1], ses[::-1])
    assert again.mu == pytest.approx(pooled.mu)
    assert again.tau2 == pytest.approx(pooled.tau2)


def test_dersimonian_laird_by_hand() -> None:
    ys, ses = [0.0, 1.0], [0.1, 0.2]
    w = [100.0, 25.0]
    fixed = (0 * 100 + 1 * 25) / 125
    q = 100 * fixed**2 + 25 * (1 - fixed) ** 2
    tau2 = (q - 1) / (125 - (100**2 + 25**2) / 125)
    wr = [1 / (1 / wi + tau2) for wi in w]
    mu = (0 * wr[0] + 1 * wr[1]) / sum(wr)
    pooled = random_effects(ys, ses)
    assert pooled.tau2 == pytest.approx(tau2)
    assert pooled.mu == pytest.approx(mu)
    assert pooled.se == pytest.approx(math.sqrt(1 / sum(wr)))


def test_synthesis_refuses_bad_input() -> None:
    with pytest.raises(InvalidInputError):
        random_effects([0.1], [0.0])
    with pytest.raises(InvalidInputError):
        random_effects([], [])


# ------------------------------------------------------------------ derived estimates


def test_history_estimates_follow_their_derivations() -> None:
    k = math.log(0.35) / math.log(4.6 / 11.0)  # RADIANT-3's shape from its medians and HR
    assert estimate("prior_ssa").value == pytest.approx((4.6 / 3.9) ** k)
    assert estimate("line_contrast_radiant3").value == pytest.approx((5.4 / 3.2) ** k)
    assert estimate("line_contrast_sun1111").value == pytest.approx((0.61 / 0.33) ** (1 / 3))
    parts = [estimate(n).value for n in ("line_contrast_radiant3", "line_contrast_sun1111")]
    parts.append(estimate("line_contrast_pazonet").value)
    assert min(parts) <= estimate("line_effect").value <= max(parts)
    assert estimate("line_effect").tau2 > 0  # the three disagree beyond chance
    stz = estimate("stz_5fu_pfs_median")
    assert 19.4 < stz.value < 23.0
    assert "dilz2015" in stz.refs
    assert "clewemar2016" in stz.refs


def test_estimates_never_use_seqtor() -> None:
    for est in load_estimates().values():
        assert not any("seqtor" in ref for ref in est.refs), est.name


def test_estimates_become_parameters_in_range() -> None:
    data = model()
    data["therapies"]["a"]["pfs"]["median"] = {"estimate": "stz_5fu_pfs_median"}
    data["modifiers"] = [{"name": "line", "hr": {"estimate": "line_effect"}}]
    compiled = compile_model(parse_model(data))
    median, _ = compiled.param_specs["therapies.a.pfs.median"]
    assert median.psa == "lognormal"
    assert median.source is not None
    assert median.source.status == "derived"


def test_unknown_estimate_names_the_known_ones() -> None:
    data = model()
    data["therapies"]["a"]["pfs"]["median"] = {"estimate": "no_such_thing"}
    with pytest.raises(InvalidInputError) as exc:
        compile_model(parse_model(data))
    text = str(exc.value)
    assert "therapies.a.pfs.median.estimate" in text
    assert "line_effect" in text


def test_shapes_carry_their_uncertainty_into_psa() -> None:
    # Defect: STZ-5FU's shape was a fixed 1.2 and everolimus's a fixed 1.204 in the validation
    # model, so the PSA intervals ignored how much the pNET trials' shapes differ (0.76-1.20).
    for name in ("stz_5fu_shape", "everolimus_shape", "sunitinib_shape"):
        spec = estimate(name).param()
        assert spec.psa == "lognormal", name
        assert spec.se is not None
        assert spec.se > 0, name
    low, high = estimate("stz_5fu_shape").interval
    assert low < 1.0 < high  # an exponential-like shape is not excluded for STZ
