"""Behaviour of the vectorised engine, and its agreement with the per-patient reference loop."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from netline.errors import InvalidInputError
from netline.simulation import (
    Parameters,
    compile_model,
    parse_model,
    sample_parameters,
    sample_population,
    simulate,
)

from .reference import simulate_reference
from .simhelpers import model

Z = 4.5  # two-sided alpha ~ 7e-6 per comparison: seeded, and far from flaky


def run(data: dict[str, Any], **kwargs: Any):  # type: ignore[no-untyped-def]
    return simulate(parse_model(data), progress=False, **kwargs)


def test_exponential_median_is_ln2_over_rate() -> None:
    rate = 0.07
    data = model(
        therapies={"a": {"classes": ["x"], "pfs": {"distribution": "exponential", "rate": rate}}},
        sequences=[["a"]],
    )
    result = run(data, patients=20_000, draws=1, record_patients=True)
    pfs = result.raw.patient_records["pfs:0"][0].astype(np.float64)
    n = pfs.size
    # sample median: asymptotic SE = 1 / (2 f(m) sqrt(n)), f(m) = rate / 2 for the exponential
    se = 1.0 / (rate * math.sqrt(n))
    assert abs(np.median(pfs) - math.log(2) / rate) < Z * se
    # the engine's histogram median matches the sample median to within a bin
    assert abs(result.raw.pfs_median[0, 0] - np.median(pfs)) < 0.25
    assert abs(pfs.mean() - 1 / rate) < Z * (1 / rate) / math.sqrt(n)


@pytest.mark.parametrize("kind", ["weibull", "lognormal", "piecewise"])
def test_median_of_each_distribution(kind: str) -> None:
    spec = {
        "weibull": {"distribution": "weibull", "median": 12.0, "shape": 1.5},
        "lognormal": {"distribution": "lognormal", "median": 12.0, "sdlog": 0.8},
        "piecewise": {"distribution": "piecewise", "starts": [0, 6], "rates": [0.02, 0.1]},
    }[kind]
    # piecewise: H(6) = 0.12, median where 0.12 + 0.1 (t - 6) = ln 2
    truth = 12.0 if kind != "piecewise" else 6 + (math.log(2) - 0.12) / 0.1
    data = model(therapies={"a": {"classes": ["x"], "pfs": spec}}, sequences=[["a"]])
    result = run(data, patients=20_000, draws=1, record_patients=True)
    pfs = result.raw.patient_records["pfs:0"][0]
    assert abs(np.median(pfs) - truth) < 0.03 * truth


def _agreement(data: dict[str, Any], n_ref: int) -> None:
    spec = parse_model(data)
    compiled = compile_model(spec)
    sim = spec.simulation
    params = sample_parameters(compiled.param_specs, sim.draws, sim.seed, psa=sim.psa)
    result = simulate(spec, progress=False, record_patients=True)
    population = sample_population(spec.population, sim.patients, sim.seed, False)
    raw = result.raw
    for q, seq in enumerate(compiled.plan.sequences):
        ref_paths = simulate_reference(compiled.plan, params, population, seq, draw=0, seed=123)[
            :n_ref
        ]
        eng_os = raw.patient_records[f"os:{q}"][0].astype(np.float64)
        ref_os = np.array([p.os for p in ref_paths])
        _z_close(eng_os, ref_os, f"{seq} OS")
        eng_mean_qaly = raw.qaly[0, q] if raw.qaly is not None else None
        if eng_mean_qaly is not None:
            ref_q = np.array([p.qaly for p in ref_paths])
            _z_close_mean(eng_mean_qaly, ref_q, f"{seq} QALY", spread=ref_q.std())
        if raw.cost is not None:
            ref_c = np.array([p.cost for p in ref_paths])
            _z_close_mean(raw.cost[0, q], ref_c, f"{seq} cost", spread=ref_c.std())
        ref_tot = np.array([p.time_on_treatment for p in ref_paths])
        _z_close_mean(raw.tot_mean[0, q], ref_tot, f"{seq} time on treatment", ref_tot.std())
        for line, k in enumerate(raw.lines[q]):
            eng = raw.patient_records[f"pfs:{k}"][0].astype(np.float64)
            eng = eng[~np.isnan(eng)]
            ref = np.array([p.pfs[line] for p in ref_paths if len(p.pfs) > line])
            _z_close(eng, ref, f"{seq} line {line + 1} PFS")
            # share of patients reaching the line: a binomial proportion
            p_eng = raw.line_start[0, k]
            p_ref = len(ref) / len(ref_paths)
            se = math.sqrt(max(p_ref * (1 - p_ref), 1e-4) * (1 / len(ref_paths) + 1 / eng.size))
            assert abs(p_eng - p_ref) < Z * se + 1e-9, f"{seq} line {line + 1} reached"


def _z_close(a: np.ndarray, b: np.ndarray, what: str) -> None:
    se = math.sqrt(a.var() / a.size + b.var() / b.size)
    assert abs(a.mean() - b.mean()) < Z * se, (
        f"{what}: {a.mean():.3f} vs {b.mean():.3f} (se {se:.3f})"
    )


def _z_close_mean(engine_mean: float, ref: np.ndarray, what: str, spread: float) -> None:
    se = spread * math.sqrt(1 / ref.size + 1 / 4000)
    assert abs(engine_mean - ref.mean()) < Z * se + 1e-9, f"{what}: {engine_mean} vs {ref.mean()}"


def test_engine_agrees_with_reference_loop(rich_model: dict[str, Any]) -> None:
    _agreement(rich_model, n_ref=2500)


def test_engine_agrees_with_frailty_and_line_effects(rich_model: dict[str, Any]) -> None:
    rich_model["frailty"] = {"variance": 0.8}
    rich_model.setdefault("modifiers", []).append(
        {"name": "per_line", "per_prior_line_excluding": "ssa", "hr": 1.6}
    )
    _agreement(rich_model, n_ref=2000)


def test_engine_agrees_without_discounting_or_background(rich_model: dict[str, Any]) -> None:
    rich_model["discount"] = {"costs": 0.0, "qalys": 0.0}
    rich_model["background_mortality"] = None
    rich_model["simulation"]["horizon_years"] = None
    _agreement(rich_model, n_ref=1500)


def test_cross_resistance_lowers_later_line_pfs() -> None:
    base = model(
        therapies={
            "a": {"classes": ["x"], "pfs": {"distribution": "exponential", "median": 10.0}},
            "b": {"classes": ["x"], "pfs": {"distribution": "exponential", "median": 10.0}},
            "c": {"classes": ["y"], "pfs": {"distribution": "exponential", "median": 10.0}},
        },
        modifiers=[{"name": "xres", "when": {"prior_same_class": True}, "hr": 2.0}],
        sequences=[["a", "b"], ["a", "c"]],
    )
    result = run(base, patients=20_000, draws=1)
    lines = result.lines_table().set_index(["sequence", "line"])
    same = lines.loc[("a > b", 2), "pfs_mean"]
    other = lines.loc[("a > c", 2), "pfs_mean"]
    mean = 10.0 / math.log(2)
    assert same == pytest.approx(mean / 2, rel=0.05)  # HR 2 halves the exponential mean
    assert other == pytest.approx(mean, rel=0.05)


def test_crn_identical_sequences_identical_results() -> None:
    data = model(
        sequences=[{"id": "first", "lines": ["a", "b"]}, {"id": "again", "lines": ["a", "b"]}]
    )
    raw = run(data, draws=3, psa=True).raw
    np.testing.assert_array_equal(raw.os_mean[:, 0], raw.os_mean[:, 1])
    np.testing.assert_array_equal(raw.os_median[:, 0], raw.os_median[:, 1])


def test_crn_reduces_variance_of_differences() -> None:
    therapies = {
        "a": {"classes": ["x"], "pfs": {"distribution": "exponential", "median": 10.0}},
        "b": {"classes": ["y"], "pfs": {"distribution": "exponential", "median": 8.0}},
        "c": {"classes": ["z"], "pfs": {"distribution": "exponential", "median": 8.0}},
    }
    data = model(therapies=therapies, sequences=[["a", "b"], ["b", "a"]])
    together = run(data, patients=400, draws=60).raw.os_mean
    diff_crn = together[:, 0] - together[:, 1]
    apart_1 = run(model(therapies=therapies, sequences=[["a", "b"]]), patients=400, draws=60).raw
    data2 = model(therapies=therapies, sequences=[["b", "a"]])
    data2["simulation"]["seed"] = 99
    apart_2 = run(data2, patients=400, draws=60).raw
    diff_indep = apart_1.os_mean[:, 0] - apart_2.os_mean[:, 0]
    assert diff_crn.var() < 0.5 * diff_indep.var()


def test_antithetic_variates_reduce_variance() -> None:
    data = model(sequences=[["a", "b"]])
    plain = run(data, patients=200, draws=300, antithetic=False).raw.os_mean[:, 0]
    paired = run(data, patients=200, draws=300, antithetic=True).raw.os_mean[:, 0]
    # same expectation, much smaller spread between replications
    assert abs(plain.mean() - paired.mean()) < Z * math.sqrt(plain.var() / 300 + paired.var() / 300)
    assert paired.var() < 0.6 * plain.var()


def test_discounting_matches_hand_computed_values() -> None:
    lam = 0.05  # per month
    annual = 0.035
    delta = math.log1p(annual) / 12
    data = model(
        therapies={
            "a": {
                "classes": ["x"],
                "pfs": {"distribution": "exponential", "rate": lam},
                "utility": {"on_treatment": 1.0},
                "cost": {"per_month": 100.0, "start": 1000.0},
            }
        },
        bsc={"survival": {"distribution": "exponential", "rate": 1e6}},
        sequences=[["a"]],
        discount={"costs": annual, "qalys": annual},
        death_cost=500.0,
    )
    raw = run(data, patients=40_000, draws=1).raw
    assert raw.qaly is not None
    assert raw.cost is not None
    # E ∫0^T e^{-δt} dt = 1/(λ+δ) months; death cost E e^{-δT} = λ/(λ+δ)
    expected_qaly = 1 / (lam + delta) / 12
    expected_cost = 100.0 / (lam + delta) + 1000.0 + 500.0 * lam / (lam + delta)
    # MC error: sd of (1 - e^{-δT})/δ is below 1/λ; 40,000 patients
    assert raw.qaly[0, 0] == pytest.approx(expected_qaly, rel=0.02)
    assert raw.cost[0, 0] == pytest.approx(expected_cost, rel=0.02)
    undiscounted = run({**data, "discount": {"costs": 0, "qalys": 0}}, patients=40_000, draws=1).raw
    assert undiscounted.qaly is not None
    assert undiscounted.qaly[0, 0] == pytest.approx(1 / lam / 12, rel=0.02)


def test_seeded_runs_reproduce_whatever_the_chunking(rich_model: dict[str, Any]) -> None:
    rich_model["simulation"].update(patients=300, draws=6, psa=True)
    spec = parse_model(rich_model)
    a = simulate(spec, progress=False).raw
    b = simulate(spec, progress=False, chunk_draws=1, workers=2).raw
    np.testing.assert_array_equal(a.os_mean, b.os_mean)
    np.testing.assert_array_equal(a.pfs_median, b.pfs_median)
    assert a.qaly is not None
    assert b.qaly is not None
    np.testing.assert_array_equal(a.qaly, b.qaly)
    c = simulate(spec, progress=False, seed=12345).raw
    assert not np.array_equal(a.os_mean, c.os_mean)


def test_history_modifier_on_time_since_start() -> None:
    therapies = {
        "a": {"classes": ["x"], "pfs": {"distribution": "exponential", "median": 30.0}},
        "b": {"classes": ["y"], "pfs": {"distribution": "exponential", "median": 10.0}},
    }
    plain = run(model(therapies=therapies), patients=20_000, draws=1).lines_table()
    late = run(
        model(
            therapies=therapies,
            modifiers=[{"name": "clock", "when": {"months_since_start": {"min": 30}}, "hr": 3.0}],
        ),
        patients=20_000,
        draws=1,
    ).lines_table()
    # line 2 starts after month 30 for half the patients: their PFS is cut by 3
    assert late.loc[1, "pfs_mean"] < 0.8 * plain.loc[1, "pfs_mean"]
    assert late.loc[0, "pfs_mean"] == pytest.approx(plain.loc[0, "pfs_mean"])


def test_parameters_are_checked_not_dropped() -> None:
    spec = parse_model(model())
    compiled = compile_model(spec)
    names = sorted(compiled.param_specs)
    values = {name: np.full(3, 5.0) for name in names[1:]}
    values["therapies.a.pfs.medain"] = np.full(3, 5.0)
    with pytest.raises(InvalidInputError) as info:
        simulate(spec, parameters=Parameters(values, 3), progress=False)
    text = str(info.value)
    assert names[0] in text
    assert "missing" in text
    assert "medain" in text
    assert "unknown" in text


def test_parameters_out_of_range_are_refused() -> None:
    spec = parse_model(model())
    compiled = compile_model(spec)
    values = {name: np.full(3, 5.0) for name in compiled.param_specs}
    values["therapies.a.pfs.median"] = np.array([5.0, -1.0, np.nan])
    with pytest.raises(InvalidInputError, match=r"therapies\.a\.pfs\.median\[draw 1\]"):
        simulate(spec, parameters=Parameters(values, 3), progress=False)
    with pytest.raises(InvalidInputError, match="shape"):
        Parameters({"x": np.zeros(2)}, 3)


def test_odd_patients_with_antithetic_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="even"):
        run(model(), patients=101, antithetic=True)


def test_without_history_order_does_not_change_os_and_ties_share_best() -> None:
    therapies = {
        "a": {"classes": ["x"], "pfs": {"distribution": "weibull", "median": 10.0, "shape": 1.3}},
        "b": {"classes": ["y"], "pfs": {"distribution": "exponential", "median": 8.0}},
    }
    result = run(model(therapies=therapies, sequences=[["a", "b"], ["b", "a"]]), draws=20, psa=True)
    np.testing.assert_allclose(result.raw.os_mean[:, 0], result.raw.os_mean[:, 1], rtol=1e-5)
    best = result.probability_best("os")
    assert best.to_numpy() == pytest.approx([0.5, 0.5])
